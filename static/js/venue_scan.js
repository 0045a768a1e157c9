// Staff scanning mode: start the camera, and post the first QR text read to the page (lookup).
// Without a network (or while earlier records still wait), a code read, a manual entry or a looked-up
// phone / ID number becomes an entry or an exit kept on the device, with the time it was recorded;
// offline.js sends them when the network returns (an exit names the visitor and the time, not a visit).
(function () {
  "use strict";
  var button = document.getElementById("scan-start"), video = document.getElementById("scan-video");
  var form = document.getElementById("scan-form"), text = document.getElementById("scan-text");
  var error = document.getElementById("scan-error"), stop = null;
  var page = document.getElementById("venue-scan");
  var Offline = window.Offline;

  function queueing() { return Offline && (!Offline.online() || Offline.pending() > 0); }

  // --- offline: what staff choose for a code read ------------------------------------------------
  var found = document.getElementById("offline-found");
  var current = null;  // the code shown in the panel
  var insideHere = {};  // codes entered on this device and not yet seen leaving (a hint only)
  try { insideHere = JSON.parse(window.sessionStorage.getItem("rollout.inside." + (page && page.getAttribute("data-sync-url"))) || "{}"); } catch (e) { insideHere = {}; }
  function remember() {
    try { window.sessionStorage.setItem("rollout.inside." + page.getAttribute("data-sync-url"), JSON.stringify(insideHere)); } catch (e) { /* private mode */ }
  }
  function answers(container) {
    var out = {};
    Array.prototype.forEach.call(container.querySelectorAll("[data-answer]"), function (box) { out[box.getAttribute("data-answer")] = box.checked; });
    return out;
  }
  function record(action, payload, label) {
    var words = action === "enter" ? Offline.texts.enter : Offline.texts.exit;
    payload.action = action;
    payload.at = new Date().toISOString();
    return Offline.enqueue("venue_scan", page.getAttribute("data-sync-url"), payload, words + ": " + label);
  }
  function shortCode(code) { return "QR …" + code.replace(/\/+$/, "").slice(-6); }
  function showFound(code) {
    current = code;
    found.hidden = false;
    found.querySelector("[data-offline-found-text]").textContent = shortCode(code);
    found.querySelector("[data-offline-found-hint]").hidden = !insideHere[code];
    Array.prototype.forEach.call(found.querySelectorAll("[data-answer]"), function (box) { box.checked = false; });
    found.querySelector(insideHere[code] ? "[data-offline-exit]" : "[data-offline-enter]").focus();
  }
  function doneFound() {
    current = null;
    found.hidden = true;
    text.value = "";
    if (stop === null && video.hidden) text.focus();
  }
  // The panel closes at once, not when the device's storage has kept the record: a hand scanner may
  // already be typing the next visitor's code.
  if (Offline && found && page) {
    found.querySelector("[data-offline-enter]").addEventListener("click", function () {
      var code = current, given = answers(found);
      doneFound();
      record("enter", { qr: code, answers: given }, shortCode(code)).then(function () {
        insideHere[code] = true; remember();
      });
    });
    found.querySelector("[data-offline-exit]").addEventListener("click", function () {
      var code = current;
      doneFound();
      record("exit", { qr: code }, shortCode(code)).then(function () {
        delete insideHere[code]; remember();
      });
    });
    found.querySelector("[data-offline-cancel]").addEventListener("click", doneFound);

    form.addEventListener("submit", function (e) {
      if (!queueing()) return;
      e.preventDefault();  // never sent without a network, even empty
      if (text.value.trim()) showFound(text.value.trim());
    });
    // Manual entry of a visitor without a smartphone.
    var entry = document.getElementById("manual-entry");
    if (entry) entry.addEventListener("submit", function (e) {
      if (!queueing()) return;
      e.preventDefault();
      var get = function (name) { var el = entry.elements[name]; return el ? el.value.trim() : ""; };
      var health = {};
      Array.prototype.forEach.call(entry.querySelectorAll("input[type=radio]:checked"), function (r) { health[r.name] = r.value === "yes"; });
      var payload = { full_name: get("full_name"), phone: get("phone"), id_number: get("id_number"), answers: health };
      record("enter", payload, payload.full_name || payload.phone || payload.id_number).then(function () { entry.reset(); });
    });
    // Looked up by phone or ID number: offline the page cannot say whether they are inside; staff can.
    var lookup = document.getElementById("lookup-form");
    var lookupExit = lookup && lookup.querySelector("[data-offline-lookup-exit]");
    if (lookup && lookupExit) {
      lookup.addEventListener("submit", function (e) {
        if (!queueing()) return;
        e.preventDefault();
        lookupExit.hidden = false;
        if (entry) {
          entry.hidden = false;
          var query = lookup.elements.query.value.trim();
          var target = /^0\d{9}$|^\+?84/.test(query.replace(/\s/g, "")) ? "phone" : "id_number";
          if (entry.elements[target]) entry.elements[target].value = query;
        }
      });
      lookupExit.addEventListener("click", function () {
        var query = lookup.elements.query.value.trim();
        if (!query) return;
        record("exit", { query: query }, query).then(function () { lookup.reset(); lookupExit.hidden = true; });
      });
    }
  }

  // --- the camera ----------------------------------------------------------------------------------
  if (!button || !video || !window.QrScan) return;
  function start() {
    video.hidden = false;
    button.hidden = true;
    stop = window.QrScan.start(video, function (value) {
      if (queueing() && found) { showFound(value); return; }  // keep scanning: the next visitor follows
      if (stop) stop();
      text.value = value;
      form.submit();
    }, { onError: function () { error.hidden = false; video.hidden = true; button.hidden = false; stop = null; } });
    try { window.sessionStorage.setItem("rollout.scanning", "1"); } catch (e) { /* private mode */ }
  }
  button.addEventListener("click", start);
  // Keep scanning after each recorded entry or exit (the camera permission is already granted).
  var again = false;
  try { again = window.sessionStorage.getItem("rollout.scanning") === "1"; } catch (e) { /* private mode */ }
  if (again && !document.getElementById("found")) start();
})();
