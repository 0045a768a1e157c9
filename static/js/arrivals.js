// Checkpoint arrival form: camera or hand-scanner QR -> prefill from the declaration -> one tap to save.
// Without a network (or while earlier records still wait), Save keeps the arrival on the device instead
// (offline.js sends it when the network returns); a personal QR scanned then is kept as read.
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

  function keepToken(text) {
    // Offline: the server fills the declaration's answers in when the record is sent.
    form.querySelector('[name="declaration"]').value = text;
    // The page's default destination is not the traveller's: left empty, the declaration's is used.
    ["destination_district", "destination_commune"].forEach(function (name) {
      var el = form.querySelector('[name="' + name + '"]');
      if (el) { el.value = ""; el.dispatchEvent(new Event("units:changed")); }
    });
    banner.hidden = false;
    banner.querySelector("li").textContent = window.Offline.texts.qrKept;
    form.querySelector('[name="id_number"]').focus();
  }

  function fill(text) {
    status.textContent = "";
    if (window.Offline && !window.Offline.online()) { keepToken(text); return Promise.resolve(); }
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
      .catch(function () {
        if (window.Offline) keepToken(text); else status.textContent = "⚠";
      });
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

  if (window.Offline) queueing();

  // Ctrl+Enter saves from anywhere in the form (including selects).
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save.click(); }
  });

  function queueing() {
    var Offline = window.Offline;
    var arrived = form.querySelector('[name="arrived_at"]');
    var shown = form.querySelector('[name="arrived_at_shown"]');
    var keep = form.querySelector('[name="keep_vehicle"]');
    var kept = (form.getAttribute("data-kept-fields") || "").split(" ");
    var editing = null;

    // A page opened from the device's copy shows the time it was cached: show now instead.
    function freshTime() {
      if (arrived && shown && arrived.value === shown.value) { arrived.value = shown.value = Offline.localNow(); }
    }
    freshTime();

    function values() {
      var out = {};
      new FormData(form).forEach(function (value, name) {
        if (name === "csrfmiddlewaretoken" || name === "on_duplicate") return;
        if (name in out) out[name] = [].concat(out[name], value); else out[name] = value;
      });
      // Left as shown: the arrival is the moment of saving, on this device's clock.
      if (out.arrived_at === out.arrived_at_shown) out.arrived_at = Offline.localNow();
      delete out.arrived_at_shown;
      return out;
    }
    function setValue(name, value) {
      var el = form.elements[name];
      if (!el) return;
      if (el.type === "checkbox") el.checked = !!value; else el.value = value === undefined ? "" : value;
      if (el.tagName === "SELECT") el.dispatchEvent(new Event("units:changed"));
    }
    function next(fields) {
      form.reset();
      form.querySelector('[name="declaration"]').value = "";
      Array.prototype.forEach.call(form.querySelectorAll("select"), function (el) {
        el.dispatchEvent(new Event("units:changed"));
      });
      if (fields && fields.keep_vehicle) {
        var again = {};
        kept.forEach(function (name) { if (fields[name]) again[name] = fields[name]; });
        again.keep_vehicle = true;
        Object.keys(again).forEach(function (name) { if (!/^(origin_|destination_)/.test(name)) setValue(name, again[name]); });
        window.Units.set(form, again);
      }
      freshTime();
      banner.hidden = true;
      form.classList.remove("editing");
      form.querySelector('[name="id_number"]').focus();
    }
    function note(text) {
      banner.hidden = false;
      banner.querySelector("li").textContent = text;
    }

    form.addEventListener("submit", function (e) {
      // Online with nothing waiting: the plain post, as always (the page answers with its checks).
      if (!editing && Offline.online() && !Offline.pending()) return;
      e.preventDefault();
      var fields = values();
      var label = fields.full_name || (fields.declaration ? Offline.texts.personalQr : fields.id_number || fields.phone || "—");
      var payload = { fields: fields };
      var done = editing === null
        ? Offline.enqueue("arrival", form.getAttribute("data-sync-url"), payload, label)
        : Offline.replace(editing, payload, label);
      var words = editing === null ? Offline.texts.queued : Offline.texts.updated;
      editing = null;
      done.then(function () {
        next(fields);
        note(words.replace("%(name)s", label));
      });
    });

    // A refused record comes back into the form, as the officer typed it, with the server's messages.
    Offline.onFix("arrival", function (record) {
      var fields = record.payload.fields;
      form.reset();
      Object.keys(fields).forEach(function (name) { if (!/^(origin_|destination_)/.test(name)) setValue(name, fields[name]); });
      if (shown) shown.value = "";  // the time typed then is the arrival's time
      window.Units.set(form, fields);
      editing = record.seq;
      form.classList.add("editing");
      note(Offline.texts.editing);
      var first = Object.keys(record.result && record.result.fields || {})[0];
      var el = (first && form.elements[first]) || form.querySelector('[name="id_number"]');
      if (el && el.focus) el.focus();
      form.scrollIntoView({ block: "start" });
    });
  }
})();
