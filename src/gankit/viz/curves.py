"""Logged metrics of several runs on one figure: any metric along training, and D's per-layer gradient norms.

The homework's report question: the per-layer gradient norms of D for WGAN with weight clipping against
WGAN-GP, on a log scale (clipping makes them explode or vanish with depth; the penalty keeps them even).
Each run's `metrics.jsonl` already holds them as `grad_norm/discriminator/<layer>`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from gankit.errors import GankitError
from gankit.jsonl import finite_number, read_jsonl
from gankit.viz.figures import Figure, save_figure

GRAD_NORM_PREFIX = "grad_norm/"
OUTPUT_LAYERS = ("head", "embed", "classifier")  # score heads of gankit's discriminators (nets/base.py)


@dataclass
class RunLog:
    """One run's logged numbers: its name (the folder's) and, per metric, (step, value) in order."""

    name: str
    series: dict[str, list[tuple[float, float]]]
    hidden_layers: set[str] = field(default_factory=set)  # left out of layers() (e.g. normalisation layers)

    def layers(self, network: str) -> list[str]:
        """The network's layers with logged gradient norms, input to output, less the hidden ones."""
        prefix = f"{GRAD_NORM_PREFIX}{network}/"
        names = (key[len(prefix):] for key in self.series if key.startswith(prefix))
        return sorted((name for name in names if name not in self.hidden_layers), key=depth_key)


def depth_key(layer: str) -> tuple[bool, list[tuple[int, str]]]:
    """Sorts layer names input to output: numbered parts by number (body.10 after body.9), and D's score
    heads (`head`, `embed`, `classifier`, which gankit's networks register before their body) last."""
    parts = [(int(part), "") if part.isdigit() else (-1, part) for part in layer.split(".")]
    return layer.split(".")[0] in OUTPUT_LAYERS, parts


def read_run_log(run_dir: Path) -> RunLog:
    """Every finite number of `run_dir/metrics.jsonl`, by metric (torn lines and non-finite values skipped)."""
    path = run_dir / "metrics.jsonl"
    if not path.is_file():
        raise GankitError(f"{run_dir} has no metrics.jsonl; is it a gankit run folder?")
    try:
        records = read_jsonl(path).records
    except OSError as err:
        raise GankitError(f"cannot read {path} ({err.strerror or err})") from None
    series: dict[str, list[tuple[float, float]]] = {}
    for record in records:
        for key, value in record.items():
            if key != "step" and finite_number(value):
                series.setdefault(key, []).append((record["step"], float(value)))
    return RunLog(run_dir.name or str(run_dir), series)


def save_curves(logs: list[RunLog], metrics: list[str], path: Path, log_scale: bool = False) -> Path:
    """One panel per metric, one line per run, against the training step."""
    for metric in metrics:
        if not any(metric in log.series for log in logs):
            known = sorted({key for log in logs for key in log.series})
            raise GankitError(f"no run logged {metric!r}; logged: {', '.join(known)}")
    fig = Figure(figsize=(7, 3 * len(metrics)))
    axes = fig.subplots(len(metrics), 1, squeeze=False)[:, 0]
    for ax, metric in zip(axes, metrics, strict=True):
        for log in logs:
            points = log.series.get(metric)
            if points:
                ax.plot(*zip(*points, strict=True), label=log.name, marker="." if len(points) < 30 else None)
        ax.set_title(metric)
        ax.set_xlabel("step")
        if log_scale:
            ax.set_yscale("log")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, path)


def save_grad_norms(logs: list[RunLog], path: Path, network: str = "discriminator") -> Path:
    """The network's per-layer gradient norms of each run on a log scale: left, the median over training per
    layer (input to output); right, each layer along training (darker = deeper)."""
    for log in logs:
        if not log.layers(network):
            raise GankitError(f"{log.name} logged no {GRAD_NORM_PREFIX}{network}/* values (they are written every "
                              "train.log_every steps; a run shorter than that has none)")
    fig = Figure(figsize=(12, 4.5))
    by_layer, along = fig.subplots(1, 2)
    colours = [f"C{i % 10}" for i in range(len(logs))]
    depth = max(len(log.layers(network)) for log in logs)
    for log, colour in zip(logs, colours, strict=True):
        layers = log.layers(network)
        medians = [statistics.median(v for _, v in log.series[f"{GRAD_NORM_PREFIX}{network}/{layer}"])
                   for layer in layers]
        by_layer.plot(range(1, len(layers) + 1), medians, marker="o", color=colour, label=log.name)
        for index, layer in enumerate(layers):
            points = log.series[f"{GRAD_NORM_PREFIX}{network}/{layer}"]
            shade = 0.3 + 0.7 * (index + 1) / len(layers)
            along.plot(*zip(*points, strict=True), color=colour, alpha=shade, linewidth=1,
                       label=f"{log.name}: {layer}")
    names = [" / ".join(sorted({log.layers(network)[i] for log in logs if i < len(log.layers(network))}))
             for i in range(depth)]
    by_layer.set_xticks(range(1, depth + 1), names, rotation=30, ha="right", fontsize=8)
    by_layer.set_xlabel(f"{network} layer, input → output")
    by_layer.set_ylabel("gradient norm (median over training)")
    along.set_xlabel("step")
    along.set_ylabel("gradient norm")
    for ax in (by_layer, along):
        ax.set_yscale("log")
        ax.grid(True, which="major", alpha=0.3)
    by_layer.legend(fontsize=8)
    along.legend(fontsize=6, ncol=max(1, len(logs)))
    fig.suptitle(f"per-layer gradient norms of {network} (log scale)")
    fig.tight_layout()
    return save_figure(fig, path)


__all__ = ["RunLog", "read_run_log", "save_curves", "save_grad_norms"]
