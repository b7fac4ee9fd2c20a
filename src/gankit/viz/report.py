"""`gankit report PATH`: one self-contained HTML page (images inlined) for a run or a benchmark folder."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import yaml

from gankit.errors import GankitError
from gankit.viz.bench_results import result_dir, wall_seconds
from gankit.viz.figures import Figure, figure_png

CURVES = {  # panel title -> metrics.jsonl keys drawn in it
    "losses": ["loss_d", "loss_g", "loss", "neg_elbo", "test_neg_elbo"],
    "D on real and generated": ["d_real", "d_fake"],
    "health": ["d_input_grad_real", "d_input_grad_fake", "penalty", "energy_magnitude", "began_k"],
    "FID along training (classifier features)": ["eval/fid"],
}
RUN_PICTURES = [("progress.png", "fixed z along training (one row per snapshot)"),
                ("interpolation.png", "latent interpolation: straight lines between latent draws"),
                ("reconstructions.png", "test images, each row followed by its reconstruction"),
                ("chains.png", "Langevin chains: rows = chains, columns = steps"),
                ("landscape.gif", "D's landscape over the run, with the data and the current negatives")]
# After loading, the page counts its images that decoded; tests read data-images-ok from the DOM.
CHECK_IMAGES = """<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const ok = images.filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.dataset.imagesOk = ok + "/" + images.length;
});
</script>"""
STYLE = """<style>
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f3f3f3; } img { max-width: 100%; } figure { margin: 1em 0; }
figcaption { color: #555; font-size: 0.9em; } pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; }
</style>"""


def _inline(path: Path) -> str:
    kind = "gif" if path.suffix == ".gif" else "png"
    return f"data:image/{kind};base64," + base64.b64encode(path.read_bytes()).decode()


def _figure(source: str, caption: str) -> str:
    text = html.escape(caption)
    return f'<figure><img src="{source}" alt="{text}"><figcaption>{text}</figcaption></figure>'


def _plot(fig: Figure) -> str:
    return "data:image/png;base64," + base64.b64encode(figure_png(fig)).decode()


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    keys = list(rows[0])
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(k)))}</td>" for k in keys) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def _curves(metrics: Path) -> list[str]:
    lines = [json.loads(line) for line in metrics.read_text().splitlines()] if metrics.is_file() else []
    panels = []
    for title, keys in CURVES.items():
        present = [k for k in keys if any(k in line for line in lines)]
        if not present:
            continue
        fig = Figure(figsize=(6, 3))
        ax = fig.subplots()
        for key in present:
            points = [(line["step"], line[key]) for line in lines if isinstance(line.get(key), (int, float))]
            ax.plot(*zip(*points, strict=True), label=key, marker="." if len(points) < 30 else None)
        ax.set_xlabel("step")
        ax.set_title(title)
        ax.legend(fontsize=7)
        panels.append(_figure(_plot(fig), title))
    return panels


def run_report(folder: Path) -> str:
    config = (folder / "config.yaml").read_text()
    info = json.loads((folder / "run.json").read_text()) if (folder / "run.json").is_file() else {}
    parts = [f"<h1>gankit run: {html.escape(folder.name)}</h1>", "<h2>Config</h2>", f"<pre>{html.escape(config)}</pre>"]
    cards = sorted(folder.glob("eval-step*.json"))
    if cards or (folder / "modes.json").is_file():
        parts.append("<h2>Metric cards</h2>")
        for card_path in cards:
            card = {k: v for k, v in json.loads(card_path.read_text()).items() if not isinstance(v, dict)}
            parts += [f"<h3>{card_path.name}</h3>", _table([card])]
        if (folder / "modes.json").is_file():
            parts += ["<h3>modes.json</h3>", _table([json.loads((folder / "modes.json").read_text())])]
    parts += ["<h2>Training curves</h2>", *_curves(folder / "metrics.jsonl"), "<h2>Pictures</h2>"]
    samples = sorted((folder / "samples").glob("step-*.png"))
    if samples:
        classes = (info.get("data") or {}).get("class_names") or []
        note = f" (one row per class: {', '.join(classes)})" if classes and _conditional(config) else ""
        parts.append(_figure(_inline(samples[-1]), f"samples from a fixed z, {samples[-1].stem}{note}"))
    parts += [_figure(_inline(folder / name), caption) for name, caption in RUN_PICTURES if (folder / name).is_file()]
    return _page(f"gankit: {folder.name}", parts)


def _conditional(config_yaml: str) -> bool:
    return bool((yaml.safe_load(config_yaml).get("model") or {}).get("conditional"))


def bench_report(folder: Path) -> str:
    meta = json.loads((folder / "bench.json").read_text())
    rows = meta["rows"]
    summary = (f"{meta['summary']}. Budget {meta['budget']}, {meta['cells']} cells, "
               f"{wall_seconds(folder) / 60:.1f} min wall-clock; {meta['machine']}; {meta['date']}; "
               f"command: {meta['command']}")
    parts = [f"<h1>gankit bench {html.escape(meta['suite'])}</h1>", f"<p>{html.escape(summary)}</p>"]
    table = (folder / "results.md").read_text() if (folder / "results.md").is_file() else ""
    cells = [{k: v for k, v in r.items() if not isinstance(v, (list, dict)) and k != "run_dir"} for r in rows]
    parts += ["<h2>Mean ± std over seeds</h2>", _markdown_table(table), "<h2>Every cell</h2>", _table(cells)]
    parts += [_figure(_inline(folder / "plots" / name), name.removesuffix(".png").replace("-", " "))
              for name in meta.get("plots", []) if (folder / "plots" / name).is_file()]
    parts.append("<h2>Samples per cell</h2>")
    for row in rows:
        samples = result_dir(folder, row["dataset"], row["method"], row["seed"]) / "samples"
        pictures = sorted(samples.glob("step-*.png"))
        if pictures:
            parts.append(_figure(_inline(pictures[-1]), f"{row['dataset']} / {row['method']} / seed {row['seed']}"))
    return _page(f"gankit bench {meta['suite']}", parts)


def _markdown_table(text: str) -> str:
    rows = [line.strip().strip("|").split("|") for line in text.splitlines() if line.startswith("|")]
    if len(rows) < 2:
        return ""
    head, body = rows[0], rows[2:]
    return _table([{h.strip(): c.strip() for h, c in zip(head, row, strict=True)} for row in body])


def _page(title: str, parts: list[str]) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"{STYLE}</head><body>\n" + "\n".join(parts) + f"\n{CHECK_IMAGES}\n</body></html>\n")


def write_report(path: str | Path) -> Path:
    """report.html inside PATH (a run folder or a `gankit bench` results folder)."""
    folder = Path(path)
    if (folder / "bench.json").is_file():
        page = bench_report(folder)
    elif (folder / "config.yaml").is_file():
        page = run_report(folder)
    else:
        raise GankitError(f"{path} is neither a run folder (config.yaml) nor a bench folder (bench.json)")
    out = folder / "report.html"
    out.write_text(page)
    return out
