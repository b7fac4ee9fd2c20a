"""Algorithms by name: what one training step means for each of the lecture's three views.

`ALGORITHMS` maps a name to its torch-free `Family` (config sections, defaults, what it supports, how it is
shown); `resolve` fills a config's unset fields from the family's default layers; `build_algorithm` makes
the module. Importing this package needs no torch: `gankit --help` and `--dry-run` read it. The torch side
of each algorithm lives in its `model` module (`gan.model`, `ebm.model` and `ebm.ladder`,
`autoencoder.model`).

May import (the layers below it, `lint-imports`): nets, objectives, samplers, data, config, registry, version,
jsonl, world, files, errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gankit.algorithms import autoencoder, ebm, gan
from gankit.algorithms.family import OWN_SECTIONS, Family, Supports
from gankit.registry import Registry

if TYPE_CHECKING:
    from gankit.algorithms.base import Algorithm
    from gankit.config import Config
    from gankit.data.spec import DataSpec

ALGORITHMS: Registry[Family] = Registry("algorithm")
for _family in (gan.FAMILY, autoencoder.AE, autoencoder.VAE, autoencoder.RAE, ebm.FAMILY, ebm.LADDER):
    ALGORITHMS.register(_family.name)(_family)


def family_of(config: Config) -> Family:
    """The family of the config's `model.algorithm` (an unknown name lists the valid ones)."""
    return ALGORITHMS.get(config.model.algorithm)


def build_algorithm(config: Config, spec: DataSpec, batch_size: int | None = None) -> Algorithm:
    """The algorithm's module for a resolved config; `batch_size`: this process's share of each batch."""
    size = batch_size or config.train.batch_size
    assert size is not None, "gankit.algorithms.resolve fills train.batch_size"
    return family_of(config).build(config, spec, size)


__all__ = ["ALGORITHMS", "OWN_SECTIONS", "Family", "Supports", "build_algorithm", "family_of"]
