"""The training verdict: healthy, mode collapse, discriminator wins, divergence or not learning yet.

`judge(records, watched, modes=…, cards=…)` reads a run's metrics.jsonl records (and, where the run has them,
its modes.json and metric cards) and returns the kind, the evidence that decided it (which signal crossed which
threshold, from which step) and one line of what to try. `judge_run(folder)` reads a run folder. Torch-free:
the trainer, `gankit diagnose`, the report and the web page all read it.

Which kinds apply is the algorithm's to say (`Family.watched`): mode collapse and "discriminator wins" need a G
and a D in contest; an auto-encoder's or an energy model's verdict is read from its loss (and energy) alone.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from gankit.algorithms.family import Watched
from gankit.errors import CheckpointError
from gankit.files import inside
from gankit.jsonl import finite_number, read_jsonl

Kind = Literal["healthy", "mode collapse", "discriminator wins", "divergence", "not learning yet"]
KINDS: tuple[Kind, ...] = get_args(Kind)

# -- thresholds, read from bench/verdict.py's 24 labelled 2D runs (ring8/grid25, 20 to 1 000 steps; the table and
#    each run's signals are in docs/how-to/diagnose.md). No image run is in that set: see RECALL_COLLAPSE.
MIN_STEPS = 200
"""Below this many steps a run is too young to judge: the set's runs of 20-100 steps all had their samples off the
data (high quality <= 0.03), whatever their losses said; its runs of 600-1 000 steps are judged by their signals."""
G_GRAD_VANISH = 0.05
"""G's gradient norm, median of the run's last quarter over its largest. No finite run of the set fell below 0.09
(ns on grid25; healthy runs 0.45-0.53, minimax 0.21-0.84: batch norm in D keeps G's gradient alive); it catches
the textbook case of a gradient that truly vanishes, and is not what decided any run of the set."""
D_GAP_WIN = 0.5
"""D(x) - D(G(z)), median of the run's last quarter, above which D has pulled away, with D's loss falling below
LOSS_D_FALL of its first quarter's: minimax on ring8 ends at 0.62-0.64; the healthy runs at <= 0.02, ns runs still
learning at <= 0.29."""
LOSS_D_FALL = 0.6
"""D's loss, median of the last quarter over the first's, below which D is pulling away: minimax 0.42-0.54; the
healthy runs ~1.0; BEGAN's loss (an auto-encoder's) falls too (0.22-0.73), but its D(x) and D(G(z)) stay together."""
LOSS_BLOWUP = 1e4
"""|loss| beyond which a run has blown up without a NaN: the set's finite runs stay below 14, ns at lr 10 reaches
2e23 with finite values."""
GRAD_BLOWUP = 1e4
"""G's or D's gradient norm beyond which the run has blown up: the finite runs stay below 120 (a D 5x as fast),
ns at lr 10 reaches 1e12 (G) and 2e18 (D)."""
ENERGY_BLOWUP = 1e4
"""The energy model's mean |energy| beyond which its energies have blown up; as LOSS_BLOWUP (no EBM in the set)."""
LOSS_RISE = 10.0
"""A loss that should fall ending this many times above its lowest (which is taken as at least 1e-3) has diverged;
not calibrated (no auto-encoder in the set), an order of magnitude where noise gives a few tens of percent."""
LOSS_DROP_MIN = 0.1
"""A loss that should fall and has fallen by less than this share of its first logged value has not learnt yet;
not calibrated (no auto-encoder in the set)."""
HQ_OFF_DATA = 0.2
"""modes.json: below this high-quality share the samples are off the data (PacGAN's protocol: within 3 std of a
mode): the set's healthy runs have >= 0.85, its minimax, too short and slow runs <= 0.04."""
MODES_COLLAPSE_SHARE = 0.75
"""modes.json: fewer than this share of the modes captured, with samples on the data, is mode collapse (or, while
the count still climbs, MODES_STILL_RISING, a run still learning); the healthy runs capture all of them."""
SPREAD_COLLAPSE = 0.1
"""modes.json: the samples' spread over the modes' below which G has collapsed to a point, on the data or off it:
BEGAN's four runs 0.001-0.027, every other finished run of the set >= 0.9."""
D_GAP_OFF_DATA = 0.2
"""With 2D samples off the data: D(x) - D(G(z)) above this (last quarter's median) says D is winning (minimax on
ring8 0.37-0.64, a D 5x as fast 0.98); at or below it G is still looking (ns on grid25 at 1 000 steps: 0.03, 0.17).
minimax on grid25 (0.05) reads as not learning yet: the set's one miss."""
MODES_STILL_RISING = 2
"""Modes captured gained since the previous checkpoint's statistics, from which few modes or samples off the data
mean "still learning" rather than collapse or D's win: the set's runs still climbing at 1 000 steps gained 2 and 7
(ns at lr 2e-3 on ring8, modern on grid25); its collapsed and minimax runs gained at most 1."""
RECALL_COLLAPSE = 0.1
"""Image cards: recall below this with precision at or above PRECISION_ON_DATA is mode collapse. Not calibrated
(no image run in the set): Kynkäänniemi et al. 2019 show collapsed models at recall near 0 with precision kept."""
PRECISION_ON_DATA = 0.3

