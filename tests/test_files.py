import errno
import os

import pytest

from gankit import files


def test_write_atomic_leaves_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "x.json"
    files.write_atomic(target, b"old")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(OSError):
        files.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_write_atomic_follows_the_umask_and_names_the_file_it_lost(tmp_path, monkeypatch):
    umask = os.umask(0o077)
    try:
        files.write_atomic(tmp_path / "private.json", b"{}")
    finally:
        os.umask(umask)
    files.write_atomic(tmp_path / "plain.json", b"{}")
    assert (tmp_path / "private.json").stat().st_mode & 0o777 == 0o600  # not mkstemp's mode: the umask's
    assert (tmp_path / "plain.json").stat().st_mode & 0o777 == 0o666 & ~umask

    def full_disk(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "replace", full_disk)
    with pytest.raises(OSError) as err:
        files.write_atomic(tmp_path / "plain.json", b"{\"new\": 1}")
    assert err.value.errno == errno.ENOSPC and err.value.filename == str(tmp_path / "plain.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.json", "private.json"]
