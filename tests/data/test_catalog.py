from __future__ import annotations

import pytest

from gankit.config import DataConfig
from gankit.data.catalog import dataset_kind, dataset_names
from gankit.data.loading import load_dataset
from gankit.errors import GankitError


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(GankitError) as err:
        load_dataset(DataConfig(name="imagenet"))
    message = str(err.value)
    assert "\n" not in message and "imagenet" in message and "folder:PATH" in message
    assert all(name in message for name in ("ring8", "fashion-mnist", "digits", "cifar10"))
    assert dataset_names()[-2:] == ["folder:PATH", "points:FILE.csv"] and "spiral" in dataset_names()
    assert dataset_kind("points:drawn.csv") == "points" and dataset_kind("folder:faces") == "image"
