# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3. GAN = generator + discriminator, step by step
#
# Notebook 2's discriminator needed an expensive argmax to find its negatives. The GAN replaces the argmax by a
# **generator trained to produce what D scores highest**. The lecture's algorithm: initialise G and D; in each
# training iteration
#
# 1. **fix G, update D**: sample m real examples and m noise vectors, generate m fakes; update D to raise its
#    score on the real and lower it on the fakes (maximise mean log D(x) + mean log(1 − D(G(z))));
# 2. **fix D, update G**: sample m noise vectors; update G so that D scores its outputs high.
#
# From D's side, G is an efficient way to find negatives; from G's side, it still generates component by
# component, but it learns from a judge that sees the whole object.
#
# This notebook writes that loop out in plain PyTorch on `ring8` (eight Gaussians on a circle), with gankit's
# data and objectives, and looks at both halves of an iteration. Then it asks what G's loss should be: the
# saturating log(1 − D(G(z))) of the minimax game or the non-saturating −log D(G(z)), and why the first one's
# gradient vanishes. `gankit.train` runs the same loop (plus checkpoints, logging and pictures) at the end.

# %%
import json
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from IPython.display import Image, display
from torch import nn

import gankit

# The budget switch: "small" (the default, what CI runs) or "full" (the lecture's sizes).
SMALL = os.environ.get("GANKIT_NOTEBOOK_BUDGET", "small") == "small"
OUT = Path(tempfile.mkdtemp(prefix="gankit-gan-step-by-step-"))
ITERATIONS = 300 if SMALL else 3000  # of the hand-written loop
STEPS = 1000 if SMALL else 3000  # of each gankit.train run: by ~1 000 steps ns has found modes, minimax none
print(f"budget {'small' if SMALL else 'full'}: {ITERATIONS} hand-written iterations, {STEPS} steps per run")

# %% [markdown]
# ## The loop, written out
#
# Small MLPs for G (z ∈ R² → x ∈ R²) and D (x → one score, a logit: D(x) = σ(score)). `objective` is gankit's
# non-saturating GAN loss (`gankit.build_objective("ns")`): D's loss from the scores of real and fake, G's
# loss from the scores of its fakes. "Fixed" is literal: the fixed network's parameters get no gradient.

# %%
torch.manual_seed(0)
ring = gankit.load_dataset(gankit.data_config("ring8", num_points=20_000))
data, modes, mode_std = ring.data, ring.modes, ring.mode_std


def mlp(inputs: int, outputs: int, width: int = 64) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inputs, width), nn.LeakyReLU(0.2), nn.Linear(width, width), nn.LeakyReLU(0.2),
                         nn.Linear(width, outputs))


G, D = mlp(2, 2), mlp(2, 1)
objective = gankit.build_objective("ns")
opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
m = 256
rng = torch.Generator().manual_seed(0)


def score(x: torch.Tensor) -> torch.Tensor:
    return D(x).squeeze(1)  # [m] logits


def update_discriminator() -> float:
    """Fix G; raise D's score on m real examples, lower it on m fakes."""
    real = data[torch.randint(len(data), (m,), generator=rng)]
    with torch.no_grad():  # G is fixed: its fakes are plain inputs to D
        fake = G(torch.randn(m, 2, generator=rng))
    loss = objective.discriminator_loss(score(real), score(fake))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.item()


def generator_push(name: str, z: torch.Tensor) -> float:
    """‖∇ of G's loss w.r.t. G's weights‖ for objective `name`, on the current G and D: how hard G is pushed."""
    loss = gankit.build_objective(name).generator_loss(score(G(z)))
    gradients = torch.autograd.grad(loss, list(G.parameters()))
    return float(torch.cat([g.flatten() for g in gradients]).norm())


def update_generator() -> float:
    """Fix D; move G so that D scores its fakes as real."""
    D.requires_grad_(False)  # D is fixed: the gradient flows through it into G only
    loss = objective.generator_loss(score(G(torch.randn(m, 2, generator=rng))))
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    D.requires_grad_(True)
    return loss.item()


