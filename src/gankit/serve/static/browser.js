// Sampling an exported generator in this browser with onnxruntime-web (WebAssembly, shipped in the package):
// the page draws each input as the export's JSON says, runs the network here and draws the samples. The
// server only serves the files; nothing is fetched from anywhere else.
"use strict";

let ortLoaded = null;
function loadOrt(runtime) {
  ortLoaded = ortLoaded || import(runtime.module).then(ort => {
    ort.env.wasm.wasmPaths = runtime.module.slice(0, runtime.module.lastIndexOf("/") + 1);
    ort.env.wasm.numThreads = 1;  // threads need cross-origin isolation, which a local page does not have
    return ort;
  });
  return ortLoaded;
}

// mulberry32: a small seeded generator, so that a seed gives the same inputs in every browser
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function standardNormals(random, count) {  // Box–Muller, two per pair of uniforms
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random())), angle = 2 * Math.PI * random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

function categorical(random, weights) {
  let u = random() * weights.reduce((a, b) => a + b, 0);
  for (let k = 0; k < weights.length; k++) { u -= weights[k]; if (u < 0) return k; }
  return weights.length - 1;
}

// Each input of `card` for a batch of n: floats standard normal; integers by their weights, else one of each
// value in turn (a conditional generator's classes, row by row); `classIndex` fixes the class input.
function drawInputs(ort, card, n, seed, classIndex) {
  const random = seededRandom(seed), feeds = {}, plain = {};
  for (const input of card.inputs) {
    const dims = [n, ...input.shape.slice(1)], size = dims.reduce((a, b) => a * b, 1);
    if (input.dtype.startsWith("float")) {
      const data = standardNormals(random, size);
      feeds[input.name] = new ort.Tensor("float32", data, dims);
      plain[input.name] = Array.from(data);
    } else {
      const values = Array.from({length: size}, (_, i) =>
        input.weights ? categorical(random, input.weights) : classIndex ?? i % input.high);
      feeds[input.name] = new ort.Tensor("int64", BigInt64Array.from(values.map(BigInt)), dims);
      plain[input.name] = values;
    }
  }
  return {feeds, plain};
}

// Images (channels first, values in [-1, 1]) as one grid on a canvas, `perRow` to a row, each pixel `zoom`×.
function drawGrid(canvas, output, perRow, zoom) {
  const [n, channels, height, width] = output.dims, rows = Math.ceil(n / perRow), gap = 2;
  canvas.width = perRow * (width * zoom + gap) + gap;
  canvas.height = rows * (height * zoom + gap) + gap;
  const context = canvas.getContext("2d"), picture = context.createImageData(canvas.width, canvas.height);
  picture.data.fill(255);
  const value = (i, c, y, x) => output.data[((i * channels + c) * height + y) * width + x];
  for (let i = 0; i < n; i++) {
    const left = gap + (i % perRow) * (width * zoom + gap), top = gap + Math.floor(i / perRow) * (height * zoom + gap);
    for (let y = 0; y < height * zoom; y++) {
      for (let x = 0; x < width * zoom; x++) {
        const at = 4 * ((top + y) * canvas.width + left + x);
        for (let c = 0; c < 3; c++) {
          const v = value(i, channels === 1 ? 0 : c, Math.floor(y / zoom), Math.floor(x / zoom));
          picture.data[at + c] = Math.min(255, Math.max(0, Math.round((v + 1) * 127.5)));
        }
      }
    }
  }
  context.putImageData(picture, 0, 0);
}

// 2D points as a scatter over the square the samples span.
function drawPoints(canvas, output) {
  canvas.width = canvas.height = 360;
  const context = canvas.getContext("2d"), n = output.dims[0], xs = [], ys = [];
  for (let i = 0; i < n; i++) { xs.push(output.data[2 * i]); ys.push(output.data[2 * i + 1]); }
  const reach = Math.max(...xs.map(Math.abs), ...ys.map(Math.abs), 1e-6) * 1.1;
  context.fillStyle = "#fff";
  context.fillRect(0, 0, 360, 360);
  context.fillStyle = COLOURS[1];
  for (let i = 0; i < n; i++) context.fillRect(180 + 180 * xs[i] / reach - 1, 180 - 180 * ys[i] / reach - 1, 3, 3);
}

async function sampleInBrowser(runtime, runId, exported, n, seed, classIndex, canvas) {
  const ort = await loadOrt(runtime);
  const session = await ort.InferenceSession.create(fileUrl(runId, exported.file), {executionProviders: ["wasm"]});
  const {feeds, plain} = drawInputs(ort, exported.card, n, seed, classIndex);
  const started = performance.now();
  const output = (await session.run(feeds)).sample;
  const milliseconds = performance.now() - started;
  if (output.dims.length === 4) drawGrid(canvas, output, Math.min(8, n), output.dims[2] <= 32 ? 3 : 1);
  else drawPoints(canvas, output);
  // what the tests compare with onnxruntime in Python on the same inputs
  window.gankitBrowserSample = {inputs: plain, dims: output.dims, output: Array.from(output.data), milliseconds};
  await session.release();
  return milliseconds;
}

function browserSamplingCard(run) {
  const runtime = run.browser_runtime, status = el("div", {class: "status muted"});
  const canvas = el("canvas", {id: "browser-samples", width: 0, height: 0});
  const note = "The exported generator (gankit export) runs in this page with onnxruntime-web: " +
               "no server work per sample. The inputs are drawn here from the seed, as the export's JSON says.";
  const card = el("section", {class: "card", id: "browser-sampling"}, el("h2", {text: "Sample in the browser"}),
                  el("p", {class: "muted", text: note}));
  if (!runtime.available) {
    card.append(el("p", {class: "muted", text: runtime.why}));
    return card;
  }
  const exports = run.exports || [];
  const choice = el("select", {name: "file"}, exports.map(e => el("option", {value: e.file,
    text: `${e.file} (step ${fmt(e.card.step)}, ${e.card.weights} weights)`})));
  const classes = exports.length && exports[0].card.classes.length ? el("label", {}, "class",
    el("select", {name: "class"}, el("option", {value: "", text: "one row per class"}),
       exports[0].card.classes.map((name, i) => el("option", {value: i, text: `${i}: ${name}`})))) : null;
  const form = el("form", {class: "tool", "data-tool": "browser"},
    el("label", {}, "network", choice), numberInput("seed", "seed", 0, 0), numberInput("n", "count", 64, 1, 256),
    classes, el("button", {type: "submit", text: "Sample here", disabled: !exports.length}));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const values = new FormData(form), exported = exports.find(e => e.file === values.get("file"));
    status.textContent = "running the network in this page …";
    try {
      const ms = await sampleInBrowser(runtime, run.id, exported, Number(values.get("n")), Number(values.get("seed")),
                                       values.get("class") ? Number(values.get("class")) : null, canvas);
      status.textContent = `${values.get("n")} samples in ${ms.toFixed(0)} ms, ${runtime.version}`;
      status.dataset.state = "done";
    } catch (err) {
      status.replaceChildren(el("span", {class: "error", text: String(err.message || err)}));
      status.dataset.state = "failed";
    }
  });
  const exportButton = el("button", {type: "button", text: exports.length ? "Export again" : "Export to ONNX",
    onclick: async () => {
      try { await runJob("/api/export", {run: run.id}, status); location.reload(); } catch (err) { /* shown */ }
    }});
  card.append(exports.length ? form : el("p", {class: "muted", text: "No exported network yet."}), exportButton,
              status, canvas);
  return card;
}
