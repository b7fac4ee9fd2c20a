"""Run a suite: each cell is a gankit run in the results folder, then its final evaluation; then the tables.

A cell whose result.json exists is skipped; one with a checkpoint but no result (interrupted) resumes,
exactly, from it. `jobs` cells run at once in separate processes, sharing the CPU cores between them.
Ctrl-C stops the suite: the cells in training checkpoint (as a run does) and are not evaluated; no other starts.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import torch
from tqdm import tqdm

from gankit import api, environment
from gankit.benchmark.suites import SUITES, Cell, suite_cells
from gankit.config import Config
from gankit.files import write_text_atomic
from gankit.jsonl import read_jsonl
from gankit.metrics.evaluate import evaluate_run
from gankit.samplers.langevin import Progress
from gankit.training import checkpoint as ckpt
from gankit.training.estimate import duration, estimate
from gankit.training.interrupts import stop_on_sigint
from gankit.training.trainer import Callback, Trainer
from gankit.viz.bench_results import markdown_table, plots, result_dir, wall_seconds, write_csv


class StopFlag(Protocol):
    """threading.Event in one process, multiprocessing's Event across the worker processes."""

    def set(self) -> None: ...

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Stopped:
    """A cell that Ctrl-C stopped before its result: checkpointed at `step`, or not started (None)."""

    cell: str
    step: int | None


class SuiteInterrupted(Exception):
    """Ctrl-C stopped the suite; the cells it names are checkpointed, and running the suite again continues."""

    def __init__(self, stopped: list[Stopped], not_started: int) -> None:
        trained = ", ".join(f"{s.cell} checkpointed at step {s.step:,}" for s in stopped if s.step is not None)
        super().__init__(f"interrupted by Ctrl-C: {trained or 'no cell was in training'}, "
                         f"{not_started} {'cell' if not_started == 1 else 'cells'} not started")


def cell_dir(results: Path, cell: Cell) -> Path:
    return result_dir(results, cell.dataset, cell.method, cell.seed)


def evaluation_curve(run_dir: Path) -> list[dict[str, float]]:
    """The classifier-feature metrics logged along training (`eval/fid`, ...), one dict per evaluation."""
    curve = []
    for values in read_jsonl(run_dir / "metrics.jsonl").records:  # a line torn by a crash is skipped
        if "eval/fid" in values:
            curve.append({"step": values["step"], **{k[5:]: v for k, v in values.items() if k.startswith("eval/")}})
    return curve


def run_cell(
    cell: Cell, results: Path, threads: int | None = None, inception: bool = False, stop: StopFlag | None = None,
    sampling: Progress | None = None,
) -> dict[str, Any] | Stopped:
    """Train (or resume) the cell and evaluate its last checkpoint (also in Inception features when asked);
    the result is also saved as result.json. Stopped by Ctrl-C or `stop`, it gets neither: the next run of
    the suite resumes it from the checkpoint its trainer saved. `sampling` follows an energy model's Langevin
    steps while the evaluation draws its samples."""
    if threads:
        torch.set_num_threads(threads)
    folder = cell_dir(results, cell)
    identity = {"suite": cell.suite, "dataset": cell.dataset, "method": cell.method, "seed": cell.seed}
    done = folder / "result.json"
    if done.is_file():  # the cell, not the file, says which cell it is (gankit 0.1.0 stored the eval seed there)
        return {**json.loads(done.read_text()), **identity}
    if stop is not None and stop.is_set():
        return Stopped(cell.name, None)
    clock = folder / "bench-seconds.json"  # wall-clock of earlier, interrupted attempts
    spent = json.loads(clock.read_text())["seconds"] if clock.is_file() else 0.0
    start = time.perf_counter()
    callbacks = _stop_training_on(stop)
    try:
        if ckpt.read_meta(folder / "checkpoints", "last") is not None:
            run = api.resume(folder, callbacks=callbacks)
        else:
            config = cell.config(str(folder))
            if threads:  # --jobs: each cell its share of the cores, not a measurement that the others disturb
                config["train"]["threads"] = threads
            run = api.train(config, overwrite=True, callbacks=callbacks)
    finally:
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(clock, json.dumps({"seconds": spent + time.perf_counter() - start}))
    if run.interrupted:  # short of its budget: evaluating it would make a result of a half-trained model
        return Stopped(cell.name, run.step)
    seconds = spent + time.perf_counter() - start
    result: dict[str, Any] = {**identity, "steps": run.step, "train_seconds": round(seconds, 1), "run_dir": str(folder)}
    if run.spec.kind == "points":
        result |= json.loads((folder / "modes.json").read_text())
    else:
        card = evaluate_run(api.load(folder), n=cell.budget.final_samples, features=cell.budget.features,
                            progress=sampling)
        # the card's `seed` seeds z for the evaluation; the cell's seed is the training seed
        result |= {("eval_seed" if k == "seed" else k): v for k, v in card.items() if k != "fid_per_class"}
        result["curve"] = evaluation_curve(folder)
        if cell.budget.sample_cost:
            result |= sampling_cost(api.load(folder), run.step, result["train_seconds"])
        if inception and cell.budget.features != "inception":
            card = evaluate_run(api.load(folder), n=cell.budget.final_samples, features="inception",
                                progress=sampling)
            result |= {f"inception_{k}": card[k] for k in ("fid", "kid", "precision", "recall")}
    write_text_atomic(done, json.dumps(result, indent=1) + "\n")
    return result


