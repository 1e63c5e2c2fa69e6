// The Wi-Fi maps are an enhancement: the tables of the page give the same information.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L || !window.parvisMap) { return; }
  var map = window.parvisMap(el, "Ville de Paris, INSEE (ODbL, Licence Ouverte)");
  var getJSON = window.parvisGetJSON;
  function popup(text) {
    var box = document.createElement("div");
    box.textContent = text;
    return box;
  }
  if (el.dataset.cells) {
    getJSON(el.dataset.cells, function (data) {
      L.geoJSON(data, {
        style: function (f) {
          return f.properties.covered
            ? { stroke: false, fillColor: "#1f7a3a", fillOpacity: 0.45 }
            : { stroke: false, fillColor: "#b3261e", fillOpacity: 0.12 };
        },
        interactive: false
      }).addTo(map);
    });
  }
  if (el.dataset.boundaries) {
    getJSON(el.dataset.boundaries, function (data) {
      var layer = L.geoJSON(data, {
        style: { color: "#1d3f72", weight: 1, fillOpacity: 0 }, interactive: false
      }).addTo(map);
      map.fitBounds(layer.getBounds());
    });
  }
  if (el.dataset.sites) {
    getJSON(el.dataset.sites, function (data) {
      L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 4, weight: 1, color: "#132a4d", fillColor: "#1d3f72", fillOpacity: 0.9 });
        },
        onEachFeature: function (f, layer) {
          layer.bindPopup(popup(f.properties.name + " — " + f.properties.access_points + " " + (el.dataset.ap || "")));
        }
      }).addTo(map);
    });
  }
  if (el.dataset.candidates) {
    // Thousands of candidates: drawn on a canvas, not as SVG paths.
    var canvas = L.canvas({ padding: 0.2 });
    getJSON(el.dataset.candidates, function (data) {
      L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { renderer: canvas, radius: 1.5, stroke: false, fillColor: "#6b3d00", fillOpacity: 0.6, interactive: false });
        }
      }).addTo(map);
    });
  }
  if (el.dataset.chosen) {
    getJSON(el.dataset.chosen, function (data) {
      L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 4, weight: 1, color: "#6b3d00", fillColor: "#e39b1b", fillOpacity: 0.95 });
        },
        onEachFeature: function (f, layer) { layer.bindPopup(popup(f.properties.name || f.properties.kind)); }
      }).addTo(map);
    });
  }
})();
