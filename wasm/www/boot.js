// A classic script, so it runs even where module scripts cannot (file://, where Chromium
// refuses module scripts and workers from an opaque origin): say how to open the page instead.
window.hangvietReady = false;
window.hangvietWarm = false;
document.addEventListener("DOMContentLoaded", function () {
  if (location.protocol === "file:") {
    var note = document.getElementById("file-protocol");
    if (note) note.hidden = false;
  }
});
