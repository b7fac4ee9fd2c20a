"""The data kinds and the net family `auto` picks; the resolution itself is `gankit.algorithms.resolve`,
which knows each algorithm's default layers (this layer knows no algorithm)."""

from __future__ import annotations

from typing import Literal

from gankit.config.defaults import RECIPE_FAMILIES
from gankit.config.schema import ModelConfig

DataKind = Literal["image", "points"]


def net_family(model: ModelConfig, kind: DataKind) -> str:
    """`auto` picks the MLP pair for points and DCGAN (or the recipe's nets) for images."""
    if model.net != "auto":
        return model.net
    return "mlp" if kind == "points" else RECIPE_FAMILIES.get(model.recipe, "dcgan")
