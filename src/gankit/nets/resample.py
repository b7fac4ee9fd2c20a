"""Shared pieces of the residual families: 2x resampling and initialisation."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn import functional as F

# [1, 3, 3, 1] ⊗ [1, 3, 3, 1] / 64: the separable low-pass filter of R3GAN's (and StyleGAN2's) resamplers
_TAPS = torch.tensor([1.0, 3.0, 3.0, 1.0])
LOWPASS = torch.outer(_TAPS, _TAPS) / _TAPS.sum() ** 2


def _depthwise(x: Tensor) -> Tensor:
    """The low-pass kernel for every channel of x: [C, 1, 4, 4]."""
    return LOWPASS.to(x.device, x.dtype).expand(x.shape[1], 1, 4, 4)


def upsample_lowpass(x: Tensor) -> Tensor:
    """[N, C, H, W] -> [N, C, 2H, 2W]: zeros between pixels, then the low-pass filter ×4 (which is bilinear
    interpolation, computed as such: faster than the transposed depthwise convolution; borders replicate)."""
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


def downsample_lowpass(x: Tensor) -> Tensor:
    """[N, C, H, W] -> [N, C, H/2, W/2]: the low-pass filter, then every second pixel (no aliasing)."""
    return F.conv2d(x, _depthwise(x), stride=2, padding=1, groups=x.shape[1])


def msr_init(layer: nn.Conv2d | nn.Linear, gain: float = 1.0) -> nn.Module:
    """He/MSR initialisation with an explicit gain: weights ~ N(0, gain² / fan_in); gain 0 zeroes the layer."""
    fan_in = layer.weight[0].numel()  # input channels (per group) × kernel area, or input features
    nn.init.normal_(layer.weight, 0.0, gain / math.sqrt(fan_in))
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)
    return layer
