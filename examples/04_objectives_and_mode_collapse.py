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
# # 4. The objective family and mode collapse
#
# The lecture's GAN is one member of a family: the literature it cites swaps D's and G's losses and compares
# them on the same data ("Are GANs Created Equal?", Lucic et al. 2018). In gankit an objective is a small
# object with two functions of D's raw scores s, and the training loop never looks at which one it runs:
#
# | objective | D minimises | G minimises |
# |---|---|---|
# | `minimax` | −E log σ(s(x)) − E log(1 − σ(s(G(z)))) | E log(1 − σ(s(G(z)))) |
# | `ns` | same | −E log σ(s(G(z))) |
# | `lsgan` | ½E(s(x) − 1)² + ½E s(G(z))² | ½E(s(G(z)) − 1)² |
# | `wgan`, `wgan-gp` | E s(G(z)) − E s(x) (+ gradient penalty) | −E s(G(z)) |
# | `hinge` | E relu(1 − s(x)) + E relu(1 + s(G(z))) | −E s(G(z)) |
#
# (`gankit objectives` prints them all with their papers' settings.) Their most visible failure is **mode
# collapse**: G covers a few modes of the data well and ignores the rest, because D's verdict on the modes G
# does produce is all G ever learns from. Toy mixtures make it countable: `grid25` has 25 Gaussians, and
# Stacked MNIST (three digits as R, G, B) has 1 000 modes.

# %%
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from IPython.display import Image, display

import gankit

# The budget switch: "small" (the default, what CI runs) or "full" (the lecture's sizes).
SMALL = os.environ.get("GANKIT_NOTEBOOK_BUDGET", "small") == "small"
OUT = Path(tempfile.mkdtemp(prefix="gankit-objectives-"))
print(f"budget {'small' if SMALL else 'full'}; run folders in {OUT}")

# %% [markdown]
# ## G's loss in each objective
#
# What G is asked to do with a fake that D gives the score s. The probabilistic objectives read s as a logit
# (D(x) = σ(s)); the others use it raw. Where a curve is flat, G gets no push (minimax for very negative s);
# where it is linear (wgan, hinge), the push never shrinks, even once the fake is rated real.

# %%
scores = torch.linspace(-4, 4, 200)
fig, ax = plt.subplots(figsize=(6, 3.8))
same_g_loss = {"wgan": "wgan, wgan-gp, hinge"}  # the three share G's loss −s; they differ in D's
for name in ("minimax", "ns", "lsgan", "wgan"):
    objective = gankit.build_objective(name)
    ax.plot(scores, [objective.generator_loss(s[None]).item() for s in scores], label=same_g_loss.get(name, name))
ax.set(xlabel="D's score s on a fake", ylabel="G's loss", title="what each objective asks of G", ylim=(-4, 6))
ax.legend()
plt.show()

# %% [markdown]
# ## Mode collapse on grid25
#
# Four objectives, same data, nets and budget. At the full budget these are the README's `grid25` rows (gankit's
# defaults, seed 0: `ns` and `lsgan` 10 000 steps, `wgan-gp` and `hinge` 3 000); the small budget uses small
# nets and 150 steps (`wgan-gp` 50), enough to run every cell but far too few to cover 25 modes.

# %%
# (small, full) steps; wgan-gp's iterations cost about five times the others' (5 critic steps and a penalty)
STEPS = {"ns": (150, 10_000), "lsgan": (150, 10_000), "wgan-gp": (50, 3_000), "hinge": (150, 3_000)}
runs = {}
for name, (small_steps, full_steps) in STEPS.items():
    steps = small_steps if SMALL else full_steps
    runs[name] = gankit.train({
        "data": {"name": "grid25"}, "objective": {"name": name},
        "model": {"width": 64, "depth": 3} if SMALL else {},
        "train": {"steps": steps, "out": str(OUT / f"grid25-{name}"), "log_every": max(steps // 5, 1),
                  "sample_every": steps, "checkpoint_every": steps},
    })
    print(f"{name:8s} {steps:6d} steps:", gankit.mode_stats(
        runs[name].sample(2500), runs[name].spec.modes_tensor(), runs[name].spec.mode_std).summary())

# %% [markdown]
# Samples (red) over the 25 mode centres, and how many high-quality samples (within 3 std of a centre) each mode
# receives. A collapsed G piles its samples on a few modes: tall bars beside empty ones.

# %%
fig, axes = plt.subplots(2, len(runs), figsize=(3.2 * len(runs), 6.2))
for column, (name, run) in enumerate(runs.items()):
    samples, centres, std = run.sample(2500), run.spec.modes_tensor(), run.spec.mode_std
    distance, nearest = torch.cdist(samples, centres).min(dim=1)
    per_mode = torch.bincount(nearest[distance <= 3 * std], minlength=len(centres))
    top, bottom = axes[0, column], axes[1, column]
    top.scatter(samples[:, 0], samples[:, 1], s=1, c="red", alpha=0.4)
    top.scatter(centres[:, 0], centres[:, 1], s=25, marker="+", c="black")
    top.set(title=name, xlim=(-6, 6), ylim=(-6, 6), aspect="equal", xticks=[], yticks=[])
    bottom.bar(range(len(centres)), per_mode)
    bottom.set(xlabel="mode", ylabel="high-quality samples" if column == 0 else None)
plt.show()

# %% [markdown]
# The lecture's strip for one of them: samples from one fixed z as training goes on (100, 1 000, 5 000 …
# generator updates). A collapsing G hops between modes from row to row instead of spreading over them.

# %%
display(Image(filename=str(runs["ns"].run_dir / "progress.png")))

# %% [markdown]
# ## 1 000 modes: Stacked MNIST
#
# Three independent digits stacked as the R, G and B channels give 10³ = 1 000 modes. gankit's shipped digit
# classifier reads each channel, so a sample's mode is its triple of digits, and `gankit.ImageEvaluator` counts
# the distinct triples among the samples (`modes`) and the KL of their histogram to uniform (`mode_kl`).
# The same count on real images of the same number gives the yardstick: n draws from 1 000 equally likely modes
# hit fewer than n of them.

# %%
steps, n = (30, 500) if SMALL else (3000, 26_000)
stacked = gankit.train({
    "data": {"name": "stacked-mnist-5k"}, "model": {"width": 16} if SMALL else {},
    "train": {"steps": steps, "out": str(OUT / "stacked"), "log_every": max(steps // 10, 1),
              "sample_every": steps, "checkpoint_every": steps},
})
display(Image(filename=str(stacked.save_samples(OUT / "stacked-samples.png", n=64))))

judge = gankit.ImageEvaluator(stacked.config.data, n=n, split="test")
real_images = gankit.load_dataset(gankit.data_config("stacked-mnist-5k")).data[-n:]
for what, images in (("real train images", real_images), (f"ns after {steps} steps", stacked.sample(n))):
    card = judge(images)
    print(f"{what:22s}: {card['modes']:4d} of 1000 modes in {n} images, KL to uniform {card['mode_kl']:.3f}")
