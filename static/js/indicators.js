/* Charts of the indicator pages (templates/indicators/indicator.html), drawn with the vendored
 * Apache ECharts (static/vendor/echarts/). Each chart is a <div class="chart" data-chart="bar|ranking|trend"
 * data-source="ID">, its data in <script type="application/json" id="ID"> (Django's json_script):
 * {title, labels, values, texts, lowerIsBetter}. No inline script (Content-Security-Policy).
 *
 * Readable without colour: every bar and point carries its value as a label (the formatted text
 * the table beside it shows), bars are patterned (aria.decal), and the chart has a text
 * description (aria). The table under each chart holds the same figures. */
(function () {
  "use strict";

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function text(data) {
    return function (p) { return data.texts[p.dataIndex] || ""; };
  }

  var common = {
    animation: false,
    aria: { enabled: true, decal: { show: true } },
    tooltip: { trigger: "item" },
    grid: { left: 16, right: 32, top: 24, bottom: 16, containLabel: true }
  };

  function axis(data) {
    return data.whole ? { type: "value", minInterval: 1 } : { type: "value" };
  }

  function merge(extra) {
    var out = {};
    Object.keys(common).forEach(function (k) { out[k] = common[k]; });
    Object.keys(extra).forEach(function (k) { out[k] = extra[k]; });
    return out;
  }

  var charts = {
    // The regions one level down, in the table's order.
    bar: function (data) {
      return merge({
        xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 30 : 0 } },
        yAxis: axis(data),
        tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + (data.texts[p.dataIndex] || ""); } },
        series: [{ type: "bar", name: data.title, data: data.values, barMaxWidth: 56,
                   label: { show: true, position: "top", fontSize: 13, formatter: text(data) } }]
      });
    },
    // Subdistricts, best first from the top.
    ranking: function (data) {
      return merge({
        yAxis: { type: "category", data: data.labels, inverse: true },
        xAxis: axis(data),
        tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + (data.texts[p.dataIndex] || ""); } },
        series: [{ type: "bar", name: data.title, data: data.values, barMaxWidth: 32,
                   label: { show: true, position: "right", fontSize: 13, formatter: text(data) } }]
      });
    },
    // The monthly snapshots of the year.
    trend: function (data) {
      return merge({
        xAxis: { type: "category", data: data.labels, boundaryGap: true },
        yAxis: axis(data),
        tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + (data.texts[p.dataIndex] || ""); } },
        series: [{
          type: "line", name: data.title, data: data.values, connectNulls: false, symbol: "circle", symbolSize: 8,
          label: { show: true, position: "top", fontSize: 13, formatter: text(data) }
        }]
      });
    }
  };

  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll(".chart[data-chart]").forEach(function (node) {
      var data = read(node.getAttribute("data-source"));
      var make = charts[node.getAttribute("data-chart")];
      if (!data || !make) { return; }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(make(data));
      node.setAttribute("data-drawn", "true");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
