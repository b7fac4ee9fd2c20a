"""The discriminator alone: an energy model, sampled by Langevin ascent of D (the lecture's section 3).

This module is the torch-free declaration of `ebm` and `drl`; `model` holds the plain energy model's phase and
sampler, `ladder` the noise ladder's. It may import `gankit.config` and `gankit.errors`, never torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gankit.algorithms.family import Family, Supports, Watched
from gankit.errors import ConfigError
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
    watched=Watched(losses=("loss_d",), falls=False, energy="energy_magnitude"),  # a loss of either sign
    sampling_keys=("ebm.sample_steps", "ebm.sample_from_noise"),
)


MAX_SAMPLE_STEPS = 200  # gradient steps per sample in all: the ladder stays "start from noise, ascend D"


@dataclass(frozen=True)
class LadderFamily(Family):
    """The ladder's sampling cost is its levels times its steps per level; both are checked before a build."""

    def check(self, config: Config) -> None:
        super().check(config)
        e = config.ebm
        if e.levels is not None and e.levels < 2:
            raise ConfigError(f"ebm.levels must be at least 2 (a ladder from noise down to the data), got {e.levels}")
        steps = e.sample_steps or e.langevin_steps
        if e.levels and steps and e.levels * steps > MAX_SAMPLE_STEPS:
            raise ConfigError(f"drl samples with ebm.levels × ebm.sample_steps = {e.levels} × {steps} = "
                              f"{e.levels * steps} gradient steps; at most {MAX_SAMPLE_STEPS}")

    def phase_lines(self, config: Config) -> list[str]:
        e = config.ebm
        matching = f", plus denoising score matching × {e.score_matching:g}" if e.score_matching else ""
        chain = f" (chain step b² {e.chain_step_size:g})" if e.chain_step_size else ""
        start = "the data one level noisier" + (", denoised by one step of D" if e.denoise_jump else "")
        span = "all of" if e.ladder_span == "full" else "the first half of"
        energy = "; a bias per level in every layer of D" if e.level_bias else ""
        return [f"discriminator: one update per iteration; negatives by {e.langevin_steps} Langevin steps{chain} at "
                f"one of {e.levels} noise levels (over {span} DDPM's schedule), from {start}{matching}{energy}",
                f"sampling: {e.levels} levels × {e.sample_steps or e.langevin_steps} steps from N(0, I)"
                + (f" (chain step b² {e.sample_chain_step_size:g})" if e.sample_chain_step_size else "")
                + (f", ascending D's moving average (decay {e.energy_ema:g})" if e.energy_ema else "")]


# Gao et al. 2021 (Diffusion Recovery Likelihood): 6 levels, 30 steps each, b² = 2e-4, Adam 1e-4 (beta1 0.9),
# spectral norm on the energy; on 28×28 a no-batch-norm DCGAN D with the level as its projection label.
LADDER = LadderFamily(
    name="drl", view="discriminator alone",
    summary="an energy model on a ladder of noise levels (Diffusion Recovery Likelihood, Gao et al. 2021): each "
            "level sampled by Langevin from the noisier one, down from pure noise",
    build=lazy("gankit.algorithms.ebm.ladder", "build"),
    sections=("ebm",),
    defaults={"optim.lr_d": 1e-4, "optim.beta1": 0.9, "optim.beta2": 0.999, "model.d_norm": "none",
              "model.spectral_norm": True, "model.minibatch_std": False, "model.g_ema": 0.0,
              "ebm.levels": 6, "ebm.langevin_steps": 30, "ebm.step_size": 2e-4, "ebm.noise": 1.0},
    toy_defaults={"optim.lr_d": 1e-3},
    supports=Supports(latent_space=False, eval_during_training=False),
    progress_labels={"loss_d": "D loss", "d_real": "D(data)", "d_fake": "D(negatives)"},
    watched=Watched(losses=("loss_d",), falls=False),
    sampling_keys=("ebm.sample_steps", "ebm.sample_chain_step_size"),
)


def langevin_settings(config: Config, kind: DataKind) -> EBMConfig:
    """Langevin settings for ascending any run's D: an EBM's own where set, else the EBM's defaults for the data."""
    from gankit.algorithms.resolve import resolve

    as_ebm = {"model.algorithm": FAMILY.name, "model.conditional": False, "model.pack": 1}  # only its ebm section
    return resolve(config.override(as_ebm), kind).ebm
