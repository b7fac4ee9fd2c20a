import os
import shutil

import pytest
import torch

from gankit.config import DataConfig
from gankit.data.dataset import to_model_range
from gankit.data.loading import load_dataset
from gankit.errors import GankitError
from gankit.metrics.classifier import SHIPPED, Recipe, accuracy, load_classifier, save_classifier, train_classifier

HAS_FASHION = os.path.isdir("/usr/share/datasets/fashion-mnist")


@pytest.mark.parametrize(("dataset", "side", "floor"),
                         [("fashion-mnist", 28, 0.91), ("digits", 8, 0.97), ("mnist-5k", 28, 0.97)])
@pytest.mark.slow
def test_shipped_classifiers_are_accurate_and_hash_checked(dataset, side, floor):
    if dataset == "fashion-mnist" and not HAS_FASHION:
        pytest.skip("Debian's Fashion-MNIST absent")
    model, card = load_classifier(dataset)
    test = load_dataset(DataConfig(name=dataset, split="test"))
    measured = accuracy(model, test.data, test.labels)  # measured here, not read from the card
    assert measured >= floor and measured == pytest.approx(card["test_accuracy"], abs=1e-3)
    assert len(card["sha256"]) == 64
    x = torch.zeros(3, 1, side, side)
    assert model.features(x).shape == (3, 128) and model(x).shape == (3, 10)


@pytest.mark.slow
@pytest.mark.skipif(not HAS_FASHION, reason="Debian's Fashion-MNIST absent")
def test_shipped_classifier_scores_what_its_card_says_on_the_test_split():
    model, card = load_classifier("fashion-mnist")
    test = load_dataset(DataConfig(name="fashion-mnist", split="test"))
    assert accuracy(model, test.data[:2000], test.labels[:2000]) == pytest.approx(card["test_accuracy"], abs=0.02)


def test_damaged_or_missing_weights_are_refused(tmp_path):
    for suffix in (".json", ".safetensors"):
        shutil.copy(SHIPPED / f"fashion-mnist{suffix}", tmp_path / f"fashion-mnist{suffix}")
    weights = tmp_path / "fashion-mnist.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(GankitError, match="does not match the hash.*refusing"):
        load_classifier("fashion-mnist", tmp_path)
    with pytest.raises(GankitError, match="make one with: gankit features train cifar10"):
        load_classifier("cifar10", tmp_path)  # an explicit folder never trains


@pytest.mark.parametrize("card_text", ["", "{not json", "[1, 2]", '{"sha256": "00"}',
                                       '{"sha256": 1, "image_shape": [], "classes": []}'])
def test_a_damaged_card_is_one_line_naming_the_way_to_rebuild_it(tmp_path, card_text):
    shutil.copy(SHIPPED / "fashion-mnist.safetensors", tmp_path / "fashion-mnist.safetensors")
    (tmp_path / "fashion-mnist.json").write_text(card_text)
    with pytest.raises(GankitError, match=r"fashion-mnist.json is damaged: .*gankit features train fashion-mnist"):
        load_classifier("fashion-mnist", tmp_path)


def test_recipe_trains_saves_and_loads_the_same_network(tmp_path):
    model, card = train_classifier("digits", Recipe(epochs=4))
    assert card["test_accuracy"] > 0.9 and card["image_shape"] == [1, 8, 8]
    save_classifier(model, card, tmp_path)
    loaded, loaded_card = load_classifier("digits", tmp_path)
    x = torch.randn(5, 1, 8, 8)
    assert torch.equal(loaded(x), model(x)) and loaded_card["test_accuracy"] == card["test_accuracy"]
    with pytest.raises(GankitError, match="labelled image dataset; ring8"):
        train_classifier("ring8")


@pytest.mark.slow
def test_unshipped_classifiers_train_once_on_first_use_then_load_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr("gankit.metrics.classifier.SHIPPED", tmp_path / "nothing-shipped")
    model, card = load_classifier("digits", cache=tmp_path / "cache")
    assert (tmp_path / "cache" / "digits.safetensors").is_file() and card["test_accuracy"] > 0.9

    def no_training(*args, **kwargs):
        raise AssertionError("trained again")

    monkeypatch.setattr("gankit.metrics.classifier.train_classifier", no_training)
    again, again_card = load_classifier("digits", cache=tmp_path / "cache")
    x = torch.randn(4, 1, 8, 8)
    assert torch.equal(again(x), model(x)) and again_card["sha256"] == card["sha256"]


def test_stacked_classifier_reads_each_channel_and_orders_classes_r_g_b():
    model, card = load_classifier("stacked-mnist-5k")
    digits, _ = load_classifier("mnist-5k")
    assert card["classes"][:3] == ["000", "001", "002"] and len(card["classes"]) == 1000
    test = load_dataset(DataConfig(name="mnist-5k", split="test"))
    triple = torch.cat([test.data[:8], test.data[8:16], test.data[16:24]], dim=1)  # [8, 3, 28, 28]
    expected = sum(digits(to_model_range(test.data[i : i + 8])).argmax(1) * w for i, w in ((0, 100), (8, 10), (16, 1)))
    logits = model(to_model_range(triple))
    assert torch.equal(logits.argmax(1), expected)
    assert torch.allclose(logits.logsumexp(1), torch.zeros(8), atol=1e-4)  # joint log-probabilities
