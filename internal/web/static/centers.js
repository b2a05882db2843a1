// Civis service-center directory: the "near me" button. The page works without this file:
// the search form is a plain GET form and takes lat/lon typed in or given in the URL.
(function () {
  "use strict";

  function enhanceNearMe() {
    var button = document.getElementById("centers-near");
    var form = document.getElementById("centers-form");
    var lat = document.getElementById("centers-lat");
    var lon = document.getElementById("centers-lon");
    var status = document.getElementById("centers-geo-status");
    if (!button || !form || !lat || !lon || !("geolocation" in navigator)) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      if (status) { status.textContent = button.dataset.locating; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        // About 100 m: enough to order centers, and no more of the citizen's position than needed.
        lat.value = pos.coords.latitude.toFixed(4);
        lon.value = pos.coords.longitude.toFixed(4);
        form.submit();
      }, function (err) {
        button.disabled = false;
        if (status) {
          status.textContent = err && err.code === 1 ? button.dataset.denied : button.dataset.unavailable;
        }
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceNearMe);
  } else {
    enhanceNearMe();
  }
})();
