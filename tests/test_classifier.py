import os
import shutil

import pytest
import torch
from click.testing import CliRunner

from gankit.cli import main
from gankit.config import DataConfig
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.metrics.classifier import SHIPPED, Recipe, accuracy, load_classifier, save_classifier, train_classifier

HAS_FASHION = os.path.isdir("/usr/share/datasets/fashion-mnist")


@pytest.mark.parametrize(("dataset", "side", "floor"), [("fashion-mnist", 28, 0.91), ("digits", 8, 0.97)])
def test_shipped_classifiers_are_accurate_and_hash_checked(dataset, side, floor):
    model, card = load_classifier(dataset)
    assert card["test_accuracy"] >= floor and len(card["sha256"]) == 64
    x = torch.zeros(3, 1, side, side)
    assert model.features(x).shape == (3, 128) and model(x).shape == (3, 10)


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
        load_classifier("cifar10", tmp_path)


def test_recipe_trains_saves_and_loads_the_same_network(tmp_path):
    model, card = train_classifier("digits", Recipe(epochs=4))
    assert card["test_accuracy"] > 0.9 and card["image_shape"] == [1, 8, 8]
    save_classifier(model, card, tmp_path)
    loaded, loaded_card = load_classifier("digits", tmp_path)
    x = torch.randn(5, 1, 8, 8)
    assert torch.equal(loaded(x), model(x)) and loaded_card["test_accuracy"] == card["test_accuracy"]
    with pytest.raises(GankitError, match="labelled image dataset; ring8"):
        train_classifier("ring8")


def test_features_train_command(tmp_path):
    result = CliRunner().invoke(main, ["features", "train", "digits", "--epochs", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "digits: test accuracy 0." in result.output and (tmp_path / "digits.json").is_file()
