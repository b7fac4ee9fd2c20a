// A run's page: its files, and pictures made from its checkpoint (samples, interpolation, D's landscape,
// what D believes is real), each a job with progress.
"use strict";

function numberInput(name, label, value, min, max) {
  return el("label", {}, label, el("input", {type: "number", name, value, min, max, step: 1}));
}

function tool(title, fields, path, body, note) {
  const status = el("div", {class: "status muted"}), result = el("div", {class: "result"});
  const form = el("form", {class: "tool", "data-tool": path}, fields,
                  el("button", {type: "submit", text: title}));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const values = body(new FormData(form));
    try {
      const image = await runJob(path, values, status);
      result.replaceChildren(el("img", {class: "result", src: image, alt: title}));
    } catch (err) { /* the status line shows it */ }
  });
  return el("section", {class: "card"}, el("h2", {text: title}), note ? el("p", {class: "muted", text: note}) : null,
            form, status, result);
}

function classField(run) {
  if (!run.summary.conditional) return null;
  return el("label", {}, "class", el("select", {name: "class"}, el("option", {value: "", text: "one row per class"}),
    run.classes.map((name, i) => el("option", {value: i, text: `${i}: ${name}`}))));
}
const classOf = form => form.get("class") ? Number(form.get("class")) : null;

async function showRun() {
  nav("/run");
  const main = document.getElementById("main"), id = param("run");
  const run = await api("/api/run?run=" + encodeURIComponent(id || ""));
  const parts = [el("section", {class: "card"}, el("h2", {}, run.id, " ", checkpointBadge(run.checkpoint)),
                    el("div", {class: "muted", text: summaryLine(run.summary)}),
                    verdictLine(run.verdict),
                    el("div", {class: "row"}, cardTables(run.cards), curveCharts(run.curves)))];
  if (run.checkpoint.state !== "ok") {
    parts.push(el("p", {class: "error damaged",
                        text: `The checkpoint is ${run.checkpoint.state} and is not loaded: ${run.checkpoint.message}`}));
  } else {
    const can = run.abilities, seed = numberInput("seed", "seed", 0, 0);
    parts.push(tool("Sample", [seed, numberInput("n", "count", run.kind === "points" ? 1000 : 64, 1, 1024), classField(run)], "/api/sample",
                    f => ({run: run.id, seed: Number(f.get("seed")), n: Number(f.get("n")), class: classOf(f)})));
    if (can.latent_space) {
      parts.push(tool("Interpolate", [numberInput("seed_a", "from seed", 0, 0), numberInput("seed_b", "to seed", 1, 0),
                                      numberInput("steps", "steps", 10, 2, 32), classField(run)], "/api/interpolate",
                      f => ({run: run.id, seed_a: Number(f.get("seed_a")), seed_b: Number(f.get("seed_b")),
                             steps: Number(f.get("steps")), class: classOf(f)}),
                      "Samples along the straight line in latent space between two seeds' z."));
    }
    if (run.kind === "points" && can.landscape) {
      parts.push(tool("Landscape", [numberInput("seed", "seed", 0, 0)], "/api/landscape",
                      f => ({run: run.id, seed: Number(f.get("seed"))}),
                      "D's score over the square (bright = D says real) with the data and the current negatives."));
    }
    if (can.exports) parts.push(browserSamplingCard(run));
    if (can.discriminator) {
      parts.push(tool("What D believes is real", [numberInput("seed", "seed", 0, 0),
                      numberInput("n", "chains (images)", 8, 1, 64), numberInput("steps", "Langevin steps", 50, 1, 500)],
                      "/api/ascent", f => ({run: run.id, seed: Number(f.get("seed")), n: Number(f.get("n")),
                                            steps: Number(f.get("steps"))}),
                      "argmax_x D(x) by Langevin dynamics from uniform noise: rows are chains (start left), or in 2D the chains' ends over D."));
    }
  }
  parts.push(el("section", {class: "card"}, el("h2", {text: "Pictures saved during training"}),
    el("div", {class: "row"}, run.pictures.map(name => el("figure", {}, el("img", {class: "picture", src: fileUrl(run.id, name), alt: name}),
                                                         el("figcaption", {class: "muted", text: name}))))));
  main.replaceChildren(...parts);
  document.body.dataset.ready = "1";
}

showRun().catch(err => document.getElementById("main").replaceChildren(el("p", {class: "error", text: err.message})));
