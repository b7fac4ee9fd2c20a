import json

import pytest
import torch
from click.testing import CliRunner

import gankit
from conftest import needs_fashion, tiny_config
from gankit.algorithms.base import seeded
from gankit.cli import main
from gankit.metrics.classifier import load_classifier
from gankit.metrics.evaluate import evaluate_run


@pytest.mark.slow
@needs_fashion
def test_eval_command_writes_a_metric_card_and_caches_real_features(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "run"
    gankit.train(tiny_config(out, data={"name": "fashion-mnist"}, model={"net": "dcgan", "width": 8},
                             train={"steps": 4, "batch_size": 16}))
    result = CliRunner().invoke(main, ["eval", str(out), "--n", "300"])
    assert result.exit_code == 0 and "Langevin" not in result.output, result.output  # one pass: no sampling bar
    card = json.loads((out / "eval-step00000004-n300.json").read_text())
    _, classifier = load_classifier("fashion-mnist")
    assert card["extractor_sha256"] == classifier["sha256"] and (card["n_real"], card["n_fake"]) == (300, 300)
    assert card["real_split"] == "test" and card["fid"] > 20 and 0 <= card["precision"] <= 1  # 4 steps: far off
    assert isinstance(card["fid_per_class"], dict) and card["classifier_score"] >= 1
    (cached,) = (tmp_path / "cache" / "features").rglob("fashion-mnist-test-300.safetensors")
    stamp = cached.stat().st_mtime_ns
    again = evaluate_run(gankit.load(out), n=300)
    assert cached.stat().st_mtime_ns == stamp and again["fid"] == pytest.approx(card["fid"], rel=1e-9)


@pytest.mark.slow
@needs_fashion
def test_eval_scores_the_ema_or_the_trained_weights_in_separate_cards(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "run"
    gankit.train(tiny_config(out, data={"name": "fashion-mnist"}, model={"net": "dcgan", "width": 8, "g_ema": 0.5},
                             train={"steps": 6, "batch_size": 16}))
    average, trained = gankit.load(out), gankit.load(out, weights="raw")
    assert average.algorithm.samples_from_average and not trained.algorithm.samples_from_average
    assert torch.equal(trained.sample(8, seed=3), average.algorithm.generator.sample(8, None, seeded(
        torch.device("cpu"), 3)).detach())  # G's own weights, the same z
    assert not torch.allclose(average.sample(8, seed=3), trained.sample(8, seed=3))
    for flags in ([], ["--weights", "raw"], ["--seed", "1"], ["--split", "train"], ["--n", "300"]):
        result = CliRunner().invoke(main, ["eval", str(out), "--n", "200", *flags])
        assert result.exit_code == 0, result.output
    ema = json.loads((out / "eval-step00000006-n200.json").read_text())
    raw = json.loads((out / "eval-step00000006-raw-n200.json").read_text())
    assert (ema["weights"], raw["weights"]) == ("ema", "raw") and ema["fid"] != raw["fid"]
    # another seed, split or count is a card of its own: the first card is not overwritten
    other_seed = json.loads((out / "eval-step00000006-seed1-n200.json").read_text())
    other_split = json.loads((out / "eval-step00000006-train-n200.json").read_text())
    more = json.loads((out / "eval-step00000006-n300.json").read_text())
    assert (ema["seed"], other_seed["seed"]) == (0, 1) and other_seed["fid"] != ema["fid"]
    assert other_split["real_split"] == "train" and ema["real_split"] == "test"
    assert (ema["n_fake"], more["n_fake"]) == (200, 300)


@pytest.mark.slow
@needs_fashion
def test_eval_compares_dataset_splits_and_noise_to_calibrate(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    fids = {}
    for fake in ("train", "test", "noise"):
        result = CliRunner().invoke(main, ["eval", "--data", "fashion-mnist", "--fake", fake, "--n", "400"])
        assert result.exit_code == 0, result.output
        fids[fake] = float(result.output.split("fid ")[1].split(",")[0])
    assert max(fids["test"], fids["train"]) < fids["noise"] / 20  # real vs real: sampling noise; noise: far
    assert "give a RUN_DIR, or --data and --fake" in CliRunner().invoke(main, ["eval"]).output


def test_eval_and_sample_take_sampling_settings_of_a_trained_energy_and_refuse_others(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "run"
    gankit.train(tiny_config(out, data={"name": "digits"}, model={"algorithm": "ebm", "width": 8},
                             ebm={"buffer_size": 64, "langevin_steps": 2}, train={"steps": 4, "batch_size": 16}))
    flags = ["--sampler", "ebm.sample_from_noise=true", "--sampler", "ebm.sample_steps=3"]
    for extra in ([], flags):
        result = CliRunner().invoke(main, ["eval", str(out), "--n", "100", *extra])
        assert result.exit_code == 0 and "sampling 100 by Langevin" in result.output, result.output
    default = json.loads((out / "eval-step00000004-n100.json").read_text())
    (other,) = out.glob("eval-step00000004-sampler-*.json")  # beside the trained sampler's card, not over it
    card = json.loads(other.read_text())
    assert card["sampler"] == {"ebm.sample_from_noise": "true", "ebm.sample_steps": "3"} and "sampler" not in default
    assert card["fid"] != default["fid"]
    cards = sorted(out.glob("eval-*.json"))
    for bad, message in ((["--sampler", "ebm.langevin_steps=3"], "not a sampling setting of ebm"),
                         (["--sampler", "ebm.sample_steps=many"], "ebm.sample_steps must be int"),
                         (["--sampler", "ebm.sample_steps"], "--sampler expects KEY=VALUE")):
        result = CliRunner().invoke(main, ["eval", str(out), "--n", "100", *bad])
        assert result.exit_code == 1 and message in result.output and len(result.output.splitlines()) == 1, bad
    assert sorted(out.glob("eval-*.json")) == cards  # nothing written by a refused setting
    image = tmp_path / "noise.png"
    result = CliRunner().invoke(main, ["sample", str(out), "--n", "8", "--out", str(image), *flags])
    assert result.exit_code == 0 and image.is_file(), result.output
