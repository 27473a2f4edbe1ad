// "Use my location": fills the form's lat/lng from the browser, rounded to two decimals
// (about a kilometre: enough to search, too coarse to find a home), and submits it.
// Its words come from the page (data-finding, data-failed), in the page's language.
// Progressive enhancement: the button stays hidden without JavaScript or geolocation.
(function () {
  "use strict";
  if (!("geolocation" in navigator)) return;
  document.querySelectorAll("[data-use-location]").forEach(function (button) {
    var form = button.closest("form");
    var status = form.querySelector("[data-geo-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) status.textContent = status.dataset.finding || "Finding your location…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.querySelector("[data-geo=lat]").value = position.coords.latitude.toFixed(2);
          form.querySelector("[data-geo=lng]").value = position.coords.longitude.toFixed(2);
          var near = form.querySelector("[name=near]");
          if (near) near.value = "";
          form.submit();
        },
        function () {
          if (status) status.textContent = status.dataset.failed || "We could not get your location. Enter a ZIP code or city instead.";
        },
        { timeout: 10000, maximumAge: 600000 }
      );
    });
  });
  // A typed place replaces a location found earlier.
  document.querySelectorAll("form [name=near]").forEach(function (input) {
    input.addEventListener("input", function () {
      input.form.querySelectorAll("[data-geo]").forEach(function (field) { field.value = ""; });
    });
  });
})();
