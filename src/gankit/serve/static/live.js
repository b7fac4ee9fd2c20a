// Live 2D: GAN Lab's rows on gankit's own trainer. Pick or draw 2D data, the networks, the objective, the optimiser
// and its rates; start, pause, take one update of one network; watch D's landscape with the samples and where G's
// loss pushes them, G's manifold, the coverage numbers (modes, high-quality share, KL and JS on a grid) and the losses.
"use strict";

const BRUSH_POINTS = 4, BRUSH_STD = 0.08;  // each brush event drops 4 points around the pointer
const ACTIVE = ["starting", "running", "paused", "stopping"];

let options = null, drawn = [], following = 0, lastRun = null;
let series = {kl: [], js: []};  // the run's KL and JS by frame, for their chart

function field(label, input) { return el("label", {}, label, input); }
function select(name, choices, value) {
  return el("select", {name}, choices.map(([v, text]) => el("option", {value: v, text, selected: v === value})));
}
const plain = names => names.map(n => [n, n]);

async function showLive() {
  nav("/live");
  options = await api("/api/live/options");
  const d = options.defaults, main = document.getElementById("main");
  const number = (name, value, step, min, max) => el("input", {type: "number", name, value, step, min, max});
  const datasets = [...plain(options.datasets), [options.drawn.name, "drawn by hand"]];
  const form = el("form", {class: "tool", id: "live-form"},
    field("data", select("data", datasets, d.data)),
    field("algorithm", select("algorithm", plain(options.algorithms), d.algorithm)),
    field("objective (GAN)", select("objective", plain(options.objectives), d.objective)),
    field("optimiser", select("optimizer", plain(options.optimizers), d.optimizer)),
    field("lr G", number("lr_g", d.lr_g, "any", 0)), field("lr D", number("lr_d", d.lr_d, "any", 0)),
    field("lr at the end (×)", number("lr_final", d.lr_final, "any", 0, 1)),
    field("D steps", number("d_steps", d.d_steps, 1, 1, 10)),
    field("G width", number("width", d.width, 1, 2, 256)), field("G depth", number("depth", d.depth, 1, 1, 6)),
    field("D width", number("d_width", d.d_width, 1, 2, 256)), field("D depth", number("d_depth", d.d_depth, 1, 1, 6)),
    field("latent size", number("latent_dim", d.latent_dim, 1, 1, 16)),
    field("steps", number("steps", d.steps, 10, 10, 5000)), field("seed", number("seed", d.seed, 1, 0)),
    el("button", {type: "submit", id: "start", text: "Start"}),
    el("button", {type: "button", id: "stop", text: "Stop", onclick: stop}));
  form.addEventListener("submit", start);
  form.elements.data.addEventListener("change", showDrawing);
  const controls = el("div", {class: "tool", id: "live-controls"},
    el("button", {type: "button", id: "play", text: "Pause", onclick: playOrPause, disabled: true}),
    el("span", {id: "phase-buttons"}));
  const heat = el("canvas", {id: "heat", width: 420, height: 420});
  main.replaceChildren(
    el("section", {class: "card"}, el("h2", {text: "Train a small 2D model and watch it"}), form, controls,
       el("div", {id: "live-status", class: "muted", text: "idle"}), el("div", {id: "live-message"})),
    drawingCard(),
    realDataCard(),
    el("div", {class: "row"},
       el("section", {class: "card", id: "landscape-card"},
          el("h2", {text: "D's landscape, the samples, and where training pushes them"}), heat,
          el("div", {id: "heat-scale"}),
          el("label", {class: "muted"}, el("input", {type: "checkbox", id: "show-pushes", checked: true}),
             ` arrows: where G's loss moves each sample (EBM: the Langevin drift), ${ARROW_SCALE} × the push`),
          el("label", {class: "muted"}, el("input", {type: "checkbox", id: "show-believed"}),
             " cyan: what D believes is real (argmax D(x): particles from noise climbing D, 5 Langevin steps a frame)"),
          el("div", {class: "muted", text: "bright = D says real · white: data · red: G's samples (EBM: its negatives)"})),
       el("section", {class: "card", id: "manifold-card"}, el("h2", {text: "G's manifold"}),
          el("canvas", {id: "manifold", width: 300, height: 300}),
          el("div", {class: "muted", id: "manifold-note",
                     text: "G applied to a grid of z (its first two coordinates, at the prior's quantiles)"})),
       el("section", {class: "card", id: "coverage-card"}, el("h2", {text: "Coverage"}),
          el("div", {id: "live-stats", class: "muted", text: "no frame yet"}), el("div", {id: "divergence-chart"}))),
    el("section", {class: "card"}, el("h2", {text: "Losses"}), el("div", {id: "live-curves"})));
  showDrawing();
  const state = await api("/api/live");
  render(state);
  if (ACTIVE.includes(state.state)) follow();
  document.body.dataset.ready = "1";
}

