import pytest

from gankit.cli.launch import available_devices, check_nproc, without_nproc
from gankit.errors import ConfigError


def test_nproc_is_dropped_from_the_command_line_in_either_spelling():
    assert without_nproc(["train", "--nproc", "2", "--steps", "5", "--nproc=3"]) == ["train", "--steps", "5"]


def test_an_nproc_the_machine_or_the_batch_cannot_take_is_one_line(monkeypatch):
    for name in ("WORLD_SIZE", "RANK"):
        monkeypatch.delenv(name, raising=False)
    cores, what = available_devices("cpu")
    assert what == "CPU cores" and cores >= 1
    check_nproc(1, "cpu", 64)
    with pytest.raises(ConfigError, match="--nproc must be at least 1"):
        check_nproc(0, "cpu", None)
    with pytest.raises(ConfigError, match="more processes than this machine has CPU cores"):
        check_nproc(cores + 1, "cpu", None)
    monkeypatch.setattr("gankit.cli.launch.available_devices", lambda device: (4, "CPU cores"))
    with pytest.raises(ConfigError, match="does not split evenly over --nproc 3"):
        check_nproc(3, "cpu", 64)
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    with pytest.raises(ConfigError, match="under torchrun, leave it out"):
        check_nproc(2, "cpu", 64)
