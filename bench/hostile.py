"""Hostile and unlucky input over the `gankit` command line: each case must end in exit 0 or one line and exit 1
(2 or 130 where click or Ctrl-C say so), never a traceback, and a typed name must be the name used.

    python bench/hostile.py [--only WORDS]      # prints one row per case that did not hold, then the totals

Most cases stop at `--dry-run` or at the first check, so the whole set runs in a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

TEXT = ["runs/exp #2", "null", "~", "&a", "@x", "%x", "[a", "!foo", "yes", "123", "2024-01-01", "*alias", "a: b",
        "{x}", "|", ">", "'", '"', "#", " ", "-", "x" * 300, "é", "\x7f"]
NUMBERS = ["0", "-1", "1e39", "nan", "inf", "abc", str(2**63), str(2**64), "1.5", "", "0x10"]
SET_KEYS = ["train.steps", "train.batch_size", "optim.lr_g", "train.seed", "model.width", "data.image_size",
            "data.num_points", "objective.penalty", "model.pack", "train.threads", "train.precision", "data.name",
            "train.device", "model.recipe", "ebm.langevin_steps", "vae.beta", "train.progress_steps"]
SET_VALUES = ["-1", "1e39", "[a", "!tag", "*alias", "null", "yes", "{a: 1}", "nan"]


@dataclass
class Case:
    name: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[Path], None] | None = None
    check: Callable[[Path], bool] | None = None  # besides "no traceback, one line on failure"


def cases() -> list[Case]:
    found = []
    for option in ("--out", "--data", "--objective", "--device", "--algorithm", "--net", "--recipe"):
        for value in TEXT:
            found.append(Case(f"train {option} {value[:20]!r}", ["train", option, value, "--dry-run"]))
    for option in ("--steps", "--batch-size", "--lr", "--seed", "--eval-every"):
        for value in NUMBERS:
            found.append(Case(f"train {option} {value[:20]!r}", ["train", option, value, "--dry-run"]))
    for key in SET_KEYS:
        for value in SET_VALUES:
            found.append(Case(f"--set {key}={value}", ["train", "--set", f"{key}={value}", "--dry-run"]))
    configs = (b"\x00\x01\xff binary", "data:\n  name: ring8\n".encode("utf-16"), b"a: " + b"[" * 5000, b"- a list",
               b"", b"train: 5", b"train:\n  steps: 1e400", b"data:\n  name: !!python/object:os.system x")
    for content in configs:
        found.append(Case(f"--config holding {content[:16]!r}", ["train", "--config", "CONFIG", "--dry-run"],
                          prepare=lambda tmp, c=content: (tmp / "c.yaml").write_bytes(c)))
    for command in (["sample", "NOWHERE"], ["eval", "NOWHERE"], ["resume", "NOWHERE"], ["report", "NOWHERE"],
                    ["pixels", "NOWHERE"], ["sample", "FILE"], ["resume", "FILE"], ["report", "FILE"],
                    ["sample", "EMPTY"], ["eval", "EMPTY"], ["serve", "FILE"]):
        found.append(Case(" ".join(command), command))
    for env in ({"WORLD_SIZE": "two"}, {"WORLD_SIZE": "2", "RANK": "x"}, {"WORLD_SIZE": "2", "RANK": "7"},
                {"GANKIT_CACHE": "FILE"}, {"OMP_NUM_THREADS": "x"}):
        found.append(Case(f"train with {env}", ["train", "--steps", "2", "--out", "OUT"], env=env))
    found.append(Case("train --out 'runs/exp #2' trains into that folder",
                      ["train", "--steps", "3", "--out", "TMP/runs/exp #2", "--no-progress"],
                      check=lambda tmp: (tmp / "runs" / "exp #2" / "config.yaml").is_file()))
    return found


def run(case: Case, tmp: Path) -> str | None:
    """None when the case held, else what went wrong."""
    for sub in ("empty", "out"):
        (tmp / sub).mkdir(exist_ok=True)
    (tmp / "file").write_text("not a run")
    if case.prepare is not None:
        case.prepare(tmp)
    names = {"CONFIG": str(tmp / "c.yaml"), "NOWHERE": str(tmp / "nowhere"), "FILE": str(tmp / "file"),
             "EMPTY": str(tmp / "empty"), "OUT": str(tmp / "out" / "r")}
    args = [names.get(a, a.replace("TMP", str(tmp))) for a in case.args]
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "GANKIT_DEBUG")}
    env |= {k: names.get(v, v) for k, v in case.env.items()}
    try:
        done = subprocess.run([sys.executable, "-m", "gankit", *args], cwd=tmp, env=env, capture_output=True,
                              text=True, timeout=300, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "no answer in 300 s"
    output = (done.stdout + done.stderr).strip()
    if "Traceback" in output:
        return f"a traceback: {output.splitlines()[-1][:120]}"
    if done.returncode not in (0, 1, 2, 130):
        return f"exit {done.returncode}"
    if done.returncode == 1:
        errors = [line for line in output.splitlines() if line.startswith("Error")]
        if len(errors) != 1:
            return f"{len(errors)} error lines: {output[-120:]!r}"
    if case.check is not None and not case.check(tmp):
        return "the name typed was not the folder used"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    options = parser.parse_args()
    chosen = [c for c in cases() if options.only in c.name]
    failed = 0
    for case in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            problem = run(case, Path(tmp))
        if problem is not None:
            failed += 1
            print(f"did not hold: {case.name}: {problem}", flush=True)
    print(f"\n{len(chosen) - failed} of {len(chosen)} cases held")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
