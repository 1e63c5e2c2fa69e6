// The base of every map of Parvis: Leaflet with its controls in the page's language, the
// tiles when a tile server is set, and the attribution. Maps are an enhancement: every page
// gives the same information as text.
window.parvisMap = function (el, attribution) {
  "use strict";
  var map = L.map(el, { scrollWheelZoom: false, attributionControl: true, zoomControl: false })
    .setView([48.8566, 2.3422], 12);
  // Leaflet's own labels are English: the page gives them in its language.
  L.control.zoom({
    zoomInTitle: el.dataset.zoomIn || "Zoom in", zoomOutTitle: el.dataset.zoomOut || "Zoom out"
  }).addTo(map);
  map.attributionControl.setPrefix(
    String(map.attributionControl.options.prefix).replace("<a ", '<a lang="en" hreflang="en" ')
  );
  map.on("popupopen", function (e) {
    var close = e.popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close && el.dataset.close) { close.setAttribute("aria-label", el.dataset.close); }
  });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  map.attributionControl.addAttribution(attribution);
  return map;
};

window.parvisGetJSON = function (url, done) {
  "use strict";
  fetch(url, { headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) { if (data) { done(data); } });
};
