"""Pictures from tensors: image grids, 2D scatters, and the lecture's progress strip."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from torch import Tensor
from torchvision.utils import make_grid

from gankit.data.dataset import to_uint8
from gankit.samplers.langevin import chain_columns, chain_steps
from gankit.viz.figures import Figure, check_suffix, save_figure

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")  # Pillow writes


def _titled(fig: Figure, ax: Axes, title: str, path: Path, dpi: int = 110) -> Path:
    """A 2D plot's title and legend, then saved."""
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=7, markerscale=3)
    return save_figure(fig, path, dpi)


READABLE_WIDTH = 512  # pixels: a grid narrower than this is enlarged by a whole factor (pixels stay sharp)
PADDING = 2  # pixels between the images of a grid
CHAIN_COLUMN_WIDTH = 60  # pixels: room for a chain column's label ("step 20", "D +19.4")


def image_grid(images: Tensor, nrow: int = 8) -> Tensor:
    """[N, C, H, W] in [-1, 1] -> one uint8 [3 or 1, H', W'] grid with 2-pixel gaps."""
    return make_grid(to_uint8(images.detach().cpu()), nrow=nrow, padding=PADDING, pad_value=255)


def readable_scale(width: int) -> int:
    """The whole factor that makes a `width`-pixel picture at least READABLE_WIDTH wide (1 if it is)."""
    return max(1, math.ceil(READABLE_WIDTH / max(width, 1)))


def enlarge(grid: Tensor, scale: int) -> Tensor:
    """uint8 [C, H, W] enlarged `scale` times, each pixel a scale x scale block (nearest neighbour)."""
    return grid if scale == 1 else grid.repeat_interleave(scale, 1).repeat_interleave(scale, 2)


@dataclass(frozen=True)
class GridLabels:
    """What a grid's rows, columns and single images mean; empty lists draw no labels."""

    rows: list[str] = field(default_factory=list)  # one per row, left of it
    columns: list[str] = field(default_factory=list)  # one per column, above it
    cells: list[str] = field(default_factory=list)  # one per image, in its bottom-left corner (e.g. D's score)
    title: str = ""

    def __bool__(self) -> bool:
        return bool(self.rows or self.columns or self.cells or self.title)


def save_image_grid(images: Tensor, path: Path, nrow: int = 8, labels: GridLabels | None = None,
                    scale: int | None = None) -> Path:
    """A grid of images, enlarged to a readable size (`scale`: a whole factor; None picks one so the grid is
    at least READABLE_WIDTH pixels wide), with row, column and image labels when given."""
    from PIL import Image

    check_suffix(path, IMAGE_SUFFIXES)
    grid = image_grid(images, nrow)  # [C, H, W]
    scale = scale or readable_scale(grid.shape[-1])
    if labels:
        return _save_labelled_grid(enlarge(grid, scale), images.shape[-2:], nrow, len(images), labels, scale, path)
    array = enlarge(grid, scale).permute(1, 2, 0).numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array[..., 0] if array.shape[2] == 1 else array).save(path)
    return path


