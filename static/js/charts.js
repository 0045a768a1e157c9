// Draws the dashboard charts with the vendored Chart.js. Progressive: without JavaScript the same
// numbers are in the table under each chart; with it, the chart shows and the table folds away.
(function () {
  "use strict";
  if (!window.Chart) return;
  var palette = ["#1f5f8b", "#c0392b", "#1e7b43", "#a15c00", "#6c3fa0", "#00838f", "#8d6e63", "#d81b60", "#546e7a", "#7cb342"];
  var lang = document.documentElement.lang || "vi";
  var number = new Intl.NumberFormat(lang);
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var box = canvas.parentElement;
    box.hidden = false;
    var details = box.parentElement.querySelector("details.chartdata");
    if (details) details.open = false;
    var bar = spec.kind === "bar";
    var datasets = spec.datasets.map(function (ds, i) {
      var colour = palette[i % palette.length];
      return {
        label: ds.label, data: ds.data, borderColor: colour, backgroundColor: bar ? colour : colour + "22",
        borderWidth: bar ? 0 : 2, pointRadius: spec.labels.length > 40 ? 0 : 2, tension: 0.2, spanGaps: true,
        fill: false
      };
    });
    var format = function (v) { return v === null ? "—" : number.format(v) + (spec.percent ? "%" : ""); };
    new window.Chart(canvas, {
      type: bar ? "bar" : "line",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12, font: { size: 11 } } },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + format(c.parsed.y); } } }
        },
        scales: {
          x: { stacked: !!spec.stacked, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } },
          y: { stacked: !!spec.stacked, beginAtZero: true, suggestedMax: spec.percent ? 100 : undefined,
               ticks: { callback: function (v) { return format(v); } } }
        }
      }
    });
  });
})();
