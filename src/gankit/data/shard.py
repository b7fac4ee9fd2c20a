"""Per-example random draws that do not depend on how many processes share a batch.

In a data-parallel run every process owns a slice of each global batch. The run's generator is then a
ShardedGenerator, seeded alike in every process: each draw of per-example noise (z, labels, a penalty's
mixing weights, Langevin noise, replay slots) is made for the whole global batch and each process keeps its
own slice. So the processes draw different noise for different examples, their generators stay in the same
state (one saved state resumes on any number of processes), and N processes draw exactly what one process
training the global batch would.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


class ShardedGenerator(torch.Generator):
    """A torch.Generator that knows which slice of each global batch this process draws for."""

    rank: int
    size: int

    def __new__(cls, device: torch.device | str = "cpu", rank: int = 0, size: int = 1) -> ShardedGenerator:
        return super().__new__(cls, device=device)  # type: ignore[call-arg]  # torch.Generator takes it

    def __init__(self, device: torch.device | str = "cpu", rank: int = 0, size: int = 1) -> None:
        if not 0 <= rank < size:
            raise ValueError(f"rank {rank} is outside a world of {size} processes")
        self.rank, self.size = rank, size


def per_example(draw: Callable[[int], Tensor], n: int, generator: torch.Generator | None) -> Tensor:
    """`draw(n)`: n per-example draws along dim 0; with a ShardedGenerator, this process's slice of the
    draw for all processes' examples."""
    if not isinstance(generator, ShardedGenerator) or generator.size == 1:
        return draw(n)
    return draw(n * generator.size)[generator.rank * n : (generator.rank + 1) * n]


def per_example_randn(like: Tensor, generator: torch.Generator | None) -> Tensor:
    """N(0, I) noise shaped like `like` (dim 0: its examples), drawn as `per_example` does."""
    shape, device = like.shape[1:], like.device
    return per_example(lambda m: torch.randn((m, *shape), generator=generator, device=device), len(like), generator)


__all__ = ["ShardedGenerator", "per_example", "per_example_randn"]
