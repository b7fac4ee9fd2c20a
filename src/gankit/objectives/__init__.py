"""GAN objectives by name (`--objective`): each a small object with D's and G's loss from D's scores, and
the gradient penalties (its paper defaults: `gankit.config.defaults`).

May import (the layers below it, `lint-imports`): data, config, registry, version, jsonl, world, files, errors.
"""

from __future__ import annotations

from gankit.config import ObjectiveConfig
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


def build_objective(config: ObjectiveConfig | str) -> Objective:
    if isinstance(config, str):
        config = ObjectiveConfig(name=config)
    return OBJECTIVES.get(config.name)(config)


__all__ = ["OBJECTIVES", "Objective", "build_objective"]
