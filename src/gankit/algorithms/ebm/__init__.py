"""The discriminator alone: an energy model, sampled by Langevin ascent of D (the lecture's section 3).

This module is the torch-free declaration; `model` holds the training loop's phase and the sampler. It may
import `gankit.config` and `gankit.errors`, never torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gankit.algorithms.family import Family, Supports
from gankit.registry import lazy

if TYPE_CHECKING:
    from gankit.config import Config, DataKind, EBMConfig

# IGEBM/JEM's Adam 1e-4 with beta1 0 and Langevin settings, no batch norm (it would make one sample's energy
# depend on the others in its batch); on 2D data, rates and Langevin steps on the toy scale.
FAMILY = Family(
    name="ebm", view="discriminator alone",
    summary="an energy model: negatives by Langevin ascent of D, D pushed down on them and up on the data",
    build=lazy("gankit.algorithms.ebm.model", "build"),
    sections=("ebm",),
    defaults={"optim.lr_d": 1e-4, "optim.beta1": 0.0, "optim.beta2": 0.999, "model.d_norm": "none",
              "model.minibatch_std": False, "model.g_ema": 0.0, "ebm.langevin_steps": 20, "ebm.step_size": 1.0,
              "ebm.noise": 0.01},
    toy_defaults={"optim.lr_d": 1e-3, "ebm.langevin_steps": 50, "ebm.step_size": 0.05, "ebm.noise": 0.005},
    supports=Supports(landscape=True, latent_space=False, discriminator=True, live=True,
                      eval_during_training=False),  # Langevin sampling of thousands of images per evaluation
    progress_labels={"loss_d": "D loss", "d_real": "D(data)", "d_fake": "D(negatives)"},  # no G
)


def langevin_settings(config: Config, kind: DataKind) -> EBMConfig:
    """Langevin settings for ascending any run's D: an EBM's own where set, else the EBM's defaults for the data."""
    from gankit.algorithms.resolve import resolve

    as_ebm = {"model.algorithm": FAMILY.name, "model.conditional": False, "model.pack": 1}  # only its ebm section
    return resolve(config.override(as_ebm), kind).ebm
