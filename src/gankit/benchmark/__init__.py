"""`gankit bench SUITE`: every method side by side on one dataset, network and budget, several seeds."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import torch

from gankit.benchmark.results import markdown_table, plots, write_csv
from gankit.benchmark.runner import run_cells
from gankit.benchmark.suites import SUITES, Cell, suite_cells


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


def wall_seconds(results: Path) -> float:
    """Wall-clock of the finished invocations so far on this folder (a suite re-run), from bench.json."""
    path = results / "bench.json"
    if not path.is_file():
        return 0.0
    meta = json.loads(path.read_text())
    return float(meta.get("wall_seconds", meta.get("seconds_this_invocation", 0.0)))


def run_suite(suite: str, budget: str, results: Path, seeds: int | None = None, jobs: int = 1,
              progress: bool = True, inception: bool = False) -> str:
    """Run (or finish) the suite into `results`; writes bench.json, results.csv, results.md and plots."""
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
            "command": " ".join(["gankit", *sys.argv[1:]]), "plots": [p.name for p in pictures], "rows": rows}
    (results / "bench.json").write_text(json.dumps(meta, indent=1) + "\n")
    header = (f"# gankit bench {suite} --budget {budget}\n\n{SUITES[suite].summary}. {len(cells)} cells; "
              f"{meta['wall_seconds'] / 60:.1f} min wall-clock over finished invocations (this one: --jobs {jobs}); "
              f"{total:.0f} s of training summed over cells; {meta['machine']}; {meta['date']}.\n\n")
    (results / "results.md").write_text(header + table)
    return header + table + f"\nresults in {results}"


__all__ = ["Cell", "SUITES", "run_suite", "suite_cells", "wall_seconds"]
