// The staff app's service worker (served as /sw.js, which sets self.ROLLOUT_SW and loads Workbox first).
// Static files are precached by revision; the pages that work offline (the arrival form, the venue
// scanning page) come from the network when it answers within a few seconds, else from the last copy;
// the lists of communes come from the cache and are refreshed behind. Nothing is sent from here: the
// pages send their queue themselves (offline.js), so a record never waits on a worker the browser paused.
/* global workbox */
(function () {
  "use strict";
  var config = self.ROLLOUT_SW;
  var core = workbox.core, routing = workbox.routing, strategies = workbox.strategies;
  var PAGES = "rollout-pages", DATA = "rollout-data", STATIC = "rollout-static";

  core.setCacheNameDetails({ prefix: "rollout", suffix: "", precache: "precache", runtime: "runtime" });
  self.skipWaiting();
  core.clientsClaim();
  workbox.precaching.precacheAndRoute(config.precache);
  workbox.precaching.cleanupOutdatedCaches();

  var pagePatterns = config.pages.map(function (source) { return new RegExp(source); });
  function isPage(url) {
    return url.origin === self.location.origin && pagePatterns.some(function (re) { return re.test(url.pathname); });
  }
  function isUnits(url) { return url.origin === self.location.origin && url.pathname === config.units; }
  function isStatic(url) { return url.origin === self.location.origin && url.pathname.indexOf(config.static) === 0; }

  // Never keep a sign-in page (a redirect after the session expired) in place of the page asked for.
  var onlyTheRealPage = {
    cacheWillUpdate: function (param) {
      var response = param.response;
      return response && response.status === 200 && !response.redirected ? response : null;
    }
  };
  // A page opened with another query (?checkpoint=…) than the one cached still opens offline.
  var samePathFallback = {
    handlerDidError: function (param) {
      var url = new URL(param.request.url);
      return caches.open(PAGES).then(function (cache) {
        return cache.match(url.origin + url.pathname, { ignoreSearch: true, ignoreVary: true });
      });
    }
  };
  var pages = new strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 4,
    matchOptions: { ignoreVary: true },
    plugins: [onlyTheRealPage, samePathFallback]
  });
  var units = new strategies.StaleWhileRevalidate({
    cacheName: DATA,
    matchOptions: { ignoreVary: true },
    plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
              new workbox.expiration.ExpirationPlugin({ maxEntries: 200 })]
  });
  // Static files not in the precache (the QR decoder, loaded only when a camera opens).
  var otherStatic = new strategies.CacheFirst({
    cacheName: STATIC,
    plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
              new workbox.expiration.ExpirationPlugin({ maxEntries: 30 })]
  });

  routing.registerRoute(function (o) { return isPage(o.url); }, pages);
  routing.registerRoute(function (o) { return isUnits(o.url); }, units);
  routing.registerRoute(function (o) { return isStatic(o.url); }, otherStatic);

  // The page asks, when it has a network, for what its user needs offline: their pages, the communes of
  // the destinations, the decoder on a browser without its own. Each goes through its route's strategy.
  self.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type !== "warm" || !Array.isArray(data.urls)) return;
    var jobs = data.urls.map(function (href) {
      var url = new URL(href, self.location.origin);
      var strategy = isPage(url) ? pages : isUnits(url) ? units : isStatic(url) ? otherStatic : null;
      if (!strategy) return Promise.resolve();
      var request = new Request(url.href, { credentials: "same-origin" });
      return strategy.handle({ event: event, request: request }).catch(function () { /* next time */ });
    });
    event.waitUntil(Promise.all(jobs).then(function () {
      if (event.source) event.source.postMessage({ type: "warmed", count: jobs.length });
    }));
  });
})();
