"""A benchmark's results folder: where each cell's run lives, its tables (CSV, mean ± std over seeds in
Markdown) and its plots. `gankit bench` writes the folder; `gankit report` reads it."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import matplotlib

from gankit.viz.figures import Figure, save_figure

IMAGE_COLUMNS = ["fid", "kid", "precision", "recall", "density", "coverage", "train_seconds"]
STACKED_COLUMNS = ["modes", "mode_kl", "fid", "train_seconds"]
COST_COLUMNS = ["steps", "images_per_s", "sample_ms", "sample_grad_evals"]
POINT_COLUMNS = ["modes_captured", "high_quality", "kl_to_uniform", "train_seconds"]


def result_dir(results: Path, dataset: str, method: str, seed: int) -> Path:
    """A cell's run folder inside a results folder (wherever the folder has been moved since)."""
    return results / "cells" / dataset / f"{method}-seed{seed}"


def wall_seconds(results: Path) -> float:
    """Wall-clock of the finished invocations so far on this folder (a suite re-run), from bench.json."""
    path = results / "bench.json"
    if not path.is_file():
        return 0.0
    meta = json.loads(path.read_text())
    return float(meta.get("wall_seconds", meta.get("seconds_this_invocation", 0.0)))


def columns_for(rows: list[dict[str, Any]]) -> list[str]:
    if "modes_captured" in rows[0]:
        return POINT_COLUMNS
    columns = STACKED_COLUMNS if rows[0]["dataset"].startswith("stacked") else IMAGE_COLUMNS
    if all("sample_ms" in r for r in rows):  # the views suite: equal wall-clock, so steps and costs differ
        columns = [*columns, *COST_COLUMNS]
    return ["inception_fid", *columns] if all("inception_fid" in r for r in rows) else columns


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    keys = list(dict.fromkeys(["dataset", "method", "seed", "steps", *columns_for(rows)]))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _mean_std(values: list[float]) -> str:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return "inf"
    mean = sum(finite) / len(finite)
    spread = math.sqrt(sum((v - mean) ** 2 for v in finite) / (len(finite) - 1)) if len(finite) > 1 else 0.0
    inf_note = f" ({len(values) - len(finite)} inf)" if len(finite) < len(values) else ""
    return f"{mean:.3g} ± {spread:.2g}{inf_note}"


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """One line per (dataset, method): mean ± std over its seeds."""
    columns = columns_for(rows)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["dataset"], row["method"]), []).append(row)
    lines = ["| data | method | seeds | " + " | ".join(columns) + " |", "|---" * (len(columns) + 3) + "|"]
    for (dataset, method), group in groups.items():
        cells = [_mean_std([float(r[c]) for r in group]) for c in columns]
        lines.append(f"| {dataset} | {method} | {len(group)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def method_colours(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One colour per method, so a method's seeds read as one family of lines or points."""
    methods = list(dict.fromkeys(r["method"] for r in rows))
    palette = matplotlib.colormaps["tab10" if len(methods) <= 10 else "tab20"]
    return {method: palette(i % palette.N) for i, method in enumerate(methods)}


SEED_LINES, SEED_MARKERS = ["-", "--", ":", "-."], ["o", "s", "^", "D", "v"]


def plots(rows: list[dict[str, Any]], folder: Path) -> list[Path]:
    """Image suites: FID vs steps and vs wall-clock (classifier features, along training), precision vs
    recall at the end. Wall-clock along a run is read as proportional to steps (one rate per run)."""
    curves = [r for r in rows if r.get("curve")]
    colour, made = method_colours(rows), []
    if curves:
        for axis, label in (("step", "steps"), ("seconds", "wall-clock seconds")):
            fig = Figure(figsize=(6, 4))
            ax = fig.subplots()
            for row in curves:
                xs = [p["step"] * (row["train_seconds"] / row["steps"] if axis == "seconds" else 1)
                      for p in row["curve"]]
                ax.plot(xs, [p["fid"] for p in row["curve"]], marker=".", color=colour[row["method"]],
                        linestyle=SEED_LINES[row["seed"] % len(SEED_LINES)], label=f"{row['method']} s{row['seed']}")
            ax.set_xlabel(label)
            ax.set_ylabel("FID (classifier features)")
            ax.set_yscale("log")
            ax.legend(fontsize=6, ncol=2, loc="upper left", bbox_to_anchor=(1.01, 1))  # beside, not over, the lines
            made.append(save_figure(fig, folder / f"fid-vs-{axis}.png", dpi=100))
    if rows and "precision" in rows[0]:
        fig = Figure(figsize=(5, 5))
        ax = fig.subplots()
        for row in rows:
            ax.scatter(row["recall"], row["precision"], s=20, color=colour[row["method"]],
                       marker=SEED_MARKERS[row["seed"] % len(SEED_MARKERS)])
            ax.annotate(f"{row['method']} s{row['seed']}", (row["recall"], row["precision"]), fontsize=6)
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        made.append(save_figure(fig, folder / "precision-vs-recall.png", dpi=100))
    return made
