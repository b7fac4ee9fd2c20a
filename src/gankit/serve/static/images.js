// Real data, live: train an image run from a shipped preset and watch its sample grid and FID as they come;
// stop it (it checkpoints) and resume it from here.
"use strict";

let imagePolling = null;

async function showImages() {
  nav("/images");
  const main = document.getElementById("main"), options = await api("/api/images/options"), d = options.defaults;
  const form = el("form", {class: "tool", id: "image-form"},
    el("label", {}, "preset", el("select", {name: "preset"},
       options.presets.map(p => el("option", {value: p, text: p, selected: p === d.preset})))),
    el("label", {}, "steps", el("input", {type: "number", name: "steps", value: d.steps, min: 10, step: 10})),
    el("label", {}, "seed", el("input", {type: "number", name: "seed", value: d.seed, min: 0, step: 1})),
    el("button", {type: "submit", id: "image-start", text: "Start"}),
    el("button", {type: "button", id: "image-stop", text: "Stop", onclick: () => act("/api/images/stop", {})}),
    el("button", {type: "button", id: "image-resume", text: "Resume", onclick: () => act("/api/images/resume",
                                                                                      {run: main.dataset.run})}));
  form.addEventListener("submit", event => {
    event.preventDefault();
    const f = new FormData(form);
    act("/api/images", {preset: f.get("preset"), steps: Number(f.get("steps")), seed: Number(f.get("seed"))});
  });
  const note = "The preset as `gankit train --preset` would train it, with these steps and seed; the page draws " +
               "a sample grid 20 times and scores FID (gankit's classifier features, 1 000 images) 10 times along the run.";
  main.replaceChildren(
    el("section", {class: "card"}, el("h2", {text: "Train on real images and watch it"}), el("p", {class: "muted", text: note}),
       form, el("div", {id: "image-status", class: "muted", text: "idle"}), el("div", {id: "image-message"})),
    el("div", {class: "row"},
       el("section", {class: "card"}, el("h2", {text: "Samples from a fixed z"}), el("img", {id: "image-grid", class: "picture", alt: "no grid yet"})),
       el("section", {class: "card"}, el("h2", {text: "FID along the run"}), el("div", {id: "image-fid"}))));
  const state = await api("/api/images");
  renderImages(state);
  if (["starting", "running", "stopping"].includes(state.state)) pollImages();
  document.body.dataset.ready = "1";
}

async function act(path, body) {
  const message = document.getElementById("image-message");
  try { message.replaceChildren(); renderImages(await api(path, body)); pollImages(); }
  catch (err) { message.replaceChildren(el("span", {class: "error", text: err.message})); }
}

function pollImages() {
  clearTimeout(imagePolling);
  imagePolling = setTimeout(async () => {
    const state = await api("/api/images");
    renderImages(state);
    if (["starting", "running", "stopping"].includes(state.state)) pollImages();
  }, 500);
}

function renderImages(state) {
  const status = document.getElementById("image-status");
  status.dataset.state = state.state;
  if (state.state === "idle") { status.textContent = "idle: no image run yet"; return; }
  document.getElementById("main").dataset.run = state.run;
  const link = el("a", {href: "/run?run=" + encodeURIComponent(state.run), text: state.run});
  status.replaceChildren(`${state.state} · step ${state.step} of ${state.steps} · `, link,
                         state.error ? el("span", {class: "error", text: " " + state.error}) : "");
  const grid = document.getElementById("image-grid");
  if (state.grid && grid.dataset.file !== state.grid) {
    grid.dataset.file = state.grid;
    grid.src = "/files/" + state.grid.split("/").map(encodeURIComponent).join("/");
    grid.alt = state.grid;
  }
  const fid = document.getElementById("image-fid");
  fid.dataset.points = state.fid.length;
  fid.replaceChildren(state.fid.length ? lineChart([{label: "FID (classifier features)", points: state.fid}], "FID")
                                       : el("p", {class: "muted", text: "no evaluation yet"}));
}

showImages().catch(err => document.getElementById("main").replaceChildren(el("p", {class: "error", text: err.message})));
