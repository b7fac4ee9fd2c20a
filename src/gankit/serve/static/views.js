// Three views: the lecture's three answers to "how do we generate?" trained side by side on the same 2D data, each
// on gankit's own trainer: the generator alone (an auto-encoder), the discriminator alone (an energy model), and
// the GAN, with what the GAN's D believes is real (argmax_x D(x) from noise).
"use strict";

const VIEW_TEXT = {
  "generator alone": ["The generator alone (LECTURE §2)",
    "The decoder is the GAN's generator network, trained as a VAE: each output is compared with its target " +
    "coordinate by coordinate (a Gaussian likelihood), never judged as a whole. Yellow: each data point to its " +
    "reconstruction. Grid: the decoder's image of the latent plane. Red: samples from the prior. The noise in the " +
    "codes makes codes between training codes decode to something, so samples fall between the modes too: the " +
    "loss cannot tell a point between modes from one on them."],
  "discriminator alone": ["The discriminator alone (LECTURE §3)",
    "An energy model: D alone, and generating is argmax_x D(x), found by Langevin dynamics (gradient ascent on D " +
    "plus noise; the arrows). Each update raises D on the data and lowers it on the negatives the current D " +
    "prefers (red); the replay buffer (orange) keeps earlier negatives as the next chains' starts. D is pushed " +
    "down only where negatives reach: watch peaks away from the data fall as the particles find them."],
  "generator + discriminator": ["Generator + discriminator: the GAN (LECTURE §4–5)",
    "G replaces the expensive argmax: fix G and update D on data vs G's samples (red); fix D and update G so " +
    "that D scores its samples high (the arrows: where G's loss moves them). Cyan: what this D believes is " +
    "real, the same Langevin argmax from noise run on the GAN's D: it need not sit on the data, since G, not D, " +
    "is what generates here."],
};
const ACTIVE_STATES = ["starting", "running", "paused", "stopping"];
let viewsFollowing = 0;

async function showViews() {
  nav("/views");
  const options = await api("/api/live/options"), main = document.getElementById("main");
  const form = el("form", {class: "tool", id: "views-form"},
    el("label", {}, "data", el("select", {name: "data"}, options.datasets.map(n => el("option", {value: n, text: n, selected: n === options.defaults.data})))),
    el("label", {}, "steps", el("input", {type: "number", name: "steps", value: 1500, min: 10, max: 5000, step: 10})),
    el("label", {}, "seed", el("input", {type: "number", name: "seed", value: 0, min: 0, step: 1})),
    el("button", {type: "submit", id: "views-start", text: "Start all three"}),
    el("button", {type: "button", id: "views-stop", text: "Stop", onclick: stopViews}));
  form.addEventListener("submit", startViews);
  main.replaceChildren(
    el("section", {class: "card"}, el("h2", {text: "The lecture's three views, training side by side"}), form,
       el("div", {id: "views-status", class: "muted", text: "idle"}), el("div", {id: "views-message"})),
    el("div", {class: "row", id: "views"}));
  const session = await api("/api/views");
  renderViews(session);
  if ((session.runs || []).some(run => ACTIVE_STATES.includes(run.state))) followViews();
  document.body.dataset.ready = "1";
}

async function startViews(event) {
  event.preventDefault();
  const f = new FormData(event.target);
  try {
    viewsSay("");
    renderViews(await api("/api/views", {data: f.get("data"), steps: Number(f.get("steps")), seed: Number(f.get("seed"))}));
    followViews();
  } catch (err) { viewsSay(err.message); }
}

async function stopViews() {
  try { viewsSay(""); await api("/api/live/stop", {}); } catch (err) { viewsSay(err.message); }
}

function viewsSay(message) {
  document.getElementById("views-message").replaceChildren(message ? el("span", {class: "error", text: message}) : "");
}

async function followViews() {
  const mine = ++viewsFollowing;
  let version = -1;
  while (mine === viewsFollowing) {
    let session;
    try { session = await api(`/api/views?after=${version}`); } catch (err) { viewsSay(err.message); return; }
    await new Promise(requestAnimationFrame);
    if (session.version !== version) renderViews(session);
    version = session.version;
    if (!session.runs.some(run => ACTIVE_STATES.includes(run.state))) return;
  }
}

