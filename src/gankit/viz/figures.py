"""Matplotlib figures without pyplot: no global backend switch and no figure registry, so importing gankit
never changes a notebook's matplotlib settings, and figures are freed like any object."""

from __future__ import annotations

import io
from pathlib import Path

from matplotlib.figure import Figure


def save_figure(fig: Figure, path: Path, dpi: int = 110) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path


def figure_png(fig: Figure, dpi: int = 90) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


__all__ = ["Figure", "figure_png", "save_figure"]
