import pytest
import torch


@pytest.fixture(autouse=True)
def _deterministic_threads():
    # Bit-exact comparisons need the same reduction order in both runs being compared.
    torch.set_num_threads(1)
    yield


def tiny_config(out, **sections):
    """A ring8 config that trains in well under a second."""
    base = {
        "data": {"name": "ring8", "num_points": 2048},
        "model": {"width": 32, "depth": 2},
        "train": {"steps": 20, "batch_size": 64, "out": str(out), "log_every": 5, "sample_every": 10,
                  "checkpoint_every": 10, "progress_steps": [5, 10]},
    }
    for section, values in sections.items():
        base.setdefault(section, {}).update(values)
    return base