# %% [markdown]
# A helper to look at one moment of training: D's score surface (`gankit.score_grid`, bright = "real"), the
# data (white) and G's samples (red).

# %%
BOUNDS = (-3.0, 3.0)


def draw(ax: plt.Axes, title: str) -> None:
    surface = gankit.score_grid(D, BOUNDS, torch.device("cpu"))
    with torch.no_grad():
        fake = G(torch.randn(500, 2, generator=torch.Generator().manual_seed(1)))
    ax.imshow(surface.T, origin="lower", extent=(*BOUNDS, *BOUNDS), cmap="viridis")
    ax.scatter(data[:500, 0], data[:500, 1], s=2, c="white", alpha=0.5)
    ax.scatter(fake[:, 0], fake[:, 1], s=2, c="red", alpha=0.6)
    ax.set(xlim=BOUNDS, ylim=BOUNDS, xticks=[], yticks=[])
    ax.set_title(title, fontsize=8)


# %% [markdown]
# ## Both halves of an iteration
#
# Top row: right after D's update (G fixed): D raises its score on the data and lowers it where the fakes
# are. Bottom row: right after G's update (D fixed): the fakes move uphill on that surface. One optimizer step
# each changes little, so the two rows of a column look alike; across the columns (iterations spread over the
# run) the steps add up: the fakes leave the centre, D's valley follows them, and they spread towards the ring.

