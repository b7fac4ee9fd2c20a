"""The replay buffer of an energy model's Langevin chains (Du & Mordatch 2019; Grathwohl et al. 2020).

Chains start where earlier ones ended, a fraction restarted from uniform noise, so that a few Langevin
steps per update suffice. A module: its contents are part of the checkpoint, so resume is exact.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from gankit.data.shard import per_example


class ReplayBuffer(nn.Module):
    chains: Tensor  # buffer [size, *sample_shape]

    def __init__(self, size: int, sample_shape: tuple[int, ...], bounds: tuple[float, float], restart: float) -> None:
        super().__init__()
        self.sample_shape, self.bounds, self.restart = sample_shape, bounds, restart
        self.register_buffer("chains", self.noise(size))  # [size, *sample_shape]

    def __len__(self) -> int:
        return len(self.chains)

    def noise(self, n: int, generator: torch.Generator | None = None, device: torch.device | None = None) -> Tensor:
        """n points uniform in the sample box."""
        low, high = self.bounds
        return low + (high - low) * per_example(
            lambda m: torch.rand((m, *self.sample_shape), generator=generator, device=device), n, generator)

    def starts(self, n: int, generator: torch.Generator | None, device: torch.device) -> tuple[Tensor, Tensor | None]:
        """(starting points, their slots): stored chains, `restart` of them replaced by fresh noise.
        An empty buffer gives noise and no slots."""
        if not len(self):
            return self.noise(n, generator, device), None
        slots = per_example(lambda m: torch.randint(len(self), (m,), generator=generator, device=device), n, generator)
        start = self.chains[slots]
        fresh = per_example(lambda m: torch.rand(m, generator=generator, device=device), n, generator) < self.restart
        restart = self.noise(n, generator, device)
        return torch.where(fresh.view(-1, *[1] * len(self.sample_shape)), restart, start), slots

    @torch.no_grad()
    def store(self, slots: Tensor | None, x: Tensor) -> None:
        """Keep where the chains started from `slots` ended."""
        if slots is not None:
            self.chains[slots] = x

    def _load_from_state_dict(self, state_dict: dict, prefix: str, *args: object, **kwargs: object) -> None:
        if prefix.endswith(".") and prefix[:-1] in state_dict:  # gankit 0.1 kept the chains as EBM.replay
            state_dict[prefix + "chains"] = state_dict.pop(prefix[:-1])
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


__all__ = ["ReplayBuffer"]
