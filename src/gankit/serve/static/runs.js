// The Runs page: every run folder under RUNS_DIR, with its summary, metric cards, curves and latest pictures.
"use strict";

async function showRuns() {
  nav("/");
  const main = document.getElementById("main");
  const listing = await api("/api/runs");
  const compare = el("button", {id: "compare", text: "Compare selected", onclick: () => {
    const picked = [...document.querySelectorAll("input.pick:checked")].map(box => box.value);
    location.href = "/compare?" + picked.map(id => "runs=" + encodeURIComponent(id)).join("&");
  }});
  const cards = listing.runs.map(run => el("section", {class: "card run", "data-run": run.id},
    el("h2", {}, el("label", {}, el("input", {type: "checkbox", class: "pick", value: run.id}), " "),
       el("a", {href: "/run?run=" + encodeURIComponent(run.id), text: run.id}), " ", checkpointBadge(run.checkpoint),
       run.id === listing.live ? el("span", {class: "badge missing", text: "live"}) : null),
    el("div", {class: "muted", text: summaryLine(run.summary)}),
    verdictLine(run.verdict),
    el("div", {class: "row"},
       el("div", {}, cardTables(run.cards)),
       curveCharts(run.curves).slice(0, 2),
       run.pictures.slice(0, 1).map(name => el("img", {class: "picture", src: fileUrl(run.id, name), alt: name})))));
  main.replaceChildren(
    el("p", {class: "muted", text: `${listing.runs.length} runs under ${listing.root}`}),
    listing.runs.length ? el("p", {}, compare) : el("p", {text: "No runs yet: train one, or start a Live 2D run."}),
    ...cards);
  document.body.dataset.ready = "1";
}

showRuns().catch(err => document.getElementById("main").replaceChildren(el("p", {class: "error", text: err.message})));
