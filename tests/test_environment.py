import pytest

from gankit import environment
from gankit.config import Config
from gankit.errors import GankitError
from gankit.world import ONE_PROCESS


def test_the_cache_and_threads_fill_only_what_the_config_leaves_open(monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", "/cache")
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    filled = environment.from_environment(Config())
    assert filled.data.root == "/cache" and filled.train.threads == 3
    chosen = Config().override({"data.root": "/mine", "train.threads": 2})
    assert environment.from_environment(chosen) == chosen
    monkeypatch.setenv("OMP_NUM_THREADS", "zero")
    assert environment.omp_threads() is None


def test_world_reads_torchrun_and_names_a_malformed_variable(monkeypatch):
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert environment.world() is ONE_PROCESS
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("MASTER_PORT", "1234")
    world = environment.world()
    assert (world.rank, world.size, world.local_rank, world.master_port) == (1, 2, 0, 1234)
    monkeypatch.setenv("LOCAL_RANK", "x")
    with pytest.raises(GankitError, match="LOCAL_RANK in the environment must be a whole number"):
        environment.world()
