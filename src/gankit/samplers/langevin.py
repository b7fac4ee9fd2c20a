"""Langevin dynamics: noisy gradient ascent on a score, the lecture's argmax_x D(x) made tractable.

Pure functions: the score's network is only read (its parameter gradients are untouched, its train/eval
mode is the caller's), and randomness comes from the `generator` passed in.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, autograd

from gankit.data.shard import per_example_randn

Progress = Callable[[int, int], None]
"""`progress(done, total)`: called after each gradient step of an iterative sampler (long sampling shows a bar)."""


def langevin(
    score: Callable[[Tensor], Tensor], x: Tensor, steps: int, step_size: float, noise: float,
    bounds: tuple[float, float], generator: torch.Generator | None = None,
    callback: Callable[[Tensor], None] | None = None,
) -> Tensor:
    """`steps` of x <- clip(x + step_size * grad_x score(x) + noise * N(0, I)) towards the score's peaks;
    `callback` sees each step's x (detached), e.g. to record the chains."""
    with torch.enable_grad():
        for _ in range(steps):
            x = x.detach().requires_grad_(True)
            (grad,) = autograd.grad(score(x).sum(), x)
            x = x + step_size * grad + noise * per_example_randn(x, generator)
            x = x.clamp(*bounds)
            if callback is not None:
                callback(x.detach())
    return x.detach()


def chain_steps(length: int, columns: int = 10) -> list[int]:
    """Which of a trajectory's `length` entries (0 = the start) `columns` evenly spaced columns show."""
    return sorted({round(i * (length - 1) / max(columns - 1, 1)) for i in range(columns)})


def chain_columns(trajectory: list[Tensor], columns: int = 10) -> Tensor:
    """[chains * picked, ...]: `columns` evenly spaced steps of each chain, chain by chain (grid rows)."""
    picks = chain_steps(len(trajectory), columns)
    return torch.stack([trajectory[i] for i in picks], dim=1).flatten(0, 1)  # [chains * len(picks), ...]


__all__ = ["Progress", "chain_columns", "chain_steps", "langevin"]
