"""Optimizers by name."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor

from gankit.config import OptimConfig


def build_optimizer(optim: OptimConfig, parameters: Iterable[Tensor], lr: float) -> torch.optim.Optimizer:
    """Adam with the config's betas, or RMSprop (WGAN's choice: momentum-free, stable for critics)."""
    if optim.name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr)
    assert optim.beta1 is not None and optim.beta2 is not None, "resolve_defaults fills the betas"
    return torch.optim.Adam(parameters, lr=lr, betas=(optim.beta1, optim.beta2))
