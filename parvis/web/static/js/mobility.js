// The planner and stations maps are an enhancement: the page lists the same information.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L || !window.parvisMap) { return; }
  var map = window.parvisMap(el, "Ville de Paris, SNCF, Vélib' Métropole (ODbL)");
  var getJSON = window.parvisGetJSON;
  var fitted = false;
  if (el.dataset.boundaries) {
    getJSON(el.dataset.boundaries, function (data) {
      var layer = L.geoJSON(data, {
        style: { color: "#1d3f72", weight: 1, fillOpacity: 0.03 }, interactive: false
      }).addTo(map);
      if (!fitted) { map.fitBounds(layer.getBounds()); }
    });
  }

  // Journeys: each leg drawn in the colour of its mode, walking dashed.
  var COLOURS = { walk: "#5b6470", bike: "#1f7a3a", bikeshare: "#1f7a3a" };
  var dataEl = el.dataset.journeys && document.getElementById(el.dataset.journeys);
  if (dataEl) {
    var journeys = JSON.parse(dataEl.textContent || "[]");
    var group = L.featureGroup();
    journeys.forEach(function (j, n) {
      j.legs.forEach(function (leg) {
        var soft = leg.mode === "walk" || leg.mode === "bike" || leg.mode === "bikeshare";
        L.geoJSON(leg.geometry, {
          style: {
            color: COLOURS[leg.mode] || "#b3261e", weight: n === 0 ? 6 : 3,
            opacity: n === 0 ? 0.9 : 0.45, dashArray: leg.mode === "walk" ? "4 6" : null
          },
          interactive: false
        }).addTo(group);
        if (!soft && n === 0) {
          L.circleMarker([leg.from.lat, leg.from.lon], { radius: 5, color: "#132a4d", fillOpacity: 1 })
            .bindTooltip(leg.from.name).addTo(group);
        }
      });
    });
    if (journeys.length) {
      group.addTo(map);
      map.fitBounds(group.getBounds(), { padding: [20, 20] });
      fitted = true;
    }
  }

  // A click on the map sets the place of departure, then the destination.
  var from = document.getElementById("from"), to = document.getElementById("to");
  var status = document.getElementById("map-status");
  if (from && to) {
    var next = from.value ? (to.value ? from : to) : from;
    map.on("click", function (e) {
      var text = e.latlng.lat.toFixed(5) + "," + e.latlng.lng.toFixed(5);
      next.value = text;
      if (status) {
        status.textContent = (next === from ? el.dataset.pickedFrom : el.dataset.pickedTo).replace("{place}", text);
      }
      next = next === from ? to : from;
    });
    // Station names as the rider types (the form works without it).
    var list = document.getElementById("stops"), timer = null;
    var suggest = function (input) {
      clearTimeout(timer);
      if (input.value.length < 2 || /^-?\d/.test(input.value)) { return; }
      timer = setTimeout(function () {
        getJSON(el.dataset.stopsUrl + "?q=" + encodeURIComponent(input.value), function (stops) {
          list.textContent = "";
          stops.forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.name;
            list.appendChild(option);
          });
        });
      }, 200);
    };
    [from, to].forEach(function (input) {
      input.addEventListener("input", function () { suggest(input); });
    });
  }

  // Stations: bikes and docks in a popup.
  if (el.dataset.stations) {
    getJSON(el.dataset.stations, function (data) {
      L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          var p = f.properties, empty = !p.bikes_available;
          return L.circleMarker(latlng, {
            radius: 4, weight: 1, color: "#132a4d", fillColor: empty ? "#ffffff" : "#1f7a3a", fillOpacity: 0.9
          });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties, box = document.createElement("div"), title = document.createElement("strong");
          title.textContent = p.name;
          box.appendChild(title);
          box.appendChild(document.createElement("br"));
          box.appendChild(document.createTextNode(
            (p.bikes_available === null ? "–" : p.bikes_available) + " " + (el.dataset.bikes || "bikes") + ", " +
            (p.docks_available === null ? "–" : p.docks_available) + " " + (el.dataset.docks || "docks")
          ));
          layer.bindPopup(box);
        }
      }).addTo(map);
    });
  }
})();
