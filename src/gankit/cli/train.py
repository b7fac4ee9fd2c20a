"""`gankit train`, `gankit resume` and `gankit objectives`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import yaml

from gankit import environment
from gankit.algorithms import ALGORITHMS, family_of
from gankit.algorithms.resolve import resolution_sources, resolve
from gankit.cli.common import INTERRUPTED_EXIT, LiveChoice, deprecated, parse_sets
from gankit.cli.launch import check_nproc, relaunch
from gankit.config import Config
from gankit.config.presets import preset_names, preset_path, preset_summary
from gankit.data.catalog import dataset_kind
from gankit.errors import GankitError

NET_NAMES = ("auto", "dcgan", "mlp", "r3gan", "resnet")  # "auto" and gankit.nets.NETS, likewise
RECIPE_NAMES = ("none", "modern")  # the Literal of config.ModelConfig.recipe, likewise


def _legacy_model(model: str) -> dict[str, Any]:
    """The 0.1 option --model took a net (mlp, dcgan, auto) or an algorithm (gan, ae, vae, ebm)."""
    if model in ALGORITHMS:
        deprecated("--model", "--algorithm")
        return {"model.algorithm": model}
    if model in NET_NAMES:
        deprecated("--model", "--net")
        return {"model.net": model}
    raise GankitError(f"unknown model {model!r}; valid: {', '.join([*NET_NAMES, *ALGORITHMS.names()])}")


def _given_keys(config_path: str | None, overrides: dict[str, Any], preset: str | None = None) -> dict[str, str]:
    """The dotted keys the user set, and where: a preset, the config file, a flag or --set."""
    given: dict[str, str] = {}
    if config_path:
        values = yaml.safe_load(Path(config_path).read_text()) or {}
        label = f"preset {preset}" if preset else "config file"
        given |= {f"{s}.{k}": label for s, fields in values.items() if isinstance(fields, dict) for k in fields}
    return given | {key: "command line" for key in overrides}


def print_resolved(config: Config, given: dict[str, str]) -> None:
    """Every field of the resolved config with the layer it came from."""
    kind = dataset_kind(config.data.name)
    sources = resolution_sources(config, kind)
    if config.data.root is not None and "data.root" not in given and environment.cache_root() == config.data.root:
        sources["data.root"] = f"environment (${environment.CACHE_VARIABLE})"
    resolved = resolve(config, kind)
    for section, fields in resolved.to_dict().items():
        click.echo(f"{section}:")
        for name, value in fields.items():
            key = f"{section}.{name}"
            source = given.get(key) or sources.get(key) or "schema default"
            click.echo(f"  {name}: {yaml.safe_dump(value, default_flow_style=True).strip().removesuffix('...').strip()}"
                       f"  # {source}")
    family = family_of(resolved)
    click.echo(f"# each iteration of {family.name} ({family.view}):")
    for line in family.phase_lines(resolved):
        click.echo(f"#   {line}")


@click.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="YAML config; flags override it.")
@click.option("--preset", type=LiveChoice(preset_names),
              help="A named config shipped with gankit (`gankit presets`), the one behind a result in the docs; "
                   "flags override it.")
@click.option("--data", help="Dataset name (`gankit data list`) or folder:PATH.  [default: ring8]")
@click.option("--algorithm", type=LiveChoice(ALGORITHMS.names),
              help="The lecture's three ways: gan; ae or vae (generator alone); ebm (discriminator alone); "
                   "`gankit algorithms` lists them.  [default: gan]")
@click.option("--net", type=click.Choice(NET_NAMES),
              help="Network family.  [default: auto: mlp for 2D, dcgan for images (the modern recipe: r3gan)]")
@click.option("--objective", help="GAN objective; `gankit objectives` lists them.  [default: ns]")
@click.option("--recipe", type=click.Choice(RECIPE_NAMES),
              help="Defaults over several sections: modern = for a GAN, R3GAN's rpgan + R1 + R2, r3gan nets, "
                   "DiffAugment, EMA; for rae, the RAE paper's image recipe; --dry-run shows each value it sets.  "
                   "[default: none]")
@click.option("--model", hidden=True, help="Deprecated: --algorithm or --net.")
@click.option("--loss", hidden=True, help="Deprecated: --objective.")
@click.option("--steps", type=int, help="Training iterations (D then G updates).  [default: 3000]")
@click.option("--batch-size", type=int, help="Examples per update.  [default: dcgan 64, mlp 512]")
@click.option("--lr", type=float, help="Learning rate for both networks.  [default: the objective's paper; 2D: 1e-3]")
@click.option("--out", help="Run folder.  [default: runs/<data>-<net>-<objective>-<time> for a GAN, "
              "runs/<data>-<algorithm>-<time> otherwise]")
@click.option("--device", help="auto, cpu, cuda or cuda:N.  [default: auto]")
@click.option("--seed", type=int, help="Seeds the whole run.  [default: 0]")
@click.option("--eval-every", type=int, help="Steps between image metrics (FID …); keeps the best-FID checkpoint.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Any config field, e.g. gan.d_steps=2.")
@click.option("--overwrite", is_flag=True, help="Replace an existing run in --out.")
@click.option("--dry-run", is_flag=True, help="Print the resolved config (each value with where it came from); "
              "train nothing, write nothing.")
@click.option("--estimate", is_flag=True, help="Time a few real steps of this run on this machine and print its "
              "compute card (images/s, time to finish, peak memory, checkpoint size); train nothing, write nothing.")
@click.option("--progress/--no-progress", default=True, help="Show the progress bar.")
@click.option("--nproc", type=int, default=1, show_default=True,
              help="Data-parallel processes on this machine (one per GPU, or CPU cores shared), via torchrun; "
                   "--batch-size is the global batch.")
def train(config_path: str | None, preset: str | None, data: str | None, algorithm: str | None, net: str | None,
          objective: str | None, recipe: str | None, model: str | None, loss: str | None, steps: int | None,
          batch_size: int | None, lr: float | None, out: str | None, device: str | None, seed: int | None,
          eval_every: int | None, sets: tuple[str, ...], overwrite: bool, dry_run: bool, estimate: bool,
          progress: bool, nproc: int) -> None:
    """Train a new run; the effective config is saved in its folder."""
    if preset is not None:
        if config_path is not None:
            raise GankitError("--preset is a config file of its own: give --preset or --config, not both")
        config_path = str(preset_path(preset))
    config = Config.from_yaml(config_path) if config_path else Config()
    overrides: dict[str, Any] = _legacy_model(model) if model else {}
    if loss:
        deprecated("--loss", "--objective")
    flags = {"data.name": data, "model.algorithm": algorithm, "model.net": net, "model.recipe": recipe,
             "objective.name": objective or loss,
             "train.steps": steps, "train.batch_size": batch_size, "optim.lr_g": lr, "optim.lr_d": lr,
             "train.out": out, "train.device": device, "train.seed": seed, "train.eval_every": eval_every}
    overrides |= {k: v for k, v in flags.items() if v is not None}
    overrides |= parse_sets(sets)
    config = environment.from_environment(config.override(overrides))
    from gankit.objectives import OBJECTIVES

    OBJECTIVES.get(config.objective.name)  # fail before loading data on a typo
    if dry_run:
        print_resolved(config, _given_keys(config_path, overrides, preset))
        return
    if estimate:
        from gankit.training.estimate import estimate as compute_card

        for line in compute_card(config).lines():
            click.echo(line)
        return
    if nproc != 1:
        sys.exit(_launch_training(config, nproc, overwrite))
    # importing torch and loading the data take seconds to minutes
    if progress and sys.stderr.isatty() and environment.world().is_main:
        click.echo(f"gankit: starting: loading torch and {config.data.name}, building the networks …", err=True)
    from gankit.api import train as train_run

    report_run(train_run(config, overwrite=overwrite, progress=progress))


def _launch_training(config: Config, nproc: int, overwrite: bool) -> int:
    """Check what one process would check before writing anything, then start `nproc` of them."""
    from gankit.training.device import resolve_device
    from gankit.training.precision import check_precision
    from gankit.training.run_folder import RunFolder, default_run_name

    resolved = resolve(config, dataset_kind(config.data.name))
    check_nproc(nproc, config.train.device, resolved.train.batch_size)
    check_precision(config.train.precision, resolve_device(config.train.device))
    out = config.train.out or default_run_name(config)
    RunFolder(Path(out)).check_new(overwrite)
    return relaunch(nproc, config.train.device, [] if config.train.out else ["--out", out])


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--steps", type=int,
              help="New total number of steps (to train longer than planned); lr, gamma and EMA schedules keep "
                   "the first --steps' horizon, then hold their end values.")
@click.option("--device", help="Device to continue on (bit-exact resume needs the same one).")
@click.option("--progress/--no-progress", default=True, help="Show the progress bar.")
@click.option("--nproc", type=int, default=1, show_default=True,
              help="Data-parallel processes to continue on (any number; exact on the run's own).")
def resume(run_dir: str, steps: int | None, device: str | None, progress: bool, nproc: int) -> None:
    """Continue RUN_DIR from its last checkpoint."""
    from gankit.api import resume as resume_run

    if nproc != 1:
        from gankit.training.run_folder import RunFolder

        saved = RunFolder(Path(run_dir)).load_config()  # a missing or damaged run fails here, in one line
        check_nproc(nproc, device or saved.train.device, saved.train.batch_size)
        sys.exit(relaunch(nproc, device or saved.train.device, []))
    report_run(resume_run(run_dir, steps=steps, device=device, progress=progress))


def report_run(run: Any) -> None:
    if not environment.world().is_main:  # data-parallel: rank 0 speaks for the run
        return
    where = run.run_dir
    if run.interrupted:
        click.echo(f"interrupted at step {run.step:,}; checkpoint saved in {where}/checkpoints, and what it has "
                   f"learnt so far drawn in {where}/samples/step-{run.step:08d}.png")
        click.echo(f"continue with: gankit resume {where}")
        sys.exit(INTERRUPTED_EXIT)
    click.echo(f"done: {run.step:,} steps; run folder {where}")
    click.echo(f"  samples: {where}/samples/   progress strip: {where}/progress.png")
    heldout = {k: v for k, v in _last_values(where / "metrics.jsonl").items() if k.startswith("test_")}
    if heldout:  # the generator alone's own measure (the VAE's test −ELBO), in nats per example
        click.echo("  held out (test split, nats per example): "
                   + ", ".join(f"{k.removeprefix('test_')} {v:.2f}" for k, v in sorted(heldout.items())))
    if run.mode_stats:
        from gankit.metrics.modes2d import ModeStats

        click.echo(f"  2D modes: {ModeStats(**run.mode_stats).summary()} -> {where}/modes.json")
    _verdict_line(where)


def _verdict_line(where: Path) -> None:
    """The training verdict in one line (a run too short to have logged a line has none)."""
    from gankit.algorithms.verdict import judge_run
    from gankit.errors import CheckpointError

    try:
        verdict = judge_run(where)
    except CheckpointError:
        return
    click.echo(f"  {verdict.line()}; evidence and what to try: gankit diagnose {where}")


def _last_values(metrics: Path) -> dict[str, Any]:
    """The latest value of every key in a run's metrics.jsonl (a torn line skipped)."""
    from gankit.jsonl import read_jsonl

    values: dict[str, Any] = {}
    for record in read_jsonl(metrics).records if metrics.is_file() else []:
        values |= record
    return values


