"""Resolving a config, once, at the entry: every field left unset gets its value from the first default layer
that names it, and settings the algorithm does not support are refused.

The layers, in priority order: the algorithm's presets and own layers (the GAN's: the recipe, the objective's
2D and paper settings; the others': their own, toy first), then the net family's, then the base. `resolve`
needs only the kind of data (images or 2D points), not the data itself, so a run's effective settings can be
shown (`gankit train --dry-run`) before anything is loaded or built. Torch-free.
"""

from __future__ import annotations

from typing import Any

from gankit.algorithms import family_of
from gankit.config import Config, DataKind
from gankit.config.defaults import BASE_DEFAULTS, FAMILY_DEFAULTS

UNSET_WHEN_ZERO = {"model.latent_dim", "model.width"}  # 0 means "the family's default"


def _unset(values: dict[str, Any], key: str) -> bool:
    section, _, name = key.partition(".")
    value = values[section][name]
    return value is None or (key in UNSET_WHEN_ZERO and value == 0)


def _fill(config: Config, kind: DataKind) -> tuple[dict[str, Any], dict[str, str]]:
    """(filled values, the layer each came from)."""
    family = family_of(config)
    family.check(config)
    filled: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, (value, source) in family.presets(config).items():
        filled[key], sources[key] = value, source
    if filled:
        config = config.override(filled)
    values = config.to_dict()
    net = family.net(config, kind)
    if config.model.net == "auto":
        by_recipe = f" and recipe {config.model.recipe}" if kind == "image" and config.model.recipe != "none" else ""
        filled["model.net"], sources["model.net"] = net, f"the data ({kind}){by_recipe}"
    layers = family.default_layers(config, toy=net == "mlp")
    layers += [(f"net {net}", FAMILY_DEFAULTS.get(net, {})), ("base", BASE_DEFAULTS)]
    for layer_name, layer in layers:
        for key, value in layer.items():
            if key not in filled and _unset(values, key):
                filled[key], sources[key] = value, layer_name
    return filled, sources


def resolve(config: Config, kind: DataKind) -> Config:
    """The config with every unset field filled; values the user set are kept. Resolving twice changes nothing."""
    filled, _ = _fill(config, kind)
    return config.override(filled) if filled else config


def resolution_sources(config: Config, kind: DataKind) -> dict[str, str]:
    """For each field `resolve` would fill, the name of the layer its value comes from."""
    return _fill(config, kind)[1]
