import json
import math

import pytest
import torch
from click.testing import CliRunner
from PIL import Image

import gankit
from conftest import needs_fashion, tiny_config
from fake_data import make_faces
from gankit.cli import main
from gankit.config import DataConfig
from gankit.data.loading import load_dataset
from gankit.errors import GankitError
from gankit.metrics.classifier import extract_features, load_classifier
from gankit.metrics.evaluate import class_metrics as class_metrics_of
from gankit.metrics.evaluate import (
    compare_features,
    default_eval_samples,
    default_eval_split,
    evaluate_run,
    folder_content_hash,
    real_features,
)
from gankit.metrics.inception import Speed


@pytest.mark.slow
@needs_fashion
def test_real_test_split_is_far_closer_to_train_than_noise_is():
    model, _ = load_classifier("fashion-mnist")
    train = load_dataset(DataConfig(name="fashion-mnist", split="train")).data[:1000]
    test = load_dataset(DataConfig(name="fashion-mnist", split="test")).data[:1000]
    noise = torch.randint(0, 256, test.shape, dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    reference = extract_features(model, train)
    real = compare_features(reference, extract_features(model, test))
    fake = compare_features(reference, extract_features(model, noise))
    assert real["fid"] * 20 < fake["fid"]
    assert real["precision"] > 0.6 and real["recall"] > 0.6 and fake["precision"] < 0.05 and fake["coverage"] < 0.05


def test_a_run_without_ema_has_only_its_trained_weights_to_sample(tmp_path):
    out = tmp_path / "r"
    gankit.train(tiny_config(out, model={"g_ema": 0.0}))  # 2D points keep an EMA by default
    default, raw = gankit.load(out), gankit.load(out, weights="raw")
    assert not default.algorithm.samples_from_average
    assert torch.equal(default.sample(16, seed=1), raw.sample(16, seed=1))


def test_eval_of_2d_data_points_to_the_mode_statistics(tmp_path):
    run = gankit.train(tiny_config(tmp_path / "r"))
    with pytest.raises(GankitError, match="2D points: its metrics are the mode statistics"):
        evaluate_run(run, n=10)


@pytest.mark.slow
@needs_fashion
def test_eval_every_logs_metrics_keeps_the_best_fid_and_never_changes_training(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    base = {"data": {"name": "fashion-mnist"}, "model": {"net": "dcgan", "width": 8}}
    plain = gankit.train(tiny_config(tmp_path / "plain", **base, train={"steps": 4, "batch_size": 16}))
    watched = gankit.train(tiny_config(tmp_path / "watched", **base,
                                       train={"steps": 4, "batch_size": 16, "eval_every": 2, "eval_samples": 64}))
    for a, b in zip(plain.algorithm.state_dict().values(), watched.algorithm.state_dict().values(), strict=True):
        assert torch.equal(a, b)  # evaluation reads the model, never the training RNG or batch norm state
    lines = [json.loads(x) for x in (tmp_path / "watched" / "metrics.jsonl").read_text().splitlines()]
    fids = {line["step"]: line["eval/fid"] for line in lines if "eval/fid" in line}
    assert sorted(fids) == [2, 4] and all(f > 0 for f in fids.values())
    best = json.loads((tmp_path / "watched" / "checkpoints" / "best.json").read_text())
    assert best["score"] == pytest.approx(-min(fids.values())) and best["step"] == min(fids, key=fids.get)


def test_eval_every_is_for_images(tmp_path):
    with pytest.raises(Exception, match="train.eval_every is for images"):
        gankit.train(tiny_config(tmp_path / "r", train={"eval_every": 5}))


@pytest.mark.slow
@needs_fashion
def test_classifier_score_and_class_kl_tell_variety_from_collapse():
    model, _ = load_classifier("fashion-mnist")
    test = load_dataset(DataConfig(name="fashion-mnist", split="test")).data
    real = extract_features(model, test[:1000])
    varied = class_metrics_of(model, real, extract_features(model, test[1000:2000]))
    collapsed = class_metrics_of(model, real, extract_features(model, test[:1].repeat(1000, 1, 1, 1)))
    assert varied["classifier_score"] > 7 and varied["class_kl"] < 0.05  # 10 classes, drawn as the data
    assert collapsed["classifier_score"] < 1.01 and collapsed["class_kl"] > 2  # one image: one class, log 10 ≈ 2.3


def test_class_metrics_count_modes_and_their_kl_to_uniform():
    model, _ = load_classifier("digits")
    real = torch.randn(200, 128).abs()
    one_class = real[model.classify(real).argmax(1) == model.classify(real).argmax(1)[0]]
    collapsed = class_metrics_of(model, real, one_class.repeat(5, 1))
    assert collapsed["modes"] == 1 and collapsed["mode_kl"] == pytest.approx(math.log(10), rel=1e-6)
    spread = class_metrics_of(model, real, real)
    assert spread["modes"] == len(torch.unique(model.classify(real).argmax(1))) and spread["class_kl"] == 0


@pytest.mark.slow
def test_stacked_mnist_real_data_shows_at_least_990_modes_and_low_kl():
    model, _ = load_classifier("stacked-mnist-5k")
    test, train = (load_dataset(DataConfig(name="stacked-mnist-5k", split=s)) for s in ("test", "train"))
    real = extract_features(model, test.data)
    counted = class_metrics_of(model, extract_features(model, train.data[:2000]), real)
    assert counted["modes"] >= 990 and counted["mode_kl"] < 0.1


class FakeInception:
    """A stand-in for the Inception feature space (its weights are an 81 MB download): mean-pooled pixels."""

    classes: list[str] = []
    classifier = None
    cache_key = "fake-inception"

    def __init__(self, data, cache):
        self.card = {"extractor": "inception", "extractor_sha1": "0" * 40, "protocol": "fake",
                     "extractor_precision": "fp32", "device": "cpu"}

    def features(self, images):
        x = images.float() / 127.5 - 1 if images.dtype == torch.uint8 else images.float()
        return torch.nn.functional.adaptive_avg_pool2d(x, 4).flatten(1)


def test_eval_with_inception_features_keeps_the_precision_metric_end_to_end(tmp_path, monkeypatch):
    from gankit.metrics.extractors import FEATURE_EXTRACTORS

    monkeypatch.setitem(FEATURE_EXTRACTORS._items, "inception", FakeInception)
    out = tmp_path / "run"
    gankit.train(tiny_config(out, data={"name": "digits"}, model={"net": "dcgan", "width": 8},
                             train={"steps": 4, "batch_size": 16}))
    result = CliRunner().invoke(main, ["eval", str(out), "--n", "300", "--features", "inception"])
    assert result.exit_code == 0, result.output
    card = json.loads((out / "eval-step00000004-inception-n300.json").read_text())
    assert isinstance(card["precision"], float) and 0 <= card["precision"] <= 1
    assert card["extractor_precision"] == "fp32" and f"precision {card['precision']:.4g}" in result.output


def counting_extractor():
    """A stand-in feature extractor (5 pixel values) and the list of batch sizes it was called with."""
    calls = []

    def extract(images):
        calls.append(len(images))
        return images.float().flatten(1)[:, :5].contiguous()

    return extract, calls


def test_a_cached_real_feature_file_is_used_only_when_it_holds_exactly_those_features(tmp_path):
    from gankit.metrics.evaluate import real_features

    data, (extract, calls) = DataConfig(name="digits"), counting_extractor()
    first = real_features(data, "test", 100, extract, "key", tmp_path)
    path = tmp_path / "key" / "digits-test-100.safetensors"
    assert torch.equal(real_features(data, "test", 100, extract, "key", tmp_path), first) and calls == [100]
    for damage in (b"not a safetensors file", b""):
        path.write_bytes(damage)
        assert torch.equal(real_features(data, "test", 100, extract, "key", tmp_path), first)
    from safetensors.torch import save_file

    save_file({"features": first[:50].contiguous()}, path, metadata={"dataset": "digits", "split": "test", "n": "100",
                                                        "extractor": "key"})  # says 100, holds 50
    assert torch.equal(real_features(data, "test", 100, extract, "key", tmp_path), first)
    assert calls == [100, 100, 100, 100]


def test_an_edited_cached_feature_file_is_recomputed_not_used(tmp_path):
    """The cache records its features' hash: values changed behind its back (same shape, same metadata)
    would move every FID, so they are recomputed."""
    from safetensors import safe_open
    from safetensors.torch import save_file

    from gankit.metrics.evaluate import real_features, tensor_digest

    data, (extract, calls) = DataConfig(name="digits"), counting_extractor()
    first = real_features(data, "test", 100, extract, "key", tmp_path)
    path = tmp_path / "key" / "digits-test-100.safetensors"
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
    assert metadata["sha256"] == tensor_digest(first)
    edited = first.clone()
    edited[3, 2] += 1000
    save_file({"features": edited}, path, metadata=metadata)  # the old hash, new values
    again = real_features(data, "test", 100, extract, "key", tmp_path)
    assert torch.equal(again, first) and calls == [100, 100]
    metadata.pop("sha256")
    save_file({"features": first}, path, metadata=metadata)  # no hash recorded: not trusted either
    assert torch.equal(real_features(data, "test", 100, extract, "key", tmp_path), first) and calls == [100] * 3
    assert torch.equal(real_features(data, "test", 100, extract, "key", tmp_path), first) and calls == [100] * 3


@pytest.mark.slow
@needs_fashion
def test_per_class_fid_is_small_within_each_class_of_real_data_and_large_for_noise(tmp_path):
    from gankit.metrics.evaluate import ImageEvaluator

    evaluator = ImageEvaluator(DataConfig(name="fashion-mnist"), 3000, split="test", cache=tmp_path)
    train = load_dataset(DataConfig(name="fashion-mnist", split="train")).data[:3000]
    per_class = evaluator.per_class_fid(evaluator.features(train))  # ~300 images per class, over 50
    assert sorted(per_class) == sorted(evaluator.classes) and all(math.isfinite(v) for v in per_class.values())
    noise = torch.randint(0, 256, train.shape, dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    noisy = evaluator.per_class_fid(evaluator.features(noise), min_count=1)
    assert max(per_class.values()) < min(noisy.values())


class PooledPixels:
    """A cheap stand-in for the Inception network inside gankit's real Inception feature space."""

    def __init__(self, cache):
        self.speed, self.device, self.cache_key = Speed(), torch.device("cpu"), "pooled-pixels"

    def features(self, images):
        return FakeInception.features(self, images)


def test_a_cifar10_card_names_the_standard_protocol_and_whether_it_was_followed(tmp_path, monkeypatch):
    """clean-fid legacy: 50 000 train statistics vs 50 000 samples; the eval defaults to the train split."""
    from fake_data import fake_cifar10_binary

    monkeypatch.setattr("gankit.metrics.inception.InceptionExtractor", PooledPixels)
    fake_cifar10_binary(tmp_path / "cache", per_file=4)
    out = tmp_path / "run"
    gankit.train(tiny_config(out, data={"name": "cifar10", "root": str(tmp_path / "cache")},
                             model={"net": "dcgan", "width": 8}, train={"steps": 2, "batch_size": 4}))
    result = CliRunner().invoke(main, ["eval", str(out), "--n", "12", "--features", "inception"])
    assert result.exit_code == 0, result.output
    card = json.loads((out / "eval-step00000002-inception-n12.json").read_text())
    assert card["standard_protocol"].startswith("clean-fid legacy_tensorflow") and card["standard_n"] == 50_000
    assert card["real_split"] == "train" and card["follows_standard"] is False  # 12 images, not 50 000
    assert "vs 12 train images" in result.output
    assert (default_eval_samples("cifar10"), default_eval_split("cifar10")) == (50_000, "train")
    assert (default_eval_samples("fashion-mnist"), default_eval_split("fashion-mnist")) == (10_000, "test")


def test_folder_real_features_are_cached_by_content(tmp_path):
    faces = make_faces(tmp_path / "faces", count=8)
    calls = []

    def extract(images):
        calls.append(len(images))
        return images.float().flatten(1)[:, :5]

    data = DataConfig(name=f"folder:{faces}", image_size=8)
    first = real_features(data, "test", 6, extract, "key", tmp_path / "cache")
    assert torch.equal(real_features(data, "test", 6, extract, "key", tmp_path / "cache"), first) and calls == [6]
    before = folder_content_hash(str(faces))
    Image.new("RGB", (20, 20), (0, 0, 0)).save(faces / "a" / "1.jpg")  # one image edited
    assert folder_content_hash(str(faces)) != before
    real_features(data, "test", 6, extract, "key", tmp_path / "cache")
    assert calls == [6, 6]
    real_features(DataConfig(name=f"folder:{faces}", image_size=16), "test", 6, extract, "key", tmp_path / "cache")
    assert calls == [6, 6, 6]  # another size is another cache entry
