"""The generator alone: an auto-encoder or VAE whose decoder is the GAN's generator (the lecture's section 2).

This module is the torch-free declaration of `ae` and `vae`; `model` holds the networks' losses and
sampling. It may import `gankit.config` and `gankit.errors`, never torch.
"""

from __future__ import annotations

from gankit.algorithms.family import Family, Supports
from gankit.registry import lazy

# Adam 1e-3 (Kingma & Welling's setting), a plain encoder; Bernoulli pixels on images, Gaussian on 2D points.
DEFAULTS = {"optim.lr_g": 1e-3, "optim.beta1": 0.9, "optim.beta2": 0.999, "model.minibatch_std": False,
            "model.g_ema": 0.0, "vae.reconstruction": "bernoulli"}
TOY_DEFAULTS = {"vae.reconstruction": "gaussian"}
SUPPORTS = Supports(heldout=True)
LABELS = {"loss": "loss", "reconstruction": "reconstruction", "kl": "KL", "neg_elbo": "-ELBO"}

AE = Family(
    name="ae", view="generator alone",
    summary="an auto-encoder: deterministic codes, samples from a Gaussian fitted to them",
    build=lazy("gankit.algorithms.autoencoder.model", "build_ae"),
    sections=("vae",), defaults=DEFAULTS, toy_defaults=TOY_DEFAULTS, supports=SUPPORTS, progress_labels=LABELS,
)
VAE = Family(
    name="vae", view="generator alone",
    summary="a variational auto-encoder (Kingma & Welling 2014): reconstruction + beta * KL, samples from the prior",
    build=lazy("gankit.algorithms.autoencoder.model", "build_vae"),
    sections=("vae",), defaults=DEFAULTS, toy_defaults=TOY_DEFAULTS, supports=SUPPORTS, progress_labels=LABELS,
)
