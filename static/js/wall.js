/* The wall display (templates/indicators/wall.html): draws the figures from the JSON in the
 * page (#wall-data), then asks data.json (body's data-url) for fresh ones every data-refresh
 * seconds, without reloading the page. A poll that fails changes nothing on screen but the
 * state line, which then says in words since when the figures are (the last good update);
 * the next good poll puts it right. Every text arrives translated from the server and
 * reaches the page through textContent.
 */
(function () {
  "use strict";

  var body = document.getElementById("wall");
  if (!body) return;
  var state = document.getElementById("wall-state");
  var clock = document.getElementById("wall-clock");
  var refresh = Math.max(5, Number(body.dataset.refresh) || 15) * 1000;
  var lastGood = null;  // "HH:MM:SS" of the last figures drawn
  var timeZone = body.dataset.timeZone || undefined;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = String(text);
    return node;
  }

  function fill(id, items, make) {
    var target = document.getElementById(id);
    if (!target) return;
    var list = target.tagName === "TABLE" ? target.tBodies[0] : target;
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!items.length) {
      var empty = target.tagName === "TABLE" ? document.createElement("tr") : el("li", null, "wall-empty");
      if (target.tagName === "TABLE") {
        var cell = el("td", body.dataset.textNone);
        cell.colSpan = target.tHead.rows[0].cells.length;
        empty.appendChild(cell);
      } else {
        empty.textContent = body.dataset.textNone;
      }
      list.appendChild(empty);
      return;
    }
    items.forEach(function (item) { list.appendChild(make(item)); });
  }

  function row(cells) {
    var tr = document.createElement("tr");
    cells.forEach(function (c) {
      var td = el("td", c.text, c.className);
      if (c.data) Object.keys(c.data).forEach(function (k) { td.dataset[k] = c.data[k]; });
      tr.appendChild(td);
    });
    return tr;
  }

  // The wall does not scroll: rows that would run past the bottom of their panel are hidden
  // (the latest alarms and the busiest services come first, so the rest can wait).
  function fitRows(id) {
    var table = document.getElementById(id);
    var panel = table && table.closest(".wall-panel");
    if (!panel) return;
    var limit = panel.getBoundingClientRect().bottom - 12;
    var over = false;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (tr) { tr.hidden = false; });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (tr) {
      over = over || tr.getBoundingClientRect().bottom > limit;
      tr.hidden = over;
    });
  }

  function format(template, time) {
    return (template || "%(time)s").replace("%(time)s", time || "—");
  }

  function setState(kind) {
    if (!state) return;
    state.dataset.state = kind;
    var template = { live: body.dataset.textLive, stale: body.dataset.textStale, "signed-out": body.dataset.textSignedOut }[kind];
    state.textContent = format(template, lastGood);
  }

  function lookup(data, path) {
    return path.split(".").reduce(function (v, k) { return v == null ? v : v[k]; }, data);
  }

  function draw(data) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-field]"), function (node) {
      var v = lookup(data, node.dataset.field);
      node.textContent = v == null ? "—" : (typeof v === "number" ? v.toLocaleString() : String(v));
    });
    var alarms = data.alarms || {};
    fill("wall-alarm-types", alarms.by_type || [], function (t) {
      var li = el("li", t.label + " " + t.count);
      li.dataset.type = t.type;
      return li;
    });
    fill("wall-alarm-list", alarms.latest || [], function (a) {
      var tr = row([
        { text: a.time },
        { text: a.type_label, data: { type: a.type } },
        { text: a.community },
        { text: [a.status_label, a.waiting_text, a.escalated_text].filter(Boolean).join(" · "), className: "wall-status",
          data: { status: a.status } },
      ]);
      tr.dataset.status = a.status;
      if (a.escalated) tr.dataset.escalated = "true";
      return tr;
    });
    var services = data.services || {};
    fill("wall-order-stages", (services.by_stage || []).filter(function (s) { return s.count; }), function (s) {
      var li = el("li", s.label + " " + s.count);
      li.dataset.stage = s.stage;
      return li;
    });
    fill("wall-services-list", services.by_item || [], function (s) {
      return row([{ text: s.item }, { text: s.orders, className: "num" }, { text: s.done, className: "num" },
                  { text: s.in_progress, className: "num" }]);
    });
    fitRows("wall-alarm-list");
    fitRows("wall-services-list");
    var indicators = data.indicators || {};
    fill("wall-indicator-list", indicators.rows || [], function (r) {
      var li = el("li", null, "wall-indicator");
      li.dataset.code = r.code;
      li.dataset.status = r.status;
      li.appendChild(el("span", r.name, "name"));
      li.appendChild(el("span", r.value_text, "value"));
      li.appendChild(el("span", r.status_label + (r.binding ? " ★" : ""), "status"));
      if (r.targets_text) li.appendChild(el("span", r.targets_text, "targets"));
      return li;
    });
    var legend = document.getElementById("wall-legend");
    if (legend) {
      Array.prototype.forEach.call(legend.querySelectorAll(".wall-legend-level"), function (n) { n.remove(); });
      ((data.elders || {}).legend || []).forEach(function (b) {
        var li = el("li", null, "wall-legend-level");
        li.appendChild(el("span", null, "swatch kmap-level-" + b.level));
        li.appendChild(document.createTextNode(" " + b.text));
        legend.insertBefore(li, legend.lastElementChild);
      });
    }
    var mapEl = document.getElementById("wall-map");
    if (mapEl && window.kangyangMap) {
      var handle = window.kangyangMap.get(mapEl);
      if (handle) handle.setAreas((data.elders || {}).by_community || {});
    }
    lastGood = data.at_text;
    body.dataset.at = data.at;
    setState("live");
  }

  function poll() {
    var request = new XMLHttpRequest();
    request.open("GET", body.dataset.url);
    request.setRequestHeader("Accept", "application/json");
    request.timeout = Math.min(refresh, 30000);
    request.onload = function () {
      if (request.status === 200) {
        try { draw(JSON.parse(request.responseText)); return; } catch (err) { /* fall through */ }
      }
      setState(request.status === 401 ? "signed-out" : "stale");
    };
    request.onerror = request.ontimeout = function () { setState("stale"); };
    request.send();
  }

  function tick() {
    if (!clock) return;
    var now = new Date();
    try {
      clock.textContent = now.toLocaleString(document.documentElement.lang || undefined, {
        timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit", weekday: "short",
        hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
      });
    } catch (err) {
      clock.textContent = now.toLocaleString();
    }
    clock.dateTime = now.toISOString();
  }

  function start() {
    var first = document.getElementById("wall-data");
    try { draw(JSON.parse(first.textContent)); } catch (err) { setState("stale"); }
    tick();
    window.setInterval(tick, 1000);
    window.setInterval(poll, refresh);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