@click.command()
def objectives() -> None:
    """The GAN objectives (--objective) and the defaults each gets on images and on 2D data."""
    from gankit.objectives import OBJECTIVES

    for name in OBJECTIVES.names():
        cls = OBJECTIVES.get(name)
        click.echo(f"{name}: {(cls.__doc__ or '').strip().splitlines()[0]}  [{cls.reference}]")
        for kind, label in (("image", "images"), ("points", "2D")):
            c = resolve(Config().override({"objective.name": name}), kind)  # type: ignore[arg-type]
            optimizer = (f"{c.optim.name} lr {c.optim.lr_g:g}" if c.optim.name != "adam"
                         else f"adam lr {c.optim.lr_g:g} betas ({c.optim.beta1:g}, {c.optim.beta2:g})")
            parts = [optimizer, f"batch {c.train.batch_size}", f"d_steps {c.gan.d_steps}"]
            if c.objective.penalty != "none":
                parts.append(f"penalty {c.objective.penalty} x{c.objective.penalty_weight:g}")
            if c.objective.clip:
                parts.append(f"clip {c.objective.clip:g}")
            if c.model.spectral_norm:
                parts.append("spectral norm")
            if kind == "image":
                parts.append(f"D norm {c.model.d_norm}")
            click.echo(f"    {label + ':':8s}{', '.join(parts)}")


@click.command()
def algorithms() -> None:
    """The algorithms (--algorithm): the lecture's view each one is and what it supports."""
    for name in ALGORITHMS.names():
        family = ALGORITHMS.get(name)
        supported = [key.replace("_", " ") for key, on in vars(family.supports).items() if on]
        click.echo(f"{name}: {family.summary}  [{family.view}]")
        click.echo(f"    config sections: {', '.join(family.sections) or 'none of its own'}; "
                   f"supports: {', '.join(supported)}")
        if family.sampling_keys:
            keys = ", ".join(family.sampling_keys)
            click.echo(f"    sampling settings (eval and sample --sampler KEY=VALUE): {keys}")


@click.command()
def presets() -> None:
    """The named configs (--preset): the commands behind the docs' results; `--dry-run` shows one in full."""
    for name in preset_names():
        click.echo(f"{name}: {preset_summary(name)}")
        click.echo(f"    gankit train --preset {name} --seed S    (file: {preset_path(name)})")


COMMANDS = [train, resume, objectives, algorithms, presets]
