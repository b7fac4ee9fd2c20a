"""The `gankit` command: parse, build a config, call the library. Errors print one line, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from gankit.config import Config, DataConfig
from gankit.errors import GankitError

INTERRUPTED_EXIT = 130  # the shell's convention for "stopped by Ctrl-C"


class Gankit(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GankitError as err:
            raise click.ClickException(str(err)) from None


@click.group(cls=Gankit, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gankit")
def main() -> None:
    """Train, sample and evaluate generative models the way the "Introduction to GAN" lecture lays them out."""


def _model_overrides(model: str) -> dict[str, Any]:
    """--model takes a network family (mlp, dcgan, auto) or an algorithm (gan)."""
    from gankit.algorithms import ALGORITHMS
    from gankit.nets import NETS

    if model in ALGORITHMS:
        return {"model.algorithm": model}
    if model in NETS or model == "auto":
        return {"model.net": model}
    valid = ", ".join(["auto", *NETS.names(), *ALGORITHMS.names()])
    raise GankitError(f"unknown model {model!r}; valid: {valid}")


def _parse_sets(assignments: tuple[str, ...]) -> dict[str, str]:
    parsed = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep:
            raise GankitError(f"--set expects KEY=VALUE (e.g. train.log_every=10), got {item!r}")
        parsed[key.strip()] = value
    return parsed


def _objective_names() -> list[str]:
    from gankit.objectives import OBJECTIVES

    return OBJECTIVES.names()


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="YAML config; flags override it.")
@click.option("--data", help="Dataset name (`gankit data list`) or folder:PATH.  [default: ring8]")
@click.option("--model", help="Network (auto, mlp, dcgan) or algorithm (gan).  [default: auto]")
@click.option("--loss", help=f"GAN objective: {', '.join(_objective_names())}.  [default: ns]")
@click.option("--steps", type=int, help="Training iterations (D then G updates).  [default: 3000]")
@click.option("--batch-size", type=int, help="Examples per update.  [default: dcgan 64, mlp 512]")
@click.option("--lr", type=float, help="Learning rate for both networks.  [default: the objective's paper; 2D: 1e-3]")
@click.option("--out", help="Run folder.  [default: runs/<data>-<model>-<loss>-<time>]")
@click.option("--device", help="auto, cpu, cuda or cuda:N.  [default: auto]")
@click.option("--seed", type=int, help="Seeds the whole run.  [default: 0]")
@click.option("--eval-every", type=int, help="Steps between image metrics (FID …); keeps the best-FID checkpoint.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Any config field, e.g. train.d_steps=2.")
@click.option("--overwrite", is_flag=True, help="Replace an existing run in --out.")
@click.option("--progress/--no-progress", default=True, help="Show the progress bar.")
def train(config_path: str | None, data: str | None, model: str | None, loss: str | None, steps: int | None,
          batch_size: int | None, lr: float | None, out: str | None, device: str | None, seed: int | None,
          eval_every: int | None, sets: tuple[str, ...], overwrite: bool, progress: bool) -> None:
    """Train a new run; the effective config is saved in its folder."""
    from gankit.run import train as train_run

    config = Config.from_yaml(config_path) if config_path else Config()
    overrides: dict[str, Any] = _model_overrides(model) if model else {}
    flags = {"data.name": data, "objective.name": loss, "train.steps": steps, "train.batch_size": batch_size,
             "optim.lr_g": lr, "optim.lr_d": lr, "train.out": out, "train.device": device, "train.seed": seed,
             "train.eval_every": eval_every}
    overrides |= {k: v for k, v in flags.items() if v is not None}
    overrides |= _parse_sets(sets)
    config = config.override(overrides)
    from gankit.objectives import OBJECTIVES

    OBJECTIVES.get(config.objective.name)  # fail before loading data on a typo
    _report(train_run(config, overwrite=overwrite, progress=progress))


@main.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--steps", type=int, help="New total number of steps (to train longer than planned).")
@click.option("--device", help="Device to continue on (bit-exact resume needs the same one).")
@click.option("--progress/--no-progress", default=True, help="Show the progress bar.")
def resume(run_dir: str, steps: int | None, device: str | None, progress: bool) -> None:
    """Continue RUN_DIR from its last checkpoint."""
    from gankit.run import resume as resume_run

    _report(resume_run(run_dir, steps=steps, device=device, progress=progress))


def _report(run: Any) -> None:
    where = run.run_dir
    if run.interrupted:
        click.echo(f"interrupted at step {run.step:,}; checkpoint saved in {where}/checkpoints")
        click.echo(f"continue with: gankit resume {where}")
        sys.exit(INTERRUPTED_EXIT)
    click.echo(f"done: {run.step:,} steps; run folder {where}")
    click.echo(f"  samples: {where}/samples/   progress strip: {where}/progress.png")
    if run.mode_stats:
        from gankit.metrics.modes2d import ModeStats

        click.echo(f"  2D modes: {ModeStats(**run.mode_stats).summary()} -> {where}/modes.json")


@main.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--n", "n", type=click.IntRange(1, 10_000),
              help="How many samples.  [default: 64; conditional: a row per class]")
@click.option("--out", type=click.Path(dir_okay=False), default="samples.png", show_default=True, help="PNG to write.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for z.")
@click.option("--class", "class_index", type=int, help="Class to generate (conditional runs).")
@click.option("--checkpoint", type=click.Choice(["last", "best"]), default="last", show_default=True)
@click.option("--nrow", type=int, default=8, show_default=True, help="Images per grid row.")
@click.option("--from-discriminator", is_flag=True,
              help="Generate with D alone: argmax_x D(x) by Langevin dynamics from noise; saves the chains.")
@click.option("--steps", type=click.IntRange(1), help="Langevin steps for --from-discriminator.  [default: the "
              "run's ebm.sample_steps; GANs: 20 for images, 50 for 2D]")
def sample(
    run_dir: str, n: int | None, out: str, seed: int, class_index: int | None, checkpoint: str, nrow: int,
    from_discriminator: bool, steps: int | None,
) -> None:
    """Draw N samples from RUN_DIR into a grid (images) or a scatter (2D).

    Conditional runs give one row per class, or only class K with --class K. With --from-discriminator,
    the run's D (a GAN's or an EBM's) generates by gradient ascent: each row of the picture is one chain,
    left to right (2D: the chains' end points over D's landscape).
    """
    from gankit.run import load

    run = load(run_dir, checkpoint=checkpoint)  # type: ignore[arg-type]
    if from_discriminator:
        path = run.save_ascent(out, n or (8 if run.spec.kind == "image" else 500), steps, seed)
        click.echo(f"wrote the argmax of D (step {run.step:,}) to {path}")
        return
    if n is None:
        n = run.spec.num_classes * nrow if run.algorithm.conditional and class_index is None else 64
    path = run.save_samples(out, n=n, labels=class_index, seed=seed, nrow=nrow)
    click.echo(f"wrote {n} samples from step {run.step:,} to {path}")


@main.command()
def objectives() -> None:
    """The GAN objectives (--loss) and the defaults each gets on images and on 2D data."""
    from gankit.defaults import resolve_defaults
    from gankit.objectives import OBJECTIVES

    for name in OBJECTIVES.names():
        cls = OBJECTIVES.get(name)
        click.echo(f"{name}: {(cls.__doc__ or '').strip().splitlines()[0]}  [{cls.reference}]")
        for family, label in (("dcgan", "images"), ("mlp", "2D")):
            c = resolve_defaults(Config().override({"objective.name": name}), family)
            optimizer = (f"{c.optim.name} lr {c.optim.lr_g:g}" if c.optim.name == "rmsprop"
                         else f"adam lr {c.optim.lr_g:g} betas ({c.optim.beta1:g}, {c.optim.beta2:g})")
            parts = [optimizer, f"batch {c.train.batch_size}", f"d_steps {c.train.d_steps}"]
            if c.objective.penalty != "none":
                parts.append(f"penalty {c.objective.penalty} x{c.objective.penalty_weight:g}")
            if c.objective.clip:
                parts.append(f"clip {c.objective.clip:g}")
            if c.model.spectral_norm:
                parts.append("spectral norm")
            if family == "dcgan":
                parts.append(f"D norm {c.model.d_norm}")
            click.echo(f"    {label + ':':8s}{', '.join(parts)}")


@main.command("eval")
@click.argument("run_dir", type=click.Path(file_okay=False), required=False)
@click.option("--n", "n", type=click.IntRange(2), help="Real and fake images.  [default: 10000; Stacked MNIST 26000]")
@click.option("--split", type=click.Choice(["train", "test"]), default="test", show_default=True, help="Real split.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for z, noise and KID's subsets.")
@click.option("--checkpoint", type=click.Choice(["last", "best"]), default="last", show_default=True)
@click.option("--data", "data_name", help="Without RUN_DIR: the dataset whose splits to compare.")
@click.option("--fake", type=click.Choice(["train", "test", "noise"]),
              help="Without RUN_DIR: compare the real split with this split's last N images, or uniform noise.")
@click.option("--features", "feature_space", type=click.Choice(["classifier", "inception"]), default="classifier",
              show_default=True, help="gankit's dataset classifier, or the standard FID Inception network.")
def evaluate(run_dir: str | None, n: int | None, split: str, seed: int, checkpoint: str, data_name: str | None,
             fake: str | None, feature_space: str) -> None:
    """FID, KID, precision/recall and density/coverage in a feature space: RUN_DIR's samples against
    the real split, or (--data, --fake) one split or noise against another, to calibrate."""
    import json

    from gankit.metrics.evaluate import default_eval_samples, evaluate_dataset, evaluate_run
    from gankit.run import load

    if run_dir is not None:
        run = load(run_dir, checkpoint=checkpoint)  # type: ignore[arg-type]
        n = n or default_eval_samples(run.config.data.name)
        card = evaluate_run(run, n=n, split=split, seed=seed, features=feature_space)
        suffix = "" if feature_space == "classifier" else f"-{feature_space}"
        path = run.run_dir / f"eval-step{run.step:08d}{suffix}.json"
        path.write_text(json.dumps(card, indent=1) + "\n")
        what, where = f"step {run.step:,}", f" -> {path}"
    elif data_name and fake:
        n = n or default_eval_samples(data_name)
        card = evaluate_dataset(DataConfig(name=data_name), fake, n=n, split=split, seed=seed,
                                features=feature_space)
        what, where = card["fake"], ""
    else:
        raise GankitError("give a RUN_DIR, or --data and --fake to compare a split or noise with the real split")
    shown = ", ".join(f"{k} {card[k]:.4g}" for k in ("fid", "kid", "precision", "recall", "density", "coverage"))
    if "modes" in card:
        shown += f"; modes {card['modes']}/{card['num_classes']}, KL to uniform {card['mode_kl']:.3f}"
    click.echo(f"{what} vs {n} {split} images, {card['extractor']}: {shown}{where}")


@main.group()
def data() -> None:
    """List and fetch datasets."""


@data.command("list")
def data_list() -> None:
    """The datasets gankit knows."""
    from gankit.data import DATASETS

    for name in DATASETS.names():
        spec = DATASETS.get(name)
        click.echo(f"{name:15s} {spec.kind:7s} {spec.summary}")
    click.echo(f"{'folder:PATH':15s} {'image':7s} every image under PATH, resized and center-cropped")


@data.command("fetch")
@click.argument("name")
@click.option("--root", type=click.Path(file_okay=False), help="Cache folder.  [default: ~/.cache/gankit]")
def data_fetch(name: str, root: str | None) -> None:
    """Get dataset NAME ready for offline use, saying exactly what was done."""
    from gankit.data import fetch_dataset

    click.echo(fetch_dataset(DataConfig(name=name, root=str(Path(root)) if root else None)))


if __name__ == "__main__":
    main()


def _register_tools() -> None:
    from gankit.cli_tools import bench, features, pixels, report  # imported late: cli_tools imports nothing from here

    for command in (bench, features, pixels, report):
        main.add_command(command)


_register_tools()
