"""Writing files so that a crash or a full disk never leaves a torn one: a temp file in the same folder, then
an atomic rename. Every file gankit writes goes through `write_atomic` (checkpoints, configs, cards, reports)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)  # the umask can only be read by setting it: put it straight back
    os.umask(mask)
    return mask


@contextmanager
def naming(path: Path) -> Iterator[None]:
    """OSErrors inside name `path` (not a temp file, or nothing), so a failed write says which file it was."""
    try:
        yield
    except OSError as err:
        if err.filename == str(path):
            raise
        raise OSError(err.errno, err.strerror or str(err), str(path)) from err


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to `path` via a temp file in the same folder and an atomic rename.

    The file gets the mode of any file the user makes (0666 less the umask), not mkstemp's 0600.
    """
    with naming(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """The hex digest of a file's bytes, read in blocks (cached weights run to ~100 MB)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_text_atomic(path: Path, text: str) -> None:
    """`write_atomic` for UTF-8 text."""
    write_atomic(path, text.encode("utf-8"))


def inside(root: Path, path: Path) -> bool:
    """Whether `path` stays in the folder `root` once every symbolic link on the way is followed: what gankit
    reads of a run folder (to resume, sample, report or serve it) never comes from elsewhere."""
    real_root = root.resolve()
    real = path.resolve()
    return real == real_root or real.is_relative_to(real_root)
