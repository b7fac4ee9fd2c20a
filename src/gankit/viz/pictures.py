"""Pictures from tensors: image grids, 2D scatters, and the lecture's progress strip."""

from __future__ import annotations

from pathlib import Path

from matplotlib.axes import Axes
from torch import Tensor
from torchvision.utils import make_grid

from gankit.data.dataset import to_uint8
from gankit.samplers.langevin import chain_columns
from gankit.viz.figures import Figure, check_suffix, save_figure

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")  # Pillow writes


def _titled(fig: Figure, ax: Axes, title: str, path: Path, dpi: int = 110) -> Path:
    """A 2D plot's title and legend, then saved."""
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=7, markerscale=3)
    return save_figure(fig, path, dpi)


def image_grid(images: Tensor, nrow: int = 8) -> Tensor:
    """[N, C, H, W] in [-1, 1] -> one uint8 [3 or 1, H', W'] grid with 2-pixel gaps."""
    return make_grid(to_uint8(images.detach().cpu()), nrow=nrow, padding=2, pad_value=255)


def save_image_grid(images: Tensor, path: Path, nrow: int = 8) -> Path:
    from PIL import Image

    check_suffix(path, IMAGE_SUFFIXES)
    grid = image_grid(images, nrow)  # [C, H, W]
    array = grid.permute(1, 2, 0).numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array[..., 0] if array.shape[2] == 1 else array).save(path)
    return path


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
    snapshots: list[tuple[int, Tensor]], path: Path, real: Tensor | None = None, modes: Tensor | None = None
) -> Path:
    """The lecture's strip: samples from one fixed z after 100, 1 000, 5 000 … generator updates."""
    snapshots = sorted(snapshots, key=lambda s: s[0])
    is_points = snapshots[0][1].dim() == 2
    if is_points:
        fig = Figure(figsize=(3 * len(snapshots), 3.2))
        axes = fig.subplots(1, len(snapshots), squeeze=False)
        for ax, (updates, points) in zip(axes[0], snapshots, strict=True):
            _scatter(ax, real, points, modes)
            ax.set_title(f"{updates:,} updates", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
    else:
        fig = Figure(figsize=(8, 1.1 * len(snapshots) + 0.3))
        axes = fig.subplots(len(snapshots), 1, squeeze=False)
        for ax, (updates, images) in zip(axes[:, 0], snapshots, strict=True):
            grid = image_grid(images, nrow=images.shape[0]).permute(1, 2, 0).numpy()
            ax.imshow(grid.squeeze(2) if grid.shape[2] == 1 else grid, cmap="gray", vmin=0, vmax=255)
            ax.set_ylabel(f"{updates:,}", rotation=0, ha="right", va="center", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
        fig.suptitle("generator updates → samples from one fixed z", fontsize=9)
    return save_figure(fig, path, dpi=110)


def save_landscape(
    scores: Tensor, extent: tuple[float, float], path: Path, real: Tensor | None, negatives: Tensor | None,
    title: str = "", negatives_label: str = "negatives",
) -> Path:
    """D's score over a 2D square (heat map, bright = D says real) with the data (positives) and the
    current negatives: the lecture's picture of D pushed down where it wrongly peaks."""
    fig = Figure(figsize=(5, 5))
    ax = fig.subplots()
    low, high = extent
    image = ax.imshow(scores.T.cpu().numpy(), origin="lower", extent=(low, high, low, high), cmap="viridis")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="D(x)")
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


def save_chains(trajectory: list[Tensor], path: Path, columns: int = 10) -> Path:
    """Image Langevin chains as a grid: one row per chain, `columns` steps from start to end left to right."""
    grid = chain_columns(trajectory, columns)  # [chains * picked steps, C, H, W]
    return save_image_grid(grid, path, nrow=len(grid) // len(trajectory[0]))


def save_labelled_images(images: list[Tensor], labels: list[str], path: Path) -> Path:
    """uint8 [C, H, W] images side by side, each with a caption."""
    fig = Figure(figsize=(2.6 * len(images), 3.2))
    axes = fig.subplots(1, len(images))
    for ax, image, label in zip(axes, images, labels, strict=True):
        ax.imshow(image.permute(1, 2, 0).squeeze(-1).numpy(), cmap="gray", vmin=0, vmax=255)
        ax.set_title(label, fontsize=8)
        ax.axis("off")
    return save_figure(fig, path, dpi=110)
