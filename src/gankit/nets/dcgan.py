"""DCGAN-style convolutional pair (Radford et al. 2016) for any side of the form 4·2^k or 7·2^k.

28×28 starts from 7×7 (the InfoGAN/MNIST layout); 8, 16, 32, 64 … start from 4×4. Each doubling
is one stride-2 (transposed) convolution, so resolution and channels are parameters, not copies.
"""

from __future__ import annotations

from typing import Literal, cast

import torch
from torch import Tensor, nn

from gankit.errors import ConfigError, GankitError
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


class LabelBias(nn.Module):
    """A learned bias per label and channel, added to a feature map: with the noise level as the label, each
    layer of an energy ladder's D shifts its features by level (the role of Gao et al. 2021's time embedding),
    where the projection head alone gives every level one shared trunk. Zero at the start: the plain D."""

    def __init__(self, num_labels: int, channels: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(num_labels, channels))  # a plain table: spectral norm leaves it

    def forward(self, h: Tensor, labels: Tensor) -> Tensor:
        return h + self.bias[labels].to(h.dtype)[:, :, None, None]  # [N, C, H, W]


class DCGANDiscriminator(Discriminator):
    def __init__(
        self, channels: int, size: int, width: int = 64, num_classes: int = 0,
        norm: Literal["batch", "instance", "none"] = "batch", condition: Literal["projection", "acgan"] = "projection",
        minibatch_std: bool = False, extra_convs: int = 0, label_bias: bool = False,
    ) -> None:
        base, doublings = layout(size)
        c_out = width * 2 ** (doublings - 1)
        super().__init__(c_out * base * base, num_classes, condition, minibatch_std)
        if label_bias and not num_classes:
            raise ConfigError("per-label biases in D need labels (a conditional D, or an energy ladder's levels)")

        def activation(c: int) -> list[nn.Module]:  # the label's bias, if any, just before each nonlinearity
            return [*([LabelBias(num_classes, c)] if label_bias else []), nn.LeakyReLU(0.2)]

        layers: list[nn.Module] = []
        c_in, c = channels, width
        for i in range(doublings):
            layers.append(nn.Conv2d(c_in, c, 4, 2, 1, bias=norm == "none" or i == 0))
            if i > 0:  # DCGAN: no normalisation on D's input layer
                layers += _norm(norm, c)
            layers += activation(c)
            c_in, c = c, c * 2
        for _ in range(extra_convs):  # 3×3 at the base side: each widens what one feature sees by 2·2^doublings px
            layers += [nn.Conv2d(c_in, c_in, 3, 1, 1, bias=norm == "none"), *_norm(norm, c_in), *activation(c_in)]
        layers.append(nn.Flatten())
        self.body = nn.Sequential(*layers)
        self.label_bias = label_bias
        self.apply(init_weights)

    def features(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        if not self.label_bias:
            return self.body(x)  # [N, C·base·base]
        if labels is None:
            raise GankitError("this discriminator adds a bias per label in every layer: pass labels")
        for layer in self.body:
            x = layer(x, labels) if isinstance(layer, LabelBias) else layer(x)
        return x