def label_margins(labels: GridLabels) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) pixels a labelled grid adds around the grid itself: room for the row labels,
    the column labels (two lines) and the title."""
    top = (34 if labels.columns else 0) + (12 + 14 * len(labels.title.splitlines()) if labels.title else 0)
    return (120 if labels.rows else 8), max(top, 8), 8, 8


def _save_labelled_grid(grid: Tensor, image_size: Any, nrow: int, n: int, labels: GridLabels, scale: int,
                        path: Path) -> Path:
    """The enlarged grid at exactly one picture pixel per grid pixel, with its labels in margins around it."""
    height, width = (int(side) for side in image_size)
    left, top, right, bottom = label_margins(labels)
    grid_h, grid_w = grid.shape[1], grid.shape[2]
    dpi, total_w, total_h = 100, left + grid_w + right, top + grid_h + bottom
    fig = Figure(figsize=(total_w / dpi, total_h / dpi), dpi=dpi)
    ax = fig.add_axes((left / total_w, bottom / total_h, grid_w / total_w, grid_h / total_h))
    array = grid.permute(1, 2, 0).numpy()
    ax.imshow(array[..., 0] if array.shape[2] == 1 else array, cmap="gray", vmin=0, vmax=255,
              interpolation="nearest", aspect="auto")

    def centre(index: int, side: int) -> float:
        return (PADDING + index * (side + PADDING) + side / 2) * scale

    ax.set_yticks([centre(i, height) for i in range(len(labels.rows))], labels.rows, fontsize=9)
    ax.set_xticks([centre(i, width) for i in range(len(labels.columns))], labels.columns, fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(length=0, pad=3)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for index, text in enumerate(labels.cells[:n]):
        row, column = divmod(index, nrow)
        x, y = (PADDING + column * (width + PADDING)) * scale, (row + 1) * (height + PADDING) * scale
        ax.text(x + 1, y - 1, text, fontsize=7, color="yellow", va="bottom", ha="left",
                bbox={"facecolor": "black", "alpha": 0.6, "pad": 1, "linewidth": 0})
    if labels.title:
        fig.text(0.5, 1 - 4 / total_h, labels.title, fontsize=10, ha="center", va="top")
    return save_figure(fig, path, dpi=dpi, tight=False)


def _scatter(ax: Axes, real: Tensor | None, fake: Tensor, modes: Tensor | None) -> None:
    data = None if real is None else real.numpy()
    generated = fake.numpy()
    centres = None if modes is None or not len(modes) else modes.numpy()
    if data is not None:
        ax.scatter(data[:, 0], data[:, 1], s=2, c="#1f77b4", alpha=0.35, label="data")
    ax.scatter(generated[:, 0], generated[:, 1], s=2, c="#d62728", alpha=0.5, label="generated")
    if centres is not None:
        ax.scatter(centres[:, 0], centres[:, 1], s=30, marker="+", c="black", label="mode centres")
    # One frame for every panel of a run, so snapshots compare by eye.
    frame = data if data is not None else (centres if centres is not None else generated)
    low, high = frame.min(axis=0), frame.max(axis=0)
    margin = 0.15 * (high - low).max() + 0.1
    ax.set_xlim(low[0] - margin, high[0] + margin)
    ax.set_ylim(low[1] - margin, high[1] + margin)
    ax.set_aspect("equal")


def save_scatter(
    fake: Tensor, path: Path, real: Tensor | None = None, modes: Tensor | None = None, title: str = ""
) -> Path:
    """2D samples (red) over the data (blue) and mode centres (+)."""
    fig = Figure(figsize=(5, 5))
    ax = fig.subplots()
    _scatter(ax, real, fake.detach().cpu(), modes)
    return _titled(fig, ax, title, path)


def save_progress_strip(
    snapshots: list[tuple[int, Tensor]], path: Path, real: Tensor | None = None, modes: Tensor | None = None,
    network: str = "generator",
) -> Path:
    """The lecture's strip: samples from one fixed z after 100, 1 000, 5 000 … updates of the `network` that
    samples (G; an EBM's D; an auto-encoder)."""
    snapshots = sorted(snapshots, key=lambda s: s[0])
    is_points = snapshots[0][1].dim() == 2
    if is_points:
        fig = Figure(figsize=(3 * len(snapshots), 3.2))
        axes = fig.subplots(1, len(snapshots), squeeze=False)
        for ax, (updates, points) in zip(axes[0], snapshots, strict=True):
            _scatter(ax, real, points, modes)
            ax.set_title(f"{updates:,} {network} updates", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
    else:
        fig = Figure(figsize=(10, 1.3 * len(snapshots) + 0.4))
        axes = fig.subplots(len(snapshots), 1, squeeze=False)
        for ax, (updates, images) in zip(axes[:, 0], snapshots, strict=True):
            grid = image_grid(images, nrow=images.shape[0]).permute(1, 2, 0).numpy()
            ax.imshow(grid.squeeze(2) if grid.shape[2] == 1 else grid, cmap="gray", vmin=0, vmax=255)
            ax.set_ylabel(f"{updates:,}", rotation=0, ha="right", va="center", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
        fig.suptitle(f"{network} updates (left) → samples from one fixed z", fontsize=10)
    return save_figure(fig, path, dpi=110)


def save_landscape(
    scores: Tensor, extent: tuple[float, float], path: Path, real: Tensor | None, negatives: Tensor | None,
    title: str = "", negatives_label: str = "negatives", scale: tuple[float, float] | None = None,
) -> Path:
    """D's score over a 2D square (heat map, bright = D says real) with the data (positives) and the
    current negatives: the lecture's picture of D pushed down where it wrongly peaks. `scale`: the colour
    bar's (low, high), shared by the frames of an animation so that brightness compares across them."""
    fig = Figure(figsize=(5, 5))
    ax = fig.subplots()
    low, high = extent
    vmin, vmax = scale if scale is not None else (None, None)
    image = ax.imshow(scores.T.cpu().numpy(), origin="lower", extent=(low, high, low, high), cmap="viridis",
                      vmin=vmin, vmax=vmax)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="s(x): D's raw score (bright = real)")
    if real is not None:
        ax.scatter(real[:, 0], real[:, 1], s=3, c="white", alpha=0.5, label="data (positives)")
    if negatives is not None:
        ax.scatter(negatives[:, 0], negatives[:, 1], s=3, c="red", alpha=0.6, label=negatives_label)
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    return _titled(fig, ax, title, path, dpi=80)


def save_gif(frames: list[Path], path: Path, seconds_per_frame: float = 0.25) -> Path | None:
    """An animated GIF of PNG frames (in order); None when there are none."""
    from PIL import Image

    if not frames:
        return None
    images = [Image.open(f).convert("RGB") for f in frames]
    size = images[0].size
    images = [im if im.size == size else im.resize(size) for im in images]
    path.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:], duration=int(seconds_per_frame * 1000), loop=0)
    return path


