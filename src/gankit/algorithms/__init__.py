"""Algorithms by name: `build_algorithm(config, spec)` wires networks and objective into one module."""

from __future__ import annotations

from collections.abc import Callable

from gankit.algorithms.base import Algorithm, Batch, Phase, PhaseOutput
from gankit.algorithms.gan import GAN
from gankit.config import Config
from gankit.data.spec import DataSpec
from gankit.nets import build_networks
from gankit.objectives import build_objective
from gankit.registry import Registry

ALGORITHMS: Registry[Callable[[Config, DataSpec], Algorithm]] = Registry("algorithm")


@ALGORITHMS.register("gan")
def _gan(config: Config, spec: DataSpec) -> Algorithm:
    objective = build_objective(config.objective)
    generator, discriminator = build_networks(config.model, spec, objective.discriminator_kind)
    return GAN(generator, discriminator, objective, config.objective, config.model.g_ema or 0.0)


def build_algorithm(config: Config, spec: DataSpec) -> Algorithm:
    return ALGORITHMS.get(config.model.algorithm)(config, spec)


__all__ = ["ALGORITHMS", "Algorithm", "Batch", "Phase", "PhaseOutput", "build_algorithm"]
