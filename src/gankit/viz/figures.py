"""Matplotlib figures without pyplot: no global backend switch and no figure registry, so importing gankit
never changes a notebook's matplotlib settings, and figures are freed like any object."""

from __future__ import annotations

import io
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from matplotlib.figure import Figure

from gankit.errors import GankitError

FIGURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".pdf", ".svg", ".eps", ".tif", ".tiff", ".webp")  # matplotlib writes


def check_suffix(path: Path, suffixes: Collection[str]) -> None:
    """Refuse a file type the writer does not know, in one line naming the ones it does."""
    if path.suffix.lower() not in suffixes:
        what = f"{path.suffix!r} is not a picture type gankit writes" if path.suffix else "the name has no extension"
        raise GankitError(f"cannot write {path}: {what}; use {', '.join(suffixes)}")


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """For a command that writes one picture: a place it cannot be written (read-only or invalid, a full disk)
    is one line naming it. Training keeps the OSError, to say which checkpoint was kept."""
    try:
        yield
    except OSError as err:
        raise GankitError(f"cannot write {path} ({err.strerror or err})") from None


def save_figure(fig: Figure, path: Path, dpi: int = 110, tight: bool = True) -> Path:
    """Save `fig`; `tight` crops it to what is drawn, else it keeps the figure's exact size in pixels."""
    check_suffix(path, FIGURE_SUFFIXES)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight" if tight else None)
    return path


def figure_png(fig: Figure, dpi: int = 90) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


__all__ = ["FIGURE_SUFFIXES", "Figure", "check_suffix", "figure_png", "save_figure"]
