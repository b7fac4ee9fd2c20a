"""Checkpoints as safetensors (every tensor) + JSON (everything else). Loading never unpickles.

A checkpoint named TAG (`last`, `best`) is `checkpoints/TAG.json`, which names the tensor file it
belongs to and its SHA-256. Both are written to a temp file and renamed into place, the tensors
first, so a crash at any moment leaves the previous checkpoint intact and readable.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import Tensor

from gankit.errors import CheckpointError

FORMAT_VERSION = 1


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to `path` via a temp file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_checkpoint(folder: Path, tag: str, tensors: dict[str, Tensor], meta: dict[str, Any]) -> Path:
    """Save tensors + meta as checkpoint `tag`; returns the JSON path. Unreferenced tensor files are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    tensor_name = f"{tag}-step{meta['step']:08d}.safetensors"
    tensor_path = folder / tensor_name
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{tensor_name}.", suffix=".tmp")
    os.close(fd)
    try:
        save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, tmp)
        os.replace(tmp, tensor_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    record = {"format": FORMAT_VERSION, "tensors": tensor_name, "sha256": _sha256(tensor_path), **meta}
    json_path = folder / f"{tag}.json"
    write_atomic(json_path, json.dumps(record, indent=1).encode())
    _remove_unreferenced(folder)
    return json_path


def _remove_unreferenced(folder: Path) -> None:
    keep = set()
    for record_path in folder.glob("*.json"):
        try:
            keep.add(json.loads(record_path.read_text())["tensors"])
        except (ValueError, KeyError):
            continue
    for tensor_file in folder.glob("*.safetensors"):
        if tensor_file.name not in keep:
            tensor_file.unlink(missing_ok=True)


def load_checkpoint(folder: Path, tag: str = "last") -> tuple[dict[str, Tensor], dict[str, Any]]:
    """Read checkpoint `tag`, checking format version and tensor-file hash."""
    json_path = folder / f"{tag}.json"
    if not json_path.is_file():
        found = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
        hint = f"; available: {', '.join(found)}" if found else ""
        raise CheckpointError(f"no {tag!r} checkpoint in {folder}{hint}")
    try:
        meta = json.loads(json_path.read_text())
    except ValueError as err:
        raise CheckpointError(f"{json_path} is not valid JSON ({err})") from None
    if meta.get("format") != FORMAT_VERSION:
        raise CheckpointError(f"{json_path} has format {meta.get('format')}, this gankit reads {FORMAT_VERSION}")
    tensor_path = folder / meta["tensors"]
    if not tensor_path.is_file():
        raise CheckpointError(f"{json_path} refers to {tensor_path.name}, which is missing")
    if _sha256(tensor_path) != meta["sha256"]:
        raise CheckpointError(f"{tensor_path} does not match the hash in {json_path.name}: the file is damaged")
    return load_file(tensor_path), meta


def read_meta(folder: Path, tag: str) -> dict[str, Any] | None:
    """The JSON half of checkpoint `tag` without reading its tensors; None if there is none."""
    try:
        return json.loads((folder / f"{tag}.json").read_text())
    except (OSError, ValueError):
        return None


def rng_state_tensors(generator: torch.Generator) -> dict[str, Tensor]:
    """The RNG states a resume must restore: the training generator's and torch's global ones."""
    states = {"rng.train": generator.get_state(), "rng.torch_cpu": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, state in enumerate(torch.cuda.get_rng_state_all()):
            states[f"rng.torch_cuda{i}"] = state
    return states


def restore_rng_states(generator: torch.Generator, tensors: dict[str, Tensor]) -> None:
    generator.set_state(tensors["rng.train"])
    torch.set_rng_state(tensors["rng.torch_cpu"])
    cuda = sorted(k for k in tensors if k.startswith("rng.torch_cuda"))
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([tensors[k] for k in cuda][: torch.cuda.device_count()])


def optimizer_to_flat(name: str, optimizer: torch.optim.Optimizer) -> tuple[dict[str, Tensor], dict[str, Any]]:
    """Split an optimizer's state_dict into tensors (for safetensors) and the JSON-able rest."""
    state = optimizer.state_dict()
    tensors: dict[str, Tensor] = {}
    plain: dict[str, dict[str, Any]] = {}
    for param_id, values in state["state"].items():
        for key, value in values.items():
            if isinstance(value, Tensor):
                tensors[f"optim.{name}.{param_id}.{key}"] = value
            else:
                plain.setdefault(str(param_id), {})[key] = value
    return tensors, {"param_groups": state["param_groups"], "plain_state": plain}


def optimizer_from_flat(
    name: str, optimizer: torch.optim.Optimizer, tensors: dict[str, Tensor], meta: dict[str, Any]
) -> None:
    state: dict[int, dict[str, Any]] = {}
    prefix = f"optim.{name}."
    for key, value in tensors.items():
        if key.startswith(prefix):
            param_id, field = key[len(prefix) :].split(".", 1)
            state.setdefault(int(param_id), {})[field] = value
    for param_id, values in meta["plain_state"].items():
        state.setdefault(int(param_id), {}).update(values)
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
