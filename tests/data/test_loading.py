from __future__ import annotations

import pytest

from gankit.config import DataConfig
from gankit.data.loading import load_dataset
from gankit.errors import DataError


def test_bad_split_is_rejected() -> None:
    with pytest.raises(DataError, match="data.split must be one of train, test, got 'valid'"):
        load_dataset(DataConfig(name="ring8", split="valid"))  # type: ignore[arg-type]
