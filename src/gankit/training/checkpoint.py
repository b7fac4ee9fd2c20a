"""Checkpoints as safetensors (every tensor) + JSON (everything else). Loading never unpickles.

A checkpoint named TAG (`last`, `best`) is `checkpoints/TAG.json`, which names the tensor file it
belongs to (a bare file name in the same folder) and its SHA-256. Both are written to a temp file and
renamed into place, the tensors first, so a crash at any moment leaves the previous checkpoint intact
and readable. A checkpoint is checked whole when it is read: whatever is wrong with it is one
CheckpointError naming the file, never a traceback, and nothing in it is ever executed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save
from torch import Tensor, nn

from gankit.errors import CheckpointError
from gankit.files import write_atomic

FORMAT_VERSION = 1
TENSOR_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.safetensors")  # a bare name: no folder, no '..', not absolute
SHA256 = re.compile(r"[0-9a-f]{64}")


# -- writing ------------------------------------------------------------------------------------
def save_tensors(path: Path, tensors: dict[str, Tensor]) -> bytes:
    """Write tensors as a safetensors file, atomically; returns the bytes written (to hash them)."""
    data = save({k: v.detach().contiguous().cpu() for k, v in tensors.items()})
    write_atomic(path, data)
    return data


def save_checkpoint(folder: Path, tag: str, tensors: dict[str, Tensor], meta: dict[str, Any]) -> Path:
    """Save tensors + meta as checkpoint `tag`; returns the JSON path. Unreferenced tensor files are removed."""
    tensor_name = f"{tag}-step{meta['step']:08d}.safetensors"
    data = save_tensors(folder / tensor_name, tensors)
    record = {"format": FORMAT_VERSION, "tensors": tensor_name, "sha256": hashlib.sha256(data).hexdigest(), **meta}
    json_path = folder / f"{tag}.json"
    write_atomic(json_path, json.dumps(record, indent=1).encode())
    _remove_unreferenced(folder)
    return json_path


def _remove_unreferenced(folder: Path) -> None:
    keep = {record.get("tensors") for path in folder.glob("*.json") if (record := read_meta(folder, path.stem))}
    for tensor_file in folder.glob("*.safetensors"):
        if tensor_file.name not in keep:
            tensor_file.unlink(missing_ok=True)


# -- reading ------------------------------------------------------------------------------------
def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_optimizer_record(value: Any) -> bool:
    """What optimizer_to_flat writes: param groups listing integer ids, and per-id plain state."""
    if not isinstance(value, dict) or not isinstance(value.get("param_groups"), list):
        return False
    groups, plain = value["param_groups"], value.get("plain_state")
    return (all(isinstance(g, dict) and isinstance(g.get("params"), list) and all(map(_is_count, g["params"]))
                for g in groups)
            and isinstance(plain, dict) and all(k.isdecimal() and isinstance(v, dict) for k, v in plain.items()))


Check = tuple[Callable[[Any], bool], str]
FILE_FIELDS: dict[str, Check] = {  # what every checkpoint holds
    "tensors": (lambda v: isinstance(v, str) and TENSOR_FILE.fullmatch(v) is not None,
                "the name of a .safetensors file in the same folder (no folders, no '..')"),
    "sha256": (lambda v: isinstance(v, str) and SHA256.fullmatch(v) is not None, "a SHA-256 in hex"),
    "step": (_is_count, "a whole number >= 0"),
}
RUN_FIELDS: dict[str, Check] = {  # what the trainer adds: a run resumes from these
    "batches_drawn": (_is_count, "a whole number >= 0"),
    "optimizers": (lambda v: isinstance(v, dict) and all(map(_is_optimizer_record, v.values())),
                   "each optimizer's param_groups and plain_state"),
}
OPTIONAL_FIELDS: dict[str, Check] = {
    "recoveries": (_is_count, "a whole number >= 0"),
    "score": (lambda v: v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)), "a number or null"),
    "precision": (lambda v: isinstance(v, dict), "the loss scaler's state (an object)"),
    "measured": (lambda v: isinstance(v, dict) and v.get("precision") in ("fp32", "bf16", "fp16")
                 and _is_count(v.get("threads")) and v["threads"] >= 1,
                 "what `auto` chose: precision fp32, bf16 or fp16 and threads >= 1"),
}


def _check_fields(record: dict[str, Any], fields: dict[str, Check], path: Path, required: bool = True) -> None:
    for key, (valid, description) in fields.items():
        if key not in record:
            if required:
                raise CheckpointError(f"{path} has no {key!r}: the file is damaged")
        elif not valid(record[key]):
            raise CheckpointError(f"{path}: {key!r} must be {description}, not {record[key]!r:.80}")


def _read_record(json_path: Path) -> dict[str, Any]:
    try:
        record = json.loads(json_path.read_text())
    except OSError as err:
        raise CheckpointError(f"cannot read {json_path} ({err.strerror or err})") from None
    except ValueError as err:
        raise CheckpointError(f"{json_path} is not valid JSON ({err})") from None
    if not isinstance(record, dict):
        raise CheckpointError(f"{json_path} is not a checkpoint (a JSON object), it holds a {type(record).__name__}")
    if record.get("format") != FORMAT_VERSION:
        raise CheckpointError(f"{json_path} has format {record.get('format')!r:.40}, gankit reads {FORMAT_VERSION}")
    _check_fields(record, FILE_FIELDS, json_path)
    _check_fields(record, OPTIONAL_FIELDS, json_path, required=False)
    return record


def load_checkpoint(folder: Path, tag: str = "last") -> tuple[dict[str, Tensor], dict[str, Any]]:
    """Read checkpoint `tag`: its JSON fields, the tensor file's name, hash and contents, and finite values."""
    json_path = folder / f"{tag}.json"
    if not json_path.is_file():
        found = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
        hint = f"; available: {', '.join(found)}" if found else ""
        raise CheckpointError(f"no {tag!r} checkpoint in {folder}{hint}")
    meta = _read_record(json_path)
    tensor_path = folder / meta["tensors"]
    if tensor_path.is_symlink():  # a link could lead out of the run folder, like a path with '..'
        raise CheckpointError(f"{tensor_path} is a link; a checkpoint's tensors must be a plain file in {folder}")
    if not tensor_path.is_file():
        raise CheckpointError(f"{json_path} refers to {tensor_path.name}, which is missing")
    try:
        data = tensor_path.read_bytes()  # hashed and parsed from the same bytes
    except OSError as err:
        raise CheckpointError(f"cannot read {tensor_path} ({err.strerror or err})") from None
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        raise CheckpointError(f"{tensor_path} does not match the hash in {json_path.name}: the file is damaged")
    try:
        tensors = load(data)
    except (SafetensorError, ValueError, RuntimeError) as err:
        raise CheckpointError(f"{tensor_path} is not a readable safetensors file ({_one_line(err)})") from None
    for key, value in tensors.items():
        if value.is_floating_point() and not bool(value.isfinite().all()):
            raise CheckpointError(f"{tensor_path}: {key} holds NaN or inf; a diverged state is never loaded")
    return tensors, meta


