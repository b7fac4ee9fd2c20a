"""A run folder describes itself: config, data description, metrics, checkpoints and pictures."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from gankit.algorithms import family_of
from gankit.config import Config
from gankit.data.spec import DataSpec
from gankit.errors import CheckpointError, GankitError
from gankit.files import inside, write_atomic
from gankit.training.checkpoint import TENSOR_FILE, load_run_checkpoint, read_meta
from gankit.version import __version__

if sys.platform != "win32":
    import fcntl

LOCK_NAME = ".gankit.lock"  # held (flock) by the process that trains the run; its presence marks gankit's folder


class RunLock:
    """An exclusive lock on a run folder, held while one process trains it; a second process is refused."""

    def __init__(self, root: Path) -> None:
        self._file: IO[str] = (root / LOCK_NAME).open("a+")
        if sys.platform == "win32":  # no flock there: runs are not guarded against a second process
            return
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)  # per open file: two in one process conflict too
        except BlockingIOError:
            self._file.seek(0)
            pid = self._file.read().strip() or "unknown"
            self._file.close()
            raise GankitError(f"{root} is being trained by another process (pid {pid})") from None
        self._file.truncate(0)
        self._file.write(str(os.getpid()))
        self._file.flush()

    def release(self) -> None:
        self._file.close()  # closing the file drops the lock


@dataclass(frozen=True)
class RunFolder:
    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / "config.yaml"

    @property
    def info_path(self) -> Path:
        return self.root / "run.json"

    @property
    def metrics_path(self) -> Path:
        return self.root / "metrics.jsonl"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def samples(self) -> Path:
        return self.root / "samples"

    @property
    def snapshots(self) -> Path:
        return self.root / "samples" / "snapshots"

    @property
    def tensorboard(self) -> Path:
        return self.root / "tb"

    def exists(self) -> bool:
        return self.config_path.is_file()

    def check_new(self, overwrite: bool) -> None:
        """Refuse to mix a new run with an earlier one in the same folder unless `overwrite`, and never train
        into a folder of other files (not even with `overwrite`: they are not gankit's to delete)."""
        if self.exists():
            if not overwrite:
                raise GankitError(
                    f"{self.root} already holds a run: continue it with `gankit resume {self.root}`, "
                    "pick another --out, or pass --overwrite"
                )
        elif self.root.is_dir() and not (self.root / LOCK_NAME).exists() and any(self.root.iterdir()):
            raise GankitError(f"{self.root} holds files but no gankit run: pick an empty or new folder for --out")

    def remove_if_unused(self) -> None:
        """Remove the folder when it holds nothing but its lock file: what a start that failed left."""
        try:
            if {p.name for p in self.root.iterdir()} <= {LOCK_NAME}:
                (self.root / LOCK_NAME).unlink(missing_ok=True)
                self.root.rmdir()
        except OSError:
            pass  # not ours to clean up, or already gone

    def lock(self) -> RunLock:
        """Create the folder if need be, check it takes files, and lock it for this process (see RunLock)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root) as probe:
                probe.write(b"probe")
                probe.flush()
                os.fsync(probe.fileno())
            return RunLock(self.root)
        except OSError as err:
            raise GankitError(f"cannot write the run folder {self.root} ({err.strerror or err})") from None

    @contextmanager
    def held(self) -> Iterator[None]:
        """This folder's lock around a write into it (eval's card, the report): refused, with the pid, while
        another process trains the run, so nothing is written into a run that is changing."""
        lock = self.lock()
        try:
            yield
        finally:
            lock.release()

    @staticmethod
    def enclosing(path: Path) -> RunFolder | None:
        """The run folder `path` (a file or folder to be written) lies in, if any: the nearest folder above it
        with a run's config and lock file."""
        for folder in Path(os.path.abspath(path)).parents:
            if (folder / "config.yaml").is_file() and (folder / LOCK_NAME).is_file():
                return RunFolder(folder)
        return None

    @staticmethod
    @contextmanager
    def held_for(path: Path) -> Iterator[None]:
        """Hold the lock of the run `path` is written into (a picture or sample files put inside a run
        folder), refused with the pid while another process trains it; nothing when it is outside any run."""
        run = RunFolder.enclosing(path)
        with run.held() if run is not None else nullcontext():
            yield

    def remove_temp_files(self) -> None:
        """Remove the temp files of writes a killed process left unfinished (call it holding the lock)."""
        for folder in (self.root, self.checkpoints, self.snapshots):
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)

    def write_failure(self, err: OSError, step: int | None = None) -> GankitError:
        """A failed write as one line: the file, why, and (during training) the last good checkpoint, which is kept."""
        path = Path(err.filename) if isinstance(err.filename, str) else None
        if path is None:
            what = f"a file in {self.root}"
        elif path.parent == self.checkpoints:
            what = "checkpoint"
        else:
            what = str(path.relative_to(self.root) if path.is_relative_to(self.root) else path)
        reason = err.strerror or str(err)
        if step is None:
            return GankitError(f"could not write {what} ({reason})")
        last = read_meta(self.checkpoints, "last")
        kept = (f"the last good checkpoint (step {last['step']}) is kept in {self.checkpoints}"
                if last and isinstance(last.get("step"), int) else f"no checkpoint was kept in {self.checkpoints}")
        return GankitError(f"could not write {what} at step {step} ({reason}); {kept}")

    def create(self, config: Config, spec: DataSpec, overwrite: bool = False,
               measured: dict[str, Any] | None = None) -> None:
        """Start a new run here (holding its lock), clearing an earlier run's outputs when `overwrite`;
        `measured`: what the config's `auto` settings chose on this machine (run.json keeps it)."""
        self.check_new(overwrite)
        if self.exists():
            self.metrics_path.unlink(missing_ok=True)
            for folder in (self.checkpoints, self.samples, self.tensorboard):
                shutil.rmtree(folder, ignore_errors=True)
        try:
            write_atomic(self.config_path, config.to_yaml().encode())
            info = {"data": spec.to_dict(), "gankit_version": __version__,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%S"), "measured": measured or {}}
            write_atomic(self.info_path, json.dumps(info, indent=1).encode())
        except OSError as err:
            raise self.write_failure(err) from None

    def inside(self, path: Path) -> Path:
        """`path`, refused in one line when it (or a link on the way) leads outside this run folder."""
        if not inside(self.root, path):
            raise CheckpointError(f"{path} is a link to outside the run folder {self.root}; gankit reads a run "
                                  "only from its own folder")
        return path

    def load_config(self) -> Config:
        if not self.exists():
            raise CheckpointError(f"{self.root} is not a gankit run folder (no config.yaml)")
        return Config.from_yaml(self.inside(self.config_path))

    def load_checkpoint(self, tag: str = "last") -> tuple[dict[str, Any], dict[str, Any]]:
        """Checkpoint `tag` (checked whole, see training.checkpoint), read only from inside this run folder."""
        self.inside(self.checkpoints)
        self.inside(self.checkpoints / f"{tag}.json")
        tensors = (read_meta(self.checkpoints, tag) or {}).get("tensors")
        if isinstance(tensors, str) and TENSOR_FILE.fullmatch(tensors):  # a bad name: the loader says so
            self.inside(self.checkpoints / tensors)
        return load_run_checkpoint(self.checkpoints, tag)

    def load_spec(self) -> DataSpec:
        self.inside(self.info_path)
        try:
            return DataSpec.from_dict(json.loads(self.info_path.read_text())["data"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise CheckpointError(f"{self.info_path} is missing or damaged ({err})") from None

    def write_json(self, name: str, values: dict[str, Any]) -> Path:
        path = self.root / name
        write_atomic(path, json.dumps(values, indent=1).encode())
        return path


def default_run_name(config: Config) -> str:
    """runs/<data>-<what the algorithm says of itself>-<time>: e.g. runs/ring8-auto-ns-20261125-141500 for a
    GAN (net, objective, recipe), runs/ring8-vae-20261125-141500 for a VAE."""
    data = config.data.name.replace("folder:", "folder-").replace("/", "_").strip("_")
    return f"runs/{data}-{family_of(config).run_name(config)}-{time.strftime('%Y%m%d-%H%M%S')}"
