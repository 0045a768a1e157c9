// Camera QR scanning for staff pages (venue entry, checkpoint arrivals).
// The browser's own BarcodeDetector where it reads QR codes (Android, ChromeOS, macOS); elsewhere the
// vendored barcode-detector ponyfill (zxing-wasm), fetched only when a camera is opened, so a page where
// nobody scans stays light. The script tag carries the decoder's URLs: data-decoder-js, data-decoder-wasm.
// Usage: QrScan.start(videoElement, function (text) { ... }, options) -> returns a stop() function.
(function (global) {
  "use strict";
  var me = document.currentScript;
  var decoder = null;

  function nativeDetector() {
    if (!("BarcodeDetector" in global) || !global.BarcodeDetector.getSupportedFormats) return Promise.resolve(null);
    return global.BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") >= 0 ? new global.BarcodeDetector({ formats: ["qr_code"] }) : null;
    }, function () { return null; });
  }

  function loadPonyfill() {
    return new Promise(function (resolve, reject) {
      if (global.BarcodeDetectionAPI) { resolve(); return; }
      var script = document.createElement("script");
      script.src = me.getAttribute("data-decoder-js");
      script.onload = resolve;
      script.onerror = function () { script.remove(); reject(new Error("decoder")); };
      document.head.appendChild(script);
    }).then(function () {
      var api = global.BarcodeDetectionAPI;
      var wasm = me.getAttribute("data-decoder-wasm");
      // Our own copy of the WebAssembly file, never the package's default CDN.
      api.prepareZXingModule({
        overrides: { locateFile: function (path, prefix) { return path.slice(-5) === ".wasm" ? wasm : prefix + path; } }
      });
      return new api.BarcodeDetector({ formats: ["qr_code"] });
    });
  }

  function detector() {
    if (!decoder) {
      decoder = nativeDetector().then(function (found) { return found || loadPonyfill(); });
      decoder.catch(function () { decoder = null; });
    }
    return decoder;
  }

  function start(video, onResult, options) {
    options = options || {};
    var stopped = false, stream = null, busy = false;
    var last = "", lastAt = 0;
    function emit(text) {
      var now = Date.now();
      if (text === last && now - lastAt < (options.repeatMs || 3000)) return; // same code held in front of the camera
      last = text; lastAt = now;
      onResult(text);
    }
    function tick(reader) {
      if (stopped) return;
      if (video.readyState >= 2 && !busy) {
        busy = true;
        reader.detect(video).then(function (codes) {
          busy = false;
          if (!stopped && codes.length) emit(codes[0].rawValue);
        }, function () { busy = false; });
      }
      setTimeout(function () { global.requestAnimationFrame(function () { tick(reader); }); }, 150);
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        return detector();
      })
      .then(function (reader) {
        if (stopped) { stream.getTracks().forEach(function (t) { t.stop(); }); return; }
        video.srcObject = stream;
        video.setAttribute("playsinline", "");
        return video.play().then(function () { tick(reader); });
      })
      .catch(function (err) {
        if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
        if (options.onError) options.onError(err);
      });
    return function stop() {
      stopped = true;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    };
  }
  global.QrScan = { start: start };
})(window);
