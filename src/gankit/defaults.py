"""Defaults for the config fields a user left unset (None), filled in layers; the saved config holds them.

The first layer that names a field wins:
1. toy data (`mlp` nets): batch 512 and learning rate 1e-3, tuned on ring8/grid25 — the papers'
   learning rates are for images and would need 10-50x more steps on 2D data;
2. the objective's paper (`Objective.defaults`): optimizer, betas, d_steps, penalty, clipping, D norm;
3. the network family: DCGAN's batch 64 and Adam 2e-4 (Radford et al. 2016);
4. the base: Adam (0.5, 0.999), one D step, no penalty, no clipping, batch-norm D, no spectral norm.
"""

from __future__ import annotations

from typing import Any

from gankit.config import Config
from gankit.objectives import OBJECTIVES

TOY_DEFAULTS: dict[str, Any] = {"train.batch_size": 512, "optim.lr_g": 1e-3, "optim.lr_d": 1e-3}
FAMILY_DEFAULTS: dict[str, dict[str, Any]] = {
    "dcgan": {"train.batch_size": 64, "optim.lr_g": 2e-4, "optim.lr_d": 2e-4},
    "mlp": {},
}
BASE_DEFAULTS: dict[str, Any] = {
    "optim.name": "adam", "optim.beta1": 0.5, "optim.beta2": 0.999, "train.d_steps": 1,
    "objective.penalty": "none", "objective.penalty_weight": 10.0, "objective.clip": 0.0,
    "model.d_norm": "batch", "model.spectral_norm": False,
}


def default_layers(objective: str, family: str) -> list[dict[str, Any]]:
    """The layers in priority order for this objective and network family."""
    toy = [TOY_DEFAULTS] if family == "mlp" else []
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
