"""The live page's ring8 run over several seeds: does each show 8/8 modes, when, and at which step?

Each row is one live run started as the page starts it (gankit.serve.live, no browser), watched frame by frame
as the page would draw them; settings are the page's defaults unless given as JSON. Run on an idle machine:

    python bench/live_seeds.py [--seeds 10] [--settings '{"d_steps": 1, "steps": 1500}']
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from gankit.serve.live import Live
from gankit.serve.runs import RunsDir
from gankit.serve.settings import LiveSettings


def watch(settings: LiveSettings) -> tuple[float | None, int | None, int | None, float]:
    """(seconds to the first frame with 8/8, its step, the modes of the last frame, seconds in all)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "runs"
        root.mkdir()
        start = time.perf_counter()
        run = Live(RunsDir.at(root)).start(settings)
        seen, reached, step, last = -1, None, None, None
        while run.alive:
            frame = run.frame
            if frame is not None and run.frames != seen:
                seen, last = run.frames, frame["stats"].get("modes_captured")
                if last == 8 and reached is None:
                    reached, step = time.perf_counter() - start, frame["step"]
            time.sleep(0.01)
        return reached, step, last, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--settings", default="{}", help="LiveSettings fields as JSON (default: the page's)")
    options = parser.parse_args()
    given = json.loads(options.settings)
    print(f"settings: the page's defaults{', ' + json.dumps(given) if given else ''}\n")
    print("| seed | 8/8 on screen after | at step | modes at the end | run |\n|---:|---:|---:|---:|---:|")
    hits = 0
    for seed in range(options.seeds):
        reached, step, last, total = watch(LiveSettings(**{**given, "seed": seed}))
        hits += reached is not None
        shown = "never" if reached is None else f"{reached:.1f} s"
        print(f"| {seed} | {shown} | {step or '—'} | {last} | {total:.1f} s |", flush=True)
    print(f"\n{hits} of {options.seeds} seeds showed 8/8")


if __name__ == "__main__":
    main()
