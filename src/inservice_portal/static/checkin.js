// 線上報到 screen: fetch the new QR code, 6-digit code and count every few seconds.
document.addEventListener("DOMContentLoaded", function () {
  var screen = document.getElementById("checkin-screen");
  if (!screen || !window.fetch) { return; }
  var url = screen.getAttribute("data-refresh");
  function refresh() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var code = document.getElementById("checkin-code");
        if (code.textContent !== data.code) {
          document.getElementById("checkin-qr").innerHTML = data.svg;
          code.textContent = data.code;
        }
        var count = document.getElementById("checkin-count");
        if (count.textContent !== String(data.count)) { count.textContent = data.count; }
        document.getElementById("checkin-timer").textContent =
          "報到碼每 30 秒更新（本組約 " + data.seconds + " 秒後更新）。";
      })
      .catch(function () {});
  }
  setInterval(refresh, 5000);
});
