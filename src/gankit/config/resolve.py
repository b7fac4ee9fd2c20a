"""Resolving a config: every field left unset gets its value from the first default layer that names it.

`resolve(config, kind)` needs only the kind of data (images or 2D points), not the data itself, so a
run's effective settings can be shown (`gankit train --dry-run`) before anything is loaded or built.
"""

from __future__ import annotations

from typing import Any, Literal

from gankit.config.defaults import (
    ALGORITHM_DEFAULTS,
    ALGORITHM_TOY_DEFAULTS,
    BASE_DEFAULTS,
    FAMILY_DEFAULTS,
    OBJECTIVE_DEFAULTS,
    OBJECTIVE_TOY_DEFAULTS,
    RECIPE_FAMILIES,
    RECIPE_OBJECTIVES,
    TOY_DEFAULTS,
    Layer,
    recipe_layer,
)
from gankit.config.schema import Config, EBMConfig, ModelConfig, ObjectiveConfig

DataKind = Literal["image", "points"]
UNSET_WHEN_ZERO = {"model.latent_dim", "model.width"}  # 0 means "the family's default"


def net_family(model: ModelConfig, kind: DataKind) -> str:
    """`auto` picks the MLP pair for points and DCGAN (or the recipe's nets) for images."""
    if model.net != "auto":
        return model.net
    return "mlp" if kind == "points" else RECIPE_FAMILIES.get(model.recipe, "dcgan")


def default_layers(config: Config, family: str) -> list[tuple[str, Layer]]:
    """(layer name, values) in priority order for this config's objective or algorithm and net family."""
    algorithm, toy = config.model.algorithm, family == "mlp"
    layers: list[tuple[str, Layer]]
    if algorithm == "gan":
        objective = config.objective.name
        recipe = config.model.recipe
        layers = [(f"recipe {recipe}", recipe_layer(recipe, toy, config.train.steps))] * (recipe != "none")
        layers += [(f"objective {objective} on 2D data", OBJECTIVE_TOY_DEFAULTS.get(objective, {})),
                   ("2D data", TOY_DEFAULTS)] * toy
        layers += [(f"objective {objective}", OBJECTIVE_DEFAULTS.get(objective, {}))]
    else:  # an algorithm's own choices (no batch-norm D, no minibatch std, …) beat the GAN-tuned toy layer
        layers = ([(f"algorithm {algorithm} on 2D data", ALGORITHM_TOY_DEFAULTS.get(algorithm, {}))] * toy
                  + [(f"algorithm {algorithm}", ALGORITHM_DEFAULTS.get(algorithm, {}))]
                  + [("2D data", TOY_DEFAULTS)] * toy)
    return layers + [(f"net {family}", FAMILY_DEFAULTS.get(family, {})), ("base", BASE_DEFAULTS)]


def _unset(values: dict[str, Any], key: str) -> bool:
    section, _, name = key.partition(".")
    value = values[section][name]
    return value is None or (key in UNSET_WHEN_ZERO and value == 0)


def _fill(config: Config, kind: DataKind) -> tuple[dict[str, Any], dict[str, str]]:
    """(filled values, the layer each came from)."""
    filled: dict[str, Any] = {}
    sources: dict[str, str] = {}
    recipe_objective = RECIPE_OBJECTIVES.get(config.model.recipe)
    if recipe_objective and config.model.algorithm == "gan" and config.objective.name == ObjectiveConfig.name:
        # a recipe picks its objective unless another than the schema's default is named
        filled["objective.name"], sources["objective.name"] = recipe_objective, f"recipe {config.model.recipe}"
        config = config.override({"objective.name": recipe_objective})
    values = config.to_dict()
    family = net_family(config.model, kind)
    if config.model.net == "auto":
        by_recipe = f" and recipe {config.model.recipe}" if kind == "image" and config.model.recipe != "none" else ""
        filled["model.net"], sources["model.net"] = family, f"the data ({kind}){by_recipe}"
    for layer_name, layer in default_layers(config, family):
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


def langevin_settings(config: Config, kind: DataKind) -> EBMConfig:
    """Langevin settings for ascending any run's D: an EBM's own, else the EBM defaults for its data."""
    return resolve(config.override({"model.algorithm": "ebm"}), kind).ebm
