// Live 2D: start a small 2D training, watch D's landscape, the data, the negatives and the losses as it trains.
"use strict";

let polling = null;

function field(label, input) { return el("label", {}, label, input); }
function select(name, options, value) {
  return el("select", {name}, options.map(o => el("option", {value: o, text: o, selected: o === value})));
}

async function showLive() {
  nav("/live");
  const main = document.getElementById("main"), options = await api("/api/live/options"), d = options.defaults;
  const number = (name, value, step) => el("input", {type: "number", name, value, step, min: 0});
  const form = el("form", {class: "tool", id: "live-form"},
    field("dataset", select("data", options.datasets, d.data)),
    field("algorithm", select("algorithm", options.algorithms, d.algorithm)),
    field("objective (GAN)", select("objective", options.objectives, d.objective)),
    field("D steps", number("d_steps", d.d_steps, 1)), field("lr G", number("lr_g", d.lr_g, "any")),
    field("lr D", number("lr_d", d.lr_d, "any")), field("steps", number("steps", d.steps, 10)),
    field("seed", number("seed", d.seed, 1)),
    el("button", {type: "submit", id: "start", text: "Start"}),
    el("button", {type: "button", id: "stop", text: "Stop", onclick: stop}));
  form.addEventListener("submit", start);
  const canvas = el("canvas", {id: "heat", width: 420, height: 420});
  main.replaceChildren(
    el("section", {class: "card"}, el("h2", {text: "Train a small 2D model and watch it"}), form,
       el("div", {id: "live-status", class: "muted", text: "idle"}), el("div", {id: "live-message"})),
    el("div", {class: "row"},
       el("section", {class: "card"}, el("h2", {text: "D's landscape"}), canvas, el("div", {id: "heat-scale"}),
          el("div", {class: "muted", text: "bright = D says real · white: data · red: G's samples (EBM: its negatives)"})),
       el("section", {class: "card"}, el("h2", {text: "Losses"}), el("div", {id: "live-curves"}))));
  const state = await api("/api/live");
  render(state);
  if (state.state === "running" || state.state === "starting" || state.state === "stopping") poll();
  document.body.dataset.ready = "1";
}

async function start(event) {
  event.preventDefault();
  const f = new FormData(event.target), numbers = ["d_steps", "lr_g", "lr_d", "steps", "seed"];
  const body = Object.fromEntries([...f.entries()].map(([k, v]) => [k, numbers.includes(k) ? Number(v) : v]));
  try { say(""); render(await api("/api/live", body)); poll(); }
  catch (err) { say(err.message); }
}

async function stop() {
  try { say(""); render(await api("/api/live/stop", {})); }
  catch (err) { say(err.message); }
}

// What the last click got back when it was refused: kept apart from the status line, which each poll redraws.
function say(message) {
  document.getElementById("live-message").replaceChildren(message ? el("span", {class: "error", text: message}) : "");
}

function poll() {
  clearTimeout(polling);
  polling = setTimeout(async () => {
    const state = await api("/api/live");
    render(state);
    if (["starting", "running", "stopping"].includes(state.state)) poll();
  }, 250);
}

function render(state) {
  const status = document.getElementById("live-status");
  status.dataset.state = state.state;
  status.dataset.frames = state.frames || 0;
  if (state.state === "idle") { status.textContent = "idle: no live run yet"; return; }
  const link = el("a", {href: "/run?run=" + encodeURIComponent(state.run), text: state.run});
  status.replaceChildren(`${state.state} · step ${state.step} of ${state.steps} · frame ${state.frames} · `, link,
                         state.error ? el("span", {class: "error", text: " " + state.error}) : "");
  if (state.frame) {
    const [lo, hi] = drawLandscape(document.getElementById("heat"), state.frame, state.data);
    document.getElementById("heat-scale").replaceChildren(colourScale(lo, hi));
  }
  const curves = state.curves || {};
  document.getElementById("live-curves").replaceChildren(
    lineChart(["loss_d", "loss_g", "loss"].filter(k => curves[k]).map(k => ({label: k, points: curves[k]})), "losses"),
    lineChart(["d_real", "d_fake", "energy_magnitude"].filter(k => curves[k]).map(k => ({label: k, points: curves[k]})), "D"));
}

showLive().catch(err => document.getElementById("main").replaceChildren(el("p", {class: "error", text: err.message})));
