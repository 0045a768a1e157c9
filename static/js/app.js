// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Mobile navigation toggle.
  var toggle = document.querySelector("[data-nav-toggle]");
  var sidebar = document.getElementById("sidebar");
  if (toggle && sidebar) {
    toggle.addEventListener("click", function () {
      var open = sidebar.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Role forms: show only the scope field the chosen role needs.
  var needs = { district_officer: "district", checkpoint_staff: "checkpoint", agency_admin: "agency", facility_staff: "facility" };
  document.querySelectorAll("[data-role-select]").forEach(function (select) {
    var form = select.form;
    function sync() {
      form.querySelectorAll("[data-scope]").forEach(function (input) {
        var wrap = input.closest(".field");
        if (wrap) wrap.hidden = needs[select.value] !== input.getAttribute("data-scope");
      });
    }
    select.addEventListener("change", sync);
    sync();
  });
  // A field's error from the last submission goes as soon as the field is filled again: a red
  // "required" under a filled field reads as if it were still wrong (the server checks again on sending).
  function filled(el) {
    if (el.type === "checkbox" || el.type === "radio") {
      var group = el.form && el.name ? el.form.querySelectorAll('[name="' + el.name + '"]') : [el];
      return Array.prototype.some.call(group, function (x) { return x.checked; });
    }
    return (el.value || "").trim() !== "";
  }
  function clearError(event) {
    var el = event.target;
    var wrap = el.closest ? el.closest(".field.has-error") : null;
    if (!wrap || !filled(el)) return;
    wrap.classList.remove("has-error");
    wrap.querySelectorAll(".errorlist").forEach(function (list) { list.remove(); });
    wrap.querySelectorAll("[aria-invalid]").forEach(function (x) { x.removeAttribute("aria-invalid"); });
  }
  document.addEventListener("input", clearError);
  document.addEventListener("change", clearError);
  // Tables of weeks open on the newest ones (at the right end), most of all on a phone.
  document.querySelectorAll("[data-scroll-end]").forEach(function (wrap) {
    wrap.scrollLeft = wrap.scrollWidth;
  });
  // A table wider than its box scrolls inside it: the box takes the keyboard focus so that the arrow keys
  // scroll it too (WCAG 2.1.1), and is named after the table's caption when it has one.
  function scrollable() {
    document.querySelectorAll(".tablewrap").forEach(function (wrap) {
      var wide = wrap.scrollWidth > wrap.clientWidth + 1;
      if (wide && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("data-scroll-focus", "");
        var caption = wrap.querySelector("caption");
        if (caption && !wrap.hasAttribute("aria-label")) {
          wrap.setAttribute("role", "region");
          wrap.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (!wide && wrap.hasAttribute("data-scroll-focus")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("data-scroll-focus");
      }
    });
  }
  scrollable();
  window.addEventListener("resize", scrollable);
  // Confirm dangerous actions.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
})();
