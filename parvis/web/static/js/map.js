// Maps are an enhancement: every page lists the same information as text.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { scrollWheelZoom: false, attributionControl: true }).setView([48.8566, 2.3422], 12);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  map.attributionControl.addAttribution("Ville de Paris (ODbL)");
  var selected = el.dataset.selected;
  function getJSON(url, done) {
    fetch(url, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(done);
  }
  if (el.dataset.boundaries) {
    getJSON(el.dataset.boundaries, function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) {
          var on = selected && String(f.properties.number) === selected;
          return { color: "#1d3f72", weight: on ? 3 : 1, fillOpacity: on ? 0.15 : 0.04 };
        },
        interactive: false
      }).addTo(map);
      if (!el.dataset.feature) { map.fitBounds(layer.getBounds()); }
    });
  }
  function popup(f) {
    var a = document.createElement("a");
    a.href = f.properties.url; a.textContent = f.properties.title;
    return a;
  }
  if (el.dataset.projects) {
    getJSON(el.dataset.projects, function (data) {
      L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 8, color: "#132a4d", fillColor: "#1d3f72", fillOpacity: 0.8 });
        },
        onEachFeature: function (f, layer) { layer.bindPopup(popup(f)); }
      }).addTo(map);
    });
  }
  if (el.dataset.feature) {
    var feature = L.geoJSON(JSON.parse(el.dataset.feature), {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 10, color: "#132a4d", fillColor: "#1d3f72", fillOpacity: 0.8 });
      }
    }).addTo(map);
    map.fitBounds(feature.getBounds(), { maxZoom: 15 });
  }
})();
