"""An exponential moving average of a network's weights, the copy that samples (Karras et al. 2018)."""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA(nn.Module):
    """Holds `average`, a frozen copy of the source net whose weights trail it by `decay`.

    The decay ramps up as min(decay, (1 + n) / (10 + n)) over the first updates, so a short run's
    average is not dominated by the random initial weights. Buffers (batch-norm statistics) are
    copied, not averaged. Being a module, the average and its update count are checkpointed.
    """

    updates: torch.Tensor  # buffer: long scalar

    def __init__(self, source: nn.Module, decay: float) -> None:
        super().__init__()
        self.decay = decay
        self.average = copy.deepcopy(source).requires_grad_(False)
        self.register_buffer("updates", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def update(self, source: nn.Module) -> None:
        n = self.updates.float()
        weight = 1 - ((1 + n) / (10 + n)).clamp(max=self.decay)  # a tensor: no device sync per update
        mine: torch.Tensor  # parameters, then buffers
        theirs: torch.Tensor
        for mine, theirs in zip(self.average.parameters(), source.parameters(), strict=True):
            mine.lerp_(theirs, weight.to(mine.dtype))
        for mine, theirs in zip(self.average.buffers(), source.buffers(), strict=True):
            mine.copy_(theirs)
        self.updates += 1
