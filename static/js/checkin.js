// Public check-in pages: remember the visitor on this phone (localStorage, nothing on the server),
// show guidance as soon as a health question is answered "yes", and remember open visits so the
// next scan of the same poster offers "Check out". The pages work without this file.
(function () {
  "use strict";
  var VISITOR = "rollout.visitor", VISITS = "rollout.visits";
  function load(key) { try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; } }
  function save(key, value) { try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ } }
  function forget(key) { try { window.localStorage.removeItem(key); } catch (e) { /* private mode */ } }
  function masked(phone) { return phone && phone.length >= 7 ? phone.slice(0, 4) + "***" + phone.slice(-3) : "***"; }
  function hhmm(iso) { var d = new Date(iso); return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2); }

  var form = document.getElementById("checkin-form");
  if (form) {
    var token = form.getAttribute("data-venue-token");
    var fields = { full_name: form.elements.full_name, phone: form.elements.phone, id_number: form.elements.id_number };
    var known = document.getElementById("known-visitor"), visitorFields = document.getElementById("visitor-fields");
    var hasErrors = !!form.querySelector(".errorlist");
    var me = load(VISITOR);
    if (me && me.full_name && me.phone) {
      Object.keys(fields).forEach(function (k) { if (fields[k] && !fields[k].value) fields[k].value = me[k] || ""; });
      if (!hasErrors) {
        known.querySelector("[data-known-name]").textContent = me.full_name;
        known.querySelector("[data-known-phone]").textContent = masked(me.phone);
        known.hidden = false;
        visitorFields.hidden = true;
      }
    }
    known.querySelector("[data-edit-visitor]").addEventListener("click", function () {
      known.hidden = true;
      visitorFields.hidden = false;
      fields.full_name.focus();
    });
    var guidance = document.getElementById("guidance");
    function syncGuidance() { guidance.hidden = !form.querySelector(".questions input[value=yes]:checked"); }
    form.querySelectorAll(".questions input").forEach(function (i) { i.addEventListener("change", syncGuidance); });
    syncGuidance();
    form.addEventListener("submit", function () {
      if (document.getElementById("remember").checked) {
        save(VISITOR, { full_name: fields.full_name.value.trim(), phone: fields.phone.value.trim(), id_number: fields.id_number.value.trim() });
      } else {
        forget(VISITOR);
      }
    });
    // An open visit here from earlier today: offer the check-out instead of a new check-in.
    var visits = load(VISITS) || {}, open = visits[token];
    if (open && new Date(open.closes) > new Date()) {
      var box = document.getElementById("open-visit");
      box.querySelector("[data-open-since]").textContent = hhmm(open.checked_in);
      box.querySelector("[data-open-link]").setAttribute("href", open.url);
      box.hidden = false;
    }
  }

  var visit = document.getElementById("visit");
  if (visit) {
    var url = visit.getAttribute("data-visit-url"), key = visit.getAttribute("data-venue-token");
    // The check-in answer is the confirmation itself; give it its own address so a reload does not post again.
    if (window.history && window.location.pathname !== url) window.history.replaceState(null, "", url);
    var all = load(VISITS) || {}, now = new Date();
    Object.keys(all).forEach(function (k) { if (new Date(all[k].closes) <= now) delete all[k]; });
    if (visit.getAttribute("data-open")) {
      all[key] = { url: url, checked_in: visit.getAttribute("data-checked-in"), closes: visit.getAttribute("data-closes") };
    } else {
      delete all[key];
    }
    save(VISITS, all);
  }
})();
