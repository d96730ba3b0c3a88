// ProbeOps web UI: live progress, charts and copy buttons. Every page works
// without this script; it only adds what plain HTML cannot do.
(function () {
  "use strict";

  var TERMINAL = ["finished", "failed"];
  var WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
  window.probeopsCharts = [];

  function showStatus(state) {
    var badge = document.querySelector("#status .status");
    if (badge) {
      badge.textContent = state.status;
      badge.className = "status status-" + state.status;
    }
    var text = document.getElementById("progress-text");
    if (text) {
      text.textContent = state.status === "running"
        ? "measuring " + state.targets + " target(s)…"
        : state.status === "queued" ? "waiting for a worker…" : "";
    }
    var bar = document.getElementById("progress-bar");
    if (bar && state.started_at) {
      var elapsed = (Date.now() - Date.parse(state.started_at)) / 1000;
      bar.value = Math.min(elapsed, bar.max);
    }
  }

  function followByPolling(url) {
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) { return answer.json(); })
        .then(function (body) {
          showStatus({ status: body.status, targets: (body.targets || []).length });
          if (TERMINAL.indexOf(body.status) >= 0) { location.reload(); }
          else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    poll();
  }

  function followProgress() {
    var box = document.getElementById("progress");
    if (!box || box.dataset.running !== "yes") { return; }
    if (!window.EventSource) { followByPolling(box.dataset.poll); return; }
    var events = new EventSource(box.dataset.events);
    events.addEventListener("status", function (e) { showStatus(JSON.parse(e.data)); });
    events.addEventListener("done", function () { events.close(); location.reload(); });
    events.addEventListener("timeout", function () {
      events.close(); followByPolling(box.dataset.poll);
    });
    events.onerror = function () { events.close(); followByPolling(box.dataset.poll); };
  }

  function pingOptions(chart, width) {
    return {
      title: chart.title, width: width, height: 260,
      scales: { x: { time: false } },
      series: [
        { label: chart.x_label },
        { label: chart.series[0].label, stroke: "#1f6feb", width: 2,
          points: { show: true, size: 6, fill: "#1f6feb" }, spanGaps: false },
        { label: chart.series[1].label, stroke: "#c62828", paths: function () { return null; },
          points: { show: true, size: 11, fill: "#c62828", stroke: "#c62828" } }
      ],
      axes: [{ label: chart.x_label, incrs: WHOLE_STEPS }, { label: "ms" }]
    };
  }

  function timelineOptions(chart, width) {
    return {
      title: chart.title, width: width, height: 300,
      scales: { x: { time: true }, loss: { range: [0, 100] } },
      series: [
        {},
        { label: chart.series[0].label, stroke: "rgba(31,111,235,0.35)" },
        { label: chart.series[1].label, stroke: "#1a7f37", width: 2, points: { show: true } },
        { label: chart.series[2].label, stroke: "rgba(31,111,235,0.35)" },
        { label: chart.series[3].label, scale: "loss", stroke: "#c62828",
          paths: function () { return null; },
          points: { show: true, size: 9, fill: "#c62828" } }
      ],
      bands: [{ series: [3, 1], fill: "rgba(31,111,235,0.15)" }],
      axes: [{}, { label: "ms" }, { side: 1, scale: "loss", label: "loss %", grid: { show: false } }]
    };
  }

  function lossPoints(values) {
    return values.map(function (v) { return v ? v : null; });
  }

  function drawCharts() {
    var holder = document.getElementById("chart-data");
    if (!holder || !window.uPlot) { return; }
    var charts = JSON.parse(holder.textContent);
    var boxes = document.querySelectorAll(".chart");
    charts.forEach(function (chart, index) {
      var box = boxes[index];
      if (!box) { return; }
      var width = Math.max(box.clientWidth, 260);
      var columns = [chart.x].concat(chart.series.map(function (s) { return s.values; }));
      var options;
      if (chart.kind === "timeline") {
        columns[4] = lossPoints(columns[4]);
        options = timelineOptions(chart, width);
      } else {
        options = pingOptions(chart, width);
      }
      var plot = new window.uPlot(options, columns, box);
      window.probeopsCharts.push(plot);
    });
    window.addEventListener("resize", function () {
      window.probeopsCharts.forEach(function (plot) {
        plot.setSize({ width: Math.max(plot.root.parentNode.clientWidth, 260), height: plot.height });
      });
    });
  }

  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var field = document.querySelector(button.dataset.copy);
        field.select();
        var done = function () { button.textContent = "Copied"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () {
            document.execCommand("copy"); done();
          });
        } else {
          document.execCommand("copy"); done();
        }
      });
    });
  }

  followProgress();
  drawCharts();
  copyButtons();
})();
