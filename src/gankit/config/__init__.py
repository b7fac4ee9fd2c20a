"""The run configuration: typed sections (`schema`), parsing and range checks (`parsing`), the default layers
of objectives, nets and the base (`defaults`) and schedules (`schedule`).

This layer knows no algorithm and imports no torch: the algorithms' own defaults, and the one `resolve`
that applies every layer, live in `gankit.algorithms`.

May import (the layers below it, `lint-imports`): registry, version, jsonl, world, files, errors.
"""

from gankit.config.resolve import DataKind, net_family
from gankit.config.schema import (
    AugmentConfig,
    Config,
    DataConfig,
    EBMConfig,
    GANConfig,
    ModelConfig,
    ObjectiveConfig,
    OptimConfig,
    TrainConfig,
    VAEConfig,
    validate,
)

__all__ = ["AugmentConfig", "Config", "DataConfig", "DataKind", "EBMConfig", "GANConfig", "ModelConfig",
           "ObjectiveConfig", "OptimConfig", "TrainConfig", "VAEConfig", "net_family", "validate"]
