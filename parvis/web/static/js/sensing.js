// The sensing maps are an enhancement: the page gives the same information as text and tables.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L || !window.parvisMap) { return; }
  var map = window.parvisMap(el, el.dataset.credit || "Ville de Paris (ODbL)");
  var getJSON = window.parvisGetJSON;
  var fitted = false;

  function popup(p) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.name;
    var title = document.createElement("p");
    title.appendChild(link);
    box.appendChild(title);
    var kind = document.createElement("p");
    kind.textContent = p.kind_label + (p.measures && p.measures.length ? " — " + p.measures.join(", ") : "");
    box.appendChild(kind);
    (p.latest || []).forEach(function (line) {
      var value = document.createElement("p");
      value.textContent = line;
      box.appendChild(value);
    });
    return box;
  }

  if (el.dataset.boundaries) {
    getJSON(el.dataset.boundaries, function (data) {
      var layer = L.geoJSON(data, {
        style: { color: "#1d3f72", weight: 1, fillOpacity: 0.03 }, interactive: false
      }).addTo(map);
      if (!fitted) { map.fitBounds(layer.getBounds()); }
    });
  }

  // Every public Thing, coloured by its group (what it observes; actuators apart), as the
  // legend under the map says.
  if (el.dataset.things) {
    getJSON(el.dataset.things, function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          var actuator = f.properties.kind === "actuator";
          return L.circleMarker(latlng, {
            radius: actuator ? 8 : 7, weight: actuator ? 3 : 2, color: "#1f2937",
            fillColor: f.properties.colour || "#1d3f72", fillOpacity: 0.9
          });
        },
        onEachFeature: function (f, marker) {
          marker.bindPopup(popup(f.properties));
          marker.bindTooltip(f.properties.name);
        }
      }).addTo(map);
      if (data.features && data.features.length > 1) {
        map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 15 });
        fitted = true;
      }
    });
  }

  // One Thing: its place.
  if (el.dataset.lat && el.dataset.lon) {
    var at = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    map.setView(at, 15);
    fitted = true;
    L.circleMarker(at, { radius: 8, weight: 2, color: "#1f2937", fillColor: "#1d3f72", fillOpacity: 0.9 })
      .bindTooltip(el.dataset.name || "").addTo(map);
  }
})();
