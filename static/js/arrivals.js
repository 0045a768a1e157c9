// Checkpoint arrival form: camera or hand-scanner QR -> prefill from the declaration -> one tap to save.
(function () {
  "use strict";
  var form = document.getElementById("arrival-form");
  var bar = document.querySelector("[data-scanbar]");
  if (!form || !bar) return;
  var save = form.querySelector("[data-save]");
  var status = bar.querySelector("[data-scan-status]");
  var banner = document.querySelector("[data-prefill-banner]");
  var video = bar.querySelector("[data-scan-video]");
  var startButton = bar.querySelector("[data-scan-start]");
  var stopScan = null;

  function fill(text) {
    status.textContent = "";
    return fetch(bar.getAttribute("data-prefill-url") + "?qr=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (res) {
        if (!res.ok) { status.textContent = res.data.message; return; }
        var fields = res.data.fields;
        Object.keys(fields).forEach(function (name) {
          var el = form.querySelector('[name="' + name + '"]');
          if (el && el.tagName !== "SELECT") el.value = fields[name];
          if (el && el.tagName === "SELECT" && !/^(origin_|destination_)/.test(name)) el.value = fields[name];
        });
        return window.Units.set(form, fields).then(function () {
          banner.hidden = false;
          banner.querySelector("li").textContent = res.data.summary;
          save.focus(); // one tap (or Enter) confirms
        });
      })
      .catch(function () { status.textContent = "⚠"; });
  }

  bar.addEventListener("submit", function (e) {
    var input = bar.querySelector('[name="qr"]');
    if (!input.value.trim()) return;
    e.preventDefault();
    fill(input.value.trim());
    input.value = "";
  });

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.QrScan) {
    startButton.hidden = false;
    startButton.addEventListener("click", function () {
      if (stopScan) { stopScan(); stopScan = null; video.hidden = true; return; }
      video.hidden = false;
      stopScan = window.QrScan.start(video, function (text) {
        stopScan(); stopScan = null; video.hidden = true;
        fill(text);
      }, { onError: function (err) { status.textContent = String(err && err.name || err); video.hidden = true; stopScan = null; } });
    });
  }

  // Ctrl+Enter saves from anywhere in the form (including selects).
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save.click(); }
  });
})();
