import pytest
import torch

from gankit.errors import ConfigError
from gankit.training.device import resolve_device


def test_auto_is_the_cpu_without_cuda_and_asking_for_cuda_there_is_one_line(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu") and resolve_device("cpu", local_rank=1).type == "cpu"
    with pytest.raises(ConfigError, match="no CUDA device; use cpu or auto"):
        resolve_device("cuda:0")


def test_each_data_parallel_process_takes_the_gpu_of_its_local_rank(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto", local_rank=1) == torch.device("cuda", 1)
    assert resolve_device("cuda:0", local_rank=1) == torch.device("cuda", 0)  # a named GPU is taken as named