def save_chains(trajectory: list[Tensor], path: Path, columns: int = 10, scores: list[Tensor] | None = None,
                title: str = "", scale: int | None = None) -> Path:
    """Image Langevin chains as a grid: one row per chain, `columns` steps from start to end left to right,
    each column labelled with its step and, given each step's scores ([chains] per step), each image with D's."""
    grid = chain_columns(trajectory, columns)  # [chains * picked steps, C, H, W]
    steps = chain_steps(len(trajectory), columns)
    column_labels = [f"step {s}" for s in steps]
    cells: list[str] = []
    if scores is not None:
        picked = chain_columns(scores, columns)  # [chains * picked steps]
        cells = [f"{value:+.1f}" for value in picked.tolist()]
        column_labels = [f"{label}\nD {float(scores[s].mean()):+.1f}" for label, s in zip(column_labels, steps,
                                                                                         strict=True)]
    labels = GridLabels(rows=[f"chain {i + 1}" for i in range(len(trajectory[0]))], columns=column_labels,
                        cells=cells, title=title)
    side = trajectory[0].shape[-1] + PADDING
    scale = scale or max(readable_scale(len(steps) * side + PADDING), math.ceil(CHAIN_COLUMN_WIDTH / side))
    return save_image_grid(grid, path, nrow=len(steps), labels=labels, scale=scale)


def save_labelled_images(images: list[Tensor], labels: list[str], path: Path,
                         marks: list[Tensor | None] | None = None, title: str = "") -> Path:
    """uint8 [C, H, W] images side by side, each with a caption, and the pixels of `marks` ([H, W] bool per
    image, or None) outlined in red."""
    fig = Figure(figsize=(3.2 * len(images), 3.9))
    axes = fig.subplots(1, len(images))
    for index, (ax, image, label) in enumerate(zip(axes, images, labels, strict=True)):
        ax.imshow(image.permute(1, 2, 0).squeeze(-1).numpy(), cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        mask = marks[index] if marks else None
        if mask is not None and mask.any():
            ys, xs = mask.nonzero(as_tuple=True)
            ax.scatter(xs.numpy(), ys.numpy(), s=60, marker="s", facecolors="none", edgecolors="red", linewidths=1.2)
        ax.set_title(label, fontsize=9)
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    return save_figure(fig, path, dpi=110)
