"""Fully connected generator/discriminator pair for 2D toy data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from torch import Tensor, nn

from gankit.nets.base import Discriminator, Generator


def _stack(in_dim: int, width: int, depth: int, activation: Callable[[], nn.Module]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(in_dim if i == 0 else width, width), activation()]
    return nn.Sequential(*layers)


class MLPGenerator(Generator):
    def __init__(self, latent_dim: int, out_dim: int, width: int, depth: int, num_classes: int = 0) -> None:
        super().__init__(latent_dim, (out_dim,), num_classes)
        self.body = _stack(latent_dim + num_classes, width, depth, nn.ReLU)
        self.out = nn.Linear(width, out_dim)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.out(self.body(self.condition(z, labels)))  # [N, out_dim]


class MLPDiscriminator(Discriminator):
    def __init__(
        self, in_dim: int, width: int, depth: int, num_classes: int = 0,
        condition: Literal["projection", "acgan"] = "projection", minibatch_std: bool = False,
    ) -> None:
        super().__init__(width, num_classes, condition, minibatch_std)
        self.body = _stack(in_dim, width, depth, lambda: nn.LeakyReLU(0.2))

    def features(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.body(x)  # [N, width]
