"""The run folders under RUNS_DIR as the server sees them: found, described, and never left.

Every path the server opens comes through `RunsDir.run` or `RunsDir.file`, which resolve it (links
included) and refuse anything outside RUNS_DIR, so no request can read a file elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gankit.algorithms import ALGORITHMS
from gankit.algorithms.verdict import judge_run
from gankit.errors import CheckpointError, GankitError
from gankit.files import inside
from gankit.jsonl import finite_number, read_jsonl
from gankit.training import checkpoint as ckpt
from gankit.training.run_folder import RunFolder

MAX_DEPTH = 4  # run folders are found this deep under RUNS_DIR (a bench's runs sit at cells/DATA/METHOD-seedS)
SERVED_SUFFIXES = {".png": "image/png", ".gif": "image/gif", ".json": "application/json",
                   ".jsonl": "application/x-ndjson", ".yaml": "text/plain; charset=utf-8",
                   ".onnx": "application/octet-stream"}  # exported generators, which the page runs itself
CURVE_KEYS = ("loss_d", "loss_g", "loss", "d_real", "d_fake", "penalty", "energy_magnitude", "wasserstein",
              "test_neg_elbo", "eval/fid")


class NotFound(GankitError):
    """A run or file that is not under RUNS_DIR (or not there at all): the server answers 404."""


class Damaged(CheckpointError):
    """A checkpoint that fails its checks (the hash above all): shown as damaged, never loaded (409)."""


@dataclass(frozen=True)
class RunsDir:
    root: Path

    @classmethod
    def at(cls, path: str | Path) -> RunsDir:
        root = Path(path).resolve()
        if not root.is_dir():
            raise GankitError(f"{path} is not a folder of runs")
        return cls(root)

    def _inside(self, relative: str) -> Path:
        """RUNS_DIR/relative, resolved; refused when it leads outside RUNS_DIR ('..', an absolute path, a link)."""
        if not relative or "\x00" in relative or Path(relative).is_absolute():
            raise NotFound(f"{relative!r} is not a path inside the runs folder")
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            raise NotFound(f"{relative!r} is outside the runs folder")
        return path

    def run(self, run_id: str) -> RunFolder:
        """The run folder named by its path relative to RUNS_DIR."""
        path = self._inside(run_id)
        folder = RunFolder(path)
        if not folder.exists():
            raise NotFound(f"no run {run_id!r} in the runs folder")
        return folder

    def file(self, relative: str) -> tuple[Path, str]:
        """A file under RUNS_DIR of a kind the pages show (pictures, JSON, YAML), with its media type."""
        path = self._inside(relative)
        media = SERVED_SUFFIXES.get(path.suffix.lower())
        if media is None or not path.is_file():
            raise NotFound(f"no file {relative!r} to show in the runs folder")
        return path, media

    def run_id(self, folder: RunFolder) -> str:
        return folder.root.resolve().relative_to(self.root).as_posix()

    def runs(self) -> list[RunFolder]:
        """Every run folder under RUNS_DIR (up to MAX_DEPTH deep), by path."""
        found = [RunFolder(self.root)] if RunFolder(self.root).exists() else []
        for depth in range(1, MAX_DEPTH + 1):
            for config in sorted(self.root.glob("/".join(["*"] * depth) + "/config.yaml")):
                if config.parent.resolve().is_relative_to(self.root):
                    found.append(RunFolder(config.parent))
        return sorted(found, key=lambda f: f.root.as_posix())


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


_CHECKED: dict[tuple[Any, ...], dict[str, Any]] = {}  # the files' (mtime, size) -> what the check found


def checkpoint_state(folder: RunFolder) -> dict[str, Any]:
    """The last checkpoint, checked whole (hash, fields, tensors) by the loader's own checks, without building
    a model: `ok` (with its step), `damaged` (with the one-line reason) or `missing`. A check is redone
    whenever either file of the checkpoint changes."""
    json_path = folder.checkpoints / "last.json"
    if not json_path.is_file():
        return {"state": "missing", "message": "no checkpoint yet"}
    meta = ckpt.read_meta(folder.checkpoints, "last") or {}
    tensors = meta.get("tensors")
    key = (str(json_path), _stat(json_path), _stat(folder.checkpoints / tensors) if isinstance(tensors, str) else None)
    if key not in _CHECKED:
        if len(_CHECKED) > 1000:  # a long session of live runs: forget the old checks
            _CHECKED.clear()
        try:
            _, meta = folder.load_checkpoint("last")  # refuses a link out of the run, as a damage
            _CHECKED[key] = {"state": "ok", "step": meta["step"]}
        except CheckpointError as err:
            _CHECKED[key] = {"state": "damaged", "message": str(err)}
    return _CHECKED[key]


def require_loadable(folder: RunFolder) -> None:
    """Raise Damaged (never load) when the last checkpoint fails its checks."""
    state = checkpoint_state(folder)
    if state["state"] != "ok":
        raise Damaged(f"the checkpoint of {folder.root.name} is {state['state']}: {state['message']}")


def _ours(folder: RunFolder, path: Path) -> bool:
    """Whether `path` is the run's own file: a link out of the run folder is never read or served."""
    return inside(folder.root, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _config_sections(folder: RunFolder) -> dict[str, Any]:
    if not _ours(folder, folder.config_path):
        return {}
    try:
        sections = yaml.safe_load(folder.config_path.read_text())
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    return sections if isinstance(sections, dict) else {}


def config_summary(sections: dict[str, Any]) -> dict[str, Any]:
    """The few config values that say what a run is."""
    def get(section: str, key: str) -> Any:
        values = sections.get(section)
        return values.get(key) if isinstance(values, dict) else None

    algorithm = get("model", "algorithm")
    family = ALGORITHMS.get(algorithm) if isinstance(algorithm, str) and algorithm in ALGORITHMS else None
    summary = {"data": get("data", "name"), "algorithm": algorithm, "net": get("model", "net"),
               "conditional": bool(get("model", "conditional")), "steps": get("train", "steps"),
               "batch_size": get("train", "batch_size"), "lr_g": get("optim", "lr_g"), "lr_d": get("optim", "lr_d"),
               "seed": get("train", "seed")}
    return summary | (family.describe(sections) if family is not None else {})


def abilities(sections: dict[str, Any]) -> dict[str, bool]:
    """What the page may offer for a run, from its algorithm's family (nothing for an unknown algorithm)."""
    model = sections.get("model")
    name = model.get("algorithm") if isinstance(model, dict) else None
    if not isinstance(name, str) or name not in ALGORITHMS:
        return {"latent_space": False, "discriminator": False, "landscape": False, "exports": False}
    supports = ALGORITHMS.get(name).supports
    return {"latent_space": supports.latent_space, "discriminator": supports.discriminator,
            "landscape": supports.landscape, "exports": supports.exports}


def metric_cards(folder: RunFolder) -> dict[str, dict[str, Any]]:
    """modes.json and every eval-step*.json: file name -> its plain (non-nested) values."""
    cards = {}
    for path in [folder.root / "modes.json", *sorted(folder.root.glob("eval-step*.json"))]:
        card = _read_json(path) if path.is_file() and _ours(folder, path) else None
        if card is not None:
            cards[path.name] = {k: v for k, v in card.items() if not isinstance(v, (dict, list))}
    return cards


def curves(folder: RunFolder, keys: tuple[str, ...] = CURVE_KEYS) -> dict[str, list[tuple[float, float]]]:
    """(step, value) series of metrics.jsonl for the keys it holds; torn lines and non-finite values skipped."""
    if not folder.metrics_path.is_file() or not _ours(folder, folder.metrics_path):
        return {}
    try:
        records = read_jsonl(folder.metrics_path).records
    except OSError:
        return {}
    series = {key: [(r["step"], r[key]) for r in records if finite_number(r.get(key))] for key in keys}
    return {key: points for key, points in series.items() if points}


def latest_pictures(folder: RunFolder) -> list[str]:
    """The pictures worth showing, relative to the run folder: the newest sample grid and landscape frame
    first, then the ones made once."""
    names = []
    samples = sorted(folder.samples.glob("step-*.png"))
    if samples:
        names.append(samples[-1].relative_to(folder.root).as_posix())
    frames = sorted((folder.root / "landscape").glob("step-*.png"))
    if frames:
        names.append(frames[-1].relative_to(folder.root).as_posix())
    for name in ("progress.png", "landscape.gif", "interpolation.png", "reconstructions.png", "chains.png"):
        if (folder.root / name).is_file():
            names.append(name)
    return [name for name in names if _ours(folder, folder.root / name)]


def kind_of(folder: RunFolder) -> str | None:
    """'image' or 'points' from run.json, None when it is unreadable."""
    info = _read_json(folder.info_path) if _ours(folder, folder.info_path) else None
    data = info.get("data") if info else None
    kind = data.get("kind") if isinstance(data, dict) else None
    return kind if kind in ("image", "points") else None


def verdict(folder: RunFolder) -> dict[str, Any] | None:
    """The training verdict (`gankit diagnose`): its kind, one line and what to try; None before a metrics line."""
    try:
        judged = judge_run(folder.root)
    except GankitError:
        return None
    return {"kind": judged.kind, "line": judged.line(), "advice": judged.advice}


def describe(runs: RunsDir, folder: RunFolder, with_curves: bool = True) -> dict[str, Any]:
    """Everything the pages show about one run, from its files alone (no model is built)."""
    sections = _config_sections(folder)
    data = ((_read_json(folder.info_path) if _ours(folder, folder.info_path) else None) or {}).get("data")
    data = data if isinstance(data, dict) else {}
    described = {"id": runs.run_id(folder), "name": folder.root.name, "summary": config_summary(sections),
                 "abilities": abilities(sections),
                 "kind": kind_of(folder), "classes": data.get("class_names") or [], "cards": metric_cards(folder),
                 "checkpoint": checkpoint_state(folder), "pictures": latest_pictures(folder),
                 "verdict": verdict(folder)}
    if with_curves:
        described["curves"] = curves(folder)
    return described
