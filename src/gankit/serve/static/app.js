// gankit serve: what every page shares. Plain browser JavaScript, no libraries, nothing fetched from outside.
"use strict";

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

let tokenAsked = null;  // the server's same-origin token: every request that changes something carries it
function token() {
  tokenAsked = tokenAsked || fetch("/api/token").then(r => r.json()).then(d => d.token);
  return tokenAsked;
}

async function api(path, body) {
  const options = body === undefined ? {} :
    {method: "POST", headers: {"Content-Type": "application/json", "X-Gankit-Token": await token()},
     body: JSON.stringify(body)};
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || `${response.status}`);
  return data;
}

function param(name) { return new URLSearchParams(location.search).get(name); }
function params(name) {
  return new URLSearchParams(location.search).getAll(name).flatMap(v => v.split(",")).filter(Boolean);
}
function fileUrl(runId, name) {
  return "/files/" + `${runId}/${name}`.split("/").map(encodeURIComponent).join("/");
}
function fmt(value) {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return value === null || value === undefined ? "" : String(value);
}

function nav(here) {
  const links = [["/", "Runs"], ["/compare", "Compare"], ["/live", "Live 2D"], ["/views", "Three views"]];
  document.body.prepend(el("header", {}, el("span", {class: "brand", text: "gankit"}),
    links.map(([href, text]) => el("a", {href, text, class: href === here ? "here" : null}))));
}

function summaryLine(s) {
  const what = s.objective ? `${s.algorithm.toUpperCase()}, ${s.objective}` : s.algorithm;
  const parts = [s.data, what, s.net, s.conditional ? "conditional" : null, `${fmt(s.steps)} steps`,
                 `batch ${fmt(s.batch_size)}`, `lr G ${fmt(s.lr_g)} / D ${fmt(s.lr_d)}`,
                 s.d_steps ? `${s.d_steps} D steps` : null, `seed ${fmt(s.seed)}`];
  return parts.filter(Boolean).join(" · ");
}

// The training verdict (`gankit diagnose`): its line, what to try in the tooltip; nothing before a metrics line.
function verdictLine(v) {
  return v ? el("div", {class: "verdict", title: "try: " + v.advice, text: v.line}) : null;
}

function checkpointBadge(c) {
  const text = c.state === "ok" ? `checkpoint ok, step ${c.step}` : `checkpoint ${c.state}`;
  return el("span", {class: `badge ${c.state}`, title: c.message || null, text});
}

function table(rows, keys) {
  keys = keys || [...new Set(rows.flatMap(r => Object.keys(r)))];
  return el("table", {}, el("tr", {}, keys.map(k => el("th", {text: k}))),
            rows.map(r => el("tr", {}, keys.map(k => el("td", {text: fmt(r[k])})))));
}

// A metric card as a two-column table, one row per field: long hashes shortened (the whole value on hover),
// nested values (per-class FID) as one compact line, so the page keeps the width of its charts.
function cardTables(cards) {
  const shown = value => {
    if (value !== null && typeof value === "object") {
      return Object.entries(value).map(([k, v]) => `${k} ${fmt(v)}`).join(", ");
    }
    const text = fmt(value);
    return text.length > 24 ? text.slice(0, 12) + "…" : text;
  };
  return Object.entries(cards).map(([name, card]) => el("div", {class: "metric-card"},
    el("div", {class: "muted", text: name}),
    el("table", {}, Object.entries(card).map(([k, v]) => el("tr", {},
      el("th", {text: k}), el("td", {text: shown(v), title: typeof v === "object" ? null : fmt(v)}))))));
}

