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
  // Tables of weeks open on the newest ones (at the right end), most of all on a phone.
  document.querySelectorAll("[data-scroll-end]").forEach(function (wrap) {
    wrap.scrollLeft = wrap.scrollWidth;
  });
  // Confirm dangerous actions.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
})();
