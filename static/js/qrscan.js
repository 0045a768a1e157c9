// Camera QR scanning for staff pages (venue entry, checkpoint arrivals).
// Uses the browser's BarcodeDetector where it exists, else the vendored jsQR decoder on canvas frames.
// Usage: QrScan.start(videoElement, function (text) { ... }) -> returns a stop() function.
(function (global) {
  "use strict";
  function start(video, onResult, options) {
    options = options || {};
    var stopped = false, stream = null, canvas = document.createElement("canvas"), ctx = canvas.getContext("2d");
    var detector = ("BarcodeDetector" in global) ? new global.BarcodeDetector({ formats: ["qr_code"] }) : null;
    var last = "", lastAt = 0;
    function emit(text) {
      var now = Date.now();
      if (text === last && now - lastAt < (options.repeatMs || 3000)) return; // same code held in front of the camera
      last = text; lastAt = now;
      onResult(text);
    }
    function tick() {
      if (stopped) return;
      if (video.readyState >= 2) {
        if (detector) {
          detector.detect(video).then(function (codes) { if (codes.length) emit(codes[0].rawValue); }).catch(function () {});
        } else if (global.jsQR) {
          canvas.width = video.videoWidth; canvas.height = video.videoHeight;
          ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
          var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
          var code = global.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
          if (code && code.data) emit(code.data);
        }
      }
      setTimeout(function () { global.requestAnimationFrame(tick); }, 150);
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) { stream = s; video.srcObject = s; video.setAttribute("playsinline", ""); return video.play(); })
      .then(tick)
      .catch(function (err) { if (options.onError) options.onError(err); });
    return function stop() {
      stopped = true;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    };
  }
  global.QrScan = { start: start };
})(window);
