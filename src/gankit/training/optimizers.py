"""Optimizers by name, and the per-layer gradient norms the health log reports."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor, nn

from gankit.config import OptimConfig


def build_optimizer(optim: OptimConfig, parameters: Iterable[Tensor], lr: float) -> torch.optim.Optimizer:
    """Adam with the config's betas, or RMSprop (WGAN's choice: momentum-free, stable for critics)."""
    if optim.name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr)
    assert optim.beta1 is not None and optim.beta2 is not None, "resolve_defaults fills the betas"
    return torch.optim.Adam(parameters, lr=lr, betas=(optim.beta1, optim.beta2))


def layer_gradient_norms(network: nn.Module) -> dict[str, Tensor]:
    """L2 norm of each layer's parameter gradients (weight and bias together), keyed by layer name."""
    grads: dict[str, list[Tensor]] = {}
    for name, parameter in network.named_parameters():
        if parameter.grad is not None:
            layer = name.rsplit(".", 1)[0].replace(".parametrizations.weight", "")
            grads.setdefault(layer, []).append(parameter.grad.detach().flatten())
    return {layer: torch.cat(parts).norm() for layer, parts in grads.items()}
