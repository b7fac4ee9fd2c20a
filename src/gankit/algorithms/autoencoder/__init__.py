"""The generator alone: an auto-encoder, VAE or RAE whose decoder is the GAN's generator (the lecture's section 2).

This module is the torch-free declaration of `ae`, `vae` and `rae`; `model` holds the networks' losses and
sampling, `density` the ex-post latent density. It may import `gankit.config` and `gankit.errors`, never torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gankit.algorithms.family import Family, Supports
from gankit.registry import lazy

if TYPE_CHECKING:
    from gankit.config import Config, DataKind
    from gankit.config.defaults import Layer

# Adam 1e-3 (Kingma & Welling's setting), a plain encoder; Bernoulli pixels on images, Gaussian on 2D points.
DEFAULTS = {"optim.lr_g": 1e-3, "optim.beta1": 0.9, "optim.beta2": 0.999, "model.minibatch_std": False,
            "model.g_ema": 0.0, "vae.reconstruction": "bernoulli", "vae.density_examples": 10_000}
TOY_DEFAULTS = {"vae.reconstruction": "gaussian"}
LABELS = {"loss": "loss", "reconstruction": "reconstruction", "kl": "KL", "neg_elbo": "-ELBO"}



def image_recipe(steps: int) -> Layer:
    """`--recipe modern` for an auto-encoder on images: the RAE paper's recipe (Ghosh et al. 2020: Adam 1e-3, a
    wider conv pair, a 10-component mixture fitted to the training codes) at a CPU budget: a 32-number code
    (between their MNIST 16 and CelebA 64), width 96, the rate decaying to a tenth by a half cosine over the run,
    and the mixture fitted to 60 000 training codes."""
    return {"model.latent_dim": 32, "model.width": 96, "optim.lr_final": 0.1, "optim.decay_steps": steps,
            "vae.density_examples": 60_000}


@dataclass(frozen=True)
class AutoencoderFamily(Family):
    """An auto-encoder's own layers: its defaults, and on images the recipe when one is named and it has one."""

    recipe: Callable[[int], Layer] | None = None  # the image recipe's values for a run of this many steps

    @property
    def has_recipe(self) -> bool:
        return self.recipe is not None

    def net(self, config: Config, kind: DataKind) -> str:
        if self.recipe is not None and config.model.recipe == "modern" and config.model.net == "auto" \
                and kind == "image":
            return "dcgan"  # the recipe's are the DCGAN pair, widened, not the GAN recipe's r3gan nets
        return super().net(config, kind)

    def default_layers(self, config: Config, toy: bool) -> list[tuple[str, Layer]]:
        layers = super().default_layers(config, toy)
        if self.recipe is not None and config.model.recipe == "modern" and not toy:
            layers.insert(0, ("recipe modern", self.recipe(config.train.steps)))
        return layers


def _family(name: str, summary: str, density: str, labels: dict[str, str] = LABELS,
            recipe: Callable[[int], Layer] | None = None) -> AutoencoderFamily:
    """One of the three: the same networks, defaults and support; its own loss, latent density and labels."""
    return AutoencoderFamily(name=name, view="generator alone", summary=summary,
                             build=lazy("gankit.algorithms.autoencoder.model", f"build_{name}"), sections=("vae",),
                             defaults=DEFAULTS | {"vae.latent_density": density}, toy_defaults=TOY_DEFAULTS,
                             supports=Supports(heldout=True, live=True, exports=True), progress_labels=labels,
                             recipe=recipe)


AE = _family("ae", "an auto-encoder: deterministic codes, samples from a Gaussian fitted to them", "gaussian")
VAE = _family("vae", "a variational auto-encoder (Kingma & Welling 2014): reconstruction + beta * KL, samples "
                     "from the prior", "prior")
# Ghosh et al. 2020 (RAE): deterministic codes with squared error, beta·½‖z‖² and a regularised decoder; samples
# from a 10-component Gaussian mixture fitted to the training codes (pythae's RAE weights: beta 1e-4, lambda 1e-7)
RAE = _family("rae", "a regularised auto-encoder (Ghosh et al. 2020): squared error + ½‖z‖² + a smooth decoder, "
                     "sampled from a mixture fitted to its codes", "gmm",
              {"loss": "loss", "reconstruction": "squared error", "code_penalty": "½‖z‖²",
               "decoder_penalty": "decoder"}, image_recipe)
