/* Kangyang's maps, drawn with the vendored Leaflet (static/vendor/leaflet/).
 *
 * A map is an element <div class="kmap" data-map-config="ID"> whose configuration is the JSON
 * in <script type="application/json" id="ID"> (Django's json_script: data, never run, so the
 * Content-Security-Policy's script-src 'self' holds). The server has already put every
 * coordinate into the tiles' system (WGS-84, or GCJ-02 for AMap: kangyang/lib/maps.py), so
 * this script converts nothing. The configuration:
 *
 *   tiles:  null (draw on a plain background) or {layers: [URL template…], subdomains,
 *           attribution, maxZoom}
 *   note:   text for the corner (e.g. "outlines approximate"), shown with the attribution
 *   still:  true on the wall display: no dragging or zooming by mistake
 *   areas:  [{id, outline: [[lat, lng]…], name, value, text, level 0–4}] shaded by level,
 *           each labelled with its value in words (never colour alone)
 *   lines:  [{path: [[lat, lng]…], colour, dash, text}]
 *   points: [{at: [lat, lng], symbol: "circle"|"square"|"diamond"|"cross", label, colour, text}]
 *
 * Text reaches the page only through textContent (names are data, not markup).
 * window.kangyangMap.get(element) returns the map's handle: setAreas({id: {value, text,
 * level}}) changes the figures without redrawing the map (the wall's refresh).
 */
(function () {
  "use strict";

  if (!window.L) return;
  var L = window.L;
  var maps = [];

  function textElement(tag, text, className) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    el.textContent = text == null ? "" : String(text);
    return el;
  }

  function pointIcon(p) {
    var el = document.createElement("div");
    el.className = "kmap-symbol kmap-" + (p.symbol || "circle");
    if (p.colour) el.style.borderColor = p.colour;
    if (p.label != null && p.label !== "") el.appendChild(textElement("span", p.label));
    return L.divIcon({ html: el, className: "kmap-point", iconSize: [24, 24], iconAnchor: [12, 12] });
  }

  function areaStyle(level) {
    return { className: "kmap-area kmap-level-" + (level || 0), weight: 1.5, fillOpacity: 1 };
  }

  function create(root) {
    if (root.kangyangMap) return root.kangyangMap;
    var source = document.getElementById(root.dataset.mapConfig || "");
    if (!source) return null;
    var config;
    try { config = JSON.parse(source.textContent); } catch (err) { return null; }
    var still = !!config.still;
    var tiles = config.tiles;
    var map = L.map(root, {
      zoomControl: !still, dragging: !still, scrollWheelZoom: !still, doubleClickZoom: !still,
      boxZoom: !still, keyboard: !still, touchZoom: !still, attributionControl: true,
      maxZoom: tiles ? tiles.maxZoom : 18, zoomSnap: 0.25,
    });
    map.attributionControl.setPrefix(false);
    root.classList.toggle("kmap-plain", !tiles);
    if (tiles) {
      tiles.layers.forEach(function (url, i) {
        L.tileLayer(url, {
          subdomains: tiles.subdomains, maxZoom: tiles.maxZoom,
          attribution: i === 0 ? tiles.attribution : "",
        }).addTo(map);
      });
    }
    if (config.note) {
      map.attributionControl.addAttribution(config.note.replace(/[<>&]/g, ""));
    }

    var bounds = L.latLngBounds([]);
    var areas = {};
    (config.areas || []).forEach(function (a) {
      if (!a.outline || a.outline.length < 3) return;
      var shape = L.polygon(a.outline, areaStyle(a.level)).addTo(map);
      var label = textElement("span", a.value == null ? "" : a.value, "kmap-value");
      shape.bindTooltip(label, { permanent: !!config.labelAreas, direction: "center", className: "kmap-label" });
      shape.bindPopup(textElement("p", a.text || a.name));
      areas[a.id] = { shape: shape, label: label };
      bounds.extend(shape.getBounds());
    });
    (config.lines || []).forEach(function (l) {
      if (!l.path || l.path.length < 2) return;
      var line = L.polyline(l.path, {
        color: l.colour || "#0072B2", weight: 4, dashArray: l.dash || null, className: "kmap-line",
      }).addTo(map);
      if (l.text) line.bindTooltip(textElement("span", l.text), { sticky: true });
      bounds.extend(line.getBounds());
    });
    (config.points || []).forEach(function (p) {
      var marker = L.marker(p.at, { icon: pointIcon(p), keyboard: false, title: "" }).addTo(map);
      if (p.text) marker.bindTooltip(textElement("span", p.text), { direction: "top", offset: [0, -10] });
      bounds.extend(p.at);
    });
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);

    function fit() {
      map.invalidateSize();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
      } else {
        map.setView([config.centre ? config.centre[0] : 28.68, config.centre ? config.centre[1] : 115.89], 12);
      }
    }
    fit();

    var handle = {
      map: map,
      fit: fit,
      setAreas: function (values) {
        Object.keys(values || {}).forEach(function (id) {
          var area = areas[id];
          if (!area) return;
          var v = values[id];
          area.shape.setStyle(areaStyle(v.level));
          // setStyle keeps the old class: set the level class on the path itself.
          var path = area.shape.getElement();
          if (path) {
            path.setAttribute("class", (path.getAttribute("class") || "").replace(/kmap-level-\d/g, "").trim()
              + " kmap-level-" + (v.level || 0));
          }
          area.label.textContent = v.value == null ? "" : String(v.value);
          if (v.text) area.shape.setPopupContent(textElement("p", v.text));
        });
      },
    };
    root.kangyangMap = handle;
    root.dataset.mapReady = "true";
    maps.push(handle);
    return handle;
  }

  function init(scope) {
    var found = (scope || document).querySelectorAll ? (scope || document).querySelectorAll(".kmap[data-map-config]") : [];
    Array.prototype.forEach.call(found, create);
    if (scope && scope.matches && scope.matches(".kmap[data-map-config]")) create(scope);
  }

  window.kangyangMap = { get: create, init: init };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  // Maps inside content htmx swapped in (the routes of another day).
  document.addEventListener("htmx:load", function (e) { init(e.target); });
  window.addEventListener("resize", function () {
    maps.forEach(function (m) { m.map.invalidateSize(); });
  });
})();
