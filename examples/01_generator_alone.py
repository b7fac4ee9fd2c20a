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
# # 1. Can a generator learn by itself?
#
# The lecture's first answer is *yes*: a generator is the decoder of an **auto-encoder**. An encoder squeezes
# an image into a short code, the decoder (our generator) turns the code back into the image, and both are
# trained to make the output equal to the input, pixel by pixel. To *generate*, feed the decoder a new code.
#
# Its weakness shows when we ask where new codes come from: the training codes fill an irregular region, and a
# code between them may decode to nothing. The **VAE** fixes this: the encoder outputs a mean and a variance,
# noise is added to the code, and a KL term keeps the codes near N(0, I), so the region between codes decodes
# too and sampling z ~ N(0, I) works.
#
# And the deeper weakness: both losses judge **each pixel on its own**. This notebook ends with the lecture's
# one-wrong-pixel versus six-wrong-pixels argument.
#
# In gankit the decoder *is* the GAN generator for the data and the encoder mirrors the discriminator
# (`--algorithm ae`, `--algorithm vae`), so the three algorithms differ only in how they train.

# %%
import json
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from IPython.display import Image, display

import gankit

# The budget switch: "small" (the default, what CI runs: a minute or so) or "full" (the lecture's sizes).
SMALL = os.environ.get("GANKIT_NOTEBOOK_BUDGET", "small") == "small"
OUT = Path(tempfile.mkdtemp(prefix="gankit-generator-alone-"))  # every run folder of this notebook
STEPS = 100 if SMALL else 3000
WIDTH = 32 if SMALL else 64  # DCGAN base channels
print(f"budget {'small' if SMALL else 'full'}: {STEPS} steps per run, run folders in {OUT}")

# %% [markdown]
# ## Train an auto-encoder and a VAE on Fashion-MNIST
#
# The same config for both; only `model.algorithm` differs. Every `sample_every` steps the VAE also logs the
# test split's negative ELBO (nats per image) to `metrics.jsonl`.


# %%
def generator_alone(algorithm: str) -> gankit.Run:
    return gankit.train({
        "data": {"name": "fashion-mnist"},
        "model": {"algorithm": algorithm, "width": WIDTH},
        "train": {"steps": STEPS, "out": str(OUT / algorithm), "log_every": STEPS // 2,
                  "sample_every": STEPS, "checkpoint_every": STEPS},
    })


ae, vae = generator_alone("ae"), generator_alone("vae")

# %% [markdown]
# **Reconstructions** (each row: test images, each followed by its reconstruction). Both learn to copy their
# input (roughly, at the small budget); where the exact position of an edge is uncertain, the pixel loss makes
# them blurry: the average of the possible edges costs less than any one of them.

# %%
for run in (ae, vae):
    print(run.config.model.algorithm)
    display(Image(filename=str(run.run_dir / "reconstructions.png")))

# %% [markdown]
# **New samples.** Here the two differ. The auto-encoder has no prior over codes: gankit fits a Gaussian to its
# training codes and decodes draws from it, and much of that Gaussian's mass lies where no training code was.
# The VAE decodes z ~ N(0, I), the distribution its KL term pulled the codes towards.

# %%
for run in (ae, vae):
    path = run.save_samples(OUT / f"{run.config.model.algorithm}-samples.png", n=32, seed=0)
    print(f"{run.config.model.algorithm}: 32 samples from z")
    display(Image(filename=str(path)))

# %% [markdown]
# **Between the codes.** Straight lines between latent draws, decoded (the VAE's `interpolation.png`): with the
# KL term, every point along a line decodes to something garment-like.

# %%
display(Image(filename=str(vae.run_dir / "interpolation.png")))

# %%
logged = [json.loads(line) for line in (vae.run_dir / "metrics.jsonl").read_text().splitlines()]
heldout = [r for r in logged if "test_neg_elbo" in r]
for record in heldout:
    print(f"step {record['step']:5d}: test negative ELBO {record['test_neg_elbo']:.1f} nats per image "
          f"(reconstruction {record['test_reconstruction']:.1f} + KL {record['test_kl']:.1f})")

# %% [markdown]
# ## One wrong pixel or six?
#
# Both losses above add up an error **per pixel**. The lecture's counter-example: take a real image and make two
# edits of it. One switches on a **single isolated pixel** far from the garment. The other paints **six pixels
# that continue the garment's edge**. A pixel loss prefers the first (one pixel is wrong, not six). A person
# prefers the second: it still looks like a plausible garment, while the lone bright dot is obviously not part
# of any. The output neurons of a decoder are trained as if each were independent of the others; judging how
# pixels *relate* needs a network that looks at the whole image, a discriminator (notebooks 2, 3 and 5).
#
# `gankit.one_and_six_wrong` builds both edits from a uint8 image (`gankit pixels RUN` does the same on the
# command line and adds a discriminator's verdict).

# %%
test = gankit.load_dataset(gankit.data_config("fashion-mnist", split="test"))
real = test.data[0]  # uint8 [1, 28, 28]
one, six = gankit.one_and_six_wrong(real)


def pixel_l2(edit: torch.Tensor, image: torch.Tensor) -> float:
    """The L2 pixel error of an edit, pixels in [0, 1]: what an auto-encoder's loss adds up."""
    return float(((edit.float() - image.float()) / 255).norm())


fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.9))
shown = {"real": real, "one wrong pixel": one, "six wrong pixels": six}
for ax, (name, image) in zip(axes, shown.items(), strict=True):
    ax.imshow(image[0], cmap="gray", vmin=0, vmax=255)
    ax.set_title(f"{name}\npixel L2 {pixel_l2(image, real):.2f}", fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# The same comparison over many test images: how often does the pixel loss call the six-pixel edit the worse
# one? (Always is the answer the lecture predicts: six changed pixels cost more than one.)

# %%
images = test.data[:200]
edits = [gankit.one_and_six_wrong(image) for image in images]
pairs = zip(images, edits, strict=True)
six_costs_more = sum(pixel_l2(six, image) > pixel_l2(one, image) for image, (one, six) in pairs)
print(f"the six-pixel edit has the larger pixel error in {six_costs_more} of {len(images)} test images")

# %% [markdown]
# What to take away: a generator trained alone learns to reproduce *appearance* and can be sampled cheaply
# (one forward pass), but the loss that teaches it cannot see relations between pixels. The next notebook
# turns the problem around: a discriminator that judges the whole image, and what it takes to generate with it.
