"""A normalisation-free residual pair in the spirit of R3GAN (Huang et al. 2024, section 4), sides 4·2^k or 7·2^k.

No normalisation layer anywhere: the residual branches are made harmless at the start instead (fix-up
initialisation, Zhang et al. 2019): each block is 1×1 expand, grouped 3×3, 1×1 compress, the last layer
initialised to zero and the others scaled by L^(-1/4) for L blocks in the net. Resampling is a fixed low-pass
filter; the lowest resolution is a learned basis (G: a 4×4 constant times a linear map of z; D: a depthwise
4×4 convolution down to one vector). One stage per resolution, `BLOCKS_PER_STAGE` blocks each (R3GAN CIFAR-10: 2);
a 1×1 convolution changes the width between stages. `width` is the channels at full resolution, doubling at
each halving up to `MAX_WIDTH_FACTOR`× (as R3GAN's FFHQ nets; its CIFAR-10 net is 768 wide at every stage,
which costs too much on a CPU at full resolution). G ends in tanh, like gankit's other generators.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from gankit.nets.base import Discriminator, Generator
from gankit.nets.dcgan import layout
from gankit.nets.resample import downsample_lowpass, msr_init, upsample_lowpass

BLOCKS_PER_STAGE = 2
EXPANSION = 2  # the inverted bottleneck widens by this factor
GROUP_CHANNELS = 16  # channels per group of the grouped 3×3 convolution (R3GAN CIFAR-10: 1536 / 96)
MAX_WIDTH_FACTOR = 8
LEAK = 0.2
ACTIVATION_GAIN = math.sqrt(2 / (1 + LEAK**2))  # keeps the variance through a leaky ReLU


class BiasedLeakyReLU(nn.Module):
    """x + b, then leaky ReLU: the only bias of a block."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x + self.bias.view(1, -1, 1, 1), LEAK)


class ResidualBlock(nn.Module):
    """x + compress(act(grouped(act(expand(x))))), the branch starting at zero (fix-up)."""

    def __init__(self, channels: int, total_blocks: int) -> None:
        super().__init__()
        wide = channels * EXPANSION
        gain = ACTIVATION_GAIN * total_blocks ** (-1 / 4)  # L^(-1/(2m-2)) with m = 3 layers per branch
        self.branch = nn.Sequential(
            msr_init(nn.Conv2d(channels, wide, 1, bias=False), gain), BiasedLeakyReLU(wide),
            msr_init(nn.Conv2d(wide, wide, 3, padding=1, groups=max(wide // GROUP_CHANNELS, 1), bias=False), gain),
            BiasedLeakyReLU(wide),
            msr_init(nn.Conv2d(wide, channels, 1, bias=False), 0.0),
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.branch(x)


def stage_widths(width: int, stages: int) -> list[int]:
    """Channels per stage from full resolution down: width, 2·width, 4·width, … capped at MAX_WIDTH_FACTOR·width."""
    return [width * min(2**i, MAX_WIDTH_FACTOR) for i in range(stages)]


def _stage(channels: int, total_blocks: int) -> nn.Sequential:
    return nn.Sequential(*[ResidualBlock(channels, total_blocks) for _ in range(BLOCKS_PER_STAGE)])


def _transition(c_in: int, c_out: int) -> nn.Module:
    """The 1×1 convolution between stages of different widths (identity between equal ones)."""
    return msr_init(nn.Conv2d(c_in, c_out, 1, bias=False)) if c_in != c_out else nn.Identity()


class R3GANGenerator(Generator):
    def __init__(self, latent_dim: int, channels: int, size: int, width: int = 64, num_classes: int = 0) -> None:
        super().__init__(latent_dim, (channels, size, size), num_classes)
        base, doublings = layout(size)
        total = BLOCKS_PER_STAGE * (doublings + 1)
        widths = stage_widths(width, doublings + 1)[::-1]  # lowest resolution first
        self.basis = nn.Parameter(torch.randn(widths[0], base, base))  # [C, base, base]
        self.project = msr_init(nn.Linear(latent_dim + num_classes, widths[0], bias=False))
        self.stages = nn.ModuleList([_stage(c, total) for c in widths])
        self.transitions = nn.ModuleList([_transition(a, b) for a, b in zip(widths, widths[1:], strict=False)])
        self.out = msr_init(nn.Conv2d(widths[-1], channels, 1, bias=False))

    def raw(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        h = self.basis[None] * self.project(self.condition(z, labels))[:, :, None, None]  # [N, C, base, base]
        h = self.stages[0](h)
        for transition, stage in zip(self.transitions, self.stages[1:], strict=True):
            h = stage(upsample_lowpass(transition(h)))  # narrow, then upsample: the cheaper order
        return self.out(h)  # [N, channels, H, W], before tanh

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.raw(z, labels).tanh()  # [N, C, H, W] in [-1, 1]


class R3GANDiscriminator(Discriminator):
    def __init__(
        self, channels: int, size: int, width: int = 64, num_classes: int = 0,
        condition: Literal["projection", "acgan"] = "projection", minibatch_std: bool = False,
    ) -> None:
        base, doublings = layout(size)
        widths = stage_widths(width, doublings + 1)  # full resolution first
        super().__init__(widths[-1], num_classes, condition, minibatch_std)
        total = BLOCKS_PER_STAGE * (doublings + 1)
        self.extract = msr_init(nn.Conv2d(channels, widths[0], 1, bias=False))
        self.stages = nn.ModuleList([_stage(c, total) for c in widths])
        self.transitions = nn.ModuleList([_transition(a, b) for a, b in zip(widths, widths[1:], strict=False)])
        self.basis = msr_init(nn.Conv2d(widths[-1], widths[-1], base, groups=widths[-1], bias=False))  # -> 1×1

    def features(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        h = self.stages[0](self.extract(x))
        for transition, stage in zip(self.transitions, self.stages[1:], strict=True):
            h = stage(transition(downsample_lowpass(h)))  # downsample, then widen: the cheaper order
        return self.basis(h).flatten(1)  # [N, widths[-1]]
