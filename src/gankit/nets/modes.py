"""Train/eval mode helpers that always restore what the caller had."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from torch import nn


@contextmanager
def evaluating(module: nn.Module) -> Iterator[nn.Module]:
    """Eval mode inside the block (batch norm uses running stats), the previous mode after."""
    was_training = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(was_training)


def set_trainable(networks: dict[str, nn.Module], active: str) -> None:
    """Only `active` gets parameter gradients: the lecture's "fix G" / "fix D" (and it saves work)."""
    for name, net in networks.items():
        net.requires_grad_(name == active)
