// Draws the results (or one program) on a Leaflet map. The list on the page is complete without
// it, so the map is an extra: hidden without JavaScript, behind "Show map" on phones.
// Background: tiles from MAP_TILE_URL when it is set; otherwise the US states outline this site
// serves itself, so by default no request leaves the site. Its words come from the page's
// data-* attributes, in the page's language.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || typeof L === "undefined") return;
  var panel = element.closest("[data-map-panel]");
  var markersData = document.getElementById("map-markers");
  var markers = markersData ? JSON.parse(markersData.textContent) : [];
  var single = !markers.length && element.dataset.lat;
  if (single) {
    markers = [{
      lat: parseFloat(element.dataset.lat), lng: parseFloat(element.dataset.lng),
      name: document.title, approximate: !!element.dataset.approximate
    }];
  }
  if (!markers.length) return;

  function draw() {
    element.classList.add("map-ready");
    var map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
    // Leaflet's own words are English: the zoom buttons' and the popups' close button's
    // names come from the page, and the attribution names Leaflet without its English title.
    L.control.zoom({
      zoomInTitle: element.dataset.zoomIn || "Zoom in",
      zoomOutTitle: element.dataset.zoomOut || "Zoom out"
    }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close && element.dataset.close) {
        close.setAttribute("aria-label", element.dataset.close);
        close.title = element.dataset.close;
      }
    });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 18, attribution: element.dataset.attribution || "" }).addTo(map);
    } else if (element.dataset.states) {
      fetch(element.dataset.states)
        .then(function (response) { return response.json(); })
        .then(function (states) {
          L.geoJSON(states, { style: { color: "#8a8f98", weight: 1, fillColor: "#eef1f4", fillOpacity: 1 }, interactive: false })
            .addTo(map).bringToBack();
        })
        .catch(function () { /* the markers still show on a blank background */ });
    }
    var bounds = [];
    markers.forEach(function (marker) {
      var point = marker.number
        ? L.marker([marker.lat, marker.lng], {
            icon: L.divIcon({ className: "map-number", html: String(marker.number), iconSize: [26, 26] }),
            title: marker.number + ". " + marker.name, keyboard: false
          })
        : L.circleMarker([marker.lat, marker.lng], { radius: 8, weight: 2 });
      point.addTo(map);
      var label = document.createElement(marker.url ? "a" : "span");
      label.textContent = (marker.number ? marker.number + ". " : "") + marker.name;
      if (marker.url) label.href = marker.url;
      var popup = document.createElement("span");
      popup.appendChild(label);
      if (marker.approximate) {
        var note = document.createElement("small");
        note.textContent = " " + (element.dataset.approximateLabel || "(approximate: the ZIP code's centre)");
        popup.appendChild(note);
      }
      point.bindPopup(popup);
      bounds.push([marker.lat, marker.lng]);
    });
    if (element.dataset.lat && !single) {
      var place = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lng)];
      L.circleMarker(place, { radius: 6, weight: 3, color: "#b00020", fillColor: "#ffffff", fillOpacity: 1 })
        .addTo(map).bindPopup(document.createTextNode((element.dataset.searchLabel || "Your search:") + " " + (element.dataset.place || element.dataset.thisPlace || "this place")));
      bounds.push(place);
    }
    if (bounds.length === 1) map.setView(bounds[0], 12);
    else map.fitBounds(bounds, { padding: [24, 24] });
  }

  if (!panel) { draw(); return; }
  panel.hidden = false;
  var drawn = false;
  function drawOnce() { if (panel.open && !drawn) { drawn = true; draw(); } }
  if (window.matchMedia("(min-width: 50em)").matches) panel.open = true;
  panel.addEventListener("toggle", drawOnce);
  drawOnce();
})();
