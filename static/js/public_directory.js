/* The public directory's map (/public/institutions/): fetches the markers from map.json with
 * the page's filters and hands them to static/js/map.js as its configuration (no tiles unless
 * KANGYANG_MAP_TILES names a server). Names reach the page through textContent only (map.js). */
(function () {
  "use strict";

  function start() {
    var root = document.getElementById("public-map");
    var source = root && document.getElementById(root.dataset.config || "");
    var state = document.getElementById("public-map-state");
    if (!root || !source || !window.kangyangMap || !window.fetch) return;
    var config;
    try { config = JSON.parse(source.textContent); } catch (err) { return; }
    var words = config.words || {};
    fetch(root.dataset.source, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (data) {
        var points = (data.items || []).map(function (p) {
          var stars = p.stars ? words.stars + " " + p.stars : words.unrated;
          return {
            at: [p.lat, p.lng], symbol: "circle", label: p.stars ? String(p.stars) : "",
            text: p.name + " · " + p.kind_label + " · " + stars + " · " + words.beds + " " + p.beds_available,
          };
        });
        source.textContent = JSON.stringify({ tiles: config.tiles, points: points });
        root.dataset.mapConfig = source.id;
        window.kangyangMap.get(root);
        root.dataset.markers = String(points.length);
      })
      .catch(function () {
        if (state) state.textContent = words.failed || "";
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
