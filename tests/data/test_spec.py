import json

import torch

from gankit.config import DataConfig
from gankit.data.loading import load_dataset
from gankit.data.spec import DataSpec


def test_a_spec_round_trips_through_json_with_its_modes_and_classes():
    spec = DataSpec.of(load_dataset(DataConfig(name="ring8", num_points=64)))
    assert spec.kind == "points" and spec.sample_shape == (2,) and spec.num_classes == 8
    assert DataSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    assert spec.modes_tensor().shape == (8, 2) and torch.allclose(spec.modes_tensor().norm(dim=1), torch.tensor(2.0))
