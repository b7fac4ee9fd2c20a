"""Every benchmark suite runs end to end at a tiny budget (the published budgets are in docs/benchmarks.md)."""

from __future__ import annotations

import pytest

from gankit.benchmark.suites import SUITES, suite_cells
from gankit.errors import GankitError


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