ADVICE: dict[Kind, str] = {
    "healthy": "nothing to fix; train longer for better samples, and measure them (`gankit eval RUN`)",
    "mode collapse": "spread G over the data: a gradient penalty (objective.penalty=r1), PacGAN (model.pack=2), "
                     "a lower lr_g, or --recipe modern",
    "discriminator wins": "give G a gradient again: the non-saturating loss (--objective ns), a lower lr_d or "
                          "fewer d_steps, or a gradient penalty / model.spectral_norm=true on D",
    "divergence": "train again with lower learning rates, a gradient penalty (objective.penalty) or "
                  "model.spectral_norm=true (a checkpoint taken after the blow-up carries it on)",
    "not learning yet": "train longer (`gankit resume RUN --steps N`); if the losses still do not move, raise "
                        "the learning rates",
}


@dataclass(frozen=True)
class Evidence:
    """One signal that crossed its threshold: what was read, the threshold, the value, and from which step."""

    signal: str
    threshold: str  # e.g. "< 0.05"
    value: float
    step: int | None = None  # from which step the signal stayed across it (None: the run as a whole)

    def line(self) -> str:
        where = f", from step {self.step:,}" if self.step is not None else ""
        return f"{self.signal} = {_fmt(self.value)} ({self.threshold}{where})"


@dataclass(frozen=True)
class Verdict:
    """What `judge` says: the kind, the evidence that decided it (strongest first) and one line of what to try."""

    kind: Kind
    evidence: list[Evidence]
    advice: str
    applies: tuple[Kind, ...]  # what this algorithm's verdict can say at all
    step: int  # the last step read
    notes: list[str] = field(default_factory=list)  # what was not judged, and why

    def line(self) -> str:
        """One line: the kind and the first piece of evidence."""
        first = f": {self.evidence[0].line()}" if self.evidence else ""
        return f"verdict at step {self.step:,}: {self.kind}{first}"

    def lines(self) -> list[str]:
        out = [self.line(), *(f"  evidence: {e.line()}" for e in self.evidence[1:]), f"  try: {self.advice}"]
        return out + [f"  note: {note}" for note in self.notes]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(records: Sequence[dict[str, Any]], watched: Watched, modes: dict[str, Any] | None = None,
          cards: Iterable[dict[str, Any]] = ()) -> Verdict:
    """The verdict on a run's metrics records (step order), its modes.json and its metric cards, if any.

    In order: divergence wins over everything; then samples that look healthy; then a run too young to judge; then,
    for a G and a D, a collapse to a point, D's win in the losses, modes still climbing, samples off the data (D's
    win while it leads) and few modes; otherwise healthy."""
    applies: tuple[Kind, ...] = KINDS if watched.adversarial else ("healthy", "divergence", "not learning yet")
    steps = [int(r["step"]) for r in records if finite_number(r.get("step"))]
    last = max(steps, default=0)
    notes = [] if watched.adversarial else [
        "mode collapse and 'discriminator wins' are a G and a D's contest; this algorithm is judged by its "
        f"{' and '.join(watched.losses + ((watched.energy,) if watched.energy else ()))} alone"]

    def verdict(kind: Kind, evidence: list[Evidence]) -> Verdict:
        return Verdict(kind, evidence, ADVICE[kind], applies, last, notes)

    diverged = _divergence(records, watched)
    if diverged:
        return verdict("divergence", diverged)
    samples = _samples(modes, cards, records)
    if samples.get("healthy"):
        return verdict("healthy", samples["healthy"])
    if last < MIN_STEPS:
        return verdict("not learning yet", [Evidence("steps trained", f"< {MIN_STEPS}", last)])
    if watched.adversarial:
        if samples.get("point"):
            return verdict("mode collapse", samples["point"])
        vanished = _vanishing_generator_gradient(records) or _discriminator_pulls_away(records)
        if vanished:
            return verdict("discriminator wins", vanished + samples.get("off data", []))
        if samples.get("rising") and (samples.get("off data") or samples.get("collapse")):
            return verdict("not learning yet", samples["rising"] + samples.get("off data", samples.get("collapse", [])))
        if samples.get("off data"):
            lead = _late_gap(records)
            if lead is not None and lead[1] > D_GAP_OFF_DATA:
                return verdict("discriminator wins", samples["off data"] + [
                    Evidence("D(x) - D(G(z)), last quarter's median", f"> {D_GAP_OFF_DATA:g}", lead[1], lead[0])])
            return verdict("not learning yet", samples["off data"])
        if samples.get("collapse"):
            return verdict("mode collapse", samples["collapse"])
    else:
        if samples.get("off data"):  # a mode left out is no contest lost here: the loss says the rest
            return verdict("not learning yet", samples["off data"])
        stalled = _loss_not_falling(records, watched)
        if stalled:
            return verdict("not learning yet", stalled)
    return verdict("healthy", [])


