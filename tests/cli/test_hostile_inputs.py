"""Hostile inputs and environments: damaged or foreign checkpoints, failed writes, a second process, kill -9.

Each is one GankitError line (the CLI: one line, exit 1), never a traceback; nothing in a file is ever executed.
"""

import errno
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from safetensors.torch import load_file, save

import gankit
from conftest import tiny_config
from gankit.cli import main
from gankit.config import Config
from gankit.errors import CheckpointError, GankitError
from gankit.training.logbook import Logbook
from gankit.training.trainer import Trainer

DISK_FULL = os.strerror(errno.ENOSPC)


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_one_line_exit_1(result, *expected):
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output, result.output
    for text in expected:
        assert text in result.output, result.output


def one_line(err):
    message = str(err.value)
    assert "\n" not in message, message
    return message


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A finished tiny ring8 run (20 steps, checkpoints at 0, 10 and 20)."""
    root = tmp_path_factory.mktemp("trained") / "r"
    gankit.train(tiny_config(root))
    return root


@pytest.fixture
def run(trained, tmp_path):
    """A copy of the trained run to damage; its checkpoints folder's `../..` is tmp_path."""
    shutil.copytree(trained, tmp_path / "r")
    return tmp_path / "r"


# -- damaged and foreign checkpoints ------------------------------------------------------------
def last_json(run):
    return run / "checkpoints" / "last.json"


def edit_record(run, change):
    record = json.loads(last_json(run).read_text())
    change(record)
    last_json(run).write_text(json.dumps(record))


def set_fields(**fields):
    return lambda run: edit_record(run, lambda record: record.update(fields))


def drop_field(name):
    return lambda run: edit_record(run, lambda record: record.pop(name))


def put_tensor_file(run, data, name=None):
    """Write `data` as the checkpoint's tensor file and fix the hash in last.json, as an attacker can."""
    record = json.loads(last_json(run).read_text())
    name = name or record["tensors"]
    (run / "checkpoints" / name).write_bytes(data)
    record.update(tensors=name, sha256=hashlib.sha256(data).hexdigest())
    last_json(run).write_text(json.dumps(record))


def tensor_path(run):
    return run / "checkpoints" / json.loads(last_json(run).read_text())["tensors"]


def tensor_bytes(run):
    return tensor_path(run).read_bytes()


def edit_tensors(change):
    def damage(run):
        tensors = load_file(tensor_path(run))
        change(tensors)
        put_tensor_file(run, save(tensors))

    return damage


def set_tensor(key, value):
    return edit_tensors(lambda tensors: tensors.__setitem__(key, value(tensors[key])))


def drop_tensor(key):
    return edit_tensors(lambda tensors: tensors.pop(key))


def raw_bytes(change):
    return lambda run: put_tensor_file(run, change(tensor_bytes(run)))


def outside(path_of):
    """A valid tensor file outside checkpoints/ (same bytes, same hash), named by `path_of(run)`."""

    def damage(run):
        (run.parent / "x.safetensors").write_bytes(tensor_bytes(run))
        set_fields(tensors=path_of(run))(run)

    return damage


