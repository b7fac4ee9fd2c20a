"""Fingerprint the weights that fixed seeds give: train a dozen tiny runs and print one hash per run.

Used to show that a refactor changes no behaviour: run it before and after, the lines must match.
Each hash covers every tensor of the final checkpoint (networks, EMA, buffers, optimizer state, RNG),
taken by value and independent of the tensors' names, so a module that moves keeps its hash.

    python scripts/fingerprint.py [OUT_DIR]
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import torch
from safetensors.torch import load_file

import gankit

RING = {"data": {"name": "ring8", "num_points": 2048}, "model": {"width": 32, "depth": 2}}
DIGITS = {"data": {"name": "digits"}, "model": {"width": 8}}
RUNS: dict[str, tuple[dict, dict]] = {  # name -> (base, extra sections)
    "ring8-ns": (RING, {}),
    "ring8-hinge-sn": (RING, {"objective": {"name": "hinge"}, "model": {"spectral_norm": True}}),
    "ring8-pack2": (RING, {"model": {"pack": 2}}),
    "ring8-wgan-gp": (RING, {"objective": {"name": "wgan-gp"}}),
    "ring8-ebm": (RING, {"model": {"algorithm": "ebm"}}),
    "ring8-vae": (RING, {"model": {"algorithm": "vae"}}),
    "digits-ns-projection": (DIGITS, {"model": {"conditional": True}}),
    "digits-acgan": (DIGITS, {"model": {"conditional": True, "d_condition": "acgan"}}),
    "digits-wgan-gp-lazy-r1": (DIGITS, {"objective": {"name": "wgan-gp", "penalty": "r1", "penalty_every": 2}}),
    "digits-wgan-clip": (DIGITS, {"objective": {"name": "wgan"}}),
    "digits-began": (DIGITS, {"objective": {"name": "began"}}),
    "digits-dragan-ema": (DIGITS, {"objective": {"name": "dragan"}, "model": {"g_ema": 0.9}}),
    "digits-ebm": (DIGITS, {"model": {"algorithm": "ebm"}, "ebm": {"langevin_steps": 3, "buffer_size": 100}}),
    "digits-ae": (DIGITS, {"model": {"algorithm": "ae"}}),
    "digits-vae": (DIGITS, {"model": {"algorithm": "vae"}}),
}


def config(out: Path, base: dict, extra: dict) -> dict:
    sections = {k: dict(v) for k, v in base.items()}
    sections["train"] = {"steps": 12, "batch_size": 32, "out": str(out), "log_every": 4, "sample_every": 6,
                         "checkpoint_every": 6, "progress_steps": [3, 6],
                         "threads": 1}  # the same reduction order in every run, whatever `auto` would pick
    for section, values in extra.items():
        sections.setdefault(section, {}).update(values)
    return sections


def fingerprint(run_dir: Path) -> str:
    meta = json.loads((run_dir / "checkpoints" / "last.json").read_text())
    tensors = load_file(run_dir / "checkpoints" / meta["tensors"])
    parts = sorted(hashlib.sha256(t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes() + str(t.dtype).encode()
                                  + str(list(t.shape)).encode()).hexdigest() for t in tensors.values())
    return hashlib.sha256("".join(parts).encode()).hexdigest()[:16] + f" ({len(parts)} tensors, step {meta['step']})"


def main() -> None:
    torch.set_num_threads(1)  # the same reduction order in every run
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="gankit-fingerprint-"))
    for name, (base, extra) in RUNS.items():
        out = root / name
        gankit.train(config(out, base, extra), overwrite=True)
        print(f"{name:24s} {fingerprint(out)}", flush=True)


if __name__ == "__main__":
    main()