# -- the signals ----------------------------------------------------------------------------------------------
def _divergence(records: Sequence[dict[str, Any]], watched: Watched) -> list[Evidence]:
    """NaN roll-backs the trainer recorded, non-finite values, and losses, gradients or energies blown up."""
    evidence = []
    rollbacks = [r for r in records if "rolled_back_from" in r or "not finite" in str(r.get("warning", ""))]
    if rollbacks:
        first = rollbacks[0].get("rolled_back_from", rollbacks[0]["step"])
        evidence.append(Evidence("NaN/inf roll-backs", ">= 1", len(rollbacks), int(first)))
    for key in (*watched.losses, *((watched.energy,) if watched.energy else ())):
        bad = [r for r in records if key in r and not finite_number(r[key])]
        if bad:
            evidence.append(Evidence(f"{key} not finite", "any", len(bad), int(bad[0]["step"])))
    limits = {key: LOSS_BLOWUP for key in watched.losses}
    if watched.energy:
        limits[watched.energy] = ENERGY_BLOWUP
    for key, limit in limits.items():
        evidence += _beyond(records, key, limit, f"|{key}|")
    for network in ("generator", "discriminator"):
        evidence += _beyond(_grad_series(records, network), "value", GRAD_BLOWUP, f"{network}'s gradient norm")
    return evidence + _loss_rose(records, watched)


def _beyond(records: Sequence[dict[str, Any]], key: str, limit: float, name: str) -> list[Evidence]:
    """The largest |value| of `key` when it passes `limit`, with the first step it did."""
    points = _series(records, key)
    over = [(step, abs(v)) for step, v in points if abs(v) > limit]
    if not over:
        return []
    return [Evidence(name, f"> {_fmt(limit)}", max(v for _, v in over), over[0][0])]