class Payload:
    """Unpickled, it would create `marker` (a folder): proof that loading a file ran code from it."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def linked_out(run):
    """The tensor file as a link to a valid file outside the run: a way out without '..' in the name."""
    (run.parent / "x.safetensors").write_bytes(tensor_bytes(run))
    path = tensor_path(run)
    path.unlink()
    path.symlink_to(run.parent / "x.safetensors")


def pickled(name=None):
    return lambda run: put_tensor_file(run, pickle.dumps(Payload(run.parent / "pwned")), name)


G_WEIGHT = "model.generator.out.weight"
DAMAGES = {
    "tensors-dot-dot": outside(lambda run: "../../x.safetensors"),
    "tensors-absolute": outside(lambda run: str(run.parent / "x.safetensors")),
    "tensors-a-link-out": linked_out,
    "tensors-in-a-subfolder": set_fields(tensors="sub/last.safetensors"),
    "tensors-not-a-string": set_fields(tensors=42),
    "pickle-as-the-tensor-file": pickled(),
    "pickle-file-named-in-json": pickled("weights.pkl"),
    "truncated-header": raw_bytes(lambda data: data[:100]),
    "truncated-in-half": raw_bytes(lambda data: data[: len(data) // 2]),
    "header-size-huge": raw_bytes(lambda data: struct.pack("<Q", 2**60) + data[8:]),
    "header-size-past-the-end": raw_bytes(lambda data: struct.pack("<Q", len(data)) + data[8:]),
    "header-not-json": raw_bytes(lambda data: data[:8] + b"\xff" * 64 + data[72:]),
    "no-tensors-field": drop_field("tensors"),
    "no-sha256": drop_field("sha256"),
    "no-step": drop_field("step"),
    "no-optimizers": drop_field("optimizers"),
    "no-batches-drawn": drop_field("batches_drawn"),
    "step-a-string": set_fields(step="20"),
    "optimizers-empty": set_fields(optimizers={}),
    "json-a-list": lambda run: last_json(run).write_text("[1, 2, 3]"),
    "json-truncated": lambda run: last_json(run).write_text(last_json(run).read_text()[:50]),
    "weight-wrong-shape": set_tensor(G_WEIGHT, lambda t: torch.zeros(3, 32)),
    "weight-missing": drop_tensor(G_WEIGHT),
    "weight-extra": edit_tensors(lambda tensors: tensors.update({"model.backdoor": tensors[G_WEIGHT].clone()})),
    "optimizer-moment-missing": drop_tensor("optim.generator.0.exp_avg"),
    "optimizer-moment-wrong-shape": set_tensor("optim.generator.0.exp_avg", lambda t: torch.zeros(7)),
    "rng-garbage": set_tensor("rng.torch_cpu", lambda t: torch.randint(0, 256, t.shape, dtype=torch.uint8)),
    "rng-not-bytes": set_tensor("rng.train", lambda t: t.float()),
    "rng-missing": drop_tensor("rng.train"),
    "nan-weight": set_tensor(G_WEIGHT, lambda t: torch.full_like(t, float("nan"))),
    "inf-optimizer-moment": set_tensor("optim.discriminator.2.exp_avg_sq", lambda t: torch.full_like(t, float("inf"))),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_checkpoint_is_one_line_for_every_reader(run, tmp_path, damage):
    """gankit.load, gankit.resume, `gankit sample` and `gankit resume`: a CheckpointError naming the file."""
    DAMAGES[damage](run)
    for read in (gankit.load, gankit.resume):
        with pytest.raises(CheckpointError) as err:
            read(run)
        assert str(run / "checkpoints") in one_line(err)
    assert_one_line_exit_1(cli("sample", run, "--out", tmp_path / "s.png"), str(run / "checkpoints"))
    assert_one_line_exit_1(cli("resume", run, "--no-progress"), str(run / "checkpoints"))
    assert not (tmp_path / "s.png").exists() and not (tmp_path / "pwned").exists()


def test_a_tensor_file_outside_the_run_is_refused_by_name(run):
    DAMAGES["tensors-dot-dot"](run)
    with pytest.raises(CheckpointError, match=r"'tensors' must be the name of a \.safetensors file in the same "
                                              r"folder \(no folders, no '\.\.'\), not '\.\./\.\./x\.safetensors'"):
        gankit.load(run)


def test_a_pickled_checkpoint_never_runs(run, tmp_path):
    """The payload is real (unpickling it runs code), yet loading the checkpoint that holds it runs nothing."""
    pickle.loads(pickle.dumps(Payload(tmp_path / "proof")))
    assert (tmp_path / "proof").is_dir()
    for name in (None, "weights.pkl", "weights.safetensors"):
        pickled(name)(run)
        for read in (gankit.load, gankit.resume):
            with pytest.raises(CheckpointError):
                read(run)
        assert not (tmp_path / "pwned").exists()


def test_a_diverged_checkpoint_is_refused_not_rolled_back_to(run):
    """Resuming from NaN weights used to roll back, three times, to that same checkpoint."""
    DAMAGES["nan-weight"](run)
    with pytest.raises(CheckpointError, match=rf"{G_WEIGHT} holds NaN or inf; a diverged state is never loaded"):
        gankit.resume(run, steps=30)


RESUME_ONLY = {  # training state that sampling never reads: a resume refuses it, gankit.load need not
    "rng-of-the-wrong-length": set_tensor("rng.train", lambda t: t[:10].clone()),
    "optimizer-moments-misshapen-alike": edit_tensors(lambda ts: ts.update(
        {k: ts[k].reshape(-1) for k in ("optim.generator.0.exp_avg", "optim.generator.0.exp_avg_sq")})),
    "optimizer-group-too-long": lambda run: edit_record(
        run, lambda record: record["optimizers"]["generator"]["param_groups"][0]["params"].append(6)),
}


@pytest.mark.parametrize("damage", RESUME_ONLY)
def test_training_state_that_does_not_fit_is_one_line_on_resume(run, tmp_path, damage):
    RESUME_ONLY[damage](run)
    assert gankit.load(run).sample(4).shape == (4, 2)
    with pytest.raises(CheckpointError) as err:
        gankit.resume(run)
    assert str(run / "checkpoints") in one_line(err)
    assert_one_line_exit_1(cli("resume", run, "--no-progress"), str(run / "checkpoints"))


# -- failed writes ------------------------------------------------------------------------------
def test_an_unwritable_run_folder_is_refused_before_training(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for out in (blocker / "run", blocker):
        with pytest.raises(GankitError, match=rf"^cannot write the run folder {re.escape(str(out))} \(") as err:
            gankit.train(tiny_config(out))
        one_line(err)
        assert_one_line_exit_1(cli("train", "--out", out, "--steps", "2", "--no-progress"), "cannot write the run")
    assert blocker.read_text() == "not a folder"


@pytest.mark.slow
def test_a_full_disk_at_a_checkpoint_keeps_the_last_good_one(tmp_path, monkeypatch):
    run, replace = tmp_path / "r", os.replace

    def full_disk(src, dst):
        if Path(dst).name == "last-step00000020.safetensors":
            raise OSError(errno.ENOSPC, DISK_FULL)
        replace(src, dst)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(GankitError) as err:
        gankit.train(tiny_config(run))
    assert one_line(err) == (f"could not write checkpoint at step 20 ({DISK_FULL}); "
                             f"the last good checkpoint (step 10) is kept in {run / 'checkpoints'}")
    assert_one_line_exit_1(cli("train", "--out", tmp_path / "cli", *TINY_CLI), "could not write checkpoint at step 20")
    monkeypatch.undo()
    assert gankit.load(run).step == 10 and not list(run.rglob("*.tmp"))
    assert gankit.resume(run).step == 20  # and the run goes on from what was kept


TINY_CLI = ["--steps", "20", "--batch-size", "64", "--set", "data.num_points=2048", "--set", "model.width=32",
            "--set", "train.checkpoint_every=10", "--no-progress"]


class FullDisk(io.StringIO):
    def write(self, text):
        raise OSError(errno.ENOSPC, DISK_FULL)


def full_picture_disk(monkeypatch):
    def save_figure(fig, path, dpi=110):
        raise OSError(errno.ENOSPC, DISK_FULL, str(path))

    monkeypatch.setattr("gankit.viz.pictures.save_figure", save_figure)


def full_metrics_disk(monkeypatch):
    opened = Logbook._open

    def _open(self, start_step):
        opened(self, start_step)
        self._file.close()
        self._file = FullDisk()

    monkeypatch.setattr(Logbook, "_open", _open)


@pytest.mark.parametrize("fill, lost", [(full_picture_disk, "landscape/step-00000005.png"),
                                        (full_metrics_disk, "metrics.jsonl")], ids=["pictures", "metrics"])
def test_a_full_disk_stops_training_with_what_was_kept(tmp_path, monkeypatch, fill, lost):
    """Training stops at the first lost write (not at the end, with nothing kept), saying what is kept."""
    fill(monkeypatch)
    with pytest.raises(GankitError) as err:
        gankit.train(tiny_config(tmp_path / "r"))
    assert one_line(err) == (f"could not write {lost} at step 5 ({DISK_FULL}); "
                             f"the last good checkpoint (step 0) is kept in {tmp_path / 'r' / 'checkpoints'}")


@pytest.fixture(scope="module")
def trained_images(tmp_path_factory):
    root = tmp_path_factory.mktemp("trained") / "digits"
    gankit.train(tiny_config(root, data={"name": "digits"}, model={"net": "dcgan", "width": 8, "latent_dim": 16},
                             train={"steps": 2, "batch_size": 16}))
    return root


@pytest.mark.parametrize("kind", ["points", "images"])
def test_sample_out_of_an_unknown_type_or_in_an_unwritable_place_is_one_line(trained, trained_images, tmp_path,
                                                                              kind):
    run = trained if kind == "points" else trained_images
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for out, message in ((tmp_path / "s.xyz", "'.xyz' is not a picture type gankit writes; use .png, .jpg"),
                         (tmp_path / "s", "the name has no extension"),
                         (blocker / "s.png", f"cannot write {blocker / 's.png'} (")):
        with pytest.raises(GankitError, match=re.escape(message)) as err:
            gankit.load(run).save_samples(out)
        one_line(err)
        assert_one_line_exit_1(cli("sample", run, "--out", out), message)
        assert_one_line_exit_1(cli("sample", run, "--from-discriminator", "--steps", "2", "--out", out), message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


# -- two processes, kills, leftovers, permissions -----------------------------------------------
def test_a_second_trainer_of_a_run_is_refused_while_the_first_trains(run):
    """flock locks belong to an open file, so two trainers in one process conflict like two processes."""
    first = Trainer.resume(run, steps=25)
    being_trained = rf"^{re.escape(str(run))} is being trained by another process \(pid {os.getpid()}\)$"
    with pytest.raises(GankitError, match=being_trained):
        Trainer.resume(run, steps=25)
    with pytest.raises(GankitError, match=being_trained):
        Trainer.start(Config.from_dict(tiny_config(run)), overwrite=True)  # and deletes nothing
    assert_one_line_exit_1(cli("resume", run, "--no-progress"), "is being trained by another process")
    assert first.fit(progress=False).step == 25
    assert gankit.resume(run, steps=30).step == 30  # the first one's fit let go of the run


@pytest.mark.slow
def test_a_run_locked_by_another_process_is_refused(run):
    holder = ("import sys; from pathlib import Path; from gankit.training.run_folder import RunFolder; "
              "lock = RunFolder(Path(sys.argv[1])).lock(); print('locked', flush=True); sys.stdin.read()")
    proc = subprocess.Popen([sys.executable, "-c", holder, str(run)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"  # blocks until the lock is held: no deadline
        refused = cli("resume", run, "--no-progress")
        assert_one_line_exit_1(refused, f"is being trained by another process (pid {proc.pid})")
    finally:
        proc.stdin.close()
        proc.wait()
    assert gankit.resume(run, steps=25).step == 25


def test_a_folder_of_other_files_is_never_trained_into(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    for overwrite in (False, True):
        with pytest.raises(GankitError, match="holds files but no gankit run") as err:
            gankit.train(tiny_config(mine), overwrite=overwrite)
        one_line(err)
    assert_one_line_exit_1(cli("train", "--out", mine, "--overwrite", *TINY_CLI), "holds files but no gankit run")
    assert [p.name for p in mine.iterdir()] == ["notes.txt"] and (mine / "notes.txt").read_text() == "keep me"


@pytest.mark.slow
def test_temp_files_a_kill_left_are_removed_on_start_and_resume(run):
    leftovers = [run / "checkpoints" / ".last-step00000010.safetensors.k3j4x.tmp", run / "checkpoints" /
                 ".last.json.a8d0q.tmp", run / ".config.yaml.z1y2w.tmp", run / "samples" / "snapshots" /
                 ".updates-000000010.safetensors.q9r8s.tmp"]
    for path in leftovers:
        path.write_bytes(b"half written")
    trainer = Trainer.resume(run)
    assert not [path for path in leftovers if path.exists()]
    trainer.fit(progress=False)
    for path in leftovers[2:]:
        path.write_bytes(b"half written")
    Trainer.start(Config.from_dict(tiny_config(run)), overwrite=True).fit(progress=False)
    assert not list(run.rglob("*.tmp"))


KILLER = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from conftest import tiny_config
import gankit
replace, seen = os.replace, []
def kill_at(src, dst):  # the process dies between writing a temp file and renaming it into place
    seen.append(Path(dst).name)
    if seen.count(sys.argv[3]) == int(sys.argv[4]):
        os.kill(os.getpid(), signal.SIGKILL)
    replace(src, dst)
os.replace = kill_at
gankit.train(tiny_config(sys.argv[2]))
"""