SAMPLES_TIMED = 256  # images drawn to time sampling: several batches' worth, well past the first call's setup


def sampling_cost(run: api.Run, steps: int, train_seconds: float) -> dict[str, float]:
    """The lecture's "cheap to sample vs sees the whole picture" as numbers: training images per second,
    milliseconds per sample (a batch of SAMPLES_TIMED after one warm-up draw) and gradient evaluations per sample."""
    run.sample(8, seed=1)  # warm-up: first-call allocations and kernel choice
    start = time.perf_counter()
    run.sample(SAMPLES_TIMED, seed=2)
    seconds = time.perf_counter() - start
    batch = run.config.train.batch_size or 0
    return {"images_per_s": round(steps * batch / max(train_seconds, 1e-9), 1),
            "sample_ms": round(1000 * seconds / SAMPLES_TIMED, 3),
            "sample_grad_evals": run.algorithm.sampling_gradient_steps}


def _stop_training_on(stop: StopFlag | None) -> tuple[Callback, ...]:
    """A Ctrl-C the trainer did not see itself (between cells, or the parent's) becomes its stop request."""
    if stop is None:
        return ()

    def check(trainer: Trainer) -> None:
        if stop.is_set():
            trainer.request_stop()

    return (check,)


class _CtrlC:
    """Ctrl-C as a request the cells poll, set in this process's signal handler."""

    def __init__(self, shared: StopFlag) -> None:
        self.shared, self.requested = shared, False

    def request(self) -> None:
        self.requested = True  # first: a second Ctrl-C during set() must abort, not wait for set()'s lock
        self.shared.set()


def run_cells(
    cells: list[Cell], results: Path, jobs: int = 1, progress: bool = True, inception: bool = False
) -> list[dict[str, Any]]:
    """Every cell, `jobs` at a time, with a progress bar of cells done and the ETA. On Ctrl-C the cells in
    training checkpoint, no other starts, and SuiteInterrupted says which were stopped."""
    results.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=len(cells), desc="cells", unit="cell", disable=not progress)
    outcomes: dict[str, dict[str, Any] | Stopped] = {}
    try:
        if jobs <= 1:
            _run_here(cells, results, inception, bar, outcomes)
        else:
            _run_in_workers(cells, results, jobs, inception, bar, outcomes)
    finally:
        bar.close()
    rows = [outcome for outcome in outcomes.values() if isinstance(outcome, dict)]
    if len(rows) < len(cells):
        stopped = [o for o in outcomes.values() if isinstance(o, Stopped) and o.step is not None]
        raise SuiteInterrupted(stopped, len(cells) - len(rows) - len(stopped))
    order = {cell.name: i for i, cell in enumerate(cells)}
    return sorted(rows, key=lambda r: order[f"{r['dataset']}/{r['method']}/seed{r['seed']}"])


def _run_here(cells: list[Cell], results: Path, inception: bool, bar: tqdm,
              outcomes: dict[str, dict[str, Any] | Stopped]) -> None:
    """One cell after another in this process; the trainer takes Ctrl-C over while a cell trains."""
    ctrl_c = _CtrlC(threading.Event())
    with stop_on_sigint(ctrl_c.request, lambda: ctrl_c.requested):
        for cell in cells:
            if ctrl_c.requested:
                return
            bar.set_postfix_str(cell.name)

            def sampling(done: int, total: int, name: str = cell.name) -> None:  # half an hour for drl's 10 000
                bar.set_postfix_str(f"{name}, sampling: Langevin step {done}/{total}")

            outcomes[cell.name] = outcome = run_cell(cell, results, inception=inception, stop=ctrl_c.shared,
                                                     sampling=sampling)
            if isinstance(outcome, Stopped):
                return
            bar.update()


