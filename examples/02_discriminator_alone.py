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
# # 2. Can a discriminator generate?
#
# A discriminator is a function D(x) that gives a score: high for real-looking objects, low otherwise. It
# judges the whole object at once, so relations between parts (an isolated pixel, a broken stroke) are easy
# for it to check. Given a good D, generating is an optimisation: **x̃ = argmax_x D(x)**.
#
# Two problems, as the lecture puts it. The argmax is hard for a deep D; and to train D we need
# **negatives**, and good negatives need a good D. The way out is to iterate:
#
# 1. start from positives (the data) and random negatives;
# 2. train D to score positives above negatives; then find new negatives as the points the current D scores
#    highest (solve the argmax); repeat.
#
# D's score is pushed down wherever it wrongly peaks, until peaks remain only at the data. This is an
# **energy-based model** (`--algorithm ebm`); gankit solves the argmax by Langevin dynamics: noisy gradient
# ascent on x, x ← clip(x + ε ∇ₓD(x) + σ·N(0, I)).

# %%
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from IPython.display import Image, display
from matplotlib.image import imread

import gankit

# The budget switch: "small" (the default, what CI runs) or "full" (the lecture's sizes).
SMALL = os.environ.get("GANKIT_NOTEBOOK_BUDGET", "small") == "small"
OUT = Path(tempfile.mkdtemp(prefix="gankit-discriminator-alone-"))
STEPS = 300 if SMALL else 3000
print(f"budget {'small' if SMALL else 'full'}: {STEPS} training steps, run folders in {OUT}")

# %% [markdown]
# ## The argmax by Langevin dynamics, on a score we write down
#
# Before training anything: a hand-made score that peaks on a circle of radius 2. `gankit.langevin` is the
# sampler the EBM uses; it only needs a function from points to scores. Chains start from uniform noise and
# climb the score; the noise keeps them from all collapsing onto one point.

# %%
def ring_score(x: torch.Tensor) -> torch.Tensor:
    """High on the circle of radius 2, falling off quadratically away from it."""
    return -((x.norm(dim=1) - 2) ** 2) / (2 * 0.3**2)


rng = torch.Generator().manual_seed(0)
start = 6 * torch.rand(400, 2, generator=rng) - 3  # uniform on [-3, 3]²
path = [start]
end = gankit.langevin(ring_score, start, steps=150, step_size=0.01, noise=0.05, bounds=(-3.0, 3.0),
                      generator=rng, callback=path.append)
chains = torch.stack(path, dim=1)  # [chains, steps + 1, 2]

axis = torch.linspace(-3, 3, 200)
grid = torch.cartesian_prod(axis, axis)
fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.imshow(ring_score(grid).view(200, 200).T, origin="lower", extent=(-3, 3, -3, 3), cmap="viridis")
for chain in chains[:12]:
    ax.plot(chain[:, 0], chain[:, 1], color="white", lw=0.7)
ax.scatter(end[:, 0], end[:, 1], s=3, c="red", label="chain ends")
ax.set_title("Langevin chains climbing a hand-made score")
ax.legend(loc="upper right", fontsize=8)
plt.show()

# %% [markdown]
# ## The lecture's loop: train D, find negatives, repeat
#
# Now D is a network (gankit's MLP discriminator) and the data are eight Gaussians on a ring (`ring8`). Each
# training step takes a batch of positives, runs Langevin chains on the *current* D to get the negatives (the
# chains start from a replay buffer of earlier negatives, a few restarted from noise), and updates D to raise
# its score on the positives and lower it on the negatives.

# %%
ebm = gankit.train({
    "data": {"name": "ring8"},
    "model": {"algorithm": "ebm", "width": 64, "depth": 3},
    "train": {"steps": STEPS, "batch_size": 256, "out": str(OUT / "ebm"), "log_every": STEPS // 6,
              "sample_every": STEPS, "checkpoint_every": STEPS},
})
print(ebm.mode_stats)

# %% [markdown]
# gankit drew D's score surface at every log step (`landscape/step-*.png`; bright = D says "real"), with the
# positives (white) and the current negatives (red). Read the frames left to right: wherever D peaks away from
# the data, the negatives gather there, and the next updates push that peak down.

# %%
frames = sorted((ebm.run_dir / "landscape").glob("step-*.png"))
shown = [frames[i] for i in sorted({0, len(frames) // 3, 2 * len(frames) // 3, len(frames) - 1})]
fig, axes = plt.subplots(1, len(shown), figsize=(4 * len(shown), 4))
for ax, frame in zip(axes, shown, strict=True):
    ax.imshow(imread(frame))
    ax.set_title(frame.stem, fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Generating with D alone
#
# The trained D is all we have: generate by running the argmax from uniform noise (`run.save_ascent`, or
# `gankit sample RUN --from-discriminator`), and count the modes the chain ends land on with the
# VEEGAN/PacGAN protocol (`gankit.mode_stats`: a point is *high quality* within 3 std of a mode centre).
# These chains start from noise, not from the replay buffer that training keeps, so they get more steps than
# the 50 of a training step.

# %%
ASCENT_STEPS = 300
picture, _ = ebm.save_ascent(OUT / "argmax.png", n=500, steps=ASCENT_STEPS)  # the file and D's scores on the way
display(Image(filename=str(picture)))
ends = ebm.ascend_discriminator(n=2500, steps=ASCENT_STEPS)[-1]
print(gankit.mode_stats(ends, ebm.spec.modes_tensor(), ebm.spec.mode_std).summary())

# %% [markdown]
# ## The catch: D is pushed down only where negatives go
#
# The chains live in a box around the data (here [−3, 3]²). Outside it no negative was ever found, so nothing
# ever pushed D down there: whatever D scores beyond the box is untested extrapolation. Scoring D on a wider
# square shows what it believes out there. In high dimensions "outside the box" is almost everywhere, which is
# why the argmax and the search for negatives are the hard part, and why the GAN (notebook 3) replaces the
# search by a generator.

# %%
device = next(ebm.discriminator.parameters()).device
wide = gankit.score_grid(ebm.discriminator, (-8.0, 8.0), device).cpu()  # [x, y] on a 120 × 120 grid
axis = torch.linspace(-8, 8, wide.shape[0])
inside = (axis.abs() <= 3)[:, None] & (axis.abs() <= 3)[None, :]
print(f"highest score inside the box {wide[inside].max():.2f}, outside it {wide[~inside].max():.2f}")
fig, ax = plt.subplots(figsize=(4.5, 4.5))
image = ax.imshow(wide.T, origin="lower", extent=(-8, 8, -8, 8), cmap="viridis")
ax.add_patch(plt.Rectangle((-3, -3), 6, 6, fill=False, ec="red", lw=1, label="where the chains run"))
fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="D(x)")
ax.legend(loc="upper right", fontsize=8)
ax.set_title("D beyond the region its negatives explored")
plt.show()
