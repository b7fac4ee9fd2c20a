"""Ctrl-C on every long `gankit` command: the seconds from SIGINT to the process's exit, its exit status, and
whether anything but one line reached the terminal.

    python bench/interrupts.py [--only WORDS]      # one row per command, as a Markdown table

Each command starts in a session of its own (as a terminal's foreground job), runs until it is busy with its
long work, and gets one SIGINT, as the terminal sends on Ctrl-C. A training command checkpoints before it
exits (the seconds include that); the target is 130 within a second of the signal, plus that checkpoint.
Run it on an otherwise idle machine: it times process exits.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GANKIT = [sys.executable, "-m", "gankit"]
RING = ["--steps", "1000000", "--no-progress", "--set", "train.threads=1"]


@dataclass
class Command:
    name: str
    args: Callable[[Path], list[str]]
    busy: Callable[[Path], bool]  # true once the command is in its long work
    prepare: Callable[[Path], None] = lambda folder: None


def exists(*parts: str) -> Callable[[Path], bool]:
    return lambda folder: folder.joinpath(*parts).exists()


def after(seconds: float) -> Callable[[Path], bool]:
    start: list[float] = []

    def ready(folder: Path) -> bool:
        start.append(start[0] if start else time.monotonic())
        return time.monotonic() - start[0] > seconds
    return ready


def train_fashion(folder: Path) -> None:
    subprocess.run([*GANKIT, "train", "--data", "fashion-mnist", "--steps", "2", "--no-progress", "--out",
                    str(folder / "fashion")], check=True, capture_output=True)


def train_ring(folder: Path) -> None:
    subprocess.run([*GANKIT, "train", "--steps", "10", "--no-progress", "--out", str(folder / "ring")], check=True,
                   capture_output=True)


COMMANDS = [
    Command("train", lambda f: ["train", "--out", str(f / "r"), *RING],
            lambda f: exists("r", "metrics.jsonl")(f) and bool((f / "r" / "metrics.jsonl").read_text())),
    Command("train --nproc 2", lambda f: ["train", "--nproc", "2", "--out", str(f / "r"), *RING[:-2]],
            exists("r", "metrics.jsonl")),
    Command("resume", lambda f: ["resume", str(f / "ring"), "--steps", "1000000", "--no-progress"],
            lambda f: len((f / "ring" / "metrics.jsonl").read_text().splitlines()) > 2, train_ring),
    Command("eval (10 000 samples, classifier)", lambda f: ["eval", str(f / "fashion"), "--n", "10000"], after(12),
            train_fashion),
    Command("sample --out-dir (10 000 files)", lambda f: ["sample", str(f / "fashion"), "--n", "10000", "--out-dir",
                                                         str(f / "files")], exists("files", "1.png"), train_fashion),
    Command("bench objectives --budget smoke", lambda f: ["bench", "objectives", "--budget", "smoke", "--out",
                                                          str(f / "bench")], after(20)),
    Command("serve", lambda f: ["serve", str(f), "--port", "0"], after(8), train_ring),
    Command("features train fashion-mnist", lambda f: ["features", "train", "fashion-mnist", "--out", str(f / "clf")],
            after(15)),
]


def measure(command: Command, folder: Path) -> tuple[float, float, int, bool, str]:
    """(seconds from SIGINT to the command's last line, to its exit; exit status; whether a traceback showed;
    the first line it wrote after the signal)."""
    command.prepare(folder)
    process = subprocess.Popen([*GANKIT, *command.args(folder)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True, cwd=folder,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as from a shell
    lines: list[tuple[float, str]] = []  # read as they come, so each line has the time it was written
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend((time.monotonic(), line) for line in process.stdout))
    reader.start()
    deadline = time.monotonic() + 300
    while not command.busy(folder) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    if process.poll() is not None:
        reader.join()
        raise SystemExit(f"{command.name} ended before the signal:\n{''.join(line for _, line in lines)[-2000:]}")
    os.killpg(process.pid, signal.SIGINT)  # the terminal's Ctrl-C reaches the foreground process group
    start = time.monotonic()
    process.wait(timeout=300)
    exited = time.monotonic() - start
    reader.join()
    after_signal = [(when - start, line.strip()) for when, line in lines if when >= start and line.strip()]
    said = max((seconds for seconds, _ in after_signal), default=0.0)
    first = after_signal[0][1][:70] if after_signal else ""
    return said, exited, process.returncode, any(line.startswith("Traceback") for _, line in lines), first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[])
    args = parser.parse_args()
    print("| command | seconds to its last line | seconds to exit | exit status | traceback | what it said first |")
    print("|---|---:|---:|---:|---|---|")
    for command in COMMANDS:
        if args.only and not any(word in command.name for word in args.only):
            continue
        with tempfile.TemporaryDirectory() as folder:
            said, seconds, status, traceback, first = measure(command, Path(folder))
        shown = (f"| {command.name} | {said:.2f} | {seconds:.2f} | {status} | {'yes' if traceback else 'no'} "
                 f"| {first.replace('|', '/')} |")
        print(shown, flush=True)


if __name__ == "__main__":
    main()
