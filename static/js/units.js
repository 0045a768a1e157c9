// Progressive selects for administrative units: province -> district -> commune.
// A select with data-units-child="<name>" reloads that child's options from the form's
// data-units-url (?province= or ?district=, per data-units-param) when it changes.
// Units.set(form, values) fills a chain in order (used when a scanned QR prefills the form).
(function (global) {
  "use strict";
  function fieldByName(form, name) { return form.querySelector('[name="' + name + '"]'); }
  function clear(select) {
    if (!select) return;
    while (select.options.length > 1) select.remove(1);
    select.value = "";
    changed(select);
  }
  // A searchable picker over the select (pickers.js) redraws from the select's options.
  function changed(select) { select.dispatchEvent(new Event("units:changed")); }
  function load(form, parent) {
    var childName = parent.getAttribute("data-units-child");
    var child = fieldByName(form, childName);
    if (!child) return Promise.resolve();
    clear(child);
    var grandchild = child.getAttribute("data-units-child");
    if (grandchild) clear(fieldByName(form, grandchild));
    if (!parent.value) return Promise.resolve();
    var url = form.getAttribute("data-units-url") + "?" + parent.getAttribute("data-units-param") + "=" + encodeURIComponent(parent.value);
    return fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { units: [] }; })
      .then(function (data) {
        data.units.forEach(function (u) { child.add(new Option(u.name, u.code)); });
        changed(child);
      });
  }
  function set(form, values) {
    // Parents first, waiting for each level's options before choosing the next.
    var chain = [["origin_province", "origin_district", "origin_commune"], ["destination_district", "destination_commune"]];
    return Promise.all(chain.map(function (names) {
      var p = Promise.resolve();
      names.forEach(function (name, i) {
        p = p.then(function () {
          var el = fieldByName(form, name);
          if (!el || values[name] === undefined || values[name] === null) return;
          el.value = String(values[name]);
          changed(el);
          if (i < names.length - 1 && el.getAttribute("data-units-child")) return load(form, el);
        });
      });
      return p;
    }));
  }
  function init() {
    document.querySelectorAll("form[data-units-url]").forEach(function (form) {
      form.querySelectorAll("select[data-units-child]").forEach(function (select) {
        select.addEventListener("change", function () { load(form, select); });
      });
    });
  }
  global.Units = { load: load, set: set };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})(window);
