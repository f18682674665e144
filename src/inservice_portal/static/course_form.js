// Progressive enhancement of the course form (templates/course/form.pt). Everything here also
// works without JavaScript through submit buttons that redisplay the form; this only saves the
// round trip. No inline script anywhere (CSP script-src 'self').
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.getElementById("course-form");
  if (!form) { return; }

  // --- rows (8 師資, 場次, 25 承辦人): deform.js adds and removes them in the page -----------
  function renumber(seq) {
    seq.querySelectorAll(".deform-seq-item .seq-row-number").forEach(function (span, i) {
      span.textContent = String(i + 1);
    });
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
        var first = rows[rows.length - 1].querySelector("input, select, textarea");
        if (first) { first.focus(); }
      } else {
        window.deform.removeSequenceItem(remove);
        refreshButtons(seq);
        add = seq.querySelector(".deform-seq-add");
        if (add) { add.focus(); }
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
  function minutesOf(value) {
    var m = /^(\d{1,2}):(\d{2})/.exec(value || "");
    return m ? parseInt(m[1], 10) * 60 + parseInt(m[2], 10) : null;
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
