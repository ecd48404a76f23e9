// Draws the dashboard's charts from the numbers the page carries (each also in a table beside it).
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#6c757d", "#0b5ed7", "#146c43", "#7a5c00", "#b02a37", "#0f5132", "#495057"];
  Chart.defaults.animation = false;

  new Chart(document.getElementById("chart-events"), {
    type: "bar",
    data: { labels: data.months, datasets: [{ label: data.labels.events, data: data.events, backgroundColor: "#3b1f5c" }] },
    options: { plugins: { legend: { display: false } } }
  });

  new Chart(document.getElementById("chart-status"), {
    type: "bar",
    data: {
      labels: data.hubs,
      datasets: data.statuses.map(function (label, i) {
        return { label: label, data: data.status_by_hub.map(function (row) { return row[i]; }), backgroundColor: palette[i] };
      })
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true } } }
  });

  new Chart(document.getElementById("chart-parity"), {
    type: "line",
    // All panels, and the organiser-confirmed ones apart from the self-reported ones.
    data: {
      labels: data.months,
      datasets: [
        { label: data.labels.women_share, data: data.women_share, borderColor: "#3b1f5c", spanGaps: true },
        { label: data.labels.confirmed_share, data: data.confirmed_share, borderColor: "#146c43", borderDash: [6, 3], spanGaps: true },
        { label: data.labels.self_reported_share, data: data.self_reported_share, borderColor: "#7a5c00", borderDash: [2, 2], spanGaps: true }
      ]
    },
    options: { scales: { y: { min: 0, max: 100 } } }
  });
})();