// -- data drawn by hand ----------------------------------------------------------------------------------------
function drawingCard() {
  const canvas = el("canvas", {id: "draw", width: 300, height: 300});
  let down = false;
  const brush = event => {
    const reach = options.drawn.reach, box = canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width * 2 - 1) * reach;
    const y = (1 - (event.clientY - box.top) / box.height * 2) * reach;
    for (let i = 0; i < BRUSH_POINTS && drawn.length < options.drawn.max_points; i++) {
      const clamp = v => Math.max(-reach, Math.min(reach, v));
      drawn.push([clamp(x + BRUSH_STD * gaussian()), clamp(y + BRUSH_STD * gaussian())]);
    }
    paintDrawing();
  };
  canvas.addEventListener("pointerdown", e => { down = true; brush(e); });
  canvas.addEventListener("pointermove", e => { if (down) brush(e); });
  window.addEventListener("pointerup", () => { down = false; });
  return el("section", {class: "card", id: "draw-card", hidden: true},
    el("h2", {text: "Draw the data"}), canvas,
    el("div", {}, el("span", {id: "draw-count", class: "muted"}), " ",
       el("button", {type: "button", id: "draw-clear", text: "Clear", onclick: () => { drawn = []; paintDrawing(); }})));
}

function gaussian() {  // Box-Muller: one standard normal draw
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

function showDrawing() {
  const form = document.getElementById("live-form");
  document.getElementById("draw-card").hidden = form.elements.data.value !== options.drawn.name;
  paintDrawing();
}

function paintDrawing() {
  const canvas = document.getElementById("draw"), ctx = canvas.getContext("2d"), size = canvas.width;
  const reach = options.drawn.reach, toPixel = v => (v + reach) / (2 * reach) * size;
  ctx.fillStyle = "#111";
  ctx.fillRect(0, 0, size, size);
  ctx.fillStyle = "rgba(255,255,255,0.8)";
  for (const [x, y] of drawn) ctx.fillRect(toPixel(x) - 1, size - toPixel(y) - 1, 2.5, 2.5);
  const count = document.getElementById("draw-count");
  count.dataset.points = drawn.length;
  count.textContent = `${drawn.length} points (at least ${options.drawn.min_points}, at most ${options.drawn.max_points})`;
}

// -- real data -----------------------------------------------------------------------------------------------
function realDataCard() {
  const form = el("form", {class: "tool", id: "real-form"},
    field("preset", select("preset", plain(options.real_presets), options.real_presets[0])),
    field("steps", el("input", {type: "number", name: "steps", value: 2000, min: 10, max: 20000, step: 10})),
    field("seed", el("input", {type: "number", name: "seed", value: 0, min: 0, step: 1})),
    el("button", {type: "submit", id: "real-start", text: "Start on real data"}),
    field("resume the last run to (steps in all)", el("input", {type: "number", id: "resume-steps", value: 4000, min: 1})),
    el("button", {type: "button", id: "real-resume", text: "Resume", onclick: resumeLast}));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const f = new FormData(form);
    await ask(() => api("/api/live/real", {preset: f.get("preset"), steps: Number(f.get("steps")), seed: Number(f.get("seed"))}));
    follow();
  });
  return el("section", {class: "card", id: "real-card"},
    el("h2", {text: "Real data: an image run, its newest samples and its FID as it trains"}), form,
    el("div", {class: "row"}, el("div", {id: "real-samples"}), el("div", {id: "real-fid"})));
}

