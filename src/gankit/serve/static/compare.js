// Compare: two or more runs side by side: sample grids from the same seed, metric tables, overlaid curves.
"use strict";

async function showCompare() {
  nav("/compare");
  const main = document.getElementById("main"), ids = params("runs");
  if (ids.length < 2) {
    const listing = await api("/api/runs");
    const boxes = listing.runs.map(run => el("label", {style: "display:block"},
      el("input", {type: "checkbox", class: "pick", value: run.id}), ` ${run.id} — ${summaryLine(run.summary)}`));
    main.replaceChildren(el("section", {class: "card"}, el("h2", {text: "Pick two or more runs"}), boxes,
      el("button", {text: "Compare", onclick: () => {
        const picked = [...document.querySelectorAll("input.pick:checked")].map(b => "runs=" + encodeURIComponent(b.value));
        location.href = "/compare?" + picked.join("&");
      }})));
    document.body.dataset.ready = "1";
    return;
  }
  const runs = await Promise.all(ids.map(id => api("/api/run?run=" + encodeURIComponent(id))));
  const seed = Number(param("seed") || 0);
  const columns = runs.map((run, i) => {
    const status = el("div", {class: "status muted"}), grid = el("div", {class: "grid"});
    const column = el("section", {class: "card compared", "data-run": run.id},
      el("h2", {style: `color:${COLOURS[i % COLOURS.length]}`}, el("a", {href: "/run?run=" + encodeURIComponent(run.id), text: run.id})),
      el("div", {}, checkpointBadge(run.checkpoint)), el("div", {class: "muted", text: summaryLine(run.summary)}),
      status, grid);
    if (run.checkpoint.state === "ok") {
      runJob("/api/sample", {run: run.id, seed, n: run.kind === "points" ? 1000 : 64}, status)
        .then(src => grid.replaceChildren(el("img", {class: "result grid-image", src, alt: `samples of ${run.id}`})))
        .catch(() => {});
    } else {
      status.replaceChildren(el("span", {class: "error", text: `checkpoint ${run.checkpoint.state}: not loaded`}));
    }
    return column;
  });
  const metricRows = runs.flatMap(run => Object.entries(run.cards).map(([name, card]) => ({run: run.id, card: name, ...card})));
  const keys = [...new Set(runs.flatMap(run => Object.keys(run.curves)))];
  const charts = keys.map(key => lineChart(runs.filter(r => r.curves[key]).map((r, i) => ({
    label: r.id, colour: COLOURS[runs.indexOf(r) % COLOURS.length], points: r.curves[key]})), key));
  main.replaceChildren(
    el("p", {class: "muted", text: `samples from the same z (seed ${seed}) of each run's last checkpoint`}),
    el("div", {class: "columns"}, columns),
    el("section", {class: "card"}, el("h2", {text: "Metrics"}), metricRows.length ? table(metricRows) : el("p", {class: "muted", text: "no metric cards"})),
    el("section", {class: "card"}, el("h2", {text: "Curves"}), el("div", {class: "row"}, charts)));
  document.body.dataset.ready = "1";
}

showCompare().catch(err => document.getElementById("main").replaceChildren(el("p", {class: "error", text: err.message})));
