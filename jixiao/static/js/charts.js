/*
 * The report charts on the monitoring and self-evaluation pages, drawn with ECharts.
 *
 * Each chart is an element with data-chart="spending" or "completion" and data-source naming
 * a <script type="application/json"> the page embeds with Django's json_script: the same
 * series (jixiao.exporters.charts) the exported files draw with matplotlib. Numbers arrive as
 * decimal strings; they become floats only here, to be drawn.
 *
 * Charts are drawn when the page loads and again after an htmx swap (the unit/year picker
 * replaces the page in place); charts about to be swapped out are disposed first.
 *
 * Names come from people's documents (an indicator or project named `<img onerror=…>`):
 * ECharts puts a tooltip formatter's return value into the page as HTML, so every value a
 * formatter returns passes through escapeHtml. Series markers are our own classed spans:
 * ECharts' item.marker carries a style attribute, which the content security policy blocks.
 */
(function () {
  "use strict";

  var LIGHTS = {
    red: { colour: "#d9363e", label: "红灯" },
    yellow: { colour: "#f0b400", label: "黄灯" },
    green: { colour: "#2e9d4f", label: "绿灯" },
    blue: { colour: "#2f6fd6", label: "蓝灯" },
  };
  var PLANNED = "#2f6fd6";
  var SPENT = "#e8710a";
  var PROGRESS = "#7a7a7a";
  var FONT = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif';

  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  // Text for HTML: the same five characters ECharts' own echarts.format.encodeHTML replaces.
  function escapeHtml(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (ch) {
      return ESCAPES[ch];
    });
  }

  function number(value) {
    return value === null || value === undefined ? null : parseFloat(value);
  }

  function percent(value) {
    return value === null || value === undefined || isNaN(value) ? "—" : value.toFixed(2) + "%";
  }

  function parseDay(iso) {
    var parts = iso.split("-");
    return new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]));
  }

  // Day of the year (1 January is 1), the x axis of the spending chart, as the PDF draws it.
  function dayOfYear(iso) {
    var day = parseDay(iso);
    var start = Date.UTC(day.getUTCFullYear(), 0, 1);
    return Math.round((day.getTime() - start) / 86400000) + 1;
  }

  function monthEnds(year) {
    var ends = [];
    for (var month = 1; month <= 12; month++) {
      var last = new Date(Date.UTC(year, month, 0));
      ends.push(dayOfYear(last.toISOString().slice(0, 10)));
    }
    return ends;
  }

  function spendingOption(series) {
    var year = parseDay(series.as_of).getUTCFullYear();
    var ends = monthEnds(year);
    var days = ends[11];
    var points = function (values) {
      var out = [];
      series.dates.forEach(function (iso, i) {
        var value = number(values[i]);
        if (value !== null) out.push([dayOfYear(iso), value, iso]);
      });
      return out;
    };
    var planned = points(series.planned);
    var spent = points(series.spent);
    var progress = points(series.time_progress);
    var top = Math.max.apply(null, [100].concat(
      planned.map(function (p) { return p[1]; }),
      spent.map(function (p) { return p[1]; })
    ));
    var asOf = parseDay(series.as_of);
    return {
      animationDuration: 300,
      textStyle: { fontFamily: FONT },
      color: [PLANNED, SPENT, PROGRESS],
      grid: { left: 52, right: 24, top: 44, bottom: 30 },
      legend: { top: 0, data: ["计划支出进度", "实际支出进度", "序时进度"] },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          if (!items.length) return "";
          var lines = [escapeHtml(items[0].value[2])];
          items.forEach(function (item) {
            lines.push('<span class="chart-marker chart-marker-' + Number(item.seriesIndex) + '"></span>' + escapeHtml(item.seriesName + "：" + percent(item.value[1])));
          });
          return lines.join("<br>");
        },
      },
      xAxis: {
        type: "value",
        min: 0,
        max: days,
        axisTick: { customValues: ends },
        axisLabel: {
          customValues: ends,
          formatter: function (value) { return ends.indexOf(value) + 1 + "月"; },
        },
        splitLine: { show: false },
      },
      yAxis: {
        type: "value",
        min: 0,
        max: Math.ceil((top * 1.08) / 10) * 10,
        axisLabel: { formatter: "{value}%" },
      },
      series: [
        { name: "计划支出进度", type: "line", data: planned, symbolSize: 5 },
        { name: "实际支出进度", type: "line", data: spent, symbolSize: 6, lineStyle: { width: 3 } },
        {
          name: "序时进度",
          type: "line",
          data: progress,
          symbol: "none",
          lineStyle: { type: "dashed" },
          markLine: {
            silent: true,
            symbol: "none",
            lineStyle: { color: "#333", type: "dotted", width: 1 },
            label: {
              formatter: "截至" + (asOf.getUTCMonth() + 1) + "月" + asOf.getUTCDate() + "日",
              position: "insideEndTop",
              rotate: 0,
              // Near the year's end the label would run off the chart: put it left of the line.
              align: dayOfYear(series.as_of) > days * 0.8 ? "right" : "center",
              color: "#333",
            },
            data: [{ xAxis: dayOfYear(series.as_of) }],
          },
        },
      ],
    };
  }

  function completionOption(series, width) {
    // On a phone the indicator names take at most 40% of the chart, leaving room for the bars.
    var labelWidth = Math.max(90, Math.min(180, Math.round((width || 600) * 0.4)));
    var values = series.values.map(number);
    var present = ["red", "yellow", "green", "blue"].filter(function (light) {
      return series.lights.indexOf(light) >= 0;
    });
    var right = Math.max.apply(null, [120].concat(values)) * 1.15;
    // One empty series per light present gives the legend its coloured keys.
    var keys = present.map(function (light) {
      return { name: LIGHTS[light].label, type: "bar", data: [], color: LIGHTS[light].colour };
    });
    return {
      animationDuration: 300,
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 56, top: 32, bottom: 24, containLabel: true },
      legend: { top: 0, data: present.map(function (light) { return LIGHTS[light].label; }) },
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          var light = LIGHTS[series.lights[item.dataIndex]];
          return escapeHtml(
            item.name + "：" + percent(item.value) + (light ? "（" + light.label + "）" : "")
          );
        },
      },
      xAxis: {
        type: "value",
        min: 0,
        max: Math.ceil(right / 20) * 20,
        interval: 20, // 100% is a grid line
        axisLabel: { formatter: "{value}%", hideOverlap: true },
      },
      yAxis: {
        type: "category",
        inverse: true, // the first indicator on top, as in the table
        data: series.labels,
        axisLabel: { width: labelWidth, overflow: "break", lineHeight: 14 },
      },
      series: [
        {
          name: "完成",
          type: "bar",
          barWidth: "60%",
          data: values.map(function (value, i) {
            var light = LIGHTS[series.lights[i]];
            return { value: value, itemStyle: { color: light ? light.colour : "#999" } };
          }),
          label: {
            show: true,
            position: "right",
            formatter: function (item) { return percent(item.value); },
          },
          markLine: {
            silent: true,
            symbol: "none",
            lineStyle: { color: "#333", type: "dashed", width: 1 },
            label: { show: false },
            data: [{ xAxis: 100 }],
          },
        },
      ].concat(keys),
    };
  }

  var BUILDERS = { spending: spendingOption, completion: completionOption };

  function draw(el) {
    if (typeof echarts === "undefined" || echarts.getInstanceByDom(el)) return;
    var source = document.getElementById(el.dataset.source);
    var build = BUILDERS[el.dataset.chart];
    if (!source || !build) return;
    var series = JSON.parse(source.textContent)[el.dataset.chart];
    if (!series) return;
    if (el.dataset.chart === "completion") {
      // Room for every bar: a long list of indicators gets a taller chart.
      el.style.height = Math.max(200, 70 + 30 * series.labels.length) + "px";
      if (!series.labels.length) {
        el.innerHTML = '<p class="empty chart-empty">暂无指标完成数据</p>';
        return;
      }
    } else if (!series.dates.length) {
      el.innerHTML = '<p class="empty chart-empty">暂无资金支出数据</p>';
      return;
    }
    var chart = echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(build(series, el.clientWidth));
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  function disposeAll(root) {
    if (typeof echarts === "undefined" || !root) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = echarts.getInstanceByDom(el);
      if (chart) chart.dispose();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:beforeSwap", function (event) { disposeAll(event.detail.target); });
  document.addEventListener("htmx:afterSettle", function () { drawAll(document); });
  window.addEventListener("resize", function () {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });
})();
