"""The lecture's pixel-loss argument, made concrete on a real image (LECTURE.md, section 2).

From one real image, two edits: one isolated wrong pixel far from the stroke, and six wrong pixels that
continue the stroke. A pixel loss prefers the first (smaller error); a person prefers the second, and so
should a discriminator that has learnt how pixels relate. `gankit pixels RUN` reports both numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor
from torch.nn import functional as F

INK = 30  # a pixel brighter than this is ink (stroke, its anti-aliased edge, or garment); the rest is background
MARGIN = 2  # the isolated pixel keeps this far from the border, where its red outline in the picture would be cut


def _neighbours(mask: Tensor) -> Tensor:
    """For each pixel, how many of its 8 neighbours are in `mask` ([H, W] bool -> [H, W] int)."""
    kernel = torch.ones(1, 1, 3, 3)
    kernel[0, 0, 1, 1] = 0
    return F.conv2d(mask.float()[None, None], kernel, padding=1)[0, 0].round().long()


def one_and_six_wrong(image: Tensor) -> tuple[Tensor, Tensor]:
    """(one isolated wrong pixel, six wrong pixels along the stroke) from uint8 [1, H, W]."""
    stroke = image[0] > INK
    if not stroke.any() or stroke.all():
        raise ValueError("the image needs both stroke and background pixels")
    # One wrong pixel: the background pixel farthest from the stroke (off the border), switched fully on.
    ys, xs = torch.nonzero(stroke, as_tuple=True)
    grid_y, grid_x = torch.meshgrid(torch.arange(stroke.shape[0]), torch.arange(stroke.shape[1]), indexing="ij")
    distance = ((grid_y[..., None] - ys) ** 2 + (grid_x[..., None] - xs) ** 2).min(-1).values.float()
    distance[stroke] = -1
    inner = distance[MARGIN:-MARGIN, MARGIN:-MARGIN]
    if (inner >= 0).any():  # images too small or too full for a margin keep the plain rule
        distance = torch.full_like(distance, -1.0)
        distance[MARGIN:-MARGIN, MARGIN:-MARGIN] = inner
    one = image.clone()
    one[0].view(-1)[distance.argmax()] = 255
    # Six wrong pixels: background pixels touching the stroke, most-touching first, painted like the stroke.
    six, painted = image.clone(), stroke.clone()
    level = image[0][image[0] > 128].float().mean().nan_to_num(255).round().to(torch.uint8)  # the stroke's core
    for _ in range(6):
        touching = _neighbours(painted).masked_fill(painted, -1)
        index = touching.view(-1).argmax()
        six[0].view(-1)[index] = level
        painted.view(-1)[index] = True
    return one, six


ONE, SIX = "one wrong pixel", "six wrong pixels"


@dataclass
class PixelArgument:
    pixel_l2: dict[str, float]  # L2 distance to the real image, pixel values in [0, 1]
    d_score: dict[str, float]  # the discriminator's raw score (higher = more real)
    images: dict[str, Tensor]  # uint8 [1, H, W] each: real, one wrong, six wrong

    def edited(self, name: str) -> Tensor:
        """[H, W] bool: the pixels edit `name` changed from the real image."""
        return (self.images[name] != self.images["real"])[0]

    @property
    def pixel_loss_prefers(self) -> str:
        """The edit with the smaller pixel error (ties go to the one wrong pixel, the pixel loss's pick)."""
        return ONE if self.pixel_l2[ONE] <= self.pixel_l2[SIX] else SIX

    @property
    def discriminator_prefers(self) -> str:
        """The edit D scores as more real."""
        return SIX if self.d_score[SIX] > self.d_score[ONE] else ONE


@dataclass
class PixelTally:
    """The argument over many test images: how often each judge prefers the six pixels along the stroke."""

    images: int  # images both edits could be made on (some have no background, or no stroke)
    skipped: int
    pixel_loss_prefers_six: int
    discriminator_prefers_six: int


def pixel_argument(image: Tensor, score: torch.nn.Module) -> PixelArgument:
    """Both edits of `image` (uint8 [C, H, W]; colour images use their first channel), scored two ways."""
    from gankit.data.dataset import to_model_range

    real = image[:1]
    one, six = one_and_six_wrong(real)
    images = {"real": real, ONE: one, SIX: six}
    expand = image.shape[0]
    with torch.no_grad():
        scores = score(to_model_range(torch.stack([x.expand(expand, -1, -1) for x in images.values()])))
    l2 = {k: float(((x.float() - real.float()) / 255).norm()) for k, x in images.items()}
    return PixelArgument(l2, dict(zip(images, scores.tolist(), strict=True)), images)


def tally(images: Tensor, score: torch.nn.Module) -> PixelTally:
    """The argument on each of uint8 [N, C, H, W] `images`: which edit each judge prefers, counted."""
    results, skipped = [], 0
    for image in images:
        try:
            results.append(pixel_argument(image, score))
        except ValueError:  # no stroke, or nothing but stroke: neither edit can be made
            skipped += 1
    return PixelTally(len(results), skipped, sum(r.pixel_loss_prefers == SIX for r in results),
                      sum(r.discriminator_prefers == SIX for r in results))


__all__ = ["ONE", "SIX", "PixelArgument", "PixelTally", "one_and_six_wrong", "pixel_argument", "tally"]
