import pytest
import torch

from gankit.data.batches import Batches
from gankit.data.dataset import Dataset
from gankit.errors import ConfigError


def numbered(n: int) -> Dataset:
    """n one-pixel images whose value is their index, labelled by it."""
    return Dataset(name="numbered", kind="image", data=torch.arange(n, dtype=torch.uint8).view(n, 1, 1, 1),
                   labels=torch.arange(n), class_names=[str(i) for i in range(n)])


def test_an_epoch_visits_each_full_batch_once_the_same_way_every_time_and_processes_split_it():
    batches = Batches(numbered(10), batch_size=4, seed=3)
    epoch = torch.cat([batches.get(i).labels for i in range(2)])
    assert batches.per_epoch == 2 and len(set(epoch.tolist())) == 8  # the partial last batch is dropped
    assert torch.equal(Batches(numbered(10), 4, seed=3).get(1).labels, batches.get(1).labels)
    assert not torch.equal(batches.get(2).labels, batches.get(0).labels)  # epoch 1 reshuffles
    halves = [Batches(numbered(10), 4, seed=3, rank=r, size=2).get(5).labels for r in (0, 1)]
    assert torch.equal(torch.cat(halves), batches.get(5).labels)
    assert batches.get(0).x.min() >= -1 and batches.get(0).x.max() <= 1  # model range


def test_a_batch_larger_than_the_data_or_uneven_over_processes_is_refused():
    with pytest.raises(ConfigError, match="larger than the dataset"):
        Batches(numbered(3), batch_size=4, seed=0)
    with pytest.raises(ConfigError, match="does not split evenly over 3 processes"):
        Batches(numbered(10), batch_size=4, seed=0, rank=0, size=3)
