"""DCGAN-style convolutional pair (Radford et al. 2016) for any side of the form 4·2^k or 7·2^k.

28×28 starts from 7×7 (the InfoGAN/MNIST layout); 8, 16, 32, 64 … start from 4×4. Each doubling
is one stride-2 (transposed) convolution, so resolution and channels are parameters, not copies.
"""

from __future__ import annotations

from typing import Literal, cast

import torch
from torch import Tensor, nn

from gankit.errors import ConfigError
from gankit.nets.base import Discriminator, Generator


def layout(size: int) -> tuple[int, int]:
    """(base side, number of doublings) for an image side, e.g. 28 -> (7, 2), 64 -> (4, 4)."""
    for base in (4, 7):
        doublings, side = 0, base
        while side < size:
            side, doublings = side * 2, doublings + 1
        if side == size and doublings >= 1:
            return base, doublings
    raise ConfigError(f"data.image_size {size} is not supported by dcgan: use 4·2^k or 7·2^k (8, 14, 16, 28, 32, 64 …)")


def init_weights(module: nn.Module) -> None:
    """DCGAN initialisation: conv/linear/embedding weights ~ N(0, 0.02), batch/instance-norm scale ~ N(1, 0.02)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if getattr(module, "bias", None) is not None:
            nn.init.zeros_(cast(Tensor, module.bias))  # checked just above
    elif isinstance(module, (nn.BatchNorm2d, nn.InstanceNorm2d)) and module.affine:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class DCGANGenerator(Generator):
    def __init__(
        self, latent_dim: int, channels: int, size: int, width: int = 64, num_classes: int = 0
    ) -> None:
        super().__init__(latent_dim, (channels, size, size), num_classes)
        base, doublings = layout(size)
        c = width * 2 ** (doublings - 1)
        self.base_shape = (c, base, base)
        self.project = nn.Sequential(
            nn.Linear(latent_dim + num_classes, c * base * base, bias=False),
            nn.Unflatten(1, self.base_shape),
            nn.BatchNorm2d(c),
            nn.ReLU(),
        )
        ups: list[nn.Module] = []
        for _ in range(doublings - 1):
            ups += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU()]
            c //= 2
        ups += [nn.ConvTranspose2d(c, channels, 4, 2, 1)]  # tanh in forward: raw() gives what precedes it
        self.upsample = nn.Sequential(*ups)
        self.apply(init_weights)

    def raw(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.upsample(self.project(self.condition(z, labels)))  # [N, C, H, W], before tanh

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        return torch.tanh(self.raw(z, labels))  # [N, C, H, W] in [-1, 1]


def _norm(norm: Literal["batch", "instance", "none"], channels: int) -> list[nn.Module]:
    """D's normalisation layer, if any; `instance` works per image and channel, so a per-sample gradient
    penalty sees no coupling between the batch's samples."""
    if norm == "batch":
        return [nn.BatchNorm2d(channels)]
    return [nn.InstanceNorm2d(channels, affine=True)] if norm == "instance" else []


class DCGANDiscriminator(Discriminator):
    def __init__(
        self, channels: int, size: int, width: int = 64, num_classes: int = 0,
        norm: Literal["batch", "instance", "none"] = "batch", condition: Literal["projection", "acgan"] = "projection",
        minibatch_std: bool = False, extra_convs: int = 0,
    ) -> None:
        base, doublings = layout(size)
        c_out = width * 2 ** (doublings - 1)
        super().__init__(c_out * base * base, num_classes, condition, minibatch_std)
        layers: list[nn.Module] = []
        c_in, c = channels, width
        for i in range(doublings):
            layers.append(nn.Conv2d(c_in, c, 4, 2, 1, bias=norm == "none" or i == 0))
            if i > 0:  # DCGAN: no normalisation on D's input layer
                layers += _norm(norm, c)
            layers.append(nn.LeakyReLU(0.2))
            c_in, c = c, c * 2
        for _ in range(extra_convs):  # 3×3 at the base side: each widens what one feature sees by 2·2^doublings px
            layers += [nn.Conv2d(c_in, c_in, 3, 1, 1, bias=norm == "none"), *_norm(norm, c_in), nn.LeakyReLU(0.2)]
        layers.append(nn.Flatten())
        self.body = nn.Sequential(*layers)
        self.apply(init_weights)

    def features(self, x: Tensor) -> Tensor:
        return self.body(x)  # [N, C·base·base]
