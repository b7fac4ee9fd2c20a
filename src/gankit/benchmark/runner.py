"""Run a suite's cells: each is a gankit run in the results folder, then its final evaluation.

A cell whose result.json exists is skipped; one with a checkpoint but no result (interrupted) resumes,
exactly, from it. `jobs` cells run at once in separate processes, sharing the CPU cores between them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from gankit.benchmark.suites import Cell
from gankit.training import checkpoint as ckpt


def cell_dir(results: Path, cell: Cell) -> Path:
    return result_dir(results, cell.dataset, cell.method, cell.seed)


def result_dir(results: Path, dataset: str, method: str, seed: int) -> Path:
    """A cell's run folder inside a results folder (wherever the folder has been moved since)."""
    return results / "cells" / dataset / f"{method}-seed{seed}"


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
    import gankit
    from gankit.metrics.evaluate import evaluate_run

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
            run = gankit.resume(folder)
        else:
            run = gankit.train(cell.config(str(folder)), overwrite=True)
    finally:
        folder.mkdir(parents=True, exist_ok=True)
        clock.write_text(json.dumps({"seconds": spent + time.perf_counter() - start}))
    seconds = spent + time.perf_counter() - start
    result: dict[str, Any] = {**identity, "steps": run.step, "train_seconds": round(seconds, 1), "run_dir": str(folder)}
    if run.spec.kind == "points":
        result |= json.loads((folder / "modes.json").read_text())
    else:
        card = evaluate_run(gankit.load(folder), n=cell.budget.final_samples)
        # the card's `seed` seeds z for the evaluation; the cell's seed is the training seed
        result |= {("eval_seed" if k == "seed" else k): v for k, v in card.items() if k != "fid_per_class"}
        result["curve"] = evaluation_curve(folder)
        if inception:
            card = evaluate_run(gankit.load(folder), n=cell.budget.final_samples, features="inception")
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
