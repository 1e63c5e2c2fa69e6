// Maps are an enhancement: every page lists the same information as text.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L || !window.parvisMap) { return; }
  var map = window.parvisMap(el, "Ville de Paris (ODbL)");
  var selected = el.dataset.selected;
  var getJSON = window.parvisGetJSON;
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
    map.fitBounds(feature.getBounds(), { maxZoom: 14 });
  }
  // A place picker: a click on the map fills the latitude and longitude fields of the form.
  if (el.dataset.pick) {
    var lat = document.getElementById("latitude"), lon = document.getElementById("longitude");
    var marker = null;
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      if (marker) { marker.setLatLng(e.latlng); } else {
        marker = L.circleMarker(e.latlng, { radius: 9, color: "#132a4d", fillColor: "#1d3f72", fillOpacity: 0.8 }).addTo(map);
      }
    });
  }
})();
