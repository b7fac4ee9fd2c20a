"""The suites as data: their cells, methods, seeds and budgets (the published budgets are in docs/benchmarks.md)."""

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


def test_suites_share_data_network_and_budget_and_differ_in_method_and_seed():
    cells = suite_cells("objectives", "cpu")
    assert len(cells) == 11 * 2 and {c.dataset for c in cells} == {"fashion-mnist"}
    configs = {c.method: c.config("x") for c in cells}
    assert configs["hinge-sn"]["model"]["spectral_norm"] is True and configs["ebm"]["model"]["algorithm"] == "ebm"
    assert {c["train"]["steps"] for c in configs.values()} == {1000}
    assert "objective" not in configs["vae"]  # views keep their own defaults
    stacked = suite_cells("stacked-mnist", "smoke")
    assert [c.method for c in stacked] == ["ns", "wgan-gp", "hinge-sn", "pacgan2", "modern"]
    assert stacked[3].config("x")["model"]["pack"] == 2
    with pytest.raises(GankitError, match="unknown budget"):
        suite_cells("modes", "huge")


def test_views_cells_share_a_wall_clock_and_fill_it_at_each_methods_rate():
    from gankit.benchmark.suites import STEPS_PER_MINUTE

    cells = suite_cells("views", "cpu")
    assert {c.method for c in cells} == {"vae", "rae", "ebm", "drl", "ns", "modern-dcgan"} and len(cells) == 12
    for cell in cells:
        train = cell.config("run")["train"]
        assert train["time_limit"] == 15.0
        assert train["steps"] == max(round(STEPS_PER_MINUTE[cell.method] * 15), 1)
    rae = next(c for c in cells if c.method == "rae").config("run")
    assert rae["model"] == {"width": 0, "algorithm": "rae", "recipe": "modern"}  # the recipe picks its widths
    assert rae["vae"]["density_components"] == 100  # the preset's mixture, its best (docs/views.md)
    drl = next(c for c in cells if c.method == "drl").config("run")  # the preset's best pilot (docs/views.md)
    assert drl["ebm"]["score_matching"] == 1.0 and drl["ebm"]["denoise_jump"] and drl["ebm"]["level_bias"]
    assert (drl["ebm"]["langevin_steps"], drl["ebm"]["sample_steps"]) == (5, 30)
    assert (drl["ebm"]["energy_ema"], drl["ebm"]["sample_chain_step_size"]) == (0.999, 2e-3)
    assert drl["model"]["algorithm"] == "drl" and drl["model"]["d_depth"] == 2
    assert all(c.config("run")["train"]["precision"] == "auto" for c in cells)
