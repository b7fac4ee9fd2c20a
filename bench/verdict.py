"""The training verdict (`gankit diagnose`) scored on labelled 2D runs with known outcomes.

Trains each run of RUNS (ring8/grid25, at most 1 000 steps) one after the other into --out, then labels it from
what happened, never from the verdict: a NaN roll-back, the trainer giving up, or a network weight beyond 100 (or a
NaN/inf) in the last checkpoint is divergence; all modes with most samples on the data is healthy; a run of at most
100 steps, too early by design, is not learning yet; fresh samples from the last checkpoint spread less than 0.1 of
the data's (collapsed to a point), or on the data but on at most 60% of the modes, is mode collapse; samples off the
data after 500 or more steps are the discriminator's win where the run was built to handicap G (minimax's saturating
loss, a D five times as fast) and not learning yet otherwise. A run between those bands is `unclear` and left out of
the accuracy (the table shows it). Then it scores the verdict twice: as `gankit diagnose` gives it (metrics.jsonl
and modes.json), and from the losses and gradient norms alone (what an image run without evaluations gives it).

Finished runs are kept and not trained again, so `--score-only` rescores a folder after a threshold changes.
One thread, one run at a time; about 15 minutes of CPU for all of them on an idle core:

    OMP_NUM_THREADS=1 python bench/verdict.py [--out runs/verdict] [--only NAME,...] [--score-only]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GROUND_TRUTH_EARLY_STEPS = 100  # runs this short are "not learning yet" by design
HQ_ON_DATA, HQ_OFF_DATA = 0.3, 0.1  # modes.json high-quality share: samples on / off the data
ALL_MODES, FEW_MODES = 1.0, 0.6  # share of modes captured: healthy needs all, collapse at most this
POINT_SPREAD = 0.1  # samples spread this little (of the data's spread) have collapsed to a point
WEIGHTS_BLOWN_UP = 100.0  # a weight this large has blown up: the 2D runs' healthy networks stay below 2


@dataclass(frozen=True)
class LabelledRun:
    name: str
    data: str
    steps: int
    intended: str  # what the settings were chosen to show (the label itself comes from the outcome)
    sets: dict[str, Any] = field(default_factory=dict)  # "section.key": value
    seed: int = 0


def _runs() -> list[LabelledRun]:
    lr = {"optim.lr_g": 10.0, "optim.lr_d": 10.0}
    modern = {"model.recipe": "modern"}
    return [
        # healthy: the modern recipe on both mixtures, and ns at twice its 2D learning rate, 1 000 steps
        *(LabelledRun(f"ring8-modern-s{s}", "ring8", 1000, "healthy", modern, s) for s in (0, 1, 2)),
        LabelledRun("grid25-modern-s0", "grid25", 1000, "healthy", modern),
        LabelledRun("ring8-ns-lr2e-3-s0", "ring8", 1000, "healthy", {"optim.lr_g": 2e-3, "optim.lr_d": 2e-3}),
        # not learning yet: stopped after a few dozen steps
        *(LabelledRun(f"ring8-ns-{n}steps", "ring8", n, "not learning yet") for n in (20, 60, 100)),
        LabelledRun("grid25-ns-50steps", "grid25", 50, "not learning yet"),
        LabelledRun("ring8-minimax-40steps", "ring8", 40, "not learning yet", {"objective.name": "minimax"}),
        # discriminator wins: minimax's saturating G loss (the lecture's log(1 - D(G(z)))), and a D 5x as fast
        *(LabelledRun(f"ring8-minimax-s{s}", "ring8", 600, "discriminator wins", {"objective.name": "minimax"}, s)
          for s in (0, 1, 2)),
        LabelledRun("grid25-minimax-s0", "grid25", 600, "discriminator wins", {"objective.name": "minimax"}),
        LabelledRun("ring8-ns-strong-d", "ring8", 600, "discriminator wins",
                    {"gan.d_steps": 5, "optim.lr_d": 5e-3, "optim.lr_g": 1e-4}),
        # mode collapse: BEGAN on both mixtures, and ns seeds that lose modes on grid25
        *(LabelledRun(f"{d}-began-s{s}", d, 800, "mode collapse", {"objective.name": "began"}, s)
          for d in ("ring8", "grid25") for s in (0, 1)),
        *(LabelledRun(f"grid25-ns-s{s}", "grid25", 1000, "mode collapse", {}, s) for s in (0, 1)),
        # divergence: learning rates 10 000x the 2D default (NaN roll-backs, or weights blown up without a NaN)
        LabelledRun("ring8-lsgan-lr10", "ring8", 300, "divergence", {"objective.name": "lsgan", **lr}),
        LabelledRun("ring8-wgan-noclip-lr10", "ring8", 300, "divergence",
                    {"objective.name": "wgan", "objective.clip": 0.0, **lr}),
        LabelledRun("ring8-ns-lr10", "ring8", 300, "divergence", lr),
    ]


RUNS = _runs()


def config(run: LabelledRun, out: Path) -> dict[str, dict[str, Any]]:
    log_every = 10 if run.steps <= 200 else 25  # >= 20 lines a run: the verdict reads trends
    sections: dict[str, dict[str, Any]] = {
        "data": {"name": run.data},
        "train": {"steps": run.steps, "seed": run.seed, "out": str(out / run.name), "threads": 1,
                  "log_every": log_every, "sample_every": run.steps, "checkpoint_every": max(run.steps // 4, 1),
                  "progress_steps": []}}
    for key, value in run.sets.items():
        section, _, name = key.partition(".")
        sections.setdefault(section, {})[name] = value
    return sections


def train(run: LabelledRun, out: Path) -> dict[str, Any]:
    """Train one run; what happened (finished, or the trainer's one-line reason to stop) and its seconds."""
    import gankit
    from gankit.errors import GankitError
    from gankit.training.outputs import Outputs

    # D's landscape is drawn at every log line of a 2D run: 40% of a CPU run's time, and the verdict reads none
    # of it. The pictures are switched off here only; training itself is gankit's own, untouched.
    Outputs.landscape = lambda *args, **kwargs: None  # type: ignore[method-assign]
    Outputs.landscape_gif = lambda *args, **kwargs: None  # type: ignore[method-assign]
    start = time.process_time()
    try:
        gankit.train(config(run, out), overwrite=True)
        stopped = None
    except GankitError as err:  # the trainer giving up after its roll-backs is an outcome, kept as its line
        stopped = str(err)
    return {"name": run.name, "stopped": stopped, "cpu_s": round(time.process_time() - start, 1)}


def ground_truth(run: LabelledRun, outcome: dict[str, Any], folder: Path) -> str:
    """The label from what happened in the run: NaNs, its length by design, then its samples (modes.json)."""
    from gankit.jsonl import read_jsonl

    metrics = folder / "metrics.jsonl"
    records = read_jsonl(metrics).records if metrics.is_file() else []
    if outcome.get("stopped") or any("not finite" in str(r.get("warning", "")) for r in records):
        return "divergence"
    if _largest_weight(folder) > WEIGHTS_BLOWN_UP:
        return "divergence"
    modes_path = folder / "modes.json"
    modes = json.loads(modes_path.read_text()) if modes_path.is_file() else None
    if modes is None:
        return "unclear"
    share, hq = modes["modes_captured"] / modes["num_modes"], modes["high_quality"]
    if share >= ALL_MODES and hq >= 0.5:
        return "healthy"
    if run.steps <= GROUND_TRUTH_EARLY_STEPS:
        return "not learning yet"
    if _spread(folder) < POINT_SPREAD:
        return "mode collapse"
    if hq >= HQ_ON_DATA and share <= FEW_MODES:
        return "mode collapse"
    if hq < HQ_OFF_DATA and run.steps >= 500:  # off the data: D won where the design handicaps G, else G is slow
        return "discriminator wins" if run.intended == "discriminator wins" else "not learning yet"
    return "unclear"


def _largest_weight(folder: Path) -> float:
    """The largest |value| in the last checkpoint's networks (its own networks, not the metrics); infinite when
    gankit refuses the checkpoint for holding a NaN or inf (in the weights or the optimizer's moments)."""
    import gankit
    from gankit.errors import CheckpointError

    try:
        state = gankit.load(folder).algorithm.state_dict()
    except CheckpointError as err:
        if "NaN or inf" not in str(err):
            raise
        return float("inf")
    return max(float(v.abs().max()) for v in state.values() if v.is_floating_point() and v.numel())


def _spread(folder: Path) -> float:
    """The std of 2 500 fresh samples over the modes' std (norms of the per-axis std): ~1 when G spreads like the
    data, near 0 when it has collapsed to a point; drawn here from the last checkpoint, not read from the run."""
    import torch

    import gankit

    run = gankit.load(folder)
    x, modes = run.sample(2500, seed=12345), torch.tensor(run.spec.modes, dtype=torch.float32)
    return float(x.std(dim=0).norm() / modes.std(dim=0, correction=0).norm())


def score(out: Path, names: list[str]) -> None:
    from gankit.algorithms import ALGORITHMS
    from gankit.algorithms.verdict import judge, judge_run
    from gankit.config import Config
    from gankit.jsonl import read_jsonl

    outcomes = _outcomes(out)
    rows, hits, hits_metrics, counted = [], 0, 0, 0
    for run in RUNS:
        if run.name not in names or run.name not in outcomes:
            continue
        folder = out / run.name
        label = ground_truth(run, outcomes[run.name], folder)
        full = judge_run(folder)
        watched = ALGORITHMS.get(Config.from_yaml(folder / "config.yaml").model.algorithm).watched
        records = read_jsonl(folder / "metrics.jsonl").records
        # what an image run without evaluations has: losses, D's outputs and gradient norms, no sample statistics
        alone = judge([{k: v for k, v in r.items() if not k.startswith(("modes/", "eval/"))} for r in records],
                      watched)
        modes = _modes_text(folder)
        if label != "unclear":
            counted += 1
            hits += full.kind == label
            hits_metrics += alone.kind == label
        evidence = "; ".join(e.line() for e in full.evidence).replace("|", "\\|") or "-"  # |loss_d| in a table
        rows.append(f"| {run.name} | {run.intended} | {modes} | {label} | {full.kind} | {alone.kind} | {evidence} |")
    print("| run | meant to show | modes.json (captured, high quality) | label (outcome) | verdict | "
          "verdict, losses and gradients alone | evidence (verdict) |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    if counted:
        print(f"\naccuracy on {counted} labelled runs: verdict {hits}/{counted} ({hits / counted:.0%}), "
              f"losses and gradients alone {hits_metrics}/{counted} ({hits_metrics / counted:.0%})")


def _modes_text(folder: Path) -> str:
    path = folder / "modes.json"
    if not path.is_file():
        return "-"
    m = json.loads(path.read_text())
    return f"{m['modes_captured']}/{m['num_modes']}, {m['high_quality']:.2f}"


def _outcomes(out: Path) -> dict[str, dict[str, Any]]:
    path = out / "outcomes.jsonl"
    lines = path.read_text().splitlines() if path.is_file() else []
    return {o["name"]: o for o in map(json.loads, lines)}  # a retrained run's later line wins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/verdict"))
    parser.add_argument("--only", default="", help="comma-separated run names (default: all)")
    parser.add_argument("--score-only", action="store_true", help="score the runs already in --out")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or [r.name for r in RUNS]
    unknown = sorted(set(names) - {r.name for r in RUNS})
    if unknown:
        parser.error(f"unknown run(s) {', '.join(unknown)}; valid: {', '.join(r.name for r in RUNS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.score_only:
        done, by_name = _outcomes(args.out), {r.name: r for r in RUNS}
        for run in (by_name[name] for name in names):  # in the order asked for
            if run.name not in done:
                outcome = train(run, args.out)
                print(f"trained {run.name}: {outcome['stopped'] or 'finished'} ({outcome['cpu_s']} s CPU)", flush=True)
                with (args.out / "outcomes.jsonl").open("a") as f:
                    f.write(json.dumps(outcome) + "\n")
    score(args.out, names)


if __name__ == "__main__":
    main()
