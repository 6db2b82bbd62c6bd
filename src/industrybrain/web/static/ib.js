/* Industry Brain web shell: initialise ECharts containers on load and after HTMX swaps. */
(function () {
  "use strict";
  function initCharts(root) {
    if (typeof echarts === "undefined") { return; }
    var nodes = (root || document).querySelectorAll(".ib-chart[data-echarts-options]");
    nodes.forEach(function (node) {
      if (echarts.getInstanceByDom(node)) { return; }
      var options;
      try { options = JSON.parse(node.getAttribute("data-echarts-options")); }
      catch (err) { console.error("invalid chart options", node.id, err); return; }
      var chart = echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(options);
      node.setAttribute("data-chart-ready", "true");
    });
  }
  window.addEventListener("resize", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll(".ib-chart").forEach(function (node) {
      var chart = echarts.getInstanceByDom(node);
      if (chart) { chart.resize(); }
    });
  });
  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  document.addEventListener("htmx:load", function (event) { initCharts(event.target); });
  window.ibInitCharts = initCharts;
})();
