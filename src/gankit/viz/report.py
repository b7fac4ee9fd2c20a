"""`gankit report PATH`: one self-contained HTML page (images inlined) for a run or a benchmark folder."""

from __future__ import annotations

from pathlib import Path

from gankit.errors import GankitError
from gankit.files import write_text_atomic
from gankit.viz.bench_report import bench_report
from gankit.viz.run_report import run_report


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
