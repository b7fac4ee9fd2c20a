"""GAN objectives by name (`--objective`): each a small object with D's and G's loss from D's scores, and
the gradient penalties (its paper defaults: `gankit.config.defaults`).

May import (the layers below it, `lint-imports`): data, config, registry, version, jsonl, world, files, errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gankit.objectives.base import Objective
from gankit.objectives.began import BEGAN
from gankit.objectives.classic import DRAGAN, LeastSquares, Minimax, NonSaturating
from gankit.objectives.relativistic import RelativisticPairing
from gankit.objectives.wasserstein import Hinge, Wasserstein, WassersteinGP
from gankit.registry import Registry

OBJECTIVES: Registry[type[Objective]] = Registry("objective")
for _cls in (Minimax, NonSaturating, LeastSquares, Wasserstein, WassersteinGP, DRAGAN, BEGAN, Hinge,
             RelativisticPairing):
    OBJECTIVES.register(_cls.name)(_cls)


def build_objective(name: str, settings: Mapping[str, Any] | None = None) -> Objective:
    """The objective `name`, with what it reads of `settings` (the `objective` section's values as plain data:
    BEGAN's gamma and lambda_k); this layer takes values, never the config tree."""
    return OBJECTIVES.get(name).from_settings(settings or {})


__all__ = ["OBJECTIVES", "Objective", "build_objective"]
