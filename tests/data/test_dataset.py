from __future__ import annotations

import torch

from gankit.data.dataset import to_model_range, to_uint8


def test_model_range_round_trip() -> None:
    x = torch.arange(256, dtype=torch.uint8).reshape(1, 1, 16, 16)
    y = to_model_range(x)
    assert y.dtype == torch.float32 and y.min() == -1 and y.max() == 1
    assert torch.equal(to_uint8(y), x)
    assert torch.equal(to_uint8(torch.tensor([-3.0, 3.0])), torch.tensor([0, 255], dtype=torch.uint8))
    points = torch.randn(4, 2)
    assert to_model_range(points) is points
