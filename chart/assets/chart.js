// Draws every .ts-chart element from the JSON option in the data block
// that follows it, with ECharts' SVG renderer, and keeps it sized to its
// container.
(function () {
  "use strict";

  // apart returns a label layout callback shared by every series of one
  // chart: each label keeps its place unless it would overlap a label
  // already placed, in which case it moves down or up, nearest first.
  function apart() {
    var placed = [];
    var seen = {};
    return function (p) {
      var key = p.seriesIndex + ":" + p.dataIndex;
      if (seen[key]) { placed = []; seen = {}; } // a new layout pass
      seen[key] = true;
      // The label's own rect may already hold the offset of an earlier
      // pass (after a resize), so its place is taken from the point it
      // labels: to the right of the symbol, centred on it. ECharts
      // under-reports a label's height while laying out (about a third of
      // a 12 px line), so a line's height is the least used.
      var h = Math.max(p.labelRect.height, 16);
      var r = { x: p.rect.x + p.rect.width + 5, y: p.rect.y + p.rect.height / 2 - h / 2, width: p.labelRect.width, height: h };
      var gap = 2;
      function hits(dy) {
        for (var i = 0; i < placed.length; i++) {
          var q = placed[i];
          if (r.x < q.x + q.width && q.x < r.x + r.width &&
              r.y + dy < q.y + q.height + gap && q.y < r.y + dy + r.height + gap) { return true; }
        }
        return false;
      }
      var dy = 0;
      for (var step = 0; step < 60 && hits(dy); step++) {
        dy = (step % 2 === 0 ? 1 : -1) * (Math.floor(step / 2) + 1) * (r.height + gap) / 2;
      }
      placed.push({ x: r.x, y: r.y + dy, width: r.width, height: r.height });
      return { dy: dy };
    };
  }

  function draw(el) {
    var data = document.getElementById(el.id + "-option");
    if (!data || el.getAttribute("data-drawn")) { return; }
    var option = JSON.parse(data.textContent);
    var layout = apart();
    (option.series || []).forEach(function (s) {
      if (s.labelLayout === "apart") { s.labelLayout = layout; }
    });
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    var els = document.querySelectorAll(".ts-chart");
    for (var i = 0; i < els.length; i++) { draw(els[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
