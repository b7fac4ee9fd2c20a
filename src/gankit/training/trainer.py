"""The one training loop: phases in order, each `repeats` times; the only place with backward()/step()."""

from __future__ import annotations

import copy
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import torch
import yaml
from torch import Tensor
from tqdm.auto import tqdm

from gankit.algorithms import family_of
from gankit.algorithms.base import Phase, sample_bounds
from gankit.algorithms.resolve import resolve
from gankit.algorithms.verdict import judge
from gankit.config import Config
from gankit.data.catalog import dataset_kind
from gankit.data.dataset import to_model_range
from gankit.data.shard import ShardedGenerator
from gankit.errors import ConfigError, GankitError
from gankit.files import write_atomic
from gankit.metrics.evaluate import ImageEvaluator
from gankit.nets.modes import set_trainable
from gankit.training import checkpoint as ckpt
from gankit.training.building import build
from gankit.training.device import resolve_device
from gankit.training.distributed import Group
from gankit.training.health import first_non_finite, layer_gradient_norms
from gankit.training.interrupts import stop_on_sigint
from gankit.training.logbook import Logbook, NoLogbook, read_metrics
from gankit.training.outputs import Outputs
from gankit.training.precision import Concrete, Precision, check_precision, choose_precision
from gankit.training.run_folder import RunFolder, RunLock, default_run_name
from gankit.training.threads import ThreadChoice, available_cores, candidates, fixed_threads, measure_threads
from gankit.world import ONE_PROCESS, World

Callback = Callable[["Trainer"], None]


@dataclass
class Outcome:
    step: int
    interrupted: bool
    mode_stats: dict[str, Any] | None = None


