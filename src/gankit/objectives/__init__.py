"""GAN objectives by name (`--loss`): each a small object with D's and G's loss."""

from __future__ import annotations

from gankit.objectives.base import Objective
from gankit.objectives.classic import Minimax, NonSaturating
from gankit.registry import Registry

OBJECTIVES: Registry[type[Objective]] = Registry("objective")
for _cls in (Minimax, NonSaturating):
    OBJECTIVES.register(_cls.name)(_cls)


def build_objective(name: str) -> Objective:
    return OBJECTIVES.get(name)()


__all__ = ["OBJECTIVES", "Objective", "build_objective"]
