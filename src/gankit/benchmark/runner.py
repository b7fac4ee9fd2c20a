"""Run a suite: each cell is a gankit run in the results folder, then its final evaluation; then the tables.

A cell whose result.json exists is skipped; one with a checkpoint but no result (interrupted) resumes,
exactly, from it. `jobs` cells run at once in separate processes, sharing the CPU cores between them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from gankit import api
from gankit.benchmark.suites import SUITES, Cell, suite_cells
from gankit.metrics.evaluate import evaluate_run
from gankit.training import checkpoint as ckpt
from gankit.viz.bench_results import markdown_table, plots, result_dir, wall_seconds, write_csv


def cell_dir(results: Path, cell: Cell) -> Path:
    return result_dir(results, cell.dataset, cell.method, cell.seed)


def evaluation_curve(run_dir: Path) -> list[dict[str, float]]:
    """The classifier-feature metrics logged along training (`eval/fid`, ...), one dict per evaluation."""
    curve = []
    for line in (run_dir / "metrics.jsonl").read_text().splitlines():
        values = json.loads(line)
        if "eval/fid" in values:
            curve.append({"step": values["step"], **{k[5:]: v for k, v in values.items() if k.startswith("eval/")}})
    return curve


def run_cell(cell: Cell, results: Path, threads: int | None = None, inception: bool = False) -> dict[str, Any]:
    """Train (or resume) the cell and evaluate its last checkpoint (also in Inception features when asked);
    the result is also saved as result.json."""
    if threads:
        torch.set_num_threads(threads)
    folder = cell_dir(results, cell)
    identity = {"suite": cell.suite, "dataset": cell.dataset, "method": cell.method, "seed": cell.seed}
    done = folder / "result.json"
    if done.is_file():  # the cell, not the file, says which cell it is (gankit 0.1.0 stored the eval seed there)
        return {**json.loads(done.read_text()), **identity}
    clock = folder / "bench-seconds.json"  # wall-clock of earlier, interrupted attempts
    spent = json.loads(clock.read_text())["seconds"] if clock.is_file() else 0.0
    start = time.perf_counter()
    try:
        if ckpt.read_meta(folder / "checkpoints", "last") is not None:
            run = api.resume(folder)
        else:
            run = api.train(cell.config(str(folder)), overwrite=True)
    finally:
        folder.mkdir(parents=True, exist_ok=True)
        clock.write_text(json.dumps({"seconds": spent + time.perf_counter() - start}))
    seconds = spent + time.perf_counter() - start
    result: dict[str, Any] = {**identity, "steps": run.step, "train_seconds": round(seconds, 1), "run_dir": str(folder)}
    if run.spec.kind == "points":
        result |= json.loads((folder / "modes.json").read_text())
    else:
        card = evaluate_run(api.load(folder), n=cell.budget.final_samples)
        # the card's `seed` seeds z for the evaluation; the cell's seed is the training seed
        result |= {("eval_seed" if k == "seed" else k): v for k, v in card.items() if k != "fid_per_class"}
        result["curve"] = evaluation_curve(folder)
        if inception:
            card = evaluate_run(api.load(folder), n=cell.budget.final_samples, features="inception")
            result |= {f"inception_{k}": card[k] for k in ("fid", "kid", "precision", "recall")}
    done.write_text(json.dumps(result, indent=1) + "\n")
    return result


def run_cells(
    cells: list[Cell], results: Path, jobs: int = 1, progress: bool = True, inception: bool = False
) -> list[dict[str, Any]]:
    """Every cell, `jobs` at a time, with a progress bar of cells done and the ETA."""
    results.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=len(cells), desc="cells", unit="cell", disable=not progress)
    out: list[dict[str, Any]] = []
    if jobs <= 1:
        for cell in cells:
            bar.set_postfix_str(cell.name)
            out.append(run_cell(cell, results, inception=inception))
            bar.update()
    else:
        threads = max(1, (os.cpu_count() or 1) // jobs)
        # spawn: a forked child would inherit torch's thread pools in an undefined state
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(run_cell, cell, results, threads, inception): cell for cell in cells}
            for future in as_completed(futures):
                out.append(future.result())
                bar.set_postfix_str(futures[future].name)
                bar.update()
    bar.close()
    order = {cell.name: i for i, cell in enumerate(cells)}
    return sorted(out, key=lambda r: order[f"{r['dataset']}/{r['method']}/seed{r['seed']}"])


def cpu_name() -> str:
    try:  # Linux names the model here; platform.processor() often says only "x86_64"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return f"{cpu_name()}, {os.cpu_count()} CPU cores, {gpu}, torch {torch.__version__}, {platform.system()}"


def run_suite(suite: str, budget: str, results: Path, seeds: int | None = None, jobs: int = 1,
              progress: bool = True, inception: bool = False, command: str = "") -> str:
    """Run (or finish) the suite into `results`; writes bench.json, results.csv, results.md and plots.
    `command` is recorded as what produced them (the CLI passes its command line)."""
    cells = suite_cells(suite, budget, seeds)
    earlier, start = wall_seconds(results), time.perf_counter()
    rows = run_cells(cells, results, jobs, progress, inception)
    seconds = time.perf_counter() - start
    write_csv(rows, results / "results.csv")
    table = markdown_table(rows)
    pictures = plots(rows, results / "plots")
    total = round(sum(r["train_seconds"] for r in rows), 1)
    meta = {"suite": suite, "summary": SUITES[suite].summary, "budget": budget, "cells": len(cells),
            "seconds_this_invocation": round(seconds, 1), "wall_seconds": round(earlier + seconds, 1),
            "jobs": jobs, "train_seconds_total": total,
            "machine": machine(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": command or f"run_suite({suite!r}, {budget!r})",
            "plots": [p.name for p in pictures], "rows": rows}
    (results / "bench.json").write_text(json.dumps(meta, indent=1) + "\n")
    header = (f"# gankit bench {suite} --budget {budget}\n\n{SUITES[suite].summary}. {len(cells)} cells; "
              f"{meta['wall_seconds'] / 60:.1f} min wall-clock over finished invocations (this one: --jobs {jobs}); "
              f"{total:.0f} s of training summed over cells; {meta['machine']}; {meta['date']}.\n\n")
    (results / "results.md").write_text(header + table)
    return header + table + f"\nresults in {results}"
