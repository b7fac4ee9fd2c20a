"""Defaults for the config fields a user left unset (None), filled in layers; the saved config holds them.

The first layer that names a field wins:
0. on toy data, the objective's own toy settings (`Objective.toy_defaults`, e.g. hinge's slower G);
1. toy data (`mlp` nets), tuned on ring8/grid25 (see the README's measurements): batch 512 and
   learning rate 1e-3, because the papers' rates are for images and would need 10-50x more steps on 2D
   data; minibatch std in D and sampling from G's weight average, without which plain GANs drop
   ring8 modes or land beside them on some seeds; no spectral norm, whose 1-Lipschitz bound on a
   small MLP cannot separate modes 0.06 wide (0/8 modes on ring8);
2. the objective's paper (`Objective.defaults`): optimizer, betas, d_steps, penalty, clipping, D norm;
   for the other views (`ae`, `vae`, `ebm`) their own settings take the objective's place, toy first;
3. the network family: DCGAN's batch 64 and Adam 2e-4 (Radford et al. 2016);
4. the base: Adam (0.5, 0.999), one D step, no penalty, no clipping, batch-norm D, no spectral norm.
"""

from __future__ import annotations

from typing import Any

from gankit.config import Config, EBMConfig
from gankit.objectives import OBJECTIVES

TOY_DEFAULTS: dict[str, Any] = {"train.batch_size": 512, "optim.lr_g": 1e-3, "optim.lr_d": 1e-3,
                                "model.minibatch_std": True, "model.spectral_norm": False, "model.g_ema": 0.999}
FAMILY_DEFAULTS: dict[str, dict[str, Any]] = {
    "dcgan": {"train.batch_size": 64, "optim.lr_g": 2e-4, "optim.lr_d": 2e-4},
    "mlp": {},
}
# The non-GAN views. EBM: IGEBM/JEM's Adam 1e-4 with beta1 0 and Langevin settings, no batch norm (it
# would make one sample's energy depend on the others in its batch); on 2D data, rates and Langevin steps
# on the toy scale. AE/VAE: Adam 1e-3 (Kingma & Welling's setting), a plain encoder.
VIEW_DEFAULTS: dict[str, dict[str, Any]] = {
    "ebm": {"optim.lr_d": 1e-4, "optim.beta1": 0.0, "optim.beta2": 0.999, "model.d_norm": "none",
            "model.minibatch_std": False, "model.g_ema": 0.0, "ebm.langevin_steps": 20, "ebm.step_size": 1.0,
            "ebm.noise": 0.01},
    "vae": {"optim.lr_g": 1e-3, "optim.beta1": 0.9, "optim.beta2": 0.999, "model.minibatch_std": False,
            "model.g_ema": 0.0, "vae.reconstruction": "bernoulli"},
}
VIEW_DEFAULTS["ae"] = VIEW_DEFAULTS["vae"]
VIEW_TOY_DEFAULTS: dict[str, dict[str, Any]] = {
    "ebm": {"optim.lr_d": 1e-3, "ebm.langevin_steps": 50, "ebm.step_size": 0.05, "ebm.noise": 0.005},
    "vae": {"vae.reconstruction": "gaussian"},
    "ae": {"vae.reconstruction": "gaussian"},
}
BASE_DEFAULTS: dict[str, Any] = {
    "optim.name": "adam", "optim.beta1": 0.5, "optim.beta2": 0.999, "train.d_steps": 1,
    "objective.penalty": "none", "objective.penalty_weight": 10.0, "objective.clip": 0.0,
    "model.d_norm": "batch", "model.spectral_norm": False, "model.minibatch_std": False,
    "model.g_ema": 0.0,
}


def default_layers(config: Config, family: str) -> list[dict[str, Any]]:
    """The layers in priority order for this config's objective (or view) and network family."""
    view, toy = config.model.algorithm, family == "mlp"
    if view == "gan":
        objective = OBJECTIVES.get(config.objective.name)
        first = [objective.toy_defaults, TOY_DEFAULTS] * toy + [objective.defaults]
    else:  # a view's own choices (no batch-norm D, no minibatch std, …) beat the GAN-tuned toy layer
        first = [VIEW_TOY_DEFAULTS.get(view, {})] * toy + [VIEW_DEFAULTS.get(view, {})] + [TOY_DEFAULTS] * toy
    return first + [FAMILY_DEFAULTS.get(family, {}), BASE_DEFAULTS]


def resolve_defaults(config: Config, family: str) -> Config:
    """Fill every None field from the first layer that has it; values the user set are kept."""
    values = config.to_dict()
    filled: dict[str, Any] = {}
    for layer in default_layers(config, family):
        for key, value in layer.items():
            section, _, name = key.partition(".")
            if values[section][name] is None and key not in filled:
                filled[key] = value
    return config.override(filled) if filled else config


def langevin_settings(config: Config, family: str) -> EBMConfig:
    """Langevin settings for ascending any run's D: an EBM's own, else the EBM defaults for its data."""
    return resolve_defaults(config.override({"model.algorithm": "ebm"}), family).ebm


__all__ = ["BASE_DEFAULTS", "FAMILY_DEFAULTS", "TOY_DEFAULTS", "VIEW_DEFAULTS", "default_layers", "langevin_settings",
           "resolve_defaults"]
