"""The compute card against the run: `gankit train ... --estimate` beside the same `gankit train`, three sizes.

For each workload, one process prints the compute card (it times a few real steps after a warm-up), then a
second process trains the run. The card's "training time" is compared with the run's measured training time:
the seconds between its log lines (metrics.jsonl's `images_per_s`), which include the periodic pictures and
checkpoints but not start-up or the end-of-run pictures; the command's whole wall time is shown beside it.
Run on an otherwise idle machine:

    python bench/compute_card.py [--scale 1.0] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

TARGET = 0.15  # the card's training time within 15% of the measured one

WORKLOADS = {  # name: (steps, the rest of the command line)
    "ring8 MLP (the README's first run)": (3000, ["--data", "ring8"]),
    "DCGAN, Fashion-MNIST 28x28": (1500, ["--data", "fashion-mnist", "--net", "dcgan"]),
    "modern recipe, Fashion-MNIST": (150, ["--data", "fashion-mnist", "--recipe", "modern"]),
}


def gankit(*args: str) -> tuple[str, float]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "gankit", *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"gankit {' '.join(args)} failed: {(done.stderr.strip() or done.stdout).splitlines()[-1]}")
    return done.stdout + done.stderr, time.perf_counter() - start


def card_seconds_per_step(output: str) -> tuple[float, float]:
    """(seconds per step, images per second) as the printed card says."""
    per_1000 = re.search(r"seconds per 1 000 steps\s+([\d,.]+)", output)
    images = re.search(r"images per second\s+([\d,.]+)", output)
    if per_1000 is None or images is None:
        raise SystemExit(f"no compute card in:\n{output}")
    return float(per_1000.group(1).replace(",", "")) / 1000, float(images.group(1).replace(",", ""))


def measured_training_seconds(run: Path) -> tuple[float, int]:
    """(seconds, steps) the run spent between its first and last log line, from metrics.jsonl."""
    config = yaml.safe_load((run / "config.yaml").read_text())
    batch = config["train"]["batch_size"]
    seconds, last_step, steps = 0.0, 0, 0
    for line in (run / "metrics.jsonl").read_text().splitlines():
        record = json.loads(line)
        if "images_per_s" not in record:
            continue
        interval = record["step"] - last_step
        seconds += interval * batch / record["images_per_s"]
        steps += interval
        last_step = record["step"]
    return seconds, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every workload's steps")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (steps, args) in WORKLOADS.items():
            steps = max(10, round(steps * options.scale))
            command = [*args, "--steps", str(steps)]
            card, card_wall = gankit("train", *command, "--estimate")
            per_step, images = card_seconds_per_step(card)
            run = Path(tmp) / f"run{len(rows)}"
            _, wall = gankit("train", *command, "--out", str(run), "--no-progress")
            seconds, measured_steps = measured_training_seconds(run)
            predicted = per_step * measured_steps
            rows.append({"workload": name, "command": "gankit train " + " ".join(command), "steps": steps,
                         "card_images_per_s": images, "card_seconds": round(per_step * steps, 1),
                         "card_took_s": round(card_wall, 1), "measured_training_s": round(seconds, 1),
                         "command_wall_s": round(wall, 1), "error": round(predicted / seconds - 1, 3)})
            print(f"done: {name}", file=sys.stderr, flush=True)
    if options.json:
        print(json.dumps(rows, indent=2))
        return
    print("| workload | command | card: images/s | card: training time | measured training time | error | "
          "whole command | card itself |\n|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['workload']} | `{r['command']}` | {r['card_images_per_s']:,.0f} | {r['card_seconds']:.1f} s | "
              f"{r['measured_training_s']:.1f} s | {100 * r['error']:+.1f}% | {r['command_wall_s']:.1f} s | "
              f"{r['card_took_s']:.1f} s |")
    worst = max(abs(r["error"]) for r in rows)
    print(f"\nworst error {100 * worst:.1f}% (target: within {100 * TARGET:.0f}%): "
          f"{'met' if worst <= TARGET else 'missed'}")


if __name__ == "__main__":
    main()
