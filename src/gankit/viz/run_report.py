"""`gankit report RUN`: a run's page, what a reader looks for first coming first (samples, verdict, numbers,
curves), its config last."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import yaml

from gankit.algorithms import ALGORITHMS
from gankit.algorithms.verdict import judge_run
from gankit.errors import GankitError
from gankit.jsonl import finite_number, read_jsonl
from gankit.viz import page
from gankit.viz.figures import Figure

CURVES = {  # panel title -> metrics.jsonl keys drawn in it
    "losses": ["loss_d", "loss_g", "loss", "neg_elbo", "test_neg_elbo"],
    "D on real and generated": ["d_real", "d_fake"],
    "health": ["d_input_grad_real", "d_input_grad_fake", "penalty", "energy_magnitude", "began_k"],
    "FID along training (classifier features)": ["eval/fid"],
}
MAX_LINE_NOTES = 5  # a file of torn lines gets a few notes and a count, not a page of them
RUN_PICTURES = [("progress.png", "fixed z along training (one row per snapshot)"),
                ("interpolation.png", "latent interpolation: straight lines between latent draws"),
                ("reconstructions.png", "test images, each row followed by its reconstruction"),
                ("chains.png", "Langevin chains: rows = chains, columns = steps"),
                ("landscape.gif", "D's landscape over the run, with the data and the current negatives")]
def _curves(folder: Path, notes: list[str]) -> list[str]:
    if not (folder / "metrics.jsonl").is_file() or not page.ours(folder, "metrics.jsonl", notes):
        return []
    try:
        lines = read_jsonl(folder / "metrics.jsonl")
    except OSError as err:
        page.note(notes, "metrics.jsonl", page.reason(err))
        return []
    for number, problem in lines.skipped[:MAX_LINE_NOTES]:
        page.note(notes, f"metrics.jsonl line {number}", problem)
    if len(lines.skipped) > MAX_LINE_NOTES:
        page.note(notes, f"{len(lines.skipped) - MAX_LINE_NOTES} more lines of metrics.jsonl",
                  "skipped like those above")
    panels = []
    for title, keys in CURVES.items():
        drawn = {key: _points(lines.records, key, notes) for key in keys}
        drawn = {key: points for key, points in drawn.items() if points}
        if not drawn:
            continue
        fig = Figure(figsize=(6, 3))
        ax = fig.subplots()
        for key, points in drawn.items():
            ax.plot(*zip(*points, strict=True), label=key, marker="." if len(points) < 30 else None)
        ax.set_xlabel("step")
        ax.set_title(title)
        ax.legend(fontsize=7)
        panels.append(page.figure(page.plot(fig), title))
    return panels


def _points(records: list[dict[str, Any]], key: str, notes: list[str]) -> list[tuple[float, float]]:
    """(step, value) where `key` holds a finite number; the other values are named in a note, not drawn.
    (The logbook writes a NaN or an infinity as a string, since JSON has neither.)"""
    values = [(r["step"], r[key]) for r in records if key in r]
    points = [(step, value) for step, value in values if finite_number(value)]
    if len(points) < len(values):
        bad = next(value for _, value in values if not finite_number(value))
        page.note(notes, f"{len(values) - len(points)} of the {len(values)} values of {key} in metrics.jsonl",
              f"not a finite number (e.g. {repr(bad)[:40]}), not drawn")
    return points


def run_report(folder: Path) -> str:
    """What a reader looks for first comes first: the samples, the numbers, the curves; the config last."""
    notes: list[str] = []
    config = page.read_text(folder, "config.yaml", notes)
    sections = page.read_sections(config, notes) if config is not None else {}
    info = page.read_object(folder, "run.json", notes) if (folder / "run.json").is_file() else {}
    parts = [f"<h1>gankit run: {html.escape(folder.name)}</h1>", *_verdict(folder, notes), "<h2>Pictures</h2>"]
    samples = [p for p in sorted((folder / "samples").glob("step-*.png"))
               if page.ours(folder, p.relative_to(folder).as_posix(), notes)]
    if samples:
        data = (info or {}).get("data")
        classes = data.get("class_names") if isinstance(data, dict) else None
        note = ""
        if isinstance(classes, list) and classes and _conditional(sections):
            note = f" (one row per class: {', '.join(map(str, classes))})"
        parts.append(page.figure(page.inline(samples[-1]), f"samples from a fixed z, {samples[-1].stem}{note}"))
    parts += [page.figure(page.inline(folder / name), caption) for name, caption in RUN_PICTURES
              if (folder / name).is_file() and page.ours(folder, name, notes)]
    cards = sorted(folder.glob("eval-step*.json"))
    if cards or (folder / "modes.json").is_file():
        parts.append("<h2>Metric cards</h2>")
        for card_path in cards:
            card = page.read_object(folder, card_path.name, notes)
            if card is not None:
                parts += [f"<h3>{html.escape(card_path.name)}</h3>",
                          page.table([{k: v for k, v in card.items() if not isinstance(v, dict)}])]
        modes = page.read_object(folder, "modes.json", notes) if (folder / "modes.json").is_file() else None
        if modes is not None:
            parts += ["<h3>modes.json</h3>", page.table([modes])]
    parts += ["<h2>Training curves</h2>", *_curves(folder, notes), "<h2>Config</h2>", _config_block(config, sections)]
    return page.document(f"gankit: {folder.name}", parts, notes)


def _verdict(folder: Path, notes: list[str]) -> list[str]:
    """The training verdict (`gankit diagnose`): its kind, evidence and advice, or a note when it has no metrics."""
    if not (folder / "metrics.jsonl").is_file() or not page.ours(folder, "metrics.jsonl", notes):
        return []
    try:
        verdict = judge_run(folder)
    except GankitError as err:
        page.note(notes, "the training verdict", err)
        return []
    evidence = "".join(f"<li>{html.escape(e.line())}</li>" for e in verdict.evidence)
    shown = [f"<h2>Verdict: {html.escape(verdict.kind)}</h2>",
             f"<p>At step {verdict.step:,}. Try: {html.escape(verdict.advice)}</p>"]
    shown += [f"<ul>{evidence}</ul>"] if evidence else []
    return shown + [f"<p>{html.escape(note)}</p>" for note in verdict.notes]


def _config_block(config: str | None, sections: dict[str, Any]) -> str:
    """The config as the run's algorithm reads it: the sections only other algorithms use are left out."""
    model = sections.get("model")
    algorithm = model.get("algorithm") if isinstance(model, dict) else None
    unused = ALGORITHMS.get(algorithm).unused_sections() if isinstance(algorithm, str) and algorithm in ALGORITHMS \
        else None
    if not unused or not any(name in sections for name in unused):
        return f"<pre>{html.escape(config or '')}</pre>"
    shown = {name: values for name, values in sections.items() if name not in unused}
    note = (f"<p>Sections a {html.escape(algorithm or '')} run does not use ({', '.join(unused)}) are left out; "
            "config.yaml has every field.</p>")
    return note + f"<pre>{html.escape(yaml.safe_dump(shown, sort_keys=False))}</pre>"


def _conditional(sections: dict[str, Any]) -> bool:
    model = sections.get("model")
    return isinstance(model, dict) and bool(model.get("conditional"))