class Trainer:
    """Builds everything a run needs from its config and trains it, checkpointing as it goes.

    In a data-parallel run (`group` of several processes) every process builds the same trainer and trains on
    its slice of each batch; rank 0 alone writes the run folder, logs, pictures and checkpoints.
    """

    def __init__(self, config: Config, folder: RunFolder, device: torch.device, group: Group | None = None,
                 measured: dict[str, Any] | None = None) -> None:
        """`config` is resolved (`start` and `resume` resolve it, the entries of a run) and stays as it is: what
        `auto` settings measure is kept apart (`self.measured`, in run.json and every checkpoint), and a resumed
        run passes it back as `measured`, so it trains on as it began."""
        self.group = group or Group(ONE_PROCESS)
        world = self.group.world
        recorded = measured or {}
        if config.train.precision == "auto" and recorded.get("precision"):
            precision = cast(Concrete, recorded["precision"])
        else:
            precision = choose_precision(config.train.precision, device)
            if self.group.parallel:  # `auto` measures speed: every process takes rank 0's pick
                precision = cast(Concrete, self.group.share_text(precision if world.is_main else None))
        parts = build(config, device, world)
        self.config, self.spec, self.folder, self.device = parts.config, parts.spec, folder, device
        self.precision = Precision(precision, device)
        self.algorithm, self.optimizers, self.phases = parts.algorithm, parts.optimizers, parts.phases
        self.networks = self.algorithm.trainable()
        self.dataset = parts.dataset  # on the device
        self.progress_labels = family_of(self.config).progress_labels
        self.watched = family_of(self.config).watched  # what the training verdict reads of the metrics
        self.batches, self.heldout, self.schedule = parts.batches, parts.heldout, parts.schedule
        # z and labels; the same stream in every process, each keeping its examples' draws
        self.rng = ShardedGenerator(device, world.rank, world.size).manual_seed(self.config.train.seed + 1)
        self.outputs = Outputs(folder, self.algorithm, self.spec, parts.dataset.data, self.config.train.seed)
        self.evaluator = self._image_evaluator(self.config) if world.is_main else None
        self.bounds = sample_bounds(self.spec)
        # how many updates the network that samples gets per iteration: the progress strip counts them
        self.sampling_repeats = next(p.repeats for p in self.phases if p.name == self.algorithm.sampling_phase)
        self.step = 0  # completed iterations
        self.batches_drawn = 0
        self.phase_updates: dict[str, int] = {}  # updates taken by this object, by phase name (not checkpointed)
        self.recoveries = 0  # NaN roll-backs so far
        self.stop_requested = False
        self.timed_out = False  # train.time_limit ended the run short of its steps
        self.lock: RunLock | None = None  # held from start/resume to the end of fit
        self._sums: dict[str, Tensor] = {}
        self._counts: dict[str, int] = {}
        self._held_out_values: dict[str, float] = {}
        self._mode_values: dict[str, float] = {}  # 2D mode statistics of the last checkpoint, not yet logged
        self._judged: list[dict[str, Any]] = []  # metrics lines the verdict reads (rank 0)
        self.measured: dict[str, Any] = {"precision": precision}  # what `auto` chose; the thread count below
        self.threads = self._choose_threads(recorded.get("threads"))
        self.measured["threads"] = self.threads.threads

    def _choose_threads(self, recorded: int | None) -> ThreadChoice:
        """train.threads: a given count, or `auto`'s measurement of this run's own step at each candidate count
        (the run is put back exactly as it was, so the measurement leaves no trace in what it trains); a resumed
        run keeps the count it measured when it began."""
        setting = self.config.train.threads
        if isinstance(setting, int):
            return fixed_threads(setting, "set")
        if recorded:
            return fixed_threads(recorded, "measured when the run began")
        if self.device.type != "cpu" or self.group.parallel:  # a GPU's step, or processes that step together
            return fixed_threads(torch.get_num_threads(), "torch's default")
        counts = candidates(available_cores())
        if len(counts) == 1:
            return fixed_threads(counts[0], "one core available")
        tensors, meta = self.state()
        saved = ({k: v.clone() for k, v in tensors.items()}, copy.deepcopy(meta))
        try:
            return measure_threads(self.train_step, counts)
        finally:
            self.restore(*saved)
            self.phase_updates = {}

    @property
    def is_main(self) -> bool:
        """Whether this process writes the run folder (the only process, or rank 0)."""
        return self.group.is_main

    def _image_evaluator(self, config: Config) -> ImageEvaluator | None:
        if not config.train.eval_every:
            return None
        if self.spec.kind != "image":
            raise ConfigError("train.eval_every is for images; 2D runs report mode statistics at each checkpoint")
        return ImageEvaluator(config.data, config.train.eval_samples)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def start(cls, config: Config, overwrite: bool = False, world: World = ONE_PROCESS) -> Trainer:
        """A new run from `config`, resolved here once (a resolved config resolves to itself)."""
        out = config.train.out or default_run_name(config)  # named from what the user chose
        config = resolve(config, dataset_kind(config.data.name))
        device = resolve_device(config.train.device, world.local_rank)
        check_precision(config.train.precision, device)  # before writing anything
        folder = RunFolder(Path(out))
        group = Group(world)
        if not world.is_main:  # the other processes of a data-parallel run never touch the folder
            return cls(config, folder, device, group)
        folder.check_new(overwrite)  # before creating anything, or spending time on data
        created = not folder.root.exists()
        lock = folder.lock()
        try:
            folder.check_new(overwrite)  # again, holding the lock: another process may have started a run here
            folder.remove_temp_files()
            trainer = cls(config, folder, device, group)
            folder.create(trainer.config, trainer.spec, overwrite, trainer.measured)
        except BaseException:
            lock.release()
            if created:  # bad data or config found while building: leave no empty run folder behind
                folder.remove_if_unused()
            raise
        trainer.lock = lock
        return trainer

    @classmethod
    def resume(cls, run_dir: str | Path, steps: int | None = None, device: str | None = None,
               cache_root: str | None = None, world: World = ONE_PROCESS) -> Trainer:
        """The run in `run_dir` from its last checkpoint; `cache_root` serves a run saved without data.root.
        In a data-parallel run rank 0 reads the folder and sends the config and checkpoint to the others, on
        any number of processes (exact on the number the run was saved with)."""
        if world.size > 1:
            return cls._resume_parallel(Path(run_dir), steps, device, cache_root, world)
        folder = RunFolder(Path(run_dir))
        config = folder.load_config()
        lock = folder.lock()  # before reading the checkpoint: another process may be writing the next one
        try:
            folder.remove_temp_files()
            tensors, meta = folder.load_checkpoint("last")
            config = cls._resumed_config(folder, config, meta, steps, device)
            if config.data.root is None and cache_root is not None:
                config = config.override({"data.root": cache_root})
            config = resolve(config, dataset_kind(config.data.name))  # saved resolved: unchanged, but for old runs
            trainer = cls(config, folder, resolve_device(config.train.device), measured=meta.get("measured"))
            trainer.restore(tensors, meta)
        except BaseException:
            lock.release()
            raise
        trainer.lock = lock
        return trainer

    @staticmethod
    def _resumed_config(folder: RunFolder, config: Config, meta: dict[str, Any], steps: int | None,
                        device: str | None) -> Config:
        """The saved config with resume's --steps and --device, written back to the folder when they change it."""
        overrides: dict[str, Any] = {}
        if steps is not None:
            if steps < meta["step"]:
                raise ConfigError(f"--steps {steps} is below the checkpoint's step {meta['step']}")
            overrides["train.steps"] = steps
        if device is not None:
            overrides["train.device"] = device
        if not overrides:
            return config
        config = config.override(overrides)
        try:
            write_atomic(folder.config_path, config.to_yaml().encode())
        except OSError as err:
            raise folder.write_failure(err) from None
        return config

    @classmethod
    def _resume_parallel(cls, run_dir: Path, steps: int | None, device: str | None, cache_root: str | None,
                         world: World) -> Trainer:
        folder, lock, group = RunFolder(run_dir), None, Group(world)
        shared = checkpoint = None
        try:
            if world.is_main:  # rank 0 checks and reads the folder as one process would, then sends what it read
                config = folder.load_config()
                lock = folder.lock()
                folder.remove_temp_files()
                checkpoint = folder.load_checkpoint("last")
                config = cls._resumed_config(folder, config, checkpoint[1], steps, device)
                shared = json.dumps({"config": config.to_yaml(), "measured": checkpoint[1].get("measured")})
            received = json.loads(group.share_text(shared))
            config = Config.from_dict(yaml.safe_load(received["config"]))
            if config.data.root is None and cache_root is not None:
                config = config.override({"data.root": cache_root})
            config = resolve(config, dataset_kind(config.data.name))
            on = resolve_device(config.train.device, world.local_rank)
            trainer = cls(config, folder, on, group, measured=received["measured"])
            trainer.restore(*group.share_checkpoint(checkpoint))
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        trainer.lock = lock
        return trainer

    # -- the algorithm ------------------------------------------------------------------------
    def train_step(self, measure: bool = False) -> dict[str, Tensor]:
        """One iteration of the lecture's loop: each phase updates its network, the others fixed.

        With `measure`, the last update of each phase also reports health numbers: D's input
        gradient norms and every layer's gradient norm. They read gradients, never change them.
        """
        stats: dict[str, Tensor] = {}
        self.schedule.apply(self.optimizers, self.step)
        for phase in self.phases:
            if self.step % phase.every:  # a lazy phase (StyleGAN2's Dreg): host-side arithmetic, no device sync
                continue
            set_trainable(self.networks, phase.trains)
            for repeat in range(phase.repeats):
                last = repeat == phase.repeats - 1
                stats.update(self._update(phase, measure and last and phase.every == 1))
        self.step += 1
        return stats

    def train_phase(self, name: str) -> dict[str, Tensor]:
        """Exactly one update of the phase `name`, its network alone stepping (the live page's "one D step").

        It is outside the iteration count: `step` and the schedules stay where they are, so a run stepped by hand
        is no longer the one its seed and step number describe; `phase_updates` counts every update taken.
        """
        phase = next((p for p in self.phases if p.name == name), None)
        if phase is None:
            raise GankitError(f"no phase {name!r}; this run's phases: {', '.join(p.name for p in self.phases)}")
        self.schedule.apply(self.optimizers, self.step)
        set_trainable(self.networks, phase.trains)
        return self._update(phase, measure=False)

    def _update(self, phase: Phase, measure: bool) -> dict[str, Tensor]:
        """One optimizer step of `phase.trains` on the phase's loss (the caller has fixed the other networks)."""
        stats: dict[str, Tensor] = {}
        optimizer = self.optimizers[phase.trains]
        network = self.networks[phase.trains]
        batch = self.batches.get(self.batches_drawn) if phase.needs_data else None
        self.batches_drawn += phase.needs_data
        with self.precision.autocast():
            out = phase.loss(batch, self.rng, measure=measure)
        optimizer.zero_grad(set_to_none=True)
        self.precision.backward(out.loss)
        self.group.average_gradients(network)  # data-parallel: every process takes the same step
        if measure:
            self.precision.unscale(optimizer)
            stats |= {f"grad_norm/{phase.trains}/{k}": v for k, v in layer_gradient_norms(network).items()}
        self.precision.step(optimizer)
        stats.update(out.stats)
        out = replace(out, pending=self.group.gather(out.pending))  # the same state changes everywhere
        stats.update(self.algorithm.after_update(phase.name, out))
        self.phase_updates[phase.name] = self.phase_updates.get(phase.name, 0) + 1
        return stats

    def fit(self, progress: bool = True, callbacks: tuple[Callback, ...] = ()) -> Outcome:
        """Train until config.train.steps or a stop request (Ctrl-C), then checkpoint; holding the run's lock.

        A write that fails (a full disk, a folder gone read-only) stops training with one line that says
        what was kept: checkpoints are renamed into place, so the last good one is never replaced by a partial one.
        """
        lock = self.lock or (self.folder.lock() if self.is_main else None)
        try:
            return self._fit(progress, callbacks)
        except OSError as err:
            raise self.folder.write_failure(err, self.step) from None
        finally:
            if lock is not None:
                lock.release()
            self.lock = None
            self.group.close()

    def _fit(self, progress: bool, callbacks: tuple[Callback, ...]) -> Outcome:
        t = self.config.train
        logbook = Logbook(self.folder.metrics_path, self.folder.tensorboard, self.step) if self.is_main else NoLogbook()
        # the lines the verdict judges: those kept of an earlier part of the run, then each one logged
        self._judged = read_metrics(self.folder.metrics_path) if self.is_main else []
        bar = tqdm(total=t.steps, initial=self.step, disable=not (progress and self.is_main), unit="it",
                   dynamic_ncols=True)
        bar.set_postfix_str(f"losses every {t.log_every} steps", refresh=False)  # until the first log line
        self._clock = (time.perf_counter(), self.step)
        self._fit_start = self._clock[0]
        if progress and self.is_main:
            assert t.batch_size is not None
            tqdm.write(f"gankit: torch threads: {self.threads.describe(t.batch_size)}", file=sys.stderr)
        try:
            with stop_on_sigint(self.request_stop, lambda: self.stop_requested):
                if self.is_main and ckpt.read_meta(self.folder.checkpoints, "last") is None:
                    self.save()  # a good state to roll back to from the very first step
                while True:
                    while self.step < t.steps and not self.group.any(self.stop_requested or self._time_up()):
                        measure = (self.step + 1) % t.log_every == 0 or self.step + 1 == t.steps
                        self._accumulate(self.train_step(measure))
                        bar.update(1)
                        self._periodic(logbook, bar)
                        for callback in callbacks:
                            callback(self)
                    if self._healthy_or_rolled_back(logbook, bar):
                        break
        finally:
            bar.close()
            logbook.close()
        self.group.check_same_weights(self.algorithm)
        fitted = self.algorithm.end_of_training(self._examples)  # every process alike: the same data and seed
        if fitted and progress and self.is_main:
            tqdm.write("gankit: fitted after training: " + ", ".join(f"{k} {v:.4g}" for k, v in fitted.items()),
                       file=sys.stderr)
        stats = self.outputs.mode_stats() if self.is_main else None
        self.save(stats.score() if stats else None)
        if self.is_main:
            if progress:
                tqdm.write("gankit: drawing the end-of-run pictures …", file=sys.stderr)
            self._finish(stats)
        return Outcome(self.step, self.step < t.steps and not self.timed_out, stats.to_dict() if stats else None)

    def _examples(self, n: int) -> Tensor:
        """The first n training examples in model range, on the run's device."""
        return to_model_range(self.dataset.data[:n])

    def _time_up(self) -> bool:
        """Whether train.time_limit has passed since this fit began (the run then ends as finished)."""
        limit = self.config.train.time_limit
        self.timed_out = bool(limit) and time.perf_counter() - self._fit_start > 60 * limit
        return self.timed_out

    def request_stop(self) -> None:
        """Stop at the end of the current iteration and checkpoint (what Ctrl-C does)."""
        self.stop_requested = True

    # -- periodic work ------------------------------------------------------------------------
    def _accumulate(self, stats: dict[str, Tensor]) -> None:
        for key, value in stats.items():
            self._sums[key] = self._sums.get(key, 0) + value  # tensors: no device sync per step
            self._counts[key] = self._counts.get(key, 0) + 1  # per key: some are only measured now and then

    def _periodic(self, logbook: Logbook, bar: tqdm) -> None:
        t, s, main = self.config.train, self.step, self.is_main
        if main and self.heldout is not None and (s % t.sample_every == 0 or s == t.steps):
            bar.set_description_str("held-out numbers")  # the VAE's test ELBO takes a while on 10 000 images
            self._held_out_values = self.algorithm.heldout(self.heldout)  # joins the next metrics line
            bar.set_description_str("")
        if s % t.log_every == 0 or s == t.steps:
            self._log(logbook, bar)
        landscape_every = t.log_every if t.landscape_every is None else t.landscape_every
        if main and landscape_every and (s % landscape_every == 0 or s == t.steps):
            self.outputs.landscape(s, self.bounds)
        if main and self.outputs.grid_due(s, t.sample_every, t.steps):
            self.outputs.sample_picture(s)
        per_step = self.sampling_repeats
        if main and (any((s - 1) * per_step < p <= s * per_step for p in t.progress_steps) or s == t.steps):
            self.outputs.snapshot(s * per_step)
        if t.eval_every and (s % t.eval_every == 0 or s == t.steps):
            self._evaluate(logbook, bar)
        if s % t.checkpoint_every == 0 and s < t.steps and self._healthy_or_rolled_back(logbook, bar):
            self.group.check_same_weights(self.algorithm)
            stats = self.outputs.mode_stats() if main else None
            self.save(stats.score() if stats else None)
            if stats is not None:  # 2D data: coverage along training, for the verdict; joins the next metrics line
                self._mode_values = {f"modes/{k}": v for k, v in stats.to_dict().items()}

    def _evaluate(self, logbook: Logbook, bar: tqdm) -> None:
        """Image metrics from a fixed z (rank 0 scores); a new best FID also writes the `best` checkpoint."""
        score, better = -math.inf, False
        if self.evaluator is not None:
            metrics = self.evaluator(self.outputs.fixed_samples(self.evaluator.n))
            logbook.write(self.step, {f"eval/{k}": v for k, v in metrics.items()})
            score = -metrics["fid"]
            better = score > self._best_score()
        if self.group.any(better) and self._healthy_or_rolled_back(logbook, bar):
            self.save(score)

    def _log(self, logbook: Logbook, bar: tqdm) -> None:
        if not self._counts:
            return
        values: dict[str, Any] = {k: float(v) / self._counts[k] for k, v in self.group.mean(self._sums).items()}
        if not self._healthy_or_rolled_back(logbook, bar, values):
            return
        now, last_step = time.perf_counter(), self._clock[1]
        assert self.config.train.batch_size is not None, "gankit.algorithms.resolve fills train.batch_size"
        images = (self.step - last_step) * self.config.train.batch_size
        values["images_per_s"] = images / max(now - self._clock[0], 1e-9)
        values["images_seen"] = self.batches_drawn * self.config.train.batch_size
        values |= {f"updates/{p.trains}": self.step * p.repeats for p in self.phases}
        values |= self._held_out_values | self._mode_values
        self._held_out_values, self._mode_values = {}, {}
        self._clock = (now, self.step)
        verdict = self._judge(values) if self.is_main else None
        if verdict is not None and verdict != self._last_verdict():  # written when it changes (metrics, TensorBoard)
            values["verdict"] = self._judged[-1]["verdict"] = verdict
        logbook.write(self.step, values)
        self._sums, self._counts = {}, {}
        shown = {label: f"{values[k]:.3f}" for k, label in self.progress_labels.items() if k in values}
        bar.set_postfix(shown | {"img/s": f"{values['images_per_s']:.0f}"} | ({"verdict": verdict} if verdict else {}),
                        refresh=False)

    def _judge(self, values: dict[str, Any]) -> str:
        """The training verdict (gankit.algorithms.verdict) on the run's lines so far and this step's."""
        self._judged.append({"step": self.step, **values})
        return judge(self._judged, self.watched).kind

    def _last_verdict(self) -> str | None:
        """The verdict the run's lines last wrote (before this step's line)."""
        return next((r["verdict"] for r in reversed(self._judged[:-1]) if "verdict" in r), None)

    # -- divergence ---------------------------------------------------------------------------
    def _healthy_or_rolled_back(self, logbook: Logbook, bar: tqdm, values: dict[str, float] | None = None) -> bool:
        """True when training is finite; else roll back to the last good checkpoint (with a warning), or
        stop with a clear message after train.max_recoveries roll-backs. Garbage is never checkpointed."""
        if values is None:  # before a checkpoint: the unlogged means and every weight
            values = {k: float(v) / self._counts[k] for k, v in self._sums.items()}
            bad = first_non_finite(values, self.algorithm, self.optimizers)
        else:
            bad = first_non_finite(values)
        if not self.group.any(bad is not None):  # data-parallel: all processes roll back if any must
            return True
        bad = bad or "a value in another process"
        limit, bad_step = self.config.train.max_recoveries, self.step
        last = self.folder.load_checkpoint("last") if self.is_main else None
        tensors, meta = self.group.share_checkpoint(last)
        if self.recoveries >= limit:
            raise GankitError(
                f"training diverged by step {bad_step}: {bad} is not finite, after {self.recoveries} roll-backs "
                f"(train.max_recoveries={limit}); last good checkpoint: step {meta['step']}. "
                "Try lower learning rates, a gradient penalty (objective.penalty) or model.spectral_norm=true"
            )
        recoveries = self.recoveries + 1
        self.restore(tensors, meta)
        self.recoveries = recoveries
        # fresh noise, so that the retry does not replay the same path into the same NaN
        self.rng.manual_seed(self.config.train.seed + 1 + 1_000_003 * recoveries)
        self._sums, self._counts = {}, {}
        self._clock = (time.perf_counter(), self.step)
        warning = (f"step {bad_step}: {bad} is not finite; rolled back to the checkpoint at step {self.step} "
                   f"with fresh noise (roll-back {recoveries} of at most {limit})")
        logbook.rewind(self.step)
        self._judged = [r for r in self._judged if r["step"] <= self.step]
        self._judged.append({"step": self.step, "warning": warning, "rolled_back_from": bad_step})
        logbook.write(self.step, {"warning": warning, "rolled_back_from": bad_step})  # the verdict reads the step
        tqdm.write(f"warning: {warning}")
        bar.n = self.step
        bar.refresh()
        return False

    def _finish(self, stats: Any) -> None:
        """The end pictures and modes.json; an interrupted run also gets a grid of the step it stopped at."""
        stopped = self.step < self.config.train.steps and not self.timed_out
        if self.step < self.config.train.steps:
            self.outputs.sample_picture(self.step)
        self.outputs.finish(self.heldout, interrupted=stopped)
        if stats is not None:
            self.folder.write_json("modes.json", {"step": self.step, **stats.to_dict()})

    # -- checkpoints --------------------------------------------------------------------------
    def save(self, score: float | None = None) -> None:
        """Write `last` (and `best` when `score` beats the best so far); atomic, safetensors + JSON.
        Only rank 0 writes: every process holds the same weights, optimizer and generator states."""
        if not self.is_main:
            return
        tensors, meta = self.state(score)
        ckpt.save_checkpoint(self.folder.checkpoints, "last", tensors, meta)
        if score is not None and score > self._best_score():
            ckpt.save_checkpoint(self.folder.checkpoints, "best", tensors, meta)

    def state(self, score: float | None = None) -> tuple[dict[str, Tensor], dict[str, Any]]:
        """Everything a resume restores: tensors (networks, optimizers, RNGs; live, not copies) and the rest."""
        tensors = {f"model.{k}": v for k, v in self.algorithm.state_dict().items()}
        optim_meta = {}
        for name, optimizer in self.optimizers.items():
            flat, optim_meta[name] = ckpt.optimizer_to_flat(name, optimizer)
            tensors |= flat
        tensors |= ckpt.rng_state_tensors(self.rng)
        meta = {"step": self.step, "batches_drawn": self.batches_drawn, "score": score, "recoveries": self.recoveries,
                "optimizers": optim_meta, "config": self.config.to_dict(), "data": self.spec.to_dict(),
                "precision": self.precision.state_dict(), "measured": self.measured}
        return tensors, meta

    def _best_score(self) -> float:
        score = (ckpt.read_meta(self.folder.checkpoints, "best") or {}).get("score")
        return float(score) if isinstance(score, (int, float)) else -math.inf

    def restore(self, tensors: dict[str, Tensor], meta: dict[str, Any]) -> None:
        """Put the run in the state of a checkpoint from ckpt.load_run_checkpoint (which checked its fields)."""
        source = self.folder.checkpoints / meta.get("tensors", "(the state in memory)")
        ckpt.load_model_state(self.algorithm, tensors, source)
        for name, optimizer in self.optimizers.items():
            ckpt.optimizer_from_flat(name, optimizer, tensors, meta["optimizers"].get(name), source)
        ckpt.restore_rng_states(self.rng, tensors, source)
        self.precision.load_state_dict(meta.get("precision") or {})
        self.step, self.batches_drawn = meta["step"], meta["batches_drawn"]
        self.recoveries = meta.get("recoveries", 0)


__all__ = ["Outcome", "Trainer"]
