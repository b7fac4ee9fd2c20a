"""The generator alone: an auto-encoder, VAE or RAE whose decoder is the GAN's generator (the lecture's section 2).

This module is the torch-free declaration of `ae`, `vae` and `rae`; `model` holds the networks' losses and
sampling, `density` the ex-post latent density. It may import `gankit.config` and `gankit.errors`, never torch.
"""

from __future__ import annotations

from gankit.algorithms.family import Family, Supports
from gankit.registry import lazy

# Adam 1e-3 (Kingma & Welling's setting), a plain encoder; Bernoulli pixels on images, Gaussian on 2D points.
DEFAULTS = {"optim.lr_g": 1e-3, "optim.beta1": 0.9, "optim.beta2": 0.999, "model.minibatch_std": False,
            "model.g_ema": 0.0, "vae.reconstruction": "bernoulli"}
TOY_DEFAULTS = {"vae.reconstruction": "gaussian"}
LABELS = {"loss": "loss", "reconstruction": "reconstruction", "kl": "KL", "neg_elbo": "-ELBO"}



def _family(name: str, summary: str, density: str, labels: dict[str, str] = LABELS) -> Family:
    """One of the three: the same networks, defaults and support; its own loss, latent density and labels."""
    return Family(name=name, view="generator alone", summary=summary,
                  build=lazy("gankit.algorithms.autoencoder.model", f"build_{name}"), sections=("vae",),
                  defaults=DEFAULTS | {"vae.latent_density": density}, toy_defaults=TOY_DEFAULTS,
                  supports=Supports(heldout=True), progress_labels=labels)


AE = _family("ae", "an auto-encoder: deterministic codes, samples from a Gaussian fitted to them", "gaussian")
VAE = _family("vae", "a variational auto-encoder (Kingma & Welling 2014): reconstruction + beta * KL, samples "
                     "from the prior", "prior")
# Ghosh et al. 2020 (RAE): deterministic codes with squared error, beta·½‖z‖² and a regularised decoder; samples
# from a 10-component Gaussian mixture fitted to the training codes (pythae's RAE weights: beta 1e-4, lambda 1e-7)
RAE = _family("rae", "a regularised auto-encoder (Ghosh et al. 2020): squared error + ½‖z‖² + a smooth decoder, "
                     "sampled from a mixture fitted to its codes", "gmm",
              {"loss": "loss", "reconstruction": "squared error", "code_penalty": "½‖z‖²",
               "decoder_penalty": "decoder"})
