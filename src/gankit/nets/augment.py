"""DiffAugment (Zhao et al. 2020): differentiable augmentations of every image D sees, real and generated.

Because the same random transforms are applied to both, D cannot learn them as a cue, and because they
are differentiable, G learns through them. Forms and magnitudes follow the paper's code: `color` adds a
brightness shift U[-0.5, 0.5], scales saturation by U[0, 2] and contrast by U[0.5, 1.5]; `translation`
shifts by up to 1/8 of the side with zero fill; `cutout` zeroes a square of half the side at a random
centre. Every draw comes from the generator the caller passes (the run's), so resume stays exact, and is
made per example through `gankit.data.shard.per_example`, so N data-parallel processes draw what one would.

With probability p < 1 each augmentation is applied to each sample independently (ADA's per-sample form,
Karras et al. 2020), and `adapt` moves p so that E[sign(D(x))] on real data holds a target.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from gankit.data.shard import per_example

TRANSLATION_RATIO = 0.125
CUTOUT_RATIO = 0.5


def _uniform(x: Tensor, generator: torch.Generator) -> Tensor:
    """U[0, 1) per sample, [N, 1, 1, 1]."""
    return per_example(lambda m: torch.rand(m, 1, 1, 1, generator=generator, device=x.device, dtype=x.dtype),
                       x.shape[0], generator)


def _integers(low: int, high: int, x: Tensor, generator: torch.Generator) -> Tensor:
    """One integer in [low, high) per sample, [N, 1]."""
    return per_example(lambda m: torch.randint(low, high, (m, 1), generator=generator, device=x.device),
                       x.shape[0], generator)


def color(x: Tensor, generator: torch.Generator) -> Tensor:
    """Brightness, saturation and contrast, each by a per-sample random factor (images in [-1, 1])."""
    x = x + (_uniform(x, generator) - 0.5)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (_uniform(x, generator) * 2) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_uniform(x, generator) + 0.5) + mean


def translation(x: Tensor, generator: torch.Generator) -> Tensor:
    """Shift each image by whole pixels, up to 1/8 of the side each way, filling with zeros."""
    n, _, h, w = x.shape
    limit_h, limit_w = int(h * TRANSLATION_RATIO + 0.5), int(w * TRANSLATION_RATIO + 0.5)
    rows = torch.arange(h, device=x.device) + _integers(-limit_h, limit_h + 1, x, generator)  # [N, H]: source row
    cols = torch.arange(w, device=x.device) + _integers(-limit_w, limit_w + 1, x, generator)  # [N, W]
    padded = nn.functional.pad(x, (1, 1, 1, 1))  # a zero border that out-of-range sources land on
    rows, cols = rows.clamp(-1, h).add(1), cols.clamp(-1, w).add(1)
    batch = torch.arange(n, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)


def cutout(x: Tensor, generator: torch.Generator) -> Tensor:
    """Zero a square of half the side per image, centred anywhere (clipped at the border)."""
    _, _, h, w = x.shape
    size_h, size_w = int(h * CUTOUT_RATIO + 0.5), int(w * CUTOUT_RATIO + 0.5)
    top = _integers(0, h + (1 - size_h % 2), x, generator) - size_h // 2  # [N, 1]
    left = _integers(0, w + (1 - size_w % 2), x, generator) - size_w // 2
    rows, cols = torch.arange(h, device=x.device), torch.arange(w, device=x.device)
    inside_h = (rows >= top) & (rows < top + size_h)  # [N, H]
    inside_w = (cols >= left) & (cols < left + size_w)  # [N, W]
    keep = ~(inside_h[:, :, None] & inside_w[:, None, :])  # [N, H, W]
    return x * keep[:, None].to(x.dtype)


AUGMENTATIONS: dict[str, Callable[[Tensor, torch.Generator], Tensor]] = {
    "color": color, "translation": translation, "cutout": cutout,
}


class DiffAugment(nn.Module):
    """The augmentations of a policy, applied in turn; `probability` is a buffer so ADA's p is checkpointed."""

    probability: Tensor  # buffer: float scalar in [0, 1]

    def __init__(self, names: list[str], probability: float = 1.0, ada_target: float = 0.0,
                 ada_images: int = 500_000) -> None:
        super().__init__()
        self.names = list(names)
        self.ada_target, self.ada_images = ada_target, ada_images
        self.always = probability == 1.0 and not ada_target  # DiffAugment proper: no per-sample coin flips
        self.register_buffer("probability", torch.tensor(float(probability)))

    def forward(self, x: Tensor, generator: torch.Generator) -> Tensor:
        """x [N, C, H, W] augmented; differentiable in x."""
        for name in self.names:
            augmented = AUGMENTATIONS[name](x, generator)
            if self.always:
                x = augmented
            else:
                chosen = _uniform(x, generator) < self.probability
                x = torch.where(chosen, augmented, x)
        return x

    @torch.no_grad()
    def adapt(self, real_scores: Tensor) -> dict[str, Tensor]:
        """ADA's rule after a D update: p moves by ±N / ada_images toward E[sign(D(x))] = target."""
        if not self.ada_target:
            return {}
        overfit = real_scores.sign().mean()
        step = (overfit - self.ada_target).sign() * real_scores.shape[0] / self.ada_images
        self.probability.copy_((self.probability + step).clamp(0, 1))
        return {"augment_p": self.probability.clone(), "ada_sign_real": overfit}
