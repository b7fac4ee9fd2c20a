from __future__ import annotations

import torch

from gankit.config import DataConfig
from gankit.data.loading import load_dataset


def test_stacked_mnist_labels_are_the_digit_triples() -> None:
    from gankit.data.dataset import Dataset
    from gankit.data.stacked import stack_digits

    # Ten one-pixel "digits": image k lights pixel k, so every channel says which digit it holds.
    images = torch.zeros(10, 1, 4, 4, dtype=torch.uint8)
    images.view(10, -1)[torch.arange(10), torch.arange(10)] = 255
    digits = Dataset(name="toy", kind="image", data=images, labels=torch.arange(10))
    stacked, labels = stack_digits(digits, 500, seed=3)
    shown = stacked.flatten(2).argmax(2)  # [N, 3]: the digit in R, G, B
    assert stacked.shape == (500, 3, 4, 4) and torch.equal(labels, shown[:, 0] * 100 + shown[:, 1] * 10 + shown[:, 2])
    assert not torch.equal(shown[:, 0], shown[:, 1])  # independent draws per channel
    assert torch.equal(stack_digits(digits, 500, seed=3)[1], labels)
    real = load_dataset(DataConfig(name="stacked-mnist-5k", split="test"))
    assert real.data.shape == (26_000, 3, 28, 28) and len(real.class_names) == 1000
    assert len(torch.unique(real.labels)) == 1000
