// Weekly report form: recompute the difference from the system's figure as the district types.
(function () {
  "use strict";
  // Figures as the server writes them (rollout.figures): 1.234 in Vietnamese, 1,234 in English.
  var locale = document.documentElement.lang === "en" ? "en-US" : "vi-VN";
  document.querySelectorAll("[data-row]").forEach(function (row) {
    var input = row.querySelector("input[data-figure]");
    var systemCell = row.querySelector("[data-system]");
    var diffCell = row.querySelector("[data-diff]");
    if (!input || !systemCell || systemCell.getAttribute("data-system") === "") return;
    var system = parseInt(systemCell.getAttribute("data-system"), 10);
    var atLeast = row.getAttribute("data-mode") === "at_least";
    function update() {
      var value = parseInt(input.value, 10);
      if (isNaN(value)) { diffCell.textContent = ""; row.classList.remove("differs"); return; }
      var diff = value - system;
      diffCell.textContent = (diff > 0 ? "+" : "") + diff.toLocaleString(locale);
      row.classList.toggle("differs", atLeast ? diff < 0 : diff !== 0);
    }
    input.addEventListener("input", update);
  });
})();
