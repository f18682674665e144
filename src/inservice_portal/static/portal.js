// Move focus to a form's error summary so keyboard and screen-reader users hear it first.
// (Every time: a fragment left by following one of its links must not take the focus away.)
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (!summary) { return; }
  if (location.hash) { history.replaceState(null, "", location.pathname + location.search); }
  summary.focus();
});