async function resumeLast() {
  if (!lastRun) { say("no live run to resume yet"); return; }
  await ask(() => api("/api/live/resume", {run: lastRun, steps: Number(document.getElementById("resume-steps").value)}));
  follow();
}

function renderRealData(state) {
  const samples = document.getElementById("real-samples");
  if (state.samples && samples.dataset.grid !== state.samples) {
    samples.dataset.grid = state.samples;
    samples.replaceChildren(el("img", {class: "picture", src: fileUrl(state.run, state.samples), alt: "newest samples"}));
  }
  const fid = (state.curves || {})["eval/fid"] || [];
  const chart = document.getElementById("real-fid");
  if (Number(chart.dataset.points || 0) !== fid.length) {
    chart.dataset.points = fid.length;
    chart.replaceChildren(fid.length ? lineChart([{label: "FID", points: fid}], "FID by step (classifier features)") : "");
  }
}

// -- requests --------------------------------------------------------------------------------------------------
async function start(event) {
  event.preventDefault();
  const f = new FormData(event.target), words = ["data", "algorithm", "objective", "optimizer"];
  const body = Object.fromEntries([...f.entries()].map(([k, v]) => [k, words.includes(k) ? v : Number(v)]));
  if (body.data === options.drawn.name) body.points = drawn.map(([x, y]) => [round(x), round(y)]);
  try {
    say("");
    render(await api("/api/live", body));
    follow();
  } catch (err) { say(err.message); }
}
const round = v => Math.round(v * 1e4) / 1e4;

async function stop() { await ask(() => api("/api/live/stop", {})); }
async function playOrPause() {
  const paused = document.getElementById("live-status").dataset.state === "paused";
  await ask(() => api("/api/live/control", {action: paused ? "play" : "pause"}));
}
async function oneUpdate(phase) { await ask(() => api("/api/live/control", {action: "step", phase})); }
async function ask(request) {
  try { say(""); render(await request()); } catch (err) { say(err.message); }
}

// What the last click got back when it was refused: kept apart from the status line, which each frame redraws.
function say(message) {
  document.getElementById("live-message").replaceChildren(message ? el("span", {class: "error", text: message}) : "");
}

// A long poll: ask for a version newer than the one drawn, draw it at the next paint, ask again.
async function follow() {
  const mine = ++following;
  let version = -1;
  while (mine === following) {
    let state;
    try { state = await api(`/api/live?after=${version}`); } catch (err) { say(err.message); return; }
    if (mine !== following) return;
    await new Promise(requestAnimationFrame);
    if (state.version !== version) render(state);
    version = state.version;
    if (!ACTIVE.includes(state.state)) return;
  }
}

// -- drawing a frame -------------------------------------------------------------------------------------------
function render(state) {
  const status = document.getElementById("live-status");
  status.dataset.state = state.state;
  status.dataset.frames = state.frames || 0;
  if (state.state === "idle") { status.textContent = "idle: no live run yet"; return; }
  if (state.run !== lastRun) newRun(state.run);
  const link = el("a", {href: "/run?run=" + encodeURIComponent(state.run), text: state.run});
  status.dataset.run = state.run;
  status.replaceChildren(`${state.state} · step ${state.step} of ${state.steps} · frame ${state.frames} · `, link,
                         state.error ? el("span", {class: "error", text: " " + state.error}) : "");
  renderControls(state);
  renderRealData(state);
  const frame = state.frame;
  if (frame) {
    const heat = document.getElementById("heat");
    const [lo, hi] = drawLandscape(heat, frame, state.data);
    if (document.getElementById("show-pushes").checked) drawPushes(heat, frame);
    if (document.getElementById("show-believed").checked) {
      drawDots(heat, frame.bounds, frame.believed, "rgba(40,230,255,0.95)", 3);
    }
    const updates = JSON.stringify(frame.updates);
    if (heat.dataset.step !== String(frame.step) || heat.dataset.updates !== updates) {  // a new frame, not a redraw
      heat.dataset.drawn = Number(heat.dataset.drawn || 0) + 1;
    }
    heat.dataset.step = frame.step;
    heat.dataset.updates = updates;
    if (!heat.dataset.firstDrawnMs) heat.dataset.firstDrawnMs = performance.now();
    document.getElementById("heat-scale").replaceChildren(colourScale(lo, hi));
    if (!drawManifold(document.getElementById("manifold"), frame, state.data)) {
      document.getElementById("manifold-note").textContent = "this algorithm has no generator of z";
    }
    renderStats(frame);
  }
  const curves = state.curves || {}, lines = Object.values(curves).map(c => c.length).join(",");
  const chart = document.getElementById("live-curves");
  if (chart.dataset.lines === lines) return;  // the losses are logged every 20 steps: redrawn when one comes
  chart.dataset.lines = lines;
  chart.replaceChildren(
    lineChart(["loss_d", "loss_g", "loss"].filter(k => curves[k]).map(k => ({label: k, points: curves[k]})), "losses"),
    lineChart(["d_real", "d_fake", "energy_magnitude"].filter(k => curves[k]).map(k => ({label: k, points: curves[k]})), "D"));
}

