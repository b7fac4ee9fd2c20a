"""Data-parallel training under torchrun, on CPU processes over gloo (no GPU needed).

Each process trains its slice of every global batch and the loop averages gradients, so N processes must
follow one process training the same global batch, hold identical weights, and leave one run folder that
resumes on any number of processes.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from click.testing import CliRunner
from safetensors.torch import load_file

import gankit
from conftest import tiny_config
from gankit.cli import main as cli
from gankit.training import checkpoint as ckpt

pytestmark = pytest.mark.slow
WORKER = Path(__file__).with_name("distributed_worker.py")
TOLERANCE = 1e-5  # |weights of 2 processes × 32 - weights of 1 process × 64|: float sums in another order
STEPS = 6


def config_for(out: Path, steps: int = STEPS) -> dict:
    # wgan-gp: 5 D updates per iteration (several batches) and a penalty drawing per-example mixing weights;
    # the MLP pair has no batch norm, and minibatch_std (a statistic of each process's own slice) is off.
    return tiny_config(out, objective={"name": "wgan-gp"}, model={"width": 32, "depth": 2, "minibatch_std": False},
                       train={"steps": steps, "log_every": 2, "sample_every": 3, "checkpoint_every": 3,
                              "progress_steps": [2], "device": "cpu"})


def torchrun(*args: str, cwd: Path | None = None, nproc: int = 2, extra: tuple[str, ...] = ("--standalone",),
             wait: bool = True) -> subprocess.Popen:
    command = [sys.executable, "-m", "torch.distributed.run", *extra, f"--nproc-per-node={nproc}",
               f"--log-dir={os.devnull}", *args]  # no torchelastic_* folder left in /tmp
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(sys.path))
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if wait:
        finish(process)
    return process


def finish(process: subprocess.Popen) -> str:
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output[-3000:]
    return output


def weights(path: Path) -> dict[str, torch.Tensor]:
    return load_file(path)


def model_tensors(run_dir: Path) -> dict[str, torch.Tensor]:
    tensors, _ = ckpt.load_checkpoint(run_dir / "checkpoints", "last")
    return {k: v for k, v in tensors.items() if k.startswith("model.")}


def assert_identical(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys() and a
    for key in a:
        assert torch.equal(a[key], b[key]), key


def assert_close(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if a[key].is_floating_point():
            assert torch.allclose(a[key], b[key], rtol=0, atol=TOLERANCE), (key, (a[key] - b[key]).abs().max())
        else:
            assert torch.equal(a[key], b[key]), key


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same config trained by 2 processes (under torchrun) and by one."""
    root = tmp_path_factory.mktemp("ddp")
    (root / "weights").mkdir()
    torchrun(str(WORKER), json.dumps(config_for(root / "two")), str(root / "weights"))
    gankit.train(config_for(root / "one"))
    return root


def test_two_processes_hold_identical_weights_equal_to_one_process_training_the_global_batch(runs):
    rank0, rank1 = weights(runs / "weights" / "rank0.safetensors"), weights(runs / "weights" / "rank1.safetensors")
    assert_identical(rank0, rank1)  # bitwise: the same averaged gradients everywhere
    one = {k.removeprefix("model."): v for k, v in model_tensors(runs / "one").items()}
    assert_close(rank0, one)
    early = gankit.train(config_for(runs / "early", steps=1))  # the tolerance is far below what a step changes
    after_one = {k.removeprefix("model."): v for k, v in model_tensors(early.run_dir).items()}
    assert max((rank0[k] - after_one[k]).abs().max() for k in rank0 if rank0[k].is_floating_point()) > 100 * TOLERANCE


def test_rank_zero_alone_writes_one_run_folder(runs):
    two = runs / "two"
    assert model_tensors(two).keys() == {f"model.{k}" for k in weights(runs / "weights" / "rank0.safetensors")}
    steps = [json.loads(line)["step"] for line in (two / "metrics.jsonl").read_text().splitlines()]
    assert steps == [2, 4, 6]  # one line per log step: another writer would have doubled them
    meta = ckpt.read_meta(two / "checkpoints", "last")
    assert meta["step"] == STEPS and meta["batches_drawn"] == STEPS * 5  # global batches, counted once
    assert sorted(p.name for p in (two / "samples").glob("*.png")) == ["step-00000003.png", "step-00000006.png"]


def test_a_two_process_run_resumes_in_one_process_and_continues(runs, tmp_path):
    for name in ("two", "one"):
        shutil.copytree(runs / name, tmp_path / name)
        resumed = gankit.resume(tmp_path / name, steps=STEPS + 2)
        assert resumed.step == STEPS + 2 and not resumed.interrupted
    # from the same state, the continuation is one process's either way
    assert_close(model_tensors(tmp_path / "two"), model_tensors(tmp_path / "one"))