# %%
looks = sorted({1, 10, ITERATIONS // 4, ITERATIONS // 2, ITERATIONS})
fig, axes = plt.subplots(2, len(looks), figsize=(2.6 * len(looks), 5.4))
for iteration in range(1, ITERATIONS + 1):
    loss_d = update_discriminator()
    if iteration in looks:
        draw(axes[0, looks.index(iteration)], f"iteration {iteration}: after D's update")
    loss_g = update_generator()
    if iteration in looks:
        draw(axes[1, looks.index(iteration)], f"iteration {iteration}: after G's update")
plt.show()

with torch.no_grad():
    samples = G(torch.randn(2500, 2, generator=torch.Generator().manual_seed(2)))
print("hand-written loop:", gankit.mode_stats(samples, modes, mode_std).summary())

# %% [markdown]
# ## Saturating or non-saturating: G's gradient
#
# The minimax game's G minimises log(1 − D(G(z))). Early in training D easily tells fakes apart, so
# D(G(z)) ≈ 0, and there that curve is **flat**: G gets almost no gradient exactly when it most needs one. The
# non-saturating G minimises −log D(G(z)) instead: the same fixed points, but a steep slope where D(G(z)) ≈ 0.
#
# Below, both G losses as gankit computes them (`minimax` and `ns`), as functions of D's logit s on a fake,
# and their gradient with respect to s by autograd: −σ(s) for minimax, which vanishes as D(G(z)) = σ(s) → 0,
# and −(1 − σ(s)) for ns, which tends to −1.

# %%
logits = torch.linspace(-8, 6, 400, requires_grad=True)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
for name in ("minimax", "ns"):
    per_fake = [gankit.build_objective(name).generator_loss(s[None]) for s in logits]  # each fake's loss
    loss = torch.stack(per_fake)
    (gradient,) = torch.autograd.grad(loss.sum(), logits)
    d_of_fake = logits.detach().sigmoid()
    left.plot(d_of_fake, loss.detach(), label=name)
    right.plot(d_of_fake, gradient.abs(), label=name)
    print(f"{name:8s} |dloss/ds| at D(G(z)) = {d_of_fake[0]:.4f}: {gradient[0].abs():.4f}")
left.set(xlabel="D(G(z))", ylabel="G's loss", title="G's loss on one fake")
right.set(xlabel="D(G(z))", ylabel="|∂ loss / ∂ logit|", yscale="log", title="how hard G is pushed")
left.legend()
right.legend()
plt.show()

# %% [markdown]
# The same thing on real networks. Take a fresh G and D, keep G fixed and let D train on: D soon tells G's
# fakes from the data with confidence and D(G(z)) falls towards 0, the situation of early training. At each of
# D's updates, measure how large a gradient each G loss *would* give G's weights, on the same G, D and z.

# %%
torch.manual_seed(1)
G, D = mlp(2, 2), mlp(2, 1)  # a fresh pair; update_discriminator and generator_push use these from now on
opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
z = torch.randn(m, 2, generator=torch.Generator().manual_seed(3))
moments = []
for _ in range(200):
    update_discriminator()
    with torch.no_grad():
        d_of_fake = score(G(z)).sigmoid().mean().item()
    moments.append((d_of_fake, generator_push("minimax", z), generator_push("ns", z)))
d_fake, push_minimax, push_ns = zip(*moments, strict=True)

fig, ax = plt.subplots(figsize=(5.5, 3.6))
ax.plot(d_fake, push_minimax, ".", ms=3, label="minimax: log(1 − D(G(z)))")
ax.plot(d_fake, push_ns, ".", ms=3, label="ns: −log D(G(z))")
ax.set(xscale="log", yscale="log", xlabel="mean D(G(z)) (D more sure the fakes are fake →)",
       ylabel="‖∇ G's weights‖", title="G's gradient as D wins")
ax.invert_xaxis()
ax.legend(fontsize=8)
plt.show()
print(f"D(G(z)) {d_fake[0]:.3f} -> {d_fake[-1]:.4f}; minimax push {push_minimax[0]:.3f} -> {push_minimax[-1]:.4f}, "
      f"ns push {push_ns[0]:.3f} -> {push_ns[-1]:.3f}")

# %% [markdown]
# ## The same comparison, trained by gankit
#
# `gankit.train` with each objective on `ring8`, with gankit's defaults for 2D data (at the small budget, smaller
# nets and 1 000 steps, where `ns` has already found part of the ring and `minimax` none of it). gankit logs, every
# `log_every` steps, D(G(z)) and the gradient norm of every layer of G (`grad_norm/generator/...` in
# `metrics.jsonl`): what to look for is minimax's G gradient collapsing whenever D(G(z)) drops towards 0. The
# docs' objectives table has the outcome at the full length (3 000 steps, seeds 0/1/2): `minimax` 0/8 modes for
# every seed, `ns` 8/8.

# %%
runs = {}
for name in ("minimax", "ns"):
    runs[name] = gankit.train({
        "data": {"name": "ring8"}, "objective": {"name": name},
        "model": {"width": 64, "depth": 3} if SMALL else {},
        "train": {"steps": STEPS, "out": str(OUT / name), "log_every": max(STEPS // 10, 1),
                  "sample_every": STEPS, "checkpoint_every": STEPS},
    })
    print(f"{name:8s}", runs[name].mode_stats)

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4))
for name, run in runs.items():
    records = [json.loads(line) for line in (run.run_dir / "metrics.jsonl").read_text().splitlines()]
    records = [r for r in records if "d_fake" in r]
    steps = [r["step"] for r in records]
    g_norm = [sum(v**2 for k, v in r.items() if k.startswith("grad_norm/generator/")) ** 0.5 for r in records]
    left.plot(steps, [r["d_fake"] for r in records], label=name)
    right.plot(steps, g_norm, label=name)
left.set(xlabel="step", ylabel="mean D(G(z))", title="how sure D is that the fakes are fake")
right.set(xlabel="step", ylabel="‖∇ G's weights‖", yscale="log", title="G's gradient norm")
left.legend()
right.legend()
plt.show()

# %% [markdown]
# Each run's samples, from one fixed z, after 100, 1 000, … generator updates (`progress.png`, the lecture's
# strip; at the small budget it has the first rows only):

# %%
for name, run in runs.items():
    print(name)
    display(Image(filename=str(run.run_dir / "progress.png")))
