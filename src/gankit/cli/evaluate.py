"""`gankit eval`: image metrics of a run's samples, or of one split (or noise) against another."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import click

from gankit import environment
from gankit.cli.common import parse_sets, sampling_bar
from gankit.errors import GankitError
from gankit.metrics.extractors import FEATURE_EXTRACTORS


@click.command("eval")
@click.argument("run_dir", type=click.Path(file_okay=False), required=False)
@click.option("--n", "n", type=click.IntRange(2),
              help="Real and fake images.  [default: 10000; Stacked MNIST 26000; CIFAR-10 50000]")
@click.option("--split", type=click.Choice(["train", "test"]),
              help="Real split.  [default: test; CIFAR-10 train, its standard FID protocol]")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="Seed for z, noise and KID's subsets.")
@click.option("--checkpoint", type=click.Choice(["last", "best"]), default="last", show_default=True)
@click.option("--weights", type=click.Choice(["ema", "raw"]), default="ema", show_default=True,
              help="Sample from the EMA average of G (an energy model: of D) where the run keeps one, or from "
                   "the trained weights.")
@click.option("--sampler", "sampler_sets", multiple=True, metavar="KEY=VALUE",
              help="With RUN_DIR: a sampling setting of its algorithm for this evaluation alone, e.g. "
                   "ebm.sample_from_noise=true or ebm.sample_chain_step_size=1e-3; the card records it.")
@click.option("--data", "data_name", help="Without RUN_DIR: the dataset whose splits to compare.")
@click.option("--fake", type=click.Choice(["train", "test", "noise"]),
              help="Without RUN_DIR: compare the real split with this split's last N images, or uniform noise.")
@click.option("--against", help="With RUN_DIR: score against folder:PATH (any folder of images, e.g. the homework's "
              "faces) instead of the run's real split; its features are cached by the folder's content hash.")
@click.option("--features", "feature_space", type=click.Choice(FEATURE_EXTRACTORS.names()), default="classifier",
              show_default=True, help="gankit's dataset classifier, or the standard FID Inception network.")
def evaluate(run_dir: str | None, n: int | None, split: str | None, seed: int, checkpoint: str, weights: str,
             sampler_sets: tuple[str, ...], data_name: str | None, fake: str | None, against: str | None,
             feature_space: str) -> None:
    """FID, KID, precision/recall and density/coverage in a feature space: RUN_DIR's samples against
    the real split (or a folder of images, --against folder:PATH), or (--data, --fake) one split or noise
    against another, to calibrate."""
    from gankit.files import write_atomic
    from gankit.metrics.evaluate import default_eval_samples, default_eval_split, evaluate_dataset, evaluate_run

    if against is not None and run_dir is None:
        raise GankitError("--against scores a run: give RUN_DIR as well")
    sampler = parse_sets(sampler_sets, "--sampler", "ebm.sample_steps=100")
    if sampler and run_dir is None:
        raise GankitError("--sampler changes how a run samples: give RUN_DIR as well")
    if run_dir is not None:
        from gankit.api import load
        from gankit.training.run_folder import RunFolder

        folder = RunFolder(Path(run_dir))
        folder.load_config()  # not a run: one line, and no folder made by taking its lock
        with folder.held():  # the card goes into the run: not while another process trains it
            run = load(run_dir, checkpoint=checkpoint, weights=weights, sampler=sampler)  # type: ignore[arg-type]
            n = n or default_eval_samples(run.config.data.name)
            split = split or default_eval_split(run.config.data.name)
            real = f"the images of {against}" if against else f"the {split} split"
            click.echo(f"gankit: scoring {n:,} samples of step {run.step:,} against {real} in "
                       f"{feature_space} features (real features are cached after the first time) …", err=True)
            with sampling_bar(run, n) as progress:
                card = evaluate_run(run, n=n, split=split, seed=seed, features=feature_space, against=against,
                                    progress=progress)
            if sampler:
                card["sampler"] = sampler
            path = run.run_dir / card_name(card, run.step, run.config.data.name, feature_space, weights, sampler)
            write_atomic(path, (json.dumps(card, indent=1) + "\n").encode())  # a full disk leaves no torn card
        what, where = f"step {run.step:,}", f" -> {path}"
    elif data_name and fake:
        n = n or default_eval_samples(data_name)
        split = split or default_eval_split(data_name)
        card = evaluate_dataset(environment.data_config(data_name), fake, n=n, split=split, seed=seed,
                                features=feature_space)
        what, where = card["fake"], ""
    else:
        raise GankitError("give a RUN_DIR, or --data and --fake to compare a split or noise with the real split")
    from gankit.metrics.feature_distances import shown as in_unit

    inception = card.get("extractor") == "inception"
    shown = ", ".join("{} {:.4g}".format(*in_unit(k, card[k], inception))
                      for k in ("fid", "kid", "precision", "recall", "density", "coverage"))
    if "modes" in card:
        shown += f"; modes {card['modes']}/{card['num_classes']}, KL to uniform {card['mode_kl']:.3f}"
    real = card["real"] if "real" in card else f"{split} images"
    click.echo(f"{what} ({card['n_fake']} samples) vs {card['n_real']} {real}, {card['extractor']}: {shown}{where}")


COMMANDS = [evaluate]


def card_name(card: dict, step: int, dataset: str, feature_space: str, weights: str, sampler: dict[str, str]) -> str:
    """eval-stepNNNNNNNN[...].json: each way of scoring other than the default gets its own card, so a repeat
    never overwrites another's."""
    from gankit.metrics.evaluate import default_eval_samples, default_eval_split

    suffix = "" if feature_space == "classifier" else f"-{feature_space}"
    if "real_sha256" in card:  # one card per folder scored against
        suffix += f"-folder-{card['real_sha256'][:8]}"
    if weights == "raw":  # beside the EMA's card, not over it
        suffix += "-raw"
    if sampler:  # beside the trained sampler's card, named by the settings it records
        suffix += "-sampler-" + hashlib.sha256(json.dumps(sampler, sort_keys=True).encode()).hexdigest()[:8]
    split = card.get("real_split", default_eval_split(dataset))  # a folder scored against has no split
    if split != default_eval_split(dataset):  # a repeat on other data keeps the first card
        suffix += f"-{split}"
    if card["seed"] != 0:  # repeats at other seeds (the metric's sampling spread) keep the seed-0 card
        suffix += f"-seed{card['seed']}"
    if card["n_fake"] != default_eval_samples(dataset):  # a quick look keeps the protocol's card
        suffix += f"-n{card['n_fake']}"
    return f"eval-step{step:08d}{suffix}.json"
