// Draws two figures the way the app's pages will: from a static script, with no inline code.
document.addEventListener("DOMContentLoaded", function () {
  var bars = document.getElementById("bars");
  var pie = document.getElementById("pie");
  Promise.all([
    Plotly.newPlot(bars, [
      {type: "bar", x: ["Tobacco", "Alcohol", "Drugs"], y: [12, 4, 7], name: "Seizures"},
      {type: "scatter", x: ["Tobacco", "Alcohol", "Drugs"], y: [3, 5, 2], name: "Cases"}
    ], {title: {text: "Results"}}, {displaylogo: false, responsive: true}),
    Plotly.newPlot(pie, [{type: "pie", values: [3, 2, 1], labels: ["Lead", "Participant", "Observer"]}], {})
  ]).then(function () { document.body.setAttribute("data-drawn", "yes"); });
});
