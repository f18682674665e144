// Focus that follows the work, for keyboard and screen-reader users. No inline script (CSP).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var FIELDS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), " +
               "textarea:not([disabled]), button:not([disabled])";

  // A failed submit: the error summary takes focus, every time (a fragment left by following
  // one of its links must not take it away). Otherwise the result of the last action does
  // (registered, withdrawn, sent for review, returned, approved), not the top of the page.
  var summary = document.querySelector(".error-summary");
  var result = document.querySelector(".flash");
  if (summary) {
    if (location.hash) { history.replaceState(null, "", location.pathname + location.search); }
    summary.focus();
  } else if (result && !location.hash) {
    result.setAttribute("tabindex", "-1");
    result.focus();
  } else if (document.querySelector(".confirm-step h1")) {
    document.querySelector(".confirm-step h1").focus();   // the question, not the menu
  }

  // The main menu folds behind 選單 on a phone (the CSS decides when).
  var toggle = document.querySelector(".nav-toggle");
  var menu = document.getElementById("main-menu");
  if (toggle && menu) {
    toggle.hidden = false;
    toggle.parentNode.classList.add("nav-folds");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    });
  }

  // On a phone a table's rows stack: each cell names its column (the CSS shows the name).
  document.querySelectorAll("table.table").forEach(function (table) {
    var heads = table.tHead && table.tHead.rows[0];
    if (!heads) { return; }
    var names = [];
    Array.prototype.forEach.call(heads.cells, function (th) {
      for (var i = 0; i < th.colSpan; i += 1) { names.push(th.textContent.trim()); }
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          // (a cell across every column, 「沒有符合條件的紀錄」, is no column's)
          if (!cell.hasAttribute("data-label") && names[column] && cell.colSpan < names.length) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan;
        });
      });
    });
    table.classList.add("labelled");
  });

  // A summary link to a group (a fieldset of choices or rows) lands on its first control.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    var target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target || target.matches(FIELDS)) { return; }
    var first = target.querySelector(FIELDS);
    if (!first) { return; }
    event.preventDefault();
    history.replaceState(null, "", link.hash);
    first.focus();
  });
});
