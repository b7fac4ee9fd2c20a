"""Defaults for the config fields a user left unset (None), filled in layers; the saved config holds them.

The first layer that names a field wins:
0. on toy data, the objective's own toy settings (`Objective.toy_defaults`, e.g. hinge's slower G);
1. toy data (`mlp` nets), tuned on ring8/grid25 (see the README's measurements): batch 512 and
   learning rate 1e-3, because the papers' rates are for images and would need 10-50x more steps on 2D
   data; minibatch std in D and sampling from G's weight average, without which plain GANs drop
   ring8 modes or land beside them on some seeds; no spectral norm, whose 1-Lipschitz bound on a
   small MLP cannot separate modes 0.06 wide (0/8 modes on ring8);
2. the objective's paper (`Objective.defaults`): optimizer, betas, d_steps, penalty, clipping, D norm;
3. the network family: DCGAN's batch 64 and Adam 2e-4 (Radford et al. 2016);
4. the base: Adam (0.5, 0.999), one D step, no penalty, no clipping, batch-norm D, no spectral norm.
"""

from __future__ import annotations

from typing import Any

from gankit.config import Config
from gankit.objectives import OBJECTIVES

TOY_DEFAULTS: dict[str, Any] = {"train.batch_size": 512, "optim.lr_g": 1e-3, "optim.lr_d": 1e-3,
                                "model.minibatch_std": True, "model.spectral_norm": False, "model.g_ema": 0.999}
FAMILY_DEFAULTS: dict[str, dict[str, Any]] = {
    "dcgan": {"train.batch_size": 64, "optim.lr_g": 2e-4, "optim.lr_d": 2e-4},
    "mlp": {},
}
BASE_DEFAULTS: dict[str, Any] = {
    "optim.name": "adam", "optim.beta1": 0.5, "optim.beta2": 0.999, "train.d_steps": 1,
    "objective.penalty": "none", "objective.penalty_weight": 10.0, "objective.clip": 0.0,
    "model.d_norm": "batch", "model.spectral_norm": False, "model.minibatch_std": False,
    "model.g_ema": 0.0,
}


def default_layers(objective: str, family: str) -> list[dict[str, Any]]:
    """The layers in priority order for this objective and network family."""
    toy = [OBJECTIVES.get(objective).toy_defaults, TOY_DEFAULTS] if family == "mlp" else []
    return toy + [OBJECTIVES.get(objective).defaults, FAMILY_DEFAULTS.get(family, {}), BASE_DEFAULTS]


def resolve_defaults(config: Config, family: str) -> Config:
    """Fill every None field from the first layer that has it; values the user set are kept."""
    values = config.to_dict()
    filled: dict[str, Any] = {}
    for layer in default_layers(config.objective.name, family):
        for key, value in layer.items():
            section, _, name = key.partition(".")
            if values[section][name] is None and key not in filled:
                filled[key] = value
    return config.override(filled) if filled else config


__all__ = ["BASE_DEFAULTS", "FAMILY_DEFAULTS", "TOY_DEFAULTS", "default_layers", "resolve_defaults"]
