// Import job page: while a worker checks or stores the file, follow its progress and show the result
// when it is there. Without this script the page reloads itself (a <meta refresh> in <noscript>).
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status]");
  if (!box) return;
  var url = box.getAttribute("data-import-status");
  var bar = box.querySelector("progress");
  var done = box.querySelector("[data-rows-done]");
  var label = box.querySelector("[data-status-label]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 5000); return; }
        if (!data.running) { window.location.reload(); return; }
        // Storing is one transaction: no count to show, the bar just moves.
        if (bar && data.status !== "storing") { bar.max = data.rows_total || 1; bar.value = data.rows_done; }
        if (done) done.textContent = data.rows_done.toLocaleString("vi-VN");
        if (label) label.textContent = data.status_display;
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