@pytest.mark.parametrize("target, nth", [("last-step00000010.safetensors", 1), ("last.json", 2)],
                         ids=["before-the-tensors-rename", "before-the-json-rename"])
@pytest.mark.slow
def test_a_kill_during_a_checkpoint_leaves_a_loadable_run(tmp_path, target, nth):
    run = tmp_path / "r"
    killed = subprocess.run([sys.executable, "-c", KILLER, str(Path(__file__).parents[1]), str(run), target, str(nth)])
    assert killed.returncode == -9
    assert list((run / "checkpoints").glob(".*.tmp"))  # what kill -9 leaves
    assert gankit.load(run).step == 0  # the checkpoint before the one being written
    trainer = Trainer.resume(run)
    assert not list(run.rglob("*.tmp"))
    assert trainer.fit(progress=False).step == 20


@pytest.mark.slow
def test_run_files_follow_the_umask(tmp_path):
    """One rule: a run's files are made like any file the user makes (checkpoints were 0600, pictures 0644)."""
    umask = os.umask(0o027)
    try:
        gankit.train(tiny_config(tmp_path / "r"))
    finally:
        os.umask(umask)
    modes = {str(p.relative_to(tmp_path)): oct(p.stat().st_mode & 0o777) for p in tmp_path.rglob("*") if p.is_file()}
    assert set(modes.values()) == {"0o640"}, modes


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs (root only: skipped elsewhere), and a function that grows it to `mib`."""
    import subprocess

    where = tmp_path / "small"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")

    def grow(mib):
        subprocess.run(["mount", "-o", f"remount,size={mib}m", str(where)], check=True)

    yield where, grow
    subprocess.run(["umount", str(where)], check=True)


@pytest.mark.slow
def test_a_run_stopped_by_a_really_full_disk_resumes_once_there_is_room(small_disk):
    """Not a simulated error: the disk fills up at the first checkpoint after step 0, the run stops in one
    line keeping step 0, and once the disk is larger it resumes and finishes, leaving no temp file."""
    where, grow = small_disk
    run = where / "r"
    result = cli("train", "--out", run, "--steps", "300", "--no-progress", "--set", "train.checkpoint_every=100",
                 "--set", "data.num_points=2048")
    assert_one_line_exit_1(result, "could not write checkpoint at step 100 (No space left on device); "
                                   "the last good checkpoint (step 0) is kept")
    grow(16)
    assert cli("resume", run, "--no-progress").exit_code == 0
    assert gankit.load(run).step == 300
    assert not [p for p in run.rglob("*") if p.name.endswith((".tmp", ".partial"))]
