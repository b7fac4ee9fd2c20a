"""The run configuration: typed sections (`schema`), the default layers (`defaults`) and `resolve`."""

from gankit.config.resolve import DataKind, langevin_settings, net_family, resolution_sources, resolve
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
           "ObjectiveConfig", "OptimConfig", "TrainConfig", "VAEConfig", "langevin_settings", "net_family",
           "resolution_sources", "resolve", "validate"]
