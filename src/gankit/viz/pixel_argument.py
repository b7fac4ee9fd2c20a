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
    # One wrong pixel: the background pixel farthest from the stroke, switched fully on.
    ys, xs = torch.nonzero(stroke, as_tuple=True)
    grid_y, grid_x = torch.meshgrid(torch.arange(stroke.shape[0]), torch.arange(stroke.shape[1]), indexing="ij")
    distance = ((grid_y[..., None] - ys) ** 2 + (grid_x[..., None] - xs) ** 2).min(-1).values.float()
    distance[stroke] = -1
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


@dataclass
class PixelArgument:
    pixel_l2: dict[str, float]  # L2 distance to the real image, pixel values in [0, 1]
    d_score: dict[str, float]  # the discriminator's raw score (higher = more real)
    images: dict[str, Tensor]  # uint8 [1, H, W] each: real, one wrong, six wrong


def pixel_argument(image: Tensor, score: torch.nn.Module) -> PixelArgument:
    """Both edits of `image` (uint8 [C, H, W]; colour images use their first channel), scored two ways."""
    from gankit.data.dataset import to_model_range

    real = image[:1]
    one, six = one_and_six_wrong(real)
    images = {"real": real, "one wrong pixel": one, "six wrong pixels": six}
    expand = image.shape[0]
    with torch.no_grad():
        scores = score(to_model_range(torch.stack([x.expand(expand, -1, -1) for x in images.values()])))
    l2 = {k: float(((x.float() - real.float()) / 255).norm()) for k, x in images.items()}
    return PixelArgument(l2, dict(zip(images, scores.tolist(), strict=True)), images)


__all__ = ["PixelArgument", "one_and_six_wrong", "pixel_argument"]
