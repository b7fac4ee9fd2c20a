"""One trained auto-encoder, several ex-post latent densities: how much of the generator alone's FID is the density.

Loads a finished `ae`/`vae`/`rae` run, fits each density to the codes of its training images as training's end
would (`vae.latent_density` gmm with K components, two-stage, the plain Gaussian fitted to the codes), and scores
each one's samples; the decoder is the same in every row. Costs one evaluation per density:

    python bench/latent_density.py RUN [--n 10000] [--features inception] [--components 10,20] [--two-stage-steps 5000]
                                       [--skip gaussian,two-stage]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import torch

import gankit
from gankit.algorithms.autoencoder.density import GaussianMixture, LatentVAE
from gankit.benchmark.runner import machine
from gankit.data.dataset import to_model_range
from gankit.data.loading import load_dataset
from gankit.metrics.evaluate import evaluate_run
from gankit.nets.modes import evaluating


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--features", default="inception")
    parser.add_argument("--components", default="10")
    parser.add_argument("--two-stage-steps", type=int, default=5000)
    parser.add_argument("--two-stage-width", type=int, default=512)
    parser.add_argument("--examples", type=int, default=60_000)
    parser.add_argument("--skip", default="", help="Comma-separated rows to leave out: gaussian, two-stage.")
    args = parser.parse_args()
    run = gankit.load(args.run)
    model = run.algorithm
    images = to_model_range(load_dataset(run.config.data).data[: args.examples])
    latent = model.generator.latent_dim
    print(f"{args.run} at step {run.step}; {machine()}; {args.n} samples, {args.features} features\n")
    print("| latent density | fit seconds | FID | precision | recall |\n|---|---:|---:|---:|---:|")
    skip = set(filter(None, args.skip.split(",")))
    densities: list[tuple[str, GaussianMixture | LatentVAE | None]] = []
    if "gaussian" not in skip:
        densities.append(("gaussian (codes' mean and covariance)", None))
    densities += [(f"gmm, {k} components", GaussianMixture(k, latent))
                  for k in map(int, filter(None, args.components.split(",")))]
    if "two-stage" not in skip:
        densities.append((f"two-stage (second VAE, width {args.two_stage_width}, {args.two_stage_steps} steps)",
                          LatentVAE(latent, args.two_stage_width)))
    for name, density in densities:
        model.mixture = density if isinstance(density, GaussianMixture) else None
        model.second_stage = density if isinstance(density, LatentVAE) else None
        model.settings = replace(model.settings, density_examples=len(images), density_steps=args.two_stage_steps)
        start = time.perf_counter()
        if density is None:  # the running Gaussian that training kept: refit it exactly to the same codes
            with torch.no_grad(), evaluating(model):
                codes = torch.cat([model.encoder(chunk) for chunk in images.split(500)]).float()
                codes = codes.chunk(2, dim=1)[0] if model.variational else codes  # a VAE's posterior means
            model.code_mean.copy_(codes.mean(0))
            model.code_second_moment.copy_(codes.T @ codes / len(codes))
        else:
            model.end_of_training(lambda n: images[:n])
        fitted = time.perf_counter() - start
        card = evaluate_run(run, n=args.n, features=args.features)
        print(f"| {name} | {fitted:.0f} | {card['fid']:.2f} | {card['precision']:.3f} | {card['recall']:.3f} |",
              flush=True)


if __name__ == "__main__":
    main()