// A line chart as SVG: series = [{label, colour, points: [[x, y], ...]}].
function lineChart(series, title, width = 420, height = 200) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  const all = series.flatMap(s => s.points);
  add("text", {x: 6, y: 12}, title);
  if (!all.length) { add("text", {x: 6, y: 30}, "no values yet"); return svg; }
  const [left, right, top, bottom] = [44, 8, 20, 18];
  const xs = all.map(p => p[0]), ys = all.map(p => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = x => left + (x - x0) / ((x1 - x0) || 1) * (width - left - right);
  const sy = y => height - bottom - (y - y0) / ((y1 - y0) || 1) * (height - top - bottom);
  add("line", {x1: left, y1: height - bottom, x2: width - right, y2: height - bottom, stroke: "#999"});
  add("line", {x1: left, y1: top, x2: left, y2: height - bottom, stroke: "#999"});
  add("text", {x: 2, y: top + 8}, fmt(y1));
  add("text", {x: 2, y: height - bottom}, fmt(y0));
  add("text", {x: left, y: height - 4}, fmt(x0));
  add("text", {x: width - right - 40, y: height - 4}, fmt(x1));
  series.forEach((s, i) => {
    const colour = s.colour || COLOURS[i % COLOURS.length];
    add("polyline", {fill: "none", stroke: colour, "stroke-width": 1.5,
                     points: s.points.map(p => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ")});
    if (s.points.length < 30) for (const p of s.points) add("circle", {cx: sx(p[0]), cy: sy(p[1]), r: 2, fill: colour});
    add("text", {x: width - right - 150, y: top + 12 * (i + 1), style: `fill:${colour}`}, s.label);
  });
  return svg;
}

function curveCharts(curves, groups) {
  groups = groups || [["losses", ["loss_d", "loss_g", "loss", "test_neg_elbo"]], ["D on real and generated", ["d_real", "d_fake"]],
                      ["health", ["penalty", "energy_magnitude", "wasserstein"]], ["FID", ["eval/fid"]]];
  return groups.map(([title, keys]) => keys.filter(k => curves[k]).map(k => ({label: k, points: curves[k]})))
    .map((series, i) => series.length ? lineChart(series, groups[i][0]) : null);
}

// Submit a picture job, show its stage and progress in `status`, and resolve with the PNG's URL.
async function runJob(path, body, status) {
  status.replaceChildren(el("span", {text: "submitting…"}));
  let job;
  try { job = await api(path, body); } catch (err) { status.replaceChildren(el("span", {class: "error", text: err.message})); throw err; }
  const bar = el("progress", {max: 1, value: 0}), stage = el("span", {class: "muted"});
  status.replaceChildren(bar, " ", stage);
  while (job.state === "queued" || job.state === "running") {
    bar.value = job.progress;
    stage.textContent = job.stage;
    await new Promise(r => setTimeout(r, 150));
    job = await api(`/api/jobs/${job.id}`);
  }
  if (job.state === "failed") {
    status.replaceChildren(el("span", {class: "error", text: job.error}));
    throw new Error(job.error);
  }
  status.replaceChildren(el("span", {class: "muted", text: `done (step ${job.info.step})`}));
  return job.image;
}

// The heat map's colour bar: viridis from the lowest to the highest score drawn, with both values.
function colourScale(lo, hi) {
  const bar = el("canvas", {class: "colour-bar", width: 200, height: 10});
  const ctx = bar.getContext("2d");
  for (let x = 0; x < 200; x++) { ctx.fillStyle = viridis(x / 199); ctx.fillRect(x, 0, 1, 10); }
  return el("div", {class: "colour-scale"}, el("span", {text: `s(x) ${fmt(lo)}`}), bar,
            el("span", {text: `${fmt(hi)} (bright = D says real)`}));
}

// D's score on the square as a heat map (bright = D says real), the data in white, the negatives in red;
// returns the scores' [lowest, highest], the ends of its colour scale.
function drawLandscape(canvas, frame, data) {
  const ctx = canvas.getContext("2d"), size = canvas.width;
  ctx.fillStyle = "#111";
  ctx.fillRect(0, 0, size, size);
  const [low, high] = frame.bounds, scores = frame.scores, n = scores.length;
  const toPixel = v => (v - low) / (high - low) * size;
  let lo = 0, hi = 0;
  if (n) {
    const flat = scores.flat(), cell = size / n;
    lo = Math.min(...flat);
    hi = Math.max(...flat);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const t = (scores[i][j] - lo) / ((hi - lo) || 1);
      ctx.fillStyle = viridis(t);
      ctx.fillRect(i * cell, size - (j + 1) * cell, cell + 0.5, cell + 0.5);  // [x][y], y up
    }
  }
  const dots = (points, colour) => {
    ctx.fillStyle = colour;
    for (const [x, y] of points) ctx.fillRect(toPixel(x) - 1, size - toPixel(y) - 1, 2.5, 2.5);
  };
  if (data) dots(data, "rgba(255,255,255,0.55)");
  dots(frame.negatives, "rgba(230,30,30,0.8)");
  return [lo, hi];
}

function viridis(t) {  // five stops of matplotlib's viridis, linearly mixed
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1), i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i, c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

const ARROW_SCALE = 0.1, ARROW_MAX = 0.8;  // an arrow is 0.1 × the push, in data units, at most 0.8 long

// Where training moves each sample: an arrow from it, ARROW_SCALE × the push, at most ARROW_MAX long.
function drawPushes(canvas, frame) {
  const ctx = canvas.getContext("2d"), size = canvas.width, [low, high] = frame.bounds;
  const px = v => (v - low) / (high - low) * size, py = v => size - px(v);
  ctx.strokeStyle = "rgba(255,170,170,0.9)";
  ctx.lineWidth = 1;
  ctx.beginPath();
  frame.pushes.forEach(([dx, dy], i) => {
    const [x, y] = frame.negatives[i];
    if (dx === null || dy === null || x === null || y === null) return;
    let [ax, ay] = [dx * ARROW_SCALE, dy * ARROW_SCALE];
    const length = Math.hypot(ax, ay);
    if (length > ARROW_MAX) { ax *= ARROW_MAX / length; ay *= ARROW_MAX / length; }
    ctx.moveTo(px(x), py(y));
    ctx.lineTo(px(x + ax), py(y + ay));
  });
  ctx.stroke();
}

// The warped latent grid: a line through each row and each column of G's image of the grid, over the data (or,
// `overlay`, over what the canvas holds); false when the algorithm has no generator of z.
function drawManifold(canvas, frame, data, overlay = false) {
  const ctx = canvas.getContext("2d"), size = canvas.width, [low, high] = frame.bounds;
  const px = v => (v - low) / (high - low) * size, py = v => size - px(v);
  if (!overlay) {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, size, size);
    ctx.fillStyle = "rgba(0,0,0,0.25)";
    for (const [x, y] of data || []) ctx.fillRect(px(x) - 1, py(y) - 1, 2, 2);
  }
  const points = frame.manifold, side = Math.round(Math.sqrt(points.length));
  canvas.dataset.lines = points.length ? 2 * side : 0;
  if (!points.length) return false;
  const line = (indices, colour) => {
    ctx.strokeStyle = colour;
    ctx.beginPath();
    indices.forEach((k, n) => {
      const [x, y] = points[k];
      if (x === null || y === null) return;
      n ? ctx.lineTo(px(x), py(y)) : ctx.moveTo(px(x), py(y));
    });
    ctx.stroke();
  };
  for (let i = 0; i < side; i++) {
    line([...Array(side).keys()].map(j => i * side + j), `hsl(${200 + 120 * i / side},70%,45%)`);
    line([...Array(side).keys()].map(j => j * side + i), `hsla(${20 + 40 * i / side},80%,50%,0.8)`);
  }
  return true;
}

// Dots of one colour at 2D points (nulls skipped), on a canvas showing frame.bounds.
function drawDots(canvas, bounds, points, colour, size = 2.5) {
  const ctx = canvas.getContext("2d"), side = canvas.width, [low, high] = bounds;
  const px = v => (v - low) / (high - low) * side;
  ctx.fillStyle = colour;
  for (const [x, y] of points) if (x !== null && y !== null) ctx.fillRect(px(x) - size / 2, side - px(y) - size / 2, size, size);
}
