from __future__ import annotations

import json

import pytest

import gankit
import gankit.api
from conftest import needs_fashion, small, stop_runs_at
from gankit.benchmark.runner import run_suite
from gankit.benchmark.suites import SUITES, suite_cells


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


def test_an_interrupted_cell_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    from gankit.benchmark.runner import cell_dir, run_cell

    cell = suite_cells("modes", "smoke")[1]  # ring8 / ns
    folder = cell_dir(tmp_path, cell)

    def stop_at_20(trainer):
        if trainer.step == 20:
            trainer.request_stop()

    gankit.train(cell.config(str(folder)), callbacks=(stop_at_20,))
    resumed = []
    real_resume = gankit.api.resume
    monkeypatch.setattr(gankit.api, "resume", lambda path, **kw: resumed.append(path) or real_resume(path, **kw))
    result = run_cell(cell, tmp_path)
    assert resumed == [folder] and result["steps"] == 50 and result["modes_captured"] >= 0


@needs_fashion
def test_features_inception_adds_the_standard_fid_of_each_final_model(tmp_path, monkeypatch):
    import gankit.benchmark.runner as evaluate  # the runner's own name for evaluate_run
    from gankit.benchmark.runner import run_cell
    from gankit.viz.bench_results import columns_for

    asked = []

    def fake_evaluate(run, n, features="classifier", **kwargs):
        asked.append(features)
        return {"fid": 50.0 if features == "inception" else 9.0, "kid": 1.0, "precision": 0.5, "recall": 0.4,
                "density": 1.0, "coverage": 0.3, "extractor": features}

    monkeypatch.setattr(evaluate, "evaluate_run", fake_evaluate)
    cell = suite_cells("objectives", "smoke")[1]
    result = run_cell(cell, tmp_path, inception=True)
    assert asked == ["classifier", "inception"] and (result["fid"], result["inception_fid"]) == (9.0, 50.0)
    assert columns_for([result])[0] == "inception_fid"


@needs_fashion
def test_a_cell_keeps_its_training_seed_beside_the_evaluation_seed(tmp_path, monkeypatch):
    import gankit.benchmark.runner as evaluate  # the runner's own name for evaluate_run
    from gankit.benchmark.runner import cell_dir, run_cell

    def card_with_eval_seed(run, n, features="classifier", **kwargs):
        return {"fid": 9.0, "precision": 0.5, "recall": 0.4, "seed": 0, "extractor": features}

    monkeypatch.setattr(evaluate, "evaluate_run", card_with_eval_seed)
    cell = next(c for c in suite_cells("objectives", "smoke", seeds=2) if c.method == "ns" and c.seed == 1)
    result = run_cell(cell, tmp_path)
    assert (result["seed"], result["eval_seed"]) == (1, 0)
    # A result file that names another seed (as gankit 0.1.0 wrote them) is read as the cell it belongs to.
    done = cell_dir(tmp_path, cell) / "result.json"
    done.write_text(json.dumps({**result, "seed": 0}))
    assert run_cell(cell, tmp_path)["seed"] == 1


@needs_fashion
def test_the_cells_bar_follows_an_energy_models_sampling_during_its_evaluation(tmp_path, monkeypatch, capsys):
    import gankit.benchmark.runner as runner

    def sampling_evaluate(run, n, features="classifier", progress=None, **kwargs):
        assert progress is not None  # the cells bar's, handed down to the sampler
        progress(7, 180)
        return {"fid": 9.0, "precision": 0.5, "recall": 0.4, "extractor": features}

    monkeypatch.setattr(runner, "evaluate_run", sampling_evaluate)
    cell = small(next(c for c in suite_cells("views", "smoke") if c.method == "ebm"))
    (row,) = runner.run_cells([cell], tmp_path)
    assert row["fid"] == 9.0 and f"{cell.name}, sampling: Langevin step 7/180" in capsys.readouterr().err


# a 2D cell (modes.json) and an image cell (evaluated)
@pytest.mark.parametrize("suite", ["modes", pytest.param("objectives", marks=needs_fashion)])
def test_an_interrupted_cell_writes_no_result_and_is_not_evaluated(tmp_path, monkeypatch, suite):
    import gankit.benchmark.runner as runner

    evaluated = []
    monkeypatch.setattr(runner, "evaluate_run", lambda *args, **kwargs: evaluated.append(args) or {"fid": 1.0})
    stop_runs_at(monkeypatch, 10)
    cell = small(suite_cells(suite, "smoke")[1])
    outcome, folder = runner.run_cell(cell, tmp_path), runner.cell_dir(tmp_path, cell)
    assert not (folder / "result.json").exists() and evaluated == []
    assert outcome == runner.Stopped(cell.name, 10)
    assert json.loads((folder / "checkpoints" / "last.json").read_text())["step"] == 10