def load_run_checkpoint(folder: Path, tag: str = "last") -> tuple[dict[str, Tensor], dict[str, Any]]:
    """Read a run's checkpoint `tag` (load_checkpoint), also checking the training state a resume restores."""
    tensors, meta = load_checkpoint(folder, tag)
    _check_fields(meta, RUN_FIELDS, folder / f"{tag}.json")
    tensor_path = folder / meta["tensors"]
    for key in ("rng.train", "rng.torch_cpu"):
        state = tensors.get(key)
        if state is None or state.dtype != torch.uint8 or state.dim() != 1:
            raise CheckpointError(f"{tensor_path}: {key} is missing or not a random generator's state (bytes)")
    try:
        torch.Generator().set_state(tensors["rng.torch_cpu"])  # a scratch generator: checks, changes nothing
    except RuntimeError as err:
        raise CheckpointError(f"{tensor_path}: rng.torch_cpu is not a CPU generator's state "
                              f"({_one_line(err)})") from None
    _check_optimizer_tensors(tensors, meta["optimizers"], tensor_path)
    return tensors, meta


def _check_optimizer_tensors(tensors: dict[str, Tensor], optimizers: dict[str, Any], path: Path) -> None:
    """Each optim.NAME.ID.FIELD tensor belongs to a listed parameter; every parameter with state holds the
    same fields, and its tensors (besides scalars such as `step`) one shape."""
    fields: dict[str, dict[int, set[str]]] = {}
    shapes: dict[tuple[str, int], set[tuple[int, ...]]] = {}
    for name, record in optimizers.items():
        for param_id, values in record["plain_state"].items():
            fields.setdefault(name, {}).setdefault(int(param_id), set()).update(values)
    for key, value in tensors.items():
        if not key.startswith("optim."):
            continue
        _, name, param_id, field = (key.split(".", 3) + ["", "", ""])[:4]
        groups = optimizers[name]["param_groups"] if name in optimizers else []
        ids = {i for group in groups for i in group["params"]}
        if not param_id.isdecimal() or int(param_id) not in ids or not field:
            raise CheckpointError(f"{path}: {key} belongs to no parameter of an optimizer in the checkpoint")
        fields.setdefault(name, {}).setdefault(int(param_id), set()).add(field)
        if value.dim():
            shapes.setdefault((name, int(param_id)), set()).add(tuple(value.shape))
    for name, by_param in fields.items():
        if len({frozenset(held) for held in by_param.values()}) > 1:
            raise CheckpointError(f"{path}: the {name} optimizer's state is incomplete (its parameters hold "
                                  "different fields)")
    for (name, param_id), found in shapes.items():
        if len(found) > 1:
            raise CheckpointError(f"{path}: the {name} optimizer's state for parameter {param_id} mixes shapes "
                                  f"{sorted(found)}")