// A run other than the one drawn so far: its counters start again (the page's frame count, the KL/JS series).
function newRun(run) {
  lastRun = run;
  series = {kl: [], js: []};
  const heat = document.getElementById("heat"), stats = document.getElementById("live-stats");
  heat.dataset.drawn = 0;
  delete heat.dataset.firstDrawnMs;
  delete stats.dataset.modes;
  delete stats.dataset.numModes;
}

function renderControls(state) {
  const active = ACTIVE.includes(state.state), paused = state.state === "paused";
  const play = document.getElementById("play");
  play.disabled = !active || state.state === "stopping";
  play.textContent = paused ? "Play" : "Pause";
  const buttons = document.getElementById("phase-buttons");
  if (buttons.dataset.phases !== (state.phases || []).join(",")) {
    buttons.dataset.phases = (state.phases || []).join(",");
    buttons.replaceChildren(...(state.phases || []).map(phase =>
      el("button", {type: "button", "data-phase": phase, text: `one ${phase} update`, onclick: () => oneUpdate(phase)})));
  }
  for (const button of buttons.querySelectorAll("button")) button.disabled = !paused;
}

function renderStats(frame) {
  const s = frame.stats, stats = document.getElementById("live-stats");
  const pushes = frame.pushes.filter(([x, y]) => x !== null && y !== null);
  const meanPush = pushes.length ? pushes.reduce((sum, [x, y]) => sum + Math.hypot(x, y), 0) / pushes.length : null;
  const rows = [];
  if (s.num_modes !== undefined) {
    rows.push(["modes captured", `${s.modes_captured} / ${s.num_modes}`], ["high quality", `${fmt(100 * s.high_quality)} %`]);
    stats.dataset.modes = s.modes_captured;
    stats.dataset.numModes = s.num_modes;
  }
  if (s.kl !== undefined) rows.push(["KL(data ‖ G) on a grid", fmt(s.kl)], ["JS on a grid", fmt(s.js)]);
  if (meanPush !== null) rows.push(["mean push |∇x|", fmt(meanPush)]);
  rows.push(["updates", Object.entries(frame.updates).map(([k, v]) => `${k} ${v}`).join(", ")]);
  stats.replaceChildren(el("table", {}, rows.map(([k, v]) => el("tr", {}, el("th", {text: k}), el("td", {text: v})))));
  if (s.kl !== undefined) {
    series.kl.push([frame.step, s.kl]);
    series.js.push([frame.step, s.js]);
    if (series.kl.length % 5 === 1) {  // redrawn every fifth frame: its SVG is the costliest thing on the page
      document.getElementById("divergence-chart").replaceChildren(lineChart(
        [{label: "KL", points: series.kl}, {label: "JS", points: series.js}], "KL and JS on a grid, by step", 300, 160));
    }
  }
}

showLive().catch(err => document.getElementById("main").replaceChildren(el("p", {class: "error", text: err.message})));