def _run_in_workers(cells: list[Cell], results: Path, jobs: int, inception: bool, bar: tqdm,
                    outcomes: dict[str, dict[str, Any] | Stopped]) -> None:
    """`jobs` worker processes. Ctrl-C reaches them too (the terminal signals the whole process group): their
    trainers checkpoint, while this process cancels the cells not started and waits for the running ones."""
    threads = max(1, (os.cpu_count() or 1) // jobs)
    # spawn: a forked child would inherit torch's thread pools in an undefined state
    context = multiprocessing.get_context("spawn")
    ctrl_c = _CtrlC(context.Event())
    with _workers_ignore_sigint():
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                                   initargs=(ctrl_c.shared,))
        futures = {pool.submit(_run_cell_in_worker, cell, results, threads, inception): cell for cell in cells}
    with stop_on_sigint(ctrl_c.request, lambda: ctrl_c.requested), pool:
        for future in as_completed(futures):
            if future.cancelled():
                continue
            outcomes[futures[future].name] = outcome = future.result()
            if ctrl_c.requested or isinstance(outcome, Stopped):
                _cancel(futures)
            else:
                bar.set_postfix_str(futures[future].name)
                bar.update()


CARD_STEPS = 5  # timed steps of each method for the suite's compute card, after the card's warm-up


def suite_card(cells: list[Cell], jobs: int = 1) -> list[str]:
    """The compute card of a suite, before it starts: each method's pace on this machine (a few real steps of its
    first cell, built as the cell will be and timed in a temporary folder, with the threads a cell will get under
    `jobs`), the training time of its cells (a time limit caps a cell), and the suite's wall-clock over `jobs`.
    Evaluations and pictures come on top."""
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None
    by_method: dict[str, list[Cell]] = {}
    for cell in cells:
        by_method.setdefault(cell.method, []).append(cell)
    lines, total = [f"compute card: {CARD_STEPS} steps of each method timed on this machine"], 0.0
    for method, group in by_method.items():
        sections = group[0].config("card")
        if threads:
            sections["train"]["threads"] = threads
        card = estimate(environment.from_environment(Config.from_dict(sections)), steps=CARD_STEPS)
        seconds = [min(card.seconds_per_step * c.config("card")["train"]["steps"],
                       60 * c.budget.minutes if c.budget.minutes else float("inf")) for c in group]
        total += sum(seconds)
        lines.append(f"  {method:<14} {card.images_per_second:8,.0f} img/s  {1000 * card.seconds_per_step:7,.1f} s per "
                     f"1 000 steps  {len(group)} cell{'s' * (len(group) > 1)} x {duration(max(seconds))}")
    lines.append(f"  the suite: about {duration(total / max(jobs, 1))} of training with --jobs {jobs}, "
                 "plus each cell's evaluation")
    return lines


def _cancel(futures: dict[Future[Any], Cell]) -> None:
    for future in futures:
        future.cancel()  # only those not yet handed to a worker; a worker's own cell sees the stop flag


@contextmanager
def _workers_ignore_sigint() -> Iterator[None]:
    """Spawned workers inherit an ignored SIGINT, so a Ctrl-C that reaches one while it starts up (importing
    torch) or between cells does not kill it; the trainer handles Ctrl-C while the worker trains."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


_worker_stop: StopFlag | None = None  # in a worker process: the parent's stop flag, from _start_worker


def _start_worker(stop: StopFlag) -> None:
    """A worker process starts here: multiprocessing's Event can only reach it as a pool initializer's argument."""
    global _worker_stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as inherited; also for a worker the pool starts later
    _worker_stop = stop


def _run_cell_in_worker(cell: Cell, results: Path, threads: int, inception: bool) -> dict[str, Any] | Stopped:
    return run_cell(cell, results, threads, inception, stop=_worker_stop)


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
              progress: bool = True, inception: bool = False, command: str = "",
              methods: tuple[str, ...] | None = None) -> str:
    """Run (or finish) the suite into `results`; writes bench.json, results.csv, results.md and plots.
    `methods` keeps only those of the suite; the tables then hold only their cells.
    `command` is recorded as what produced them (the CLI passes its command line)."""
    cells = suite_cells(suite, budget, seeds, methods)
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
    write_text_atomic(results / "bench.json", json.dumps(meta, indent=1) + "\n")
    header = (f"# gankit bench {suite} --budget {budget}\n\n{SUITES[suite].summary}. {len(cells)} cells; "
              f"{meta['wall_seconds'] / 60:.1f} min wall-clock over finished invocations (this one: --jobs {jobs}); "
              f"{total:.0f} s of training summed over cells; {meta['machine']}; {meta['date']}.\n\n")
    write_text_atomic(results / "results.md", header + table)
    return header + table + f"\nresults in {results}"
