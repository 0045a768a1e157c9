// Staff scanning mode: start the camera, and post the first QR text read to the page (lookup).
(function () {
  "use strict";
  var button = document.getElementById("scan-start"), video = document.getElementById("scan-video");
  if (!button || !video || !window.QrScan) return;
  var form = document.getElementById("scan-form"), text = document.getElementById("scan-text");
  var error = document.getElementById("scan-error"), stop = null;
  function start() {
    video.hidden = false;
    button.hidden = true;
    stop = window.QrScan.start(video, function (value) {
      if (stop) stop();
      text.value = value;
      form.submit();
    }, { onError: function () { error.hidden = false; video.hidden = true; button.hidden = false; } });
    try { window.sessionStorage.setItem("rollout.scanning", "1"); } catch (e) { /* private mode */ }
  }
  button.addEventListener("click", start);
  // Keep scanning after each recorded entry or exit (the camera permission is already granted).
  var again = false;
  try { again = window.sessionStorage.getItem("rollout.scanning") === "1"; } catch (e) { /* private mode */ }
  if (again && !document.getElementById("found")) start();
})();
