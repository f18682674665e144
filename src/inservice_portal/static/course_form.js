// Progressive enhancement of the course form (templates/course/form.pt). Everything here also
// works without JavaScript through submit buttons that redisplay the form; this only saves the
// round trip. No inline script anywhere (CSP script-src 'self').
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.getElementById("course-form");
  if (!form) { return; }

  // --- rows (8 師資, 場次, 25 承辦人): deform.js adds and removes them in the page -----------
  function renumber(seq) {
    seq.querySelectorAll(".deform-seq-item").forEach(function (row, i) {
      row.querySelectorAll(".seq-row-number").forEach(function (span) {
        span.textContent = String(i + 1);
      });
    });
  }
  // deform.js gives a new row's ids a suffix (deformField7 → deformField7-Ab3xYz) but leaves
  // aria-describedby alone: point it at the renamed help and error texts.
  function relink(row) {
    row.querySelectorAll("[aria-describedby]").forEach(function (control) {
      var ids = control.getAttribute("aria-describedby").split(/\s+/).map(function (id) {
        if (document.getElementById(id)) { return id; }
        var renamed = row.querySelector('[id^="' + id + '-"]');
        return renamed ? renamed.id : null;
      }).filter(Boolean);
      if (ids.length) { control.setAttribute("aria-describedby", ids.join(" ")); }
      else { control.removeAttribute("aria-describedby"); }
    });
  }
  function announce(seq, text) {
    var status = seq.querySelector("[data-seq-announce]");
    if (status) { status.textContent = text; }
  }
  function rowName(seq, n) {   // 「第 3 場次」, from the remove button's own wording
    var button = seq.querySelectorAll(".deform-seq-item .deform-close-button")[n - 1];
    return button ? button.textContent.replace(/^移除/, "") : String(n);
  }
  function refreshButtons(seq) {
    seq.querySelectorAll(".deform-close-button").forEach(function (b) { b.hidden = false; });
    var before = window.jQuery(seq).find(".deform-insert-before").last();
    window.deform.processSequenceButtons(window.jQuery(seq),
      parseInt(before.attr("min_len") || "0", 10), parseInt(before.attr("max_len") || "9999", 10),
      parseInt(before.attr("now_len") || "0", 10), false);
    renumber(seq);
  }
  if (window.deform && window.jQuery) {
    form.querySelectorAll(".deform-seq").forEach(refreshButtons);
    form.addEventListener("click", function (event) {
      var add = event.target.closest(".deform-seq-add");
      var remove = event.target.closest(".deform-close-button");
      var seq = (add || remove) && (add || remove).closest(".deform-seq");
      if (!seq) { return; }
      event.preventDefault();
      if (add) {
        window.deform.appendSequenceItem(add);
        refreshButtons(seq);
        var rows = seq.querySelectorAll(".deform-seq-item");
        relink(rows[rows.length - 1]);
        var first = rows[rows.length - 1].querySelector(
          "input:not([type=hidden]), select, textarea");
        if (first) { first.focus(); }
        announce(seq, "已新增" + rowName(seq, rows.length));
      } else {
        var gone = remove.textContent.replace(/^移除/, "");
        window.deform.removeSequenceItem(remove);
        refreshButtons(seq);
        add = seq.querySelector(".deform-seq-add");
        if (add) { add.focus(); }
        announce(seq, "已移除" + gone + "，其後各列已重新編號");
      }
      updateSuggestion();
    });
  }

  // --- 6 課程細項: the options of the chosen stage (4) and scope (5) ------------------------------
  var stageSelect = form.querySelector("select[data-stage-select]");
  var subItems = form.querySelector("select[data-sub-items]");
  function chosenScope() {
    var checked = form.querySelector(".field-scope input[type=radio]:checked");
    return checked ? checked.value : null;
  }
  function rebuildSubItems() {
    if (!stageSelect || !subItems) { return; }
    var template = subItems.parentNode.querySelector(
      'template[data-stage="' + stageSelect.value + '"]');
    var keep = subItems.value, scope = chosenScope();
    subItems.innerHTML = "";
    if (!template) {
      subItems.appendChild(new Option("請選擇", ""));
      return;
    }
    Array.prototype.forEach.call(template.content.children, function (node) {
      if (node.tagName !== "OPTGROUP" || !scope || node.getAttribute("data-scope") === scope) {
        subItems.appendChild(node.cloneNode(true));
      }
    });
    subItems.value = keep;
    if (subItems.value !== keep) { subItems.value = ""; }
  }
  if (stageSelect && subItems) {
    var refresh = form.querySelector("button[name=refresh]");
    if (refresh) { refresh.hidden = true; }
    stageSelect.addEventListener("change", rebuildSubItems);
    form.querySelectorAll(".field-scope input[type=radio]").forEach(function (radio) {
      radio.addEventListener("change", rebuildSubItems);
    });
    if (chosenScope() || !subItems.querySelector("optgroup")) { rebuildSubItems(); }
  }

  // --- 13 研習時數: the suggestion from the sessions, as rules/hours.py computes it (Art. 10) ---
  // The server's figure is authoritative; this mirrors day_credits() for live feedback: a
  // session of 50 minutes or more by its roundings, the shorter periods of a day pooled.
  function sessionHours(minutes) {
    if (minutes < 90) { return 1; }
    return Math.max(2, Math.floor(minutes / 30) * 0.5);
  }
  function pooledHours(minutes) {
    return minutes <= 60 ? 0 : Math.floor(minutes / 30) * 0.5;
  }
  function minutesOf(value) {   // as schemas/written.py reads a time: 9:05, 09：05, 0905
    var text = (value || "").trim().replace(/[\uff10-\uff19]/g, function (d) {
      return String.fromCharCode(d.charCodeAt(0) - 0xfee0);
    });
    var m = /^(\d{1,2})\s*[:\uff1a.時]\s*(\d{2})\s*分?$/.exec(text) || /^(\d{2})(\d{2})$/.exec(text);
    var hour = m && parseInt(m[1], 10), minute = m && parseInt(m[2], 10);
    return m && hour < 24 && minute < 60 ? hour * 60 + minute : null;
  }
  function updateSuggestion() {
    var output = form.querySelector("output[data-suggested-hours]");
    if (!output) { return; }
    var days = {}, total = 0, counted = 0;
    form.querySelectorAll(".field-sessions .deform-seq-item").forEach(function (row) {
      var start = minutesOf((row.querySelector("input[data-time=start]") || {}).value);
      var end = minutesOf((row.querySelector("input[data-time=end]") || {}).value);
      var day = (row.querySelector("input[data-time=date]") || {}).value || "";
      if (start !== null && end !== null && end > start) {
        var d = days[day] || (days[day] = {whole: 0, short: 0});
        if (end - start < 50) { d.short += end - start; } else { d.whole += sessionHours(end - start); }
        counted += 1;
      }
    });
    Object.keys(days).forEach(function (day) {
      total += days[day].whole + pooledHours(days[day].short);
    });
    output.textContent = counted ? total + " 小時" : "（請先填寫場次）";
  }
  form.addEventListener("input", function (event) {
    if (event.target.matches("input[data-time]")) { updateSuggestion(); }
  });
});
