"""Training-health numbers read from a network: per-layer gradient norms, and the first non-finite value."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


def layer_gradient_norms(network: nn.Module) -> dict[str, Tensor]:
    """L2 norm of each layer's parameter gradients (weight and bias together), keyed by layer name."""
    grads: dict[str, list[Tensor]] = {}
    for name, parameter in network.named_parameters():
        if parameter.grad is not None:
            layer = name.rsplit(".", 1)[0].replace(".parametrizations.weight", "")
            grads.setdefault(layer, []).append(parameter.grad.detach().flatten())
    return {layer: torch.cat(parts).norm() for layer, parts in grads.items()}


NORMALISATIONS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.InstanceNorm2d, nn.LayerNorm, nn.GroupNorm)


def normalisation_layers(network: nn.Module) -> set[str]:
    """Names (as layer_gradient_norms keys them) of the network's normalisation layers: their scale and shift
    get gradients too, which a per-layer plot of the weight layers leaves out."""
    return {name for name, module in network.named_modules() if isinstance(module, NORMALISATIONS)}


def first_non_finite(values: dict[str, float], network: nn.Module | None = None,
                     optimizers: dict[str, torch.optim.Optimizer] | None = None) -> str | None:
    """The name of a NaN/inf among `values` (losses first) or, if given, `network`'s weights and the
    `optimizers`' state (Adam's moments can overflow while the weights stay finite: such a state is never
    checkpointed, since it could not be loaded); else None."""
    bad = [k for k, v in values.items() if not math.isfinite(v)]
    if not bad and (network is not None or optimizers):
        named: list[tuple[str, Tensor]] = list(network.named_parameters()) if network is not None else []
        named += [(f"{name} optimizer state {key}", value) for name, optimizer in (optimizers or {}).items()
                  for state in optimizer.state.values() for key, value in state.items()
                  if isinstance(value, Tensor) and value.is_floating_point()]
        if named:
            finite = torch.stack([p.isfinite().all() for _, p in named]).tolist()  # one sync for all of them
            bad = [name if " optimizer state " in name else f"weight {name}"
                   for (name, _), ok in zip(named, finite, strict=True) if not ok]
    return min(bad, key=lambda k: not k.startswith("loss")) if bad else None
