"""gankit.viz.report: write_report picks the run or the bench page and writes report.html in the folder."""

import json

import pytest

from gankit.errors import GankitError
from gankit.viz.report import write_report


def test_the_page_follows_what_the_folder_holds_and_anything_else_is_one_line(tmp_path):
    bench, run, other = tmp_path / "bench", tmp_path / "run", tmp_path / "other"
    for folder in (bench, run, other):
        folder.mkdir()
    (bench / "bench.json").write_text(json.dumps({"suite": "views", "rows": [], "plots": []}))
    (run / "config.yaml").write_text("model:\n  algorithm: gan\n")
    assert write_report(bench) == bench / "report.html" and "<h1>gankit bench views</h1>" in (
        bench / "report.html").read_text()
    assert "<h1>gankit run: run</h1>" in write_report(run).read_text()
    with pytest.raises(GankitError, match="neither a run folder"):
        write_report(other)
    assert not (other / "report.html").exists()