def test_cli_nproc_trains_and_resumes_on_two_processes_exactly(runs, tmp_path):
    """`gankit train --nproc 2` stopped at step 3 and `gankit resume --nproc 2` to 6: bitwise the straight run;
    nothing lands in the temporary folder (torchrun would leave a torchelastic_* log folder there)."""
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(config_for(tmp_path / "part", steps=3)))
    (tmp_path / "tmp").mkdir()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), TMPDIR=str(tmp_path / "tmp"))
    for command in (["train", "--config", str(config), "--nproc", "2", "--no-progress"],
                    ["resume", str(tmp_path / "part"), "--steps", str(STEPS), "--nproc", "2", "--no-progress"]):
        done = subprocess.run([sys.executable, "-m", "gankit", *command], env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert_identical(model_tensors(runs / "two"), model_tensors(tmp_path / "part"))
    assert list((tmp_path / "tmp").iterdir()) == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_nodes_on_localhost_train_and_checkpoint(tmp_path):
    """torchrun --nnodes 2: two launchers, each in its own folder; rank 0's node alone gets the run folder."""
    port, nodes = free_port(), []
    for node in (0, 1):
        (tmp_path / f"node{node}").mkdir()
        extra = ("--nnodes=2", f"--node-rank={node}", "--master-addr=127.0.0.1", f"--master-port={port}")
        config = json.dumps(config_for(Path("run"), steps=3))  # relative: each node writes in its own folder
        nodes.append(torchrun(str(WORKER), config, str(tmp_path / f"node{node}"), cwd=tmp_path / f"node{node}",
                              nproc=1, extra=extra, wait=False))
    for process in nodes:
        finish(process)
    assert ckpt.read_meta(tmp_path / "node0" / "run" / "checkpoints", "last")["step"] == 3
    assert not (tmp_path / "node1" / "run").exists()
    node0, node1 = tmp_path / "node0" / "rank0.safetensors", tmp_path / "node1" / "rank1.safetensors"
    assert_identical(weights(node0), weights(node1))


@pytest.mark.parametrize(("flags", "message"), [
    (["--nproc", "999"], "--nproc 999 is more processes than this machine has CPU cores"),
    (["--nproc", "2", "--batch-size", "63"], "does not split evenly over --nproc 2"),
    (["--nproc", "0"], "--nproc must be at least 1"),
])
def test_bad_nproc_is_one_line_and_writes_nothing(tmp_path, flags, message):
    if "--batch-size" in flags and len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs 2 CPU cores to get past the device count")
    result = CliRunner().invoke(cli, ["train", "--device", "cpu", "--out", str(tmp_path / "run"), *flags])
    assert result.exit_code == 1 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(("extra", "strict"), [
    ({"model": {"algorithm": "rae"}, "vae": {"density_components": 2, "density_examples": 256}}, True),
    # drl: the contrastive loss leaves D's last biases with gradients near zero, which Adam scales up to full
    # steps, so float sums in another order show there; every tensor must still follow to 5% of its movement
    ({"model": {"algorithm": "drl"}, "ebm": {"levels": 3, "langevin_steps": 3, "score_matching": 1.0,
                                            "chain_step_size": 3e-3, "denoise_jump": True}}, False),
], ids=["rae-gmm", "drl"])
def test_the_views_newer_methods_train_on_two_processes_as_one_process_does(tmp_path, extra, strict):
    """--nproc for the RAE (mixture included) and the noise ladder: 2 processes × 32 follow 1 process × 64."""
    def config(out: Path, steps: int = 4) -> dict:
        base = tiny_config(out, model={"width": 32, "depth": 2, "minibatch_std": False},
                           train={"steps": steps, "log_every": 2, "sample_every": 4, "checkpoint_every": 4,
                                  "progress_steps": [2], "device": "cpu"})
        for section, values in extra.items():
            base.setdefault(section, {}).update(values)
        return base

    (tmp_path / "weights").mkdir()
    torchrun(str(WORKER), json.dumps(config(tmp_path / "two")), str(tmp_path / "weights"))
    gankit.train(config(tmp_path / "one"))
    two, one = model_tensors(tmp_path / "two"), model_tensors(tmp_path / "one")
    if strict:
        assert_close(two, one)
        return
    gankit.train(config(tmp_path / "start", steps=1))
    start = model_tensors(tmp_path / "start")
    assert two.keys() == one.keys()
    for key in (k for k in one if one[k].is_floating_point()):
        moved = (one[key] - start[key]).abs().mean()
        assert (two[key] - one[key]).abs().mean() <= 0.05 * moved + 1e-7, key


def listening_addresses(pids: list[int]) -> list[str]:
    """The local addresses (hex, as /proc/net/tcp* writes them) the processes `pids` listen on."""
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # state LISTEN
                found.append(fields[1].split(":")[0])
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket tables")
def test_nproc_listens_on_loopback_only_and_ctrl_c_checkpoints_and_exits_130(tmp_path):
    """The agent (the gankit process) and its workers listen on 127.0.0.1 alone; a Ctrl-C (SIGINT to the
    agent, as the terminal sends it) stops all of them with a checkpoint, exit 130 and no traceback."""
    import signal
    import time

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = tmp_path / "run"
    agent = subprocess.Popen([sys.executable, "-m", "gankit", "train", "--nproc", "2", "--steps", "1000000",
                              "--no-progress", "--device", "cpu", "--out", str(out)], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120  # a logged step: both processes are in the loop, stepping together
        while not ((out / "metrics.jsonl").is_file() and (out / "metrics.jsonl").read_text().strip()) \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = [int(p) for p in subprocess.run(["pgrep", "-P", str(agent.pid)], capture_output=True,
                                                  text=True).stdout.split()]
        addresses = listening_addresses([agent.pid, *workers])
        assert len(workers) == 2 and len(addresses) == 3, addresses  # the store and each worker's gloo
        assert set(addresses) == {"0100007F"}  # 127.0.0.1; nothing on 0.0.0.0 or on IPv6's ::
        agent.send_signal(signal.SIGINT)
        stdout, stderr = agent.communicate(timeout=60)
    finally:
        agent.kill()
    assert agent.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr and "interrupted at step" in stdout, stderr
    step = json.loads((out / "checkpoints" / "last.json").read_text())["step"]
    assert f"interrupted at step {step:,}" in stdout
