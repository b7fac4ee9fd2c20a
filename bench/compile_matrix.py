"""Gradient penalties × train.compile × --nproc: which combinations train, and do they match eager one-process?

Each cell is one `gankit train` (ring8, a small MLP pair, a few steps, batch norm and minibatch-std off so
that two processes follow one exactly). Each cell reports how it ran (compiled, or uncompiled with the
one-line reason gankit printed) and the largest difference of its final weights from the eager one-process
run of the same penalty. Run on an otherwise idle machine (compiling takes a while per cell):

    python bench/compile_matrix.py [--steps 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

PENALTIES = ["none", "r1", "r2", "r1+r2", "gp", "dragan"]
TOLERANCE = 1e-5  # as the tests: float sums in another order, no more


def train(out: Path, penalty: str, compiled: bool, nproc: int, steps: int) -> tuple[int, str]:
    """(exit status, the train.compile notice or the last line of a failure)."""
    command = [sys.executable, "-m", "gankit", "train", "--data", "ring8", "--steps", str(steps), "--out", str(out),
               "--no-progress", "--nproc", str(nproc), "--set", "model.width=32", "--set", "model.depth=2",
               "--set", "model.minibatch_std=false", "--set", f"objective.penalty={penalty}",
               "--set", f"train.compile={str(compiled).lower()}", "--set", "train.device=cpu"]
    done = subprocess.run(command, capture_output=True, text=True)
    lines = (done.stdout + done.stderr).splitlines()
    notice = next((line.split("train.compile: ", 1)[1] for line in lines if "train.compile: " in line), "")
    return done.returncode, notice if done.returncode == 0 else (lines[-1] if lines else "no output")


def model_weights(run: Path) -> dict[str, torch.Tensor]:
    from gankit.training import checkpoint

    tensors, _ = checkpoint.load_checkpoint(run / "checkpoints", "last")
    return {k: v for k, v in tensors.items() if k.startswith("model.") and v.is_floating_point()}


def largest_difference(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    return max(float((a[k] - b[k]).abs().max()) for k in a)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for penalty in PENALTIES:
            reference = None
            for nproc in (1, 2):
                for compiled in (False, True):
                    out = Path(tmp) / f"{penalty}-{nproc}-{compiled}"
                    status, notice = train(out, penalty, compiled, nproc, options.steps)
                    row = {"penalty": penalty, "compile": compiled, "nproc": nproc, "exit": status}
                    if status == 0:
                        weights = model_weights(out)
                        reference = reference or weights  # the first cell: eager, one process
                        difference = largest_difference(weights, reference)
                        ran = "uncompiled" if notice or not compiled else "compiled"
                        row |= {"ran": ran, "reason": notice, "difference": difference,
                                "result": "pass" if difference <= TOLERANCE else "differs"}
                        if notice:
                            row["result"] = "refused, trained uncompiled"
                    else:
                        row |= {"ran": "failed", "reason": notice, "difference": None, "result": "fail"}
                    rows.append(row)
                    print(f"done: {penalty} compile={compiled} nproc={nproc}", file=sys.stderr, flush=True)
    if options.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"PyTorch {torch.__version__}, {options.steps} steps per cell\n")
    print("| penalty | compile | --nproc | result | max \\|Δw\\| vs eager, 1 process | reason |")
    print("|---|---|---:|---|---:|---|")
    for r in rows:
        difference = "—" if r["difference"] is None else f"{r['difference']:.1e}"
        print(f"| {r['penalty']} | {'on' if r['compile'] else 'off'} | {r['nproc']} | {r['result']} | {difference} | "
              f"{r['reason']} |")


if __name__ == "__main__":
    main()
