import json
from pathlib import Path

import pytest
import torch

from gankit.errors import CheckpointError
from gankit.training import checkpoint as ckpt


def make_optimizer():
    torch.manual_seed(0)
    net = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.5, 0.999))
    for _ in range(3):
        optimizer.zero_grad()
        net(torch.randn(4, 3)).pow(2).sum().backward()
        optimizer.step()
    return net, optimizer


def test_save_load_round_trip_and_cleanup(tmp_path):
    tensors = {"a": torch.arange(6.0).reshape(2, 3), "b": torch.tensor([1, 2], dtype=torch.int64)}
    ckpt.save_checkpoint(tmp_path, "last", tensors, {"step": 1})
    ckpt.save_checkpoint(tmp_path, "best", tensors, {"step": 1})
    ckpt.save_checkpoint(tmp_path, "last", tensors, {"step": 2})
    loaded, meta = ckpt.load_checkpoint(tmp_path, "last")
    assert meta["step"] == 2 and torch.equal(loaded["a"], tensors["a"]) and torch.equal(loaded["b"], tensors["b"])
    # last's step-1 file is gone, best's is kept, no temp files remain
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["best-step00000001.safetensors", "best.json", "last-step00000002.safetensors", "last.json"]


def test_damaged_or_missing_files_are_reported(tmp_path):
    ckpt.save_checkpoint(tmp_path, "last", {"a": torch.ones(3)}, {"step": 5})
    tensor_file = next(tmp_path.glob("*.safetensors"))
    tensor_file.write_bytes(tensor_file.read_bytes()[:-4] + b"xxxx")
    with pytest.raises(CheckpointError, match="damaged"):
        ckpt.load_checkpoint(tmp_path, "last")
    tensor_file.unlink()
    with pytest.raises(CheckpointError, match="missing"):
        ckpt.load_checkpoint(tmp_path, "last")
    with pytest.raises(CheckpointError, match="no 'best' checkpoint.*available: last"):
        ckpt.load_checkpoint(tmp_path, "best")


def test_checkpoint_holds_no_pickle(tmp_path):
    path = ckpt.save_checkpoint(tmp_path, "last", {"a": torch.ones(2)}, {"step": 0})
    json.loads(path.read_text())  # plain JSON
    blob = next(tmp_path.glob("*.safetensors")).read_bytes()
    assert b"\x80\x04" not in blob[:64] and blob[8:9] == b"{"  # safetensors: u64 header size then JSON


def test_optimizer_state_round_trips_exactly(tmp_path):
    net, optimizer = make_optimizer()
    tensors, meta = ckpt.optimizer_to_flat("g", optimizer)
    ckpt.save_checkpoint(tmp_path, "last", tensors, {"step": 0, "optim": meta})
    loaded, saved_meta = ckpt.load_checkpoint(tmp_path)
    fresh = torch.optim.Adam(net.parameters(), lr=0.5)
    ckpt.optimizer_from_flat("g", fresh, loaded, saved_meta["optim"], tmp_path / "last.json")
    a, b = optimizer.state_dict(), fresh.state_dict()
    assert b["param_groups"][0]["lr"] == 1e-3
    for pid, state in a["state"].items():
        for key, value in state.items():
            assert torch.equal(value, b["state"][pid][key])


def test_rng_states_round_trip():
    rng = torch.Generator().manual_seed(3)
    states = ckpt.rng_state_tensors(rng)
    expected = torch.randn(3, generator=rng), torch.randn(3)
    ckpt.restore_rng_states(rng, states, Path("last.safetensors"))
    assert torch.equal(torch.randn(3, generator=rng), expected[0]) and torch.equal(torch.randn(3), expected[1])