def read_meta(folder: Path, tag: str) -> dict[str, Any] | None:
    """The JSON half of checkpoint `tag` without reading or checking its tensors; None if there is none."""
    try:
        meta = json.loads((folder / f"{tag}.json").read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _one_line(err: BaseException) -> str:
    """A library's message (torch's run over several lines) as one line, for a CheckpointError."""
    return " ".join(str(err).split())[:300]


# -- restoring ----------------------------------------------------------------------------------
def load_model_state(module: nn.Module, tensors: dict[str, Tensor], source: Path) -> None:
    """Load the checkpoint's `model.*` tensors into `module`; a missing, extra or misshapen one is a CheckpointError."""
    saved = {k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")}
    try:
        module.load_state_dict(saved)
    except RuntimeError as err:  # torch's message runs over many lines: say what differs, first of each kind
        expected = module.state_dict()
        missing, extra = sorted(expected.keys() - saved.keys()), sorted(saved.keys() - expected.keys())
        problems = [f"{what} model.{keys[0]}" + (f" and {len(keys) - 1} more" if len(keys) > 1 else "")
                    for what, keys in (("missing", missing), ("unexpected", extra)) if keys]
        problems += [f"model.{k} is {list(saved[k].shape)}, the config makes {list(v.shape)}"
                     for k, v in expected.items() if k in saved and saved[k].shape != v.shape][:1]
        raise CheckpointError(f"{source} does not fit the run's networks: "
                              f"{'; '.join(problems) or _one_line(err)}") from None


def rng_state_tensors(generator: torch.Generator) -> dict[str, Tensor]:
    """The RNG states a resume must restore: the training generator's and torch's global ones."""
    states = {"rng.train": generator.get_state(), "rng.torch_cpu": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, state in enumerate(torch.cuda.get_rng_state_all()):
            states[f"rng.torch_cuda{i}"] = state
    return states


def restore_rng_states(generator: torch.Generator, tensors: dict[str, Tensor], source: Path) -> None:
    try:
        generator.set_state(tensors["rng.train"])
        torch.set_rng_state(tensors["rng.torch_cpu"])
        cuda = sorted(k for k in tensors if k.startswith("rng.torch_cuda"))
        if cuda and torch.cuda.is_available():
            torch.cuda.set_rng_state_all([tensors[k] for k in cuda][: torch.cuda.device_count()])
    except (KeyError, TypeError, RuntimeError) as err:
        raise CheckpointError(f"{source}: its random generator states do not fit this run's {generator.device} "
                              f"generator ({_one_line(err)})") from None


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
    name: str, optimizer: torch.optim.Optimizer, tensors: dict[str, Tensor], meta: dict[str, Any] | None,
    source: Path,
) -> None:
    """Restore what optimizer_to_flat split; state that does not fit the optimizer's parameters is a CheckpointError."""
    if meta is None:
        raise CheckpointError(f"{source} holds no state for the {name} optimizer")
    state: dict[int, dict[str, Any]] = {}
    prefix = f"optim.{name}."
    for key, value in tensors.items():
        if key.startswith(prefix):
            param_id, field = key[len(prefix) :].split(".", 1)
            state.setdefault(int(param_id), {})[field] = value
    for param_id, values in meta["plain_state"].items():
        state.setdefault(int(param_id), {}).update(values)
    saved_ids = [i for group in meta["param_groups"] for i in group["params"]]
    params = dict(zip(saved_ids, (p for group in optimizer.param_groups for p in group["params"]), strict=False))
    for pid, values in state.items():  # torch would take a misshapen moment here and fail at the next step
        for field, value in values.items():
            shape = params[pid].shape if pid in params else None
            if isinstance(value, Tensor) and value.dim() and shape is not None and value.shape != shape:
                raise CheckpointError(f"{source}: optim.{name}.{pid}.{field} is {list(value.shape)}, "
                                      f"its parameter is {list(shape)}")
    try:
        optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    except (KeyError, TypeError, ValueError, RuntimeError) as err:
        raise CheckpointError(f"{source}: the {name} optimizer's state does not fit ({_one_line(err)})") from None
