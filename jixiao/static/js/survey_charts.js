/*
 * The survey results charts, drawn with ECharts: one horizontal bar chart per choice question.
 *
 * Each chart is an element with data-source naming a <script type="application/json"> the
 * page embeds with json_script: the labels and counts jixiao.surveys.answers.tally computed.
 * Labels come from people's questionnaires, so tooltips escape them (ECharts puts a
 * formatter's return value into the page as HTML).
 */
(function () {
  "use strict";

  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  var FONT = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif';

  function escapeHtml(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (ch) {
      return ESCAPES[ch];
    });
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.source);
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var labels = data.labels.slice().reverse();
    var counts = data.counts.slice().reverse();
    var percents = data.percents.slice().reverse();
    el.style.height = Math.max(120, 36 * labels.length + 40) + "px";
    var chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          return escapeHtml(item.name) + "：" + escapeHtml(item.value) + " 份（" +
            escapeHtml(percents[item.dataIndex]) + "%）";
        },
      },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: labels, axisLabel: { width: 110, overflow: "truncate" } },
      series: [
        {
          type: "bar",
          data: counts,
          itemStyle: { color: "#2f6fd6" },
          label: { show: true, position: "right", formatter: "{c}" },
        },
      ],
    });
    el.dataset.drawn = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-source].survey-chart").forEach(draw);
  });
})();
