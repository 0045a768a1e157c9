// Searchable pickers for long selects (units, agencies, facilities): select[data-picker] becomes a Tom Select
// box where "da n" finds "Đà Nẵng". Tom Select is fetched on the first use of a picker, so a page nobody picks
// on stays as light as before; without the script (offline, blocked) the plain select keeps working.
// The options' order is the server's (Vietnamese alphabetical); a search ranks by match, then that order.
(function () {
  "use strict";
  var me = document.currentScript;
  var loading = null;

  function load() {
    if (window.TomSelect) return Promise.resolve();
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = me.getAttribute("data-css");
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = me.getAttribute("data-js");
      script.onload = resolve;
      script.onerror = function () { loading = null; script.remove(); reject(); };
      document.head.appendChild(script);
    });
    return loading;
  }

  // Accent-free and case-free, "đ" as "d": what people type on a phone without Vietnamese input.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase()
      .replace(/\s+/g, " ").trim();
  }

  // What was typed, found as a phrase at the start of a word, ranks first ("Thành phố H" finds the cities
  // whose name starts with H); then found anywhere; then every typed word starting some word of the name.
  // Ties keep the server's order.
  function score(search) {
    var query = fold(search);
    var words = query.split(" ").filter(Boolean);
    return function (item) {
      if (!query) return 1;
      var text = item.$folded || (item.$folded = fold(item.text || ""));
      var at = text.indexOf(query);
      if (at === 0 || (at > 0 && text.charAt(at - 1) === " ")) return 3;
      if (at > 0) return 2;
      var names = text.split(" ");
      var all = words.every(function (word) {
        return names.some(function (name) { return name.indexOf(word) === 0; });
      });
      return all ? 1 : 0;
    };
  }

  function upgrade(select, open) {
    if (select.tomselect) return;
    var noResults = me.getAttribute("data-no-results");
    var box = new window.TomSelect(select, {
      maxOptions: null,
      allowEmptyOption: true,
      sortField: [{ field: "$score", direction: "desc" }, { field: "$order" }],
      score: score,
      highlight: false,
      render: {
        no_results: function (data, escape) { return '<div class="no-results">' + escape(noResults) + "</div>"; }
      }
    });
    // units.js reloads a child's options when its parent changes: show them.
    select.addEventListener("units:changed", function () { box.sync(); });
    box.focus();
    if (open) box.open();
  }

  function arm(select) {
    var events = ["mousedown", "touchstart", "focus"];
    function use(event) {
      if (event.type !== "focus") event.preventDefault();  // no native list: the search box opens instead
      events.forEach(function (name) { select.removeEventListener(name, use); });
      load().then(function () { upgrade(select, event.type !== "focus"); }, function () {
        select.focus();  // the plain select, as without this script
      });
    }
    events.forEach(function (name) { select.addEventListener(name, use, { passive: false }); });
  }

  function init() { document.querySelectorAll("select[data-picker]").forEach(arm); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
