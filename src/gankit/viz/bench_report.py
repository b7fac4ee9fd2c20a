"""`gankit report RESULTS`: a `gankit bench` results folder's page: its tables, plots, the views side by side
and each cell's last samples."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from gankit.algorithms import ALGORITHMS
from gankit.algorithms.family import VIEWS, View
from gankit.jsonl import finite_number
from gankit.viz import page
from gankit.viz.bench_results import result_dir

CELL_KEYS = {"dataset": str, "method": str, "seed": int}  # what a bench row needs to find its cell's folder


def bench_report(folder: Path) -> str:
    notes: list[str] = []
    meta = page.read_object(folder, "bench.json", notes)
    rows = _bench_rows(folder, meta, notes)
    suite = str((meta or {}).get("suite", folder.name))
    parts = [f"<h1>gankit bench {html.escape(suite)}</h1>"]
    if meta is not None:
        parts.append(f"<p>{html.escape(_bench_summary(meta, notes))}</p>")
    table = page.read_text(folder, "results.md", notes) if (folder / "results.md").is_file() else ""
    cells = [{k: v for k, v in r.items() if not isinstance(v, (list, dict)) and k != "run_dir"} for r in rows]
    parts += ["<h2>Mean ± std over seeds</h2>", _markdown_table(table or "", notes), "<h2>Every cell</h2>",
              page.table(cells)]
    parts += _bench_plots(folder, (meta or {}).get("plots", []), notes)
    parts += _views_side_by_side(folder, rows, notes)
    parts.append("<h2>Samples per cell</h2>")
    for row in rows:
        picture = _last_samples(folder, row, notes)
        if picture is not None:
            parts.append(page.figure(page.inline(picture), f"{row['dataset']} / {row['method']} / seed {row['seed']}"))
    return page.document(f"gankit bench {suite}", parts, notes)


def _last_samples(folder: Path, row: dict[str, Any], notes: list[str]) -> Path | None:
    """The last sample grid a cell's run saved, if it has one inside the folder."""
    samples = result_dir(folder, row["dataset"], row["method"], row["seed"]) / "samples"
    pictures = [p for p in sorted(samples.glob("step-*.png"))
                if page.ours(folder, p.relative_to(folder).as_posix(), notes)]
    return pictures[-1] if pictures else None


def _cell_view(folder: Path, row: dict[str, Any], notes: list[str]) -> View | None:
    """Which of the lecture's views a cell's method is, from the algorithm in its run's config.yaml."""
    name = result_dir(folder, row["dataset"], row["method"], row["seed"]).relative_to(folder) / "config.yaml"
    if not (folder / name).is_file():
        return None
    text = page.read_text(folder, name.as_posix(), notes)
    model = page.read_sections(text, notes).get("model") if text is not None else None
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
        columns.append(f'<div class="view">{page.figure(page.inline(picture), caption)}</div>')
    return ["<h2>The three views side by side</h2>", f'<div class="views">{"".join(columns)}</div>']


def _bench_rows(folder: Path, meta: dict[str, Any] | None, notes: list[str]) -> list[dict[str, Any]]:
    """bench.json's rows; without a readable bench.json, each cell's own result.json. A row must say which
    cell it is (dataset, method and seed); one that does not is left out, with a note."""
    if meta is not None:
        raw = meta.get("rows", [])
        if not isinstance(raw, list):
            page.note(notes, "the rows of bench.json", f"a JSON {type(raw).__name__}, not a list")
            return []
        found = [(f"row {i} of bench.json", row) for i, row in enumerate(raw, start=1)]
    else:
        names = [str(path.relative_to(folder)) for path in sorted(folder.glob("cells/*/*/result.json"))]
        found = [(name, page.read_object(folder, name, notes)) for name in names]
    rows = []
    for where, row in found:
        if row is None:  # an unreadable result.json, already noted
            continue
        if not isinstance(row, dict):
            page.note(notes, where, f"a JSON {type(row).__name__}, not an object")
            continue
        wrong = [key for key, kind in CELL_KEYS.items() if not isinstance(row.get(key), kind)]
        if wrong:
            page.note(notes, where, f"no {' or '.join(wrong)} to say which cell it is")
        else:
            rows.append(row)
    return rows


def _bench_summary(meta: dict[str, Any], notes: list[str]) -> str:
    wall = meta.get("wall_seconds", meta.get("seconds_this_invocation"))
    if finite_number(wall):
        clock = f"{wall / 60:.1f} min wall-clock"
    else:
        clock = "wall-clock unknown"
        page.note(notes, "the wall-clock in bench.json", f"{repr(wall)[:40]} is not a number of seconds")
    return (f"{meta.get('summary', '')}. Budget {meta.get('budget', '?')}, {meta.get('cells', '?')} cells, {clock}; "
            f"{meta.get('machine', '?')}; {meta.get('date', '?')}; command: {meta.get('command', '?')}")


def _bench_plots(folder: Path, names: Any, notes: list[str]) -> list[str]:
    """The plots bench.json lists, from the folder's plots/ (a plain file name each)."""
    if not isinstance(names, list):
        page.note(notes, "the plots of bench.json", f"a JSON {type(names).__name__}, not a list")
        return []
    figures = []
    for name in names:
        path = folder / "plots" / str(name)
        if not isinstance(name, str) or Path(name).name != name or not path.is_file():
            page.note(notes, f"plots/{name}", "no such file in the folder")
        elif page.ours(folder, f"plots/{name}", notes):
            figures.append(page.figure(page.inline(path), name.removesuffix(".png").replace("-", " ")))
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
            page.note(notes, "a row of results.md",
                      f"{len(row)} cells under {len(head)} headings: {'|'.join(row)[:80]}")
    return page.table(kept)
