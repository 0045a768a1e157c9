// Staff pages without a network: the service worker, and the queue of records saved on this device.
// A record saved offline (an arrival, a venue entry or exit) gets an id of its own and waits in IndexedDB
// (idb). When the network returns, the page sends the queue in order, one record per request, with a fresh
// CSRF token; the server stores each id once, so a sync cut halfway is simply sent again. Each record
// gets its own answer: saved (removed), a likely duplicate (the officer chooses), or refused (the field's
// message; the officer fixes it and it is sent again). The queue belongs to the signed-in user.
// Offline.enqueue / replace / onFix / localNow / pending are used by arrivals.js and venue_scan.js.
(function (global) {
  "use strict";
  var root = document.getElementById("offline");
  if (!root || !global.idb || !global.indexedDB) return;
  var T = JSON.parse(document.getElementById("offline-texts").textContent);
  var user = root.getAttribute("data-user");
  var sessionUrl = root.getAttribute("data-session-url");
  var loginUrl = root.getAttribute("data-login-url");
  var timeZone = root.getAttribute("data-time-zone");
  var fixers = {};
  var retryTimer = null, failures = 0, syncing = null, pendingCount = 0, expired = false, warmed = false;
  // A phone can say it is online on a link that carries nothing: after a failed request the page treats
  // the network as gone (saves go to the queue) until a request gets through again.
  var reachable = true;
  var TIMER_MS = 15000;

  // --- storage ---------------------------------------------------------------------------------
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = global.idb.openDB("rollout-offline", 1, {
        upgrade: function (d) {
          var queue = d.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
          queue.createIndex("user", "user");
          d.createObjectStore("meta", { keyPath: "key" });
        }
      });
    }
    return dbPromise;
  }
  // In the order they were saved (the index keeps the primary key's order within a user).
  function mine() { return db().then(function (d) { return d.getAllFromIndex("queue", "user", user); }); }
  function everyone() { return db().then(function (d) { return d.getAll("queue"); }); }
  function put(record) { return db().then(function (d) { return d.put("queue", record); }); }
  function drop(seq) { return db().then(function (d) { return d.delete("queue", seq); }); }
  function lastSync() {
    return db().then(function (d) { return d.get("meta", "last-sync:" + user); })
      .then(function (row) { return row ? row.at : null; });
  }
  function setLastSync() {
    return db().then(function (d) { return d.put("meta", { key: "last-sync:" + user, at: new Date().toISOString() }); });
  }

  function clientId() {
    if (global.crypto && global.crypto.randomUUID) return global.crypto.randomUUID();
    var bytes = global.crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function fmt(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (m, key) { return values[key] === undefined ? m : values[key]; });
  }

  // "2026-12-01T14:05" in the province's time zone, whatever the device's own setting.
  function localNow(date) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23"
    }).formatToParts(date || new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
  }
  function shownTime(iso) {
    var t = localNow(new Date(iso));
    return t.slice(11, 16) + " " + t.slice(8, 10) + "/" + t.slice(5, 7) + "/" + t.slice(0, 4);
  }

  // --- the queue ---------------------------------------------------------------------------------
  function enqueue(kind, url, payload, label) {
    var record = {
      client_id: clientId(), user: user, kind: kind, url: url, payload: payload, label: label,
      saved_at: new Date().toISOString(), state: "pending", result: null
    };
    return put(record).then(function (seq) {
      record.seq = seq;
      return refresh().then(function () { soon(); return record; });
    });
  }
  // A fixed record keeps its id and its place: what the server refused was never stored.
  function replace(seq, payload, label) {
    return db().then(function (d) { return d.get("queue", seq); }).then(function (record) {
      if (!record) return null;
      record.payload = payload;
      record.label = label;
      record.state = "pending";
      record.result = null;
      return put(record).then(function () { return refresh(); }).then(function () { soon(); return record; });
    });
  }

  // --- sending -------------------------------------------------------------------------------------
  function online() { return navigator.onLine !== false && reachable; }
  function soon() { if (navigator.onLine !== false) sync(); }
  function retryLater(unreachable) {
    if (unreachable) reachable = false;
    failures += 1;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, Math.min(30000, 1000 * Math.pow(2, failures - 1)));
  }
  function session() {
    return fetch(sessionUrl, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) {
        reachable = true;
        return r.json().then(function (body) { return { status: r.status, body: body }; });
      });
  }
  function withLock(work) {
    // One tab sends at a time; another tab finds the queue already sent.
    if (navigator.locks && navigator.locks.request) return navigator.locks.request("rollout-offline-sync", work);
    return work();
  }
  function send(record, token) {
    return fetch(record.url, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(Object.assign({}, record.payload, { client_id: record.client_id }))
    }).then(function (r) {
      reachable = true;
      return r.json().then(function (body) { return { status: r.status, body: body }; },
                           function () { return { status: r.status, body: null }; });
    });
  }
  function run() {
    return mine().then(function (records) {
      var waiting = records.filter(function (r) { return r.state === "pending"; });
      if (!waiting.length) return;
      status(T.sending);
      return session().then(function (s) {
        if (s.status === 401) { signedOut(); return; }
        if (s.status !== 200 || !s.body || !s.body.csrf) { retryLater(); return; }
        if (String(s.body.user) !== user) { signedOut(); return; }
        expired = false;
        var token = s.body.csrf;
        // In order, one at a time: the next is sent only once this one has its answer.
        return waiting.reduce(function (chain, record) {
          return chain.then(function (go) {
            if (!go) return false;
            return send(record, token).then(function (res) {
              if (res.status === 401) { signedOut(); return false; }
              var body = res.body;
              if (!body || !body.status) { retryLater(); return false; }  // a proxy page, a 5xx, a CSRF refusal
              failures = 0;
              if (body.status === "saved") {
                return drop(record.seq).then(setLastSync).then(function () { return refresh(); }).then(function () { return true; });
              }
              record.state = body.status === "duplicate" ? "duplicate" : "refused";
              record.result = body;
              return put(record).then(function () { return refresh(); }).then(function () { return true; });
            }, function () { retryLater(true); return false; });  // the network dropped: the same record again
          });
        }, Promise.resolve(true));
      }, function () { retryLater(true); });
    });
  }
  function sync() {
    if (syncing) return syncing;
    if (navigator.onLine === false) return refresh();
    clearTimeout(retryTimer);
    syncing = withLock(run).catch(function () { retryLater(); }).then(function () {
      syncing = null;
      return refresh();
    });
    return syncing;
  }

  // --- what the page shows ---------------------------------------------------------------------------
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  function status(text) { all("[data-offline-status]").forEach(function (el) { el.textContent = text || ""; }); }
  function signedOut() {
    expired = true;
    var next = loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search);
    all("[data-offline-signin]").forEach(function (el) { el.hidden = false; el.querySelector("a").href = next; });
  }
  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }
  function button(label, className, action) {
    var b = element("button", className, label);
    b.type = "button";
    b.addEventListener("click", action);
    return b;
  }
  function recordItem(record) {
    var li = element("li", "offline-record " + record.state);
    li.setAttribute("data-state", record.state);
    li.setAttribute("data-client-id", record.client_id);
    var head = element("div", "offline-record-head");
    head.appendChild(element("strong", "", record.label || "—"));
    head.appendChild(element("span", "muted", " " + shownTime(record.saved_at) + " "));
    head.appendChild(element("span", "tag " + (record.state === "pending" ? "" : "warn"), T.states[record.state]));
    li.appendChild(head);
    var result = record.result;
    if (result) {
      li.appendChild(element("p", "offline-message", result.message));
      if (result.fields) {
        var ul = element("ul", "errorlist");
        Object.keys(result.fields).forEach(function (name) {
          var label = (result.labels && result.labels[name]) || "";
          result.fields[name].forEach(function (m) { ul.appendChild(element("li", "", (label ? label + ": " : "") + m)); });
        });
        if (ul.childNodes.length) li.appendChild(ul);
      }
      if (result.earlier) {
        var e = result.earlier;
        li.appendChild(element("p", "muted", [e.name, e.time, e.id_number, e.phone].filter(Boolean).join(" · ")));
      }
    }
    var actions = element("div", "actions");
    if (record.state === "duplicate" && result && result.choices) {
      result.choices.forEach(function (choice, i) {
        actions.appendChild(button(choice.label, i === 0 ? "primary" : "secondary", function () {
          record.payload = Object.assign({}, record.payload, { on_duplicate: choice.value });
          record.state = "pending";
          record.result = null;
          put(record).then(refresh).then(sync);
        }));
      });
    }
    if (record.state === "refused" && fixers[record.kind]) {
      actions.appendChild(button(T.fix, "primary", function () { fixers[record.kind](record); }));
    }
    if (record.state !== "pending") {
      actions.appendChild(button(T.remove, "linkbutton", function () {
        if (global.confirm(T.removeConfirm)) drop(record.seq).then(refresh);
      }));
    }
    if (actions.childNodes.length) li.appendChild(actions);
    return li;
  }
  function fill(selector, records) {
    all(selector).forEach(function (list) {
      while (list.firstChild) list.removeChild(list.firstChild);
      records.forEach(function (r) { list.appendChild(recordItem(r)); });
    });
  }
  function refresh() {
    return Promise.all([everyone(), lastSync()]).then(function (got) {
      var records = got[0].filter(function (r) { return r.user === user; });
      var others = got[0].length - records.length;
      pendingCount = records.filter(function (r) { return r.state === "pending"; }).length;
      all("[data-offline-count]").forEach(function (el) { el.textContent = fmt(T.waiting, { n: records.length }); });
      all("[data-offline-badge]").forEach(function (el) {
        el.hidden = records.length === 0;
        el.textContent = String(records.length);
        el.title = fmt(T.waiting, { n: records.length });
      });
      all("[data-offline-last]").forEach(function (el) {
        el.textContent = got[1] ? fmt(T.lastSync, { time: shownTime(got[1]) }) : T.neverSynced;
      });
      all("[data-offline-network]").forEach(function (el) {
        el.textContent = online() ? T.online : T.offline;
        el.className = "tag " + (online() ? "ok" : "warn");
      });
      all("[data-offline-others]").forEach(function (el) {
        el.hidden = others === 0;
        el.textContent = fmt(T.others, { n: others });
      });
      // What needs the officer (refused, likely duplicates) is shown; what only waits is folded away.
      var attention = records.filter(function (r) { return r.state !== "pending"; });
      var waiting = records.filter(function (r) { return r.state === "pending"; });
      fill("[data-offline-attention]", attention);
      fill("[data-offline-records]", waiting);
      all("[data-offline-list]").forEach(function (el) { el.hidden = waiting.length === 0; });
      all("[data-offline-copy-note]").forEach(function (el) { el.hidden = online(); });
      if (!syncing) status(online() ? "" : T.offlineHint);
      root.setAttribute("data-waiting", String(records.length));
    });
  }

  // --- the service worker ------------------------------------------------------------------------
  function warm() {
    if (warmed || !online() || !navigator.serviceWorker) return;
    warmed = true;
    var extra = all("[data-offline-warm]").reduce(function (urls, el) {
      return urls.concat(JSON.parse(el.getAttribute("data-offline-warm")));
    }, []);
    // The decoder (about 1 MB) only from a page that scans, and only for a browser without its own.
    var scanner = document.querySelector("script[data-decoder-js]");
    if (scanner && !("BarcodeDetector" in global)) {
      extra = extra.concat([scanner.getAttribute("data-decoder-js"), scanner.getAttribute("data-decoder-wasm")]);
    }
    navigator.serviceWorker.ready.then(function (registration) {
      return session().then(function (s) {
        var pages = s.status === 200 && s.body.pages ? s.body.pages : [];
        var urls = [location.pathname + location.search].concat(pages, extra);
        registration.active.postMessage({ type: "warm", urls: urls });
      });
    }).catch(function () { warmed = false; });
  }
  function register() {
    if (!navigator.serviceWorker) return;
    // Users with no page that works offline are spared the worker's download (its precache).
    if (!root.getAttribute("data-install") && !document.querySelector("[data-offline-queue]")) return;
    navigator.serviceWorker.register(root.getAttribute("data-worker-url"), { scope: "/" }).then(warm, function () {});
  }

  // --- signing out on a shared device --------------------------------------------------------------
  function guardSignOut(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      mine().then(function (records) {
        if (records.length && !global.confirm(fmt(T.signOutWarning, { n: records.length }))) return;
        // The pages cached for this user go; a queue still waiting stays for them to send after signing in.
        var clear = global.caches ? caches.keys().then(function (names) {
          return Promise.all(names.filter(function (n) { return n === "rollout-pages" || n === "rollout-data"; })
            .map(function (n) { return caches.delete(n); }));
        }) : Promise.resolve();
        return clear.catch(function () {}).then(function () { form.submit(); });
      }, function () { form.submit(); });
    });
  }

  function init() {
    all("form[data-sign-out]").forEach(guardSignOut);
    all("[data-offline-send]").forEach(function (b) {
      b.addEventListener("click", function () { failures = 0; expired = false; sync(); });
    });
    global.addEventListener("online", function () { failures = 0; reachable = true; refresh(); sync(); warm(); });
    global.addEventListener("offline", function () { refresh(); });
    // Also while the link seemed dead: a timed attempt is how the page learns it carries again.
    setInterval(function () { if (pendingCount && navigator.onLine !== false && !expired) sync(); }, TIMER_MS);
    register();
    refresh().then(soon);
  }

  global.Offline = {
    enqueue: enqueue,
    replace: replace,
    onFix: function (kind, fixer) { fixers[kind] = fixer; refresh(); },
    pending: function () { return pendingCount; },
    online: online,
    localNow: localNow,
    sync: sync,
    texts: T
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})(window);
