// Public declaration pages: remember the person's details on this phone, and their latest pass.
(function () {
  "use strict";
  var KEY = "rollout-declarant", PASS = "rollout-pass";
  function read(key) { try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; } }
  function write(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ } }

  var form = document.querySelector("[data-remember-form]");
  if (form) {
    var saved = read(KEY) || {};
    form.querySelectorAll("[data-remember]").forEach(function (el) {
      var name = el.getAttribute("data-remember");
      if (!el.value && saved[name]) {
        el.value = saved[name];
        el.dispatchEvent(new Event("input", { bubbles: true }));  // filled now: its "required" error goes
      }
    });
    form.addEventListener("submit", function () {
      var values = {};
      form.querySelectorAll("[data-remember]").forEach(function (el) { values[el.getAttribute("data-remember")] = el.value; });
      write(KEY, values);
    });
  }
  var pass = document.querySelector("[data-pass-url]");
  if (pass) write(PASS, pass.getAttribute("data-pass-url"));
  var link = document.querySelector("[data-saved-pass]");
  var url = read(PASS);
  if (link && url && /^https?:\/\/[^/]+\/p\//.test(url)) {
    link.querySelector("a").href = url;
    link.hidden = false;
  }
})();