def _vanishing_generator_gradient(records: Sequence[dict[str, Any]]) -> list[Evidence]:
    """G's gradient norm in the run's last quarter against its largest: D so sure that G learns nothing."""
    series = _series(_grad_series(records, "generator"), "value")
    if len(series) < 4:
        return []
    peak = max(v for _, v in series)
    tail = series[len(series) * 3 // 4:]
    ratio = statistics.median(v for _, v in tail) / peak if peak > 0 else 0.0
    if ratio >= G_GRAD_VANISH:
        return []
    return [Evidence("G's gradient norm, late median / peak", f"< {G_GRAD_VANISH:g}", ratio,
                     _stayed_from(series, lambda v: v < G_GRAD_VANISH * peak))]


def _gaps(records: Sequence[dict[str, Any]]) -> list[tuple[int, float]]:
    return [(int(r["step"]), float(r["d_real"]) - float(r["d_fake"])) for r in records
            if finite_number(r.get("d_real")) and finite_number(r.get("d_fake"))]


def _late_gap(records: Sequence[dict[str, Any]]) -> tuple[int, float] | None:
    """(the last quarter's first step, the median of D(x) - D(G(z)) over it), or None without 4 such lines."""
    gaps = _gaps(records)
    if len(gaps) < 4:
        return None
    tail = gaps[-(len(gaps) // 4):]
    return tail[0][0], statistics.median(v for _, v in tail)


def _discriminator_pulls_away(records: Sequence[dict[str, Any]]) -> list[Evidence]:
    """D scores real and generated far apart while its loss falls: it wins, and G's updates no longer catch up."""
    losses, gaps = _series(records, "loss_d"), _gaps(records)
    if len(losses) < 8 or len(gaps) < 8 or min(v for _, v in losses) <= 0:  # a loss of either sign (WGAN): no ratio
        return []
    quarter = len(losses) // 4
    fall = statistics.median(v for _, v in losses[-quarter:]) / statistics.median(v for _, v in losses[:quarter])
    gap = statistics.median(v for _, v in gaps[-(len(gaps) // 4):])
    if fall >= LOSS_D_FALL or gap <= D_GAP_WIN:
        return []
    return [Evidence("D(x) - D(G(z)), last quarter's median", f"> {D_GAP_WIN:g}", gap,
                     _stayed_from(gaps, lambda v: v > D_GAP_WIN)),
            Evidence("D's loss, last quarter / first quarter", f"< {LOSS_D_FALL:g}", fall, None)]


def _loss_not_falling(records: Sequence[dict[str, Any]], watched: Watched) -> list[Evidence]:
    """A loss that should fall (an auto-encoder's) and has hardly moved from its first value."""
    points = _series(records, watched.losses[0]) if watched.falls else []
    if len(points) < 2 or points[0][1] <= 0:
        return []
    drop = 1 - min(v for _, v in points) / points[0][1]
    if drop >= LOSS_DROP_MIN:
        return []
    return [Evidence(f"{watched.losses[0]}'s fall from its first value", f"< {LOSS_DROP_MIN:.0%}", drop, None)]


def _loss_rose(records: Sequence[dict[str, Any]], watched: Watched) -> list[Evidence]:
    """A loss that should fall and ends far above its lowest value: training went back up the hill."""
    points = _series(records, watched.losses[0]) if watched.falls else []
    if len(points) < 2:
        return []
    lowest = max(min(v for _, v in points), 1e-3)
    if points[-1][1] <= LOSS_RISE * lowest:
        return []
    return [Evidence(f"{watched.losses[0]} at the end / its lowest", f"> {LOSS_RISE:g}", points[-1][1] / lowest,
                     _stayed_from(points, lambda v: v > LOSS_RISE * lowest))]


def _samples(modes: dict[str, Any] | None, cards: Iterable[dict[str, Any]],
             records: Sequence[dict[str, Any]]) -> dict[str, list[Evidence]]:
    """What the samples say where they were measured: modes.json (or the modes/ lines logged at checkpoints) on 2D
    data, precision/recall on images."""
    found: dict[str, list[Evidence]] = {}
    logged = [{k.removeprefix("modes/"): v for k, v in r.items() if k.startswith("modes/")} | {"step": r["step"]}
              for r in records if finite_number(r.get("modes/modes_captured"))]  # a 2D run's, at each checkpoint
    if modes is None and logged:  # along training
        modes = logged[-1]
    if modes and all(finite_number(modes.get(k)) for k in ("modes_captured", "num_modes", "high_quality")):
        step = int(modes["step"]) if finite_number(modes.get("step")) else None
        before = [m for m in logged if step is not None and m["step"] < step]
        gained = modes["modes_captured"] - before[-1]["modes_captured"] if before else 0
        if gained >= MODES_STILL_RISING:
            found["rising"] = [Evidence(f"modes captured gained since step {int(before[-1]['step']):,}",
                                        f">= {MODES_STILL_RISING}", gained, step)]
        share = modes["modes_captured"] / max(modes["num_modes"], 1)
        hq = float(modes["high_quality"])
        captured = Evidence("modes captured (share)", f"< {MODES_COLLAPSE_SHARE:g}", share, step)
        spread = modes.get("spread")
        if finite_number(spread) and spread < SPREAD_COLLAPSE:
            found["point"] = [Evidence("samples' spread / the modes'", f"< {SPREAD_COLLAPSE:g}", spread, step)]
        if hq < HQ_OFF_DATA:
            found["off data"] = [Evidence("high-quality samples", f"< {HQ_OFF_DATA:g}", hq, step)]
        elif share < MODES_COLLAPSE_SHARE:
            found["collapse"] = [captured]
        elif "point" not in found:
            found["healthy"] = [Evidence("modes captured (share)", f">= {MODES_COLLAPSE_SHARE:g}",
                                         share, step)]
        return found
    card = _last_card(cards, records)
    if card is not None:
        recall, precision, step = card
        if recall < RECALL_COLLAPSE and precision >= PRECISION_ON_DATA:
            found["collapse"] = [Evidence("recall (metric card)", f"< {RECALL_COLLAPSE:g}, precision >= "
                                          f"{PRECISION_ON_DATA:g}", recall, step)]
    return found


def _last_card(cards: Iterable[dict[str, Any]], records: Sequence[dict[str, Any]]) -> tuple[float, float, int] | None:
    """(recall, precision, step) of the latest card, or of the latest evaluation logged along training."""
    latest = None
    for card in cards:
        if finite_number(card.get("recall")) and finite_number(card.get("precision")):
            step = int(card["step"]) if finite_number(card.get("step")) else -1
            if latest is None or step >= latest[2]:
                latest = (float(card["recall"]), float(card["precision"]), step)
    for r in records:
        if finite_number(r.get("eval/recall")) and finite_number(r.get("eval/precision")):
            if latest is None or r["step"] >= latest[2]:
                latest = (float(r["eval/recall"]), float(r["eval/precision"]), int(r["step"]))
    return latest


# -- series ---------------------------------------------------------------------------------------------------
def _series(records: Sequence[dict[str, Any]], key: str) -> list[tuple[int, float]]:
    return [(int(r["step"]), float(r[key])) for r in records if finite_number(r.get(key))]


def _grad_series(records: Sequence[dict[str, Any]], network: str) -> list[dict[str, Any]]:
    """{step, value}: the whole network's gradient norm, from its per-layer norms (grad_norm/<network>/<layer>)."""
    prefix = f"grad_norm/{network}/"
    out = []
    for r in records:
        layers = [v for k, v in r.items() if k.startswith(prefix) and finite_number(v)]
        if layers:
            out.append({"step": r["step"], "value": math.sqrt(sum(v * v for v in layers))})
    return out


def _stayed_from(series: list[tuple[int, float]], crossed: Any) -> int:
    """The first step from which every later value has crossed (the last step if only the last has)."""
    step = series[-1][0]
    for s, v in reversed(series):
        if not crossed(v):
            break
        step = s
    return step


def _fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.2e}"


# -- a run folder ---------------------------------------------------------------------------------------------
def judge_run(folder: str | Path) -> Verdict:
    """The verdict on a run folder: its metrics.jsonl, modes.json and eval-step*.json cards; a folder that is not
    a run, or holds no readable metrics line, is a CheckpointError that says which."""
    from gankit.algorithms import ALGORITHMS
    from gankit.config import Config

    root = Path(folder)
    if not root.exists():
        raise CheckpointError(f"{root} does not exist")
    if not root.is_dir():
        raise CheckpointError(f"{root} is not a folder")
    if not (root / "config.yaml").is_file():
        raise CheckpointError(f"{root} is not a gankit run folder (no config.yaml)")
    for name in ("config.yaml", "metrics.jsonl"):
        if not inside(root, root / name):
            raise CheckpointError(f"{root / name} is a link to outside the run folder, not read")
    watched = ALGORITHMS.get(Config.from_yaml(root / "config.yaml").model.algorithm).watched
    metrics = root / "metrics.jsonl"
    if not metrics.is_file():
        raise CheckpointError(f"{root} has no metrics.jsonl yet (the run logs its first line at train.log_every)")
    lines = read_jsonl(metrics)
    if not lines.records:
        why = f"line {lines.skipped[0][0]} is {lines.skipped[0][1]}" if lines.skipped else "it is empty"
        raise CheckpointError(f"{metrics} holds no readable metrics line ({why})")
    return judge(lines.records, watched, _json(root, root / "modes.json"),
                 [card for path in sorted(root.glob("eval-step*.json")) if (card := _json(root, path)) is not None])


def _json(root: Path, path: Path) -> dict[str, Any] | None:
    """A JSON object from `path`, or None when it is missing, damaged or a link out of the run folder (the verdict
    then goes without it)."""
    if not inside(root, path):
        return None
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


__all__ = ["ADVICE", "KINDS", "Evidence", "Kind", "Verdict", "judge", "judge_run"]
