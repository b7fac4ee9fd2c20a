"""`gankit report PATH`: one self-contained HTML page (images inlined) for a run or a benchmark folder."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import yaml

from gankit.algorithms import ALGORITHMS
from gankit.algorithms.family import VIEWS, View
from gankit.algorithms.verdict import judge_run
from gankit.errors import GankitError
from gankit.files import inside, write_text_atomic
from gankit.jsonl import finite_number, read_jsonl
from gankit.viz.bench_results import result_dir
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
CELL_KEYS = {"dataset": str, "method": str, "seed": int}  # what a bench row needs to find its cell's folder
MAX_LINE_NOTES = 5  # a file of torn lines gets a few notes and a count, not a page of them
STYLE = """<style>
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f3f3f3; } img { max-width: 100%; } figure { margin: 1em 0; }
figcaption { color: #555; font-size: 0.9em; } pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; }
.skipped { background: #fff4e0; border: 1px solid #e0a040; padding: 0 1em; }
.views { display: flex; gap: 1em; } .view { flex: 1; }
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


# -- reading what a crash or an edit may have damaged: each problem costs its own part of the page and a note --
def _note(notes: list[str], what: str, reason: object) -> None:
    """One "could not read X: reason" line for the top of the page (a YAML error's lines joined, kept short)."""
    text = " ".join(str(reason).split())
    notes.append(f"could not read {what}: {text[:300]}")


def _reason(err: Exception) -> str:
    return err.strerror if isinstance(err, OSError) and err.strerror else str(err)


def _ours(folder: Path, name: str, notes: list[str]) -> bool:
    """Whether FOLDER/name is the folder's own file: a link out of it is never read (a shared report would
    carry that file's bytes), and says so in a note."""
    if inside(folder, folder / name):
        return True
    _note(notes, name, "a link to outside the folder, not read")
    return False


def _read_text(folder: Path, name: str, notes: list[str]) -> str | None:
    """A text file; bytes that are not UTF-8 show as U+FFFD (with a note), an unreadable file gives None."""
    if not _ours(folder, name, notes):
        return None
    try:
        data = (folder / name).read_bytes()
    except OSError as err:
        _note(notes, name, _reason(err))
        return None
    try:
        return data.decode()
    except UnicodeDecodeError as err:
        _note(notes, f"all of {name}", f"byte {err.start + 1} is not UTF-8 (such bytes show as \ufffd)")
        return data.decode(errors="replace")


def _read_object(folder: Path, name: str, notes: list[str]) -> dict[str, Any] | None:
    """A JSON file that should hold an object; None (and a note) when it is torn, not UTF-8 or something else."""
    if not _ours(folder, name, notes):
        return None
    try:
        value = json.loads((folder / name).read_bytes())
    except (OSError, ValueError) as err:  # ValueError: torn JSON, or bytes that are not UTF-8
        _note(notes, name, _reason(err))
        return None
    if not isinstance(value, dict):
        _note(notes, name, f"a JSON {type(value).__name__}, not an object")
        return None
    return value


def _read_sections(config: str, notes: list[str]) -> dict[str, Any]:
    """config.yaml's sections, or {} (and a note) when it is not YAML or not a mapping of sections."""
    try:
        sections = yaml.safe_load(config)
    except yaml.YAMLError as err:
        _note(notes, "config.yaml", err)
        return {}
    if not isinstance(sections, dict):
        _note(notes, "config.yaml", f"a {type(sections).__name__}, not a mapping of sections")
        return {}
    return sections


def _skipped(notes: list[str]) -> str:
    """What the page left out, at its top, so that a partial page says that it is partial."""
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    return f'<div class="skipped"><h2>Skipped</h2><ul>{items}</ul></div>'


# -- a run ----------------------------------------------------------------------------------------------------
def _curves(folder: Path, notes: list[str]) -> list[str]:
    if not (folder / "metrics.jsonl").is_file() or not _ours(folder, "metrics.jsonl", notes):
        return []
    try:
        lines = read_jsonl(folder / "metrics.jsonl")
    except OSError as err:
        _note(notes, "metrics.jsonl", _reason(err))
        return []
    for number, problem in lines.skipped[:MAX_LINE_NOTES]:
        _note(notes, f"metrics.jsonl line {number}", problem)
    if len(lines.skipped) > MAX_LINE_NOTES:
        _note(notes, f"{len(lines.skipped) - MAX_LINE_NOTES} more lines of metrics.jsonl", "skipped like those above")
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
        panels.append(_figure(_plot(fig), title))
    return panels


def _points(records: list[dict[str, Any]], key: str, notes: list[str]) -> list[tuple[float, float]]:
    """(step, value) where `key` holds a finite number; the other values are named in a note, not drawn.
    (The logbook writes a NaN or an infinity as a string, since JSON has neither.)"""
    values = [(r["step"], r[key]) for r in records if key in r]
    points = [(step, value) for step, value in values if finite_number(value)]
    if len(points) < len(values):
        bad = next(value for _, value in values if not finite_number(value))
        _note(notes, f"{len(values) - len(points)} of the {len(values)} values of {key} in metrics.jsonl",
              f"not a finite number (e.g. {repr(bad)[:40]}), not drawn")
    return points


def run_report(folder: Path) -> str:
    """What a reader looks for first comes first: the samples, the numbers, the curves; the config last."""
    notes: list[str] = []
    config = _read_text(folder, "config.yaml", notes)
    sections = _read_sections(config, notes) if config is not None else {}
    info = _read_object(folder, "run.json", notes) if (folder / "run.json").is_file() else {}
    parts = [f"<h1>gankit run: {html.escape(folder.name)}</h1>", *_verdict(folder, notes), "<h2>Pictures</h2>"]
    samples = [p for p in sorted((folder / "samples").glob("step-*.png"))
               if _ours(folder, p.relative_to(folder).as_posix(), notes)]
    if samples:
        data = (info or {}).get("data")
        classes = data.get("class_names") if isinstance(data, dict) else None
        note = ""
        if isinstance(classes, list) and classes and _conditional(sections):
            note = f" (one row per class: {', '.join(map(str, classes))})"
        parts.append(_figure(_inline(samples[-1]), f"samples from a fixed z, {samples[-1].stem}{note}"))
    parts += [_figure(_inline(folder / name), caption) for name, caption in RUN_PICTURES
              if (folder / name).is_file() and _ours(folder, name, notes)]
    cards = sorted(folder.glob("eval-step*.json"))
    if cards or (folder / "modes.json").is_file():
        parts.append("<h2>Metric cards</h2>")
        for card_path in cards:
            card = _read_object(folder, card_path.name, notes)
            if card is not None:
                parts += [f"<h3>{html.escape(card_path.name)}</h3>",
                          _table([{k: v for k, v in card.items() if not isinstance(v, dict)}])]
        modes = _read_object(folder, "modes.json", notes) if (folder / "modes.json").is_file() else None
        if modes is not None:
            parts += ["<h3>modes.json</h3>", _table([modes])]
    parts += ["<h2>Training curves</h2>", *_curves(folder, notes), "<h2>Config</h2>", _config_block(config, sections)]
    return _page(f"gankit: {folder.name}", parts, notes)


def _verdict(folder: Path, notes: list[str]) -> list[str]:
    """The training verdict (`gankit diagnose`): its kind, evidence and advice, or a note when it has no metrics."""
    if not (folder / "metrics.jsonl").is_file() or not _ours(folder, "metrics.jsonl", notes):
        return []
    try:
        verdict = judge_run(folder)
    except GankitError as err:
        _note(notes, "the training verdict", err)
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


# -- a bench results folder -----------------------------------------------------------------------------------
def bench_report(folder: Path) -> str:
    notes: list[str] = []
    meta = _read_object(folder, "bench.json", notes)
    rows = _bench_rows(folder, meta, notes)
    suite = str((meta or {}).get("suite", folder.name))
    parts = [f"<h1>gankit bench {html.escape(suite)}</h1>"]
    if meta is not None:
        parts.append(f"<p>{html.escape(_bench_summary(meta, notes))}</p>")
    table = _read_text(folder, "results.md", notes) if (folder / "results.md").is_file() else ""
    cells = [{k: v for k, v in r.items() if not isinstance(v, (list, dict)) and k != "run_dir"} for r in rows]
    parts += ["<h2>Mean ± std over seeds</h2>", _markdown_table(table or "", notes), "<h2>Every cell</h2>",
              _table(cells)]
    parts += _bench_plots(folder, (meta or {}).get("plots", []), notes)
    parts += _views_side_by_side(folder, rows, notes)
    parts.append("<h2>Samples per cell</h2>")
    for row in rows:
        picture = _last_samples(folder, row, notes)
        if picture is not None:
            parts.append(_figure(_inline(picture), f"{row['dataset']} / {row['method']} / seed {row['seed']}"))
    return _page(f"gankit bench {suite}", parts, notes)


def _last_samples(folder: Path, row: dict[str, Any], notes: list[str]) -> Path | None:
    """The last sample grid a cell's run saved, if it has one inside the folder."""
    samples = result_dir(folder, row["dataset"], row["method"], row["seed"]) / "samples"
    pictures = [p for p in sorted(samples.glob("step-*.png")) if _ours(folder, p.relative_to(folder).as_posix(), notes)]
    return pictures[-1] if pictures else None


def _cell_view(folder: Path, row: dict[str, Any], notes: list[str]) -> View | None:
    """Which of the lecture's views a cell's method is, from the algorithm in its run's config.yaml."""
    name = result_dir(folder, row["dataset"], row["method"], row["seed"]).relative_to(folder) / "config.yaml"
    if not (folder / name).is_file():
        return None
    text = _read_text(folder, name.as_posix(), notes)
    model = _read_sections(text, notes).get("model") if text is not None else None
    algorithm = model.get("algorithm") if isinstance(model, dict) else None
    return ALGORITHMS.get(algorithm).view if isinstance(algorithm, str) and algorithm in ALGORITHMS else None


def _views_side_by_side(folder: Path, rows: list[dict[str, Any]], notes: list[str]) -> list[str]:
    """The lecture's "generator vs discriminator" slide as pictures: for each view in the folder, the samples of
    its best method (lowest FID, mean over seeds; its best seed's last grid), in one row of columns. Nothing
    when the folder holds a single view (a suite of GAN objectives, say)."""
    key = "inception_fid" if rows and all("inception_fid" in r for r in rows) else "fid"
    scores: dict[View, dict[str, list[dict[str, Any]]]] = {}
    for row in rows:
        view = _cell_view(folder, row, notes)
        if view is not None and finite_number(row.get(key)):
            scores.setdefault(view, {}).setdefault(row["method"], []).append(row)
    if len(scores) < 2:
        return []
    columns = []
    for view in VIEWS:
        if view not in scores:
            continue
        method, cells = min(scores[view].items(), key=lambda item: sum(r[key] for r in item[1]) / len(item[1]))
        best = min(cells, key=lambda r: r[key])
        picture = _last_samples(folder, best, notes)
        if picture is None:
            continue
        mean = sum(r[key] for r in cells) / len(cells)
        caption = (f"{view}: {method}, {key.replace('_', ' ')} {mean:.4g} (mean of {len(cells)} seed"
                   f"{'s' * (len(cells) > 1)}); seed {best['seed']}, {best.get('steps', '?')} steps")
        columns.append(f'<div class="view">{_figure(_inline(picture), caption)}</div>')
    return ["<h2>The three views side by side</h2>", f'<div class="views">{"".join(columns)}</div>']


def _bench_rows(folder: Path, meta: dict[str, Any] | None, notes: list[str]) -> list[dict[str, Any]]:
    """bench.json's rows; without a readable bench.json, each cell's own result.json. A row must say which
    cell it is (dataset, method and seed); one that does not is left out, with a note."""
    if meta is not None:
        raw = meta.get("rows", [])
        if not isinstance(raw, list):
            _note(notes, "the rows of bench.json", f"a JSON {type(raw).__name__}, not a list")
            return []
        found = [(f"row {i} of bench.json", row) for i, row in enumerate(raw, start=1)]
    else:
        names = [str(path.relative_to(folder)) for path in sorted(folder.glob("cells/*/*/result.json"))]
        found = [(name, _read_object(folder, name, notes)) for name in names]
    rows = []
    for where, row in found:
        if row is None:  # an unreadable result.json, already noted
            continue
        if not isinstance(row, dict):
            _note(notes, where, f"a JSON {type(row).__name__}, not an object")
            continue
        wrong = [key for key, kind in CELL_KEYS.items() if not isinstance(row.get(key), kind)]
        if wrong:
            _note(notes, where, f"no {' or '.join(wrong)} to say which cell it is")
        else:
            rows.append(row)
    return rows


def _bench_summary(meta: dict[str, Any], notes: list[str]) -> str:
    wall = meta.get("wall_seconds", meta.get("seconds_this_invocation"))
    if finite_number(wall):
        clock = f"{wall / 60:.1f} min wall-clock"
    else:
        clock = "wall-clock unknown"
        _note(notes, "the wall-clock in bench.json", f"{repr(wall)[:40]} is not a number of seconds")
    return (f"{meta.get('summary', '')}. Budget {meta.get('budget', '?')}, {meta.get('cells', '?')} cells, {clock}; "
            f"{meta.get('machine', '?')}; {meta.get('date', '?')}; command: {meta.get('command', '?')}")


def _bench_plots(folder: Path, names: Any, notes: list[str]) -> list[str]:
    """The plots bench.json lists, from the folder's plots/ (a plain file name each)."""
    if not isinstance(names, list):
        _note(notes, "the plots of bench.json", f"a JSON {type(names).__name__}, not a list")
        return []
    figures = []
    for name in names:
        path = folder / "plots" / str(name)
        if not isinstance(name, str) or Path(name).name != name or not path.is_file():
            _note(notes, f"plots/{name}", "no such file in the folder")
        elif _ours(folder, f"plots/{name}", notes):
            figures.append(_figure(_inline(path), name.removesuffix(".png").replace("-", " ")))
    return figures


def _markdown_table(text: str, notes: list[str]) -> str:
    rows = [line.strip().strip("|").split("|") for line in text.splitlines() if line.startswith("|")]
    if len(rows) < 2:
        return ""
    head, body = [h.strip() for h in rows[0]], rows[2:]
    kept = []
    for row in body:
        if len(row) == len(head):
            kept.append({h: c.strip() for h, c in zip(head, row, strict=True)})
        else:
            _note(notes, "a row of results.md", f"{len(row)} cells under {len(head)} headings: {'|'.join(row)[:80]}")
    return _table(kept)


def _page(title: str, parts: list[str], notes: list[str]) -> str:
    body = [parts[0], _skipped(notes), *parts[1:]]  # the heading, then what could not be read
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"{STYLE}</head><body>\n" + "\n".join(body) + f"\n{CHECK_IMAGES}\n</body></html>\n")


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
    write_text_atomic(out, page)  # UTF-8 as the page says, whatever the locale; a full disk keeps the old one
    return out