function renderViews(session) {
  const status = document.getElementById("views-status"), runs = session.runs || [];
  status.dataset.states = runs.map(run => run.state).join(",");
  status.textContent = runs.length ? runs.map(r => `${r.settings.algorithm}: ${r.state}, step ${r.step}`).join(" · ")
                                   : "idle: no runs yet";
  const row = document.getElementById("views");
  if (row.dataset.runs !== runs.map(r => r.run).join(",")) {
    row.dataset.runs = runs.map(r => r.run).join(",");
    row.replaceChildren(...runs.map((run, i) => viewPanel(run, i)));
  }
  runs.forEach((run, i) => drawView(run, i));
}

function viewPanel(run, i) {
  const [title, text] = VIEW_TEXT[run.view] || [run.view, ""];
  return el("section", {class: "card view", "data-view": run.view},
    el("h2", {text: `${title}: ${run.settings.algorithm}`}),
    el("canvas", {id: `view-${i}`, width: 320, height: 320}),
    el("div", {class: "muted view-stats", id: `view-stats-${i}`}),
    el("p", {class: "view-text", text}));
}

function drawView(run, i) {
  const canvas = document.getElementById(`view-${i}`), frame = run.frame;
  if (!canvas || !frame) return;
  if (frame.scores.length) {
    drawLandscape(canvas, frame, run.data);
  } else {  // no D to draw: a dark square with the data and the samples
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#111";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    drawDots(canvas, frame.bounds, run.data || [], "rgba(255,255,255,0.55)");
  }
  if (frame.manifold.length) drawManifold(canvas, frame, run.data, true);
  if (frame.reconstructions.length) drawReconstructions(canvas, frame);
  drawDots(canvas, frame.bounds, frame.remembered, "rgba(255,160,40,0.7)", 2);
  if (!frame.scores.length) drawDots(canvas, frame.bounds, frame.negatives, "rgba(230,30,30,0.85)");
  drawPushes(canvas, frame);
  drawDots(canvas, frame.bounds, frame.believed, "rgba(40,230,255,0.95)", 3);
  canvas.dataset.frames = run.frames;
  canvas.dataset.drawn = [["reconstructions", frame.reconstructions], ["manifold", frame.manifold],
                          ["heat", frame.scores], ["pushes", frame.pushes], ["buffer", frame.remembered],
                          ["believed", frame.believed]].filter(([, v]) => v.length).map(([k]) => k).join(",");
  const s = frame.stats, parts = [`step ${frame.step}`];
  if (s.num_modes !== undefined) parts.push(`modes ${s.modes_captured}/${s.num_modes}`, `high quality ${fmt(100 * s.high_quality)} %`);
  if (s.kl !== undefined) parts.push(`KL ${fmt(s.kl)}`, `JS ${fmt(s.js)}`);
  const stats = document.getElementById(`view-stats-${i}`);
  stats.textContent = parts.join(" · ");
  stats.dataset.modes = s.modes_captured ?? "";
}

// Each data point joined to its reconstruction (yellow), the reconstruction a dot.
function drawReconstructions(canvas, frame) {
  const ctx = canvas.getContext("2d"), size = canvas.width, [low, high] = frame.bounds;
  const px = v => (v - low) / (high - low) * size, py = v => size - px(v);
  ctx.strokeStyle = "rgba(255,220,60,0.7)";
  ctx.beginPath();
  for (const [x, y, rx, ry] of frame.reconstructions) {
    if ([x, y, rx, ry].includes(null)) continue;
    ctx.moveTo(px(x), py(y));
    ctx.lineTo(px(rx), py(ry));
  }
  ctx.stroke();
  drawDots(canvas, frame.bounds, frame.reconstructions.map(([, , rx, ry]) => [rx, ry]), "rgba(255,220,60,0.95)", 2);
}

showViews().catch(err => document.getElementById("main").replaceChildren(el("p", {class: "error", text: err.message})));
