"""Every benchmark suite runs end to end at a tiny budget (the published budgets are in docs/benchmarks.md)."""

from __future__ import annotations

import json

import pytest

from gankit.benchmark.runner import run_suite
from gankit.benchmark.suites import SUITES, suite_cells
from gankit.errors import GankitError


@pytest.mark.slow
def test_the_stacked_mnist_suite_with_two_seeds_counts_modes_for_every_method(tmp_path):
    summary = run_suite("stacked-mnist", "smoke", tmp_path, seeds=2, progress=False, command="test")
    meta = json.loads((tmp_path / "bench.json").read_text())
    methods = SUITES["stacked-mnist"].methods
    assert meta["cells"] == 2 * len(methods) and sorted((r["method"], r["seed"]) for r in meta["rows"]) == sorted(
        (m, s) for m in methods for s in (0, 1))
    for row in meta["rows"]:  # classes predicted among 1 000 digit triples, from the 500 samples of the smoke budget
        assert 1 <= row["modes"] <= 500 and row["num_classes"] == 1000 and row["steps"] == 20
    pacgan = tmp_path / "cells" / "stacked-mnist-5k" / "pacgan2-seed1" / "config.yaml"
    assert "pack: 2" in pacgan.read_text()  # PacGAN trained with a D judging pairs
    assert "| stacked-mnist-5k | pacgan2 | 2 |" in summary


def test_seeds_multiply_the_cells_and_keep_each_method_s_settings():
    cells = suite_cells("modes", "smoke", seeds=3)
    assert len(cells) == 3 * len(SUITES["modes"].datasets) * len(SUITES["modes"].methods)
    assert {c.seed for c in cells} == {0, 1, 2}


def test_the_modern_recipe_runs_in_every_suite_and_cifar10_is_scored_in_inception_features():
    for suite in ("objectives", "modes", "stacked-mnist"):
        assert "modern" in SUITES[suite].methods
    cell = next(c for c in suite_cells("modes", "cpu") if c.method == "modern")
    sections = cell.config("out")
    assert sections["model"]["recipe"] == "modern" and "objective" not in sections  # the recipe picks rpgan
    cifar = SUITES["cifar10"]
    assert all(budget.features == "inception" for budget in cifar.budgets.values())
    assert cifar.budgets["gpu"].final_samples == 50_000 and "modern" in cifar.methods  # the standard protocol
    with pytest.raises(GankitError, match="unknown budget 'tpu'"):
        suite_cells("cifar10", "tpu")


def test_methods_keep_only_those_cells_and_an_unknown_method_is_one_line_before_anything_is_written(tmp_path):
    cells = suite_cells("modes", "cpu", methods=("ebm", "modern"))
    assert [(c.dataset, c.method) for c in cells if c.seed == 0] == [
        ("ring8", "modern"), ("ring8", "ebm"), ("grid25", "modern"), ("grid25", "ebm")]  # the suite's order
    from click.testing import CliRunner

    from gankit.cli import main
    out = tmp_path / "results"
    result = CliRunner().invoke(main, ["bench", "modes", "--methods", "modern,nope", "--out", str(out)])
    assert result.exit_code != 0 and "suite 'modes' has no method 'nope'" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()
