// The "Print" buttons (data-print) of the printable pages: posters, the personal QR card, the scorecard, the
// tracing chain. No inline handlers under the CSP; the print stylesheet decides the layout.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
