from __future__ import annotations

import json

import pytest

from gankit.benchmark.runner import run_suite
from gankit.benchmark.suites import SUITES


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
