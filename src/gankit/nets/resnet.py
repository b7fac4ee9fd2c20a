"""SNGAN/BigGAN-style ResNet pair (Miyato et al. 2018, appendix B; Gulrajani et al. 2017) for any side 4·2^k or 7·2^k.

G: z -> base×base (4 or 7) -> one up-block per doubling -> BN, ReLU, 3×3 conv, tanh; G has twice D's width.
D: one block per doubling plus one, the first `doublings - 1` halving the side (32×32 ends at 8×8, as SNGAN's
CIFAR-10 D), then ReLU and a global sum. Depth follows the resolution, width is a parameter: no per-size copies.
"""

from __future__ import annotations

import math
from typing import Literal, cast

from torch import Tensor, nn
from torch.nn import functional as F

from gankit.nets.base import Discriminator, Generator
from gankit.nets.dcgan import layout


def _conv(c_in: int, c_out: int, kernel: int, gain: float = 1.0) -> nn.Conv2d:
    conv = nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2)
    nn.init.xavier_uniform_(conv.weight, gain)  # SNGAN's initialisation
    nn.init.zeros_(cast(Tensor, conv.bias))  # built with a bias just above
    return conv


class UpBlock(nn.Module):
    """BN, ReLU, 2× nearest upsampling, 3×3 conv, BN, ReLU, 3×3 conv; shortcut: upsampling and a 1×1 conv."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.BatchNorm2d(c_in), nn.BatchNorm2d(c_out)
        self.conv1, self.conv2 = _conv(c_in, c_out, 3, math.sqrt(2)), _conv(c_out, c_out, 3, math.sqrt(2))
        self.shortcut = _conv(c_in, c_out, 1)

    def forward(self, x: Tensor) -> Tensor:
        h = F.interpolate(F.relu(self.norm1(x)), scale_factor=2.0)
        h = self.conv2(F.relu(self.norm2(self.conv1(h))))
        return h + self.shortcut(F.interpolate(x, scale_factor=2.0))


class DownBlock(nn.Module):
    """(ReLU,) 3×3 conv, ReLU, 3×3 conv (, 2×2 average pool); shortcut: 1×1 conv (and the pool).

    The first block of D skips the leading ReLU and pools its shortcut before the conv (SNGAN's
    "optimized" block), so the image itself is not rectified.
    """

    def __init__(self, c_in: int, c_out: int, down: bool, first: bool = False) -> None:
        super().__init__()
        self.down, self.first = down, first
        self.conv1, self.conv2 = _conv(c_in, c_out, 3, math.sqrt(2)), _conv(c_out, c_out, 3, math.sqrt(2))
        self.shortcut = _conv(c_in, c_out, 1)

    def _pool(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, 2) if self.down else x

    def forward(self, x: Tensor) -> Tensor:
        h = self.conv2(F.relu(self.conv1(x if self.first else F.relu(x))))
        skip = self.shortcut(self._pool(x)) if self.first else self._pool(self.shortcut(x))
        return self._pool(h) + skip


class ResNetGenerator(Generator):
    def __init__(self, latent_dim: int, channels: int, size: int, width: int = 128, num_classes: int = 0) -> None:
        super().__init__(latent_dim, (channels, size, size), num_classes)
        base, doublings = layout(size)
        c = 2 * width
        self.base_shape = (c, base, base)
        self.project = nn.Linear(latent_dim + num_classes, c * base * base)
        nn.init.xavier_uniform_(self.project.weight)
        self.blocks = nn.Sequential(*[UpBlock(c, c) for _ in range(doublings)])
        self.out_norm = nn.BatchNorm2d(c)
        self.out = _conv(c, channels, 3)

    def raw(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        h = self.project(self.condition(z, labels)).view(-1, *self.base_shape)
        return self.out(F.relu(self.out_norm(self.blocks(h))))  # [N, C, H, W], before tanh

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.raw(z, labels).tanh()  # [N, C, H, W] in [-1, 1]


class ResNetDiscriminator(Discriminator):
    def __init__(
        self, channels: int, size: int, width: int = 128, num_classes: int = 0,
        condition: Literal["projection", "acgan"] = "projection", minibatch_std: bool = False,
    ) -> None:
        super().__init__(width, num_classes, condition, minibatch_std)
        _, doublings = layout(size)
        downs = doublings - 1
        blocks = [DownBlock(channels, width, down=downs > 0, first=True)]
        blocks += [DownBlock(width, width, down=i < downs) for i in range(1, doublings + 1)]
        self.blocks = nn.Sequential(*blocks)

    def features(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        return F.relu(self.blocks(x)).sum(dim=(2, 3))  # [N, width]: global sum pooling
