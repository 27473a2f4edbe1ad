// Draws the results (or one program) on a Leaflet map. The list on the page is complete
// without it; with MAP_TILE_URL empty the markers show on a blank background.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || typeof L === "undefined") return;
  var markersData = document.getElementById("map-markers");
  var markers = markersData ? JSON.parse(markersData.textContent) : [];
  if (!markers.length && element.dataset.lat) {
    markers = [{ lat: parseFloat(element.dataset.lat), lng: parseFloat(element.dataset.lng), name: document.title }];
  }
  if (!markers.length) return;
  element.classList.add("map-ready");
  var map = L.map(element, { scrollWheelZoom: false });
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 18, attribution: element.dataset.attribution || "" }).addTo(map);
  }
  var bounds = [];
  markers.forEach(function (marker) {
    var point = L.circleMarker([marker.lat, marker.lng], { radius: 7, weight: 2 }).addTo(map);
    var label = document.createElement(marker.url ? "a" : "span");
    label.textContent = marker.name;
    if (marker.url) label.href = marker.url;
    var popup = document.createElement("span");
    popup.appendChild(label);
    if (marker.approximate || element.dataset.approximate) {
      var note = document.createElement("small");
      note.textContent = " (approximate: the ZIP code's centre)";
      popup.appendChild(note);
    }
    point.bindPopup(popup);
    bounds.push([marker.lat, marker.lng]);
  });
  if (element.dataset.lat && markersData) {
    bounds.push([parseFloat(element.dataset.lat), parseFloat(element.dataset.lng)]);
  }
  if (bounds.length === 1) map.setView(bounds[0], 13);
  else map.fitBounds(bounds, { padding: [20, 20] });
})();
