"""Mutation run over the core formulas: break each one in turn and check that the tests notice.

Each mutation replaces one piece of source text (it must occur exactly once), runs the tests that own that
formula, and restores the file, whatever happens. A mutation is *caught* when those tests fail. Prints a
table and exits 1 if any mutation survives. Takes a few minutes on 2 CPU cores; run it on an idle machine.

    python bench/mutations.py [--only NAME_SUBSTRING]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "gankit"


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str  # under src/gankit
    old: str
    new: str
    tests: tuple[str, ...]  # pytest node ids or files under tests/


OBJ = ("objectives/test_objectives.py", "objectives/test_classic.py", "objectives/test_began.py")
PEN, FD, MODES, REG = ("objectives/test_penalties.py",), ("metrics/test_feature_distances.py",), \
    ("metrics/test_modes2d.py",), ("algorithms/gan/test_model.py",)
LANGEVIN, EMA, KL = ("samplers/test_langevin.py",), ("nets/test_ema.py",), ("algorithms/autoencoder/test_density.py",)
MUTATIONS = [
    Mutation("ns/minimax D loss sign", "objectives/classic.py",
             "return F.softplus(-real_scores).mean() + F.softplus(fake_scores).mean()",
             "return F.softplus(real_scores).mean() + F.softplus(-fake_scores).mean()", OBJ),
    Mutation("minimax G loss saturating form", "objectives/classic.py",
             "return -F.softplus(fake_scores).mean()", "return F.softplus(-fake_scores).mean()", OBJ),
    Mutation("ns G loss sign", "objectives/classic.py",
             "return F.softplus(-fake_scores).mean()  # = -mean log D(G(z))",
             "return F.softplus(fake_scores).mean()", OBJ),
    Mutation("lsgan factor 1/2", "objectives/classic.py",
             "return 0.5 * (real_scores - 1).pow(2).mean() + 0.5 * fake_scores.pow(2).mean()",
             "return (real_scores - 1).pow(2).mean() + fake_scores.pow(2).mean()", OBJ),
    Mutation("wgan critic sign", "objectives/wasserstein.py",
             "return fake_scores.mean() - real_scores.mean()", "return real_scores.mean() - fake_scores.mean()", OBJ),
    Mutation("hinge margin", "objectives/wasserstein.py",
             "F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()",
             "F.relu(-real_scores).mean() + F.relu(fake_scores).mean()", OBJ),
    Mutation("began k not clipped to [0, 1]", "objectives/began.py",
             "(self.k + self.k_lr * balance).clamp(0, 1)", "(self.k + self.k_lr * balance)", OBJ),
    Mutation("began balance sign", "objectives/began.py",
             "balance = self.gamma * loss_real - loss_fake", "balance = loss_fake - self.gamma * loss_real", OBJ),
    Mutation("gradient norm L1 instead of L2", "objectives/penalties.py",
             "return grad.flatten(1).norm(dim=1)", "return grad.flatten(1).abs().sum(dim=1)", PEN),
    Mutation("gp without the -1", "objectives/penalties.py",
             "return (input_gradient_norms(discriminator, mixed, labels) - 1).pow(2).mean()",
             "return input_gradient_norms(discriminator, mixed, labels).pow(2).mean()", PEN),
    Mutation("gp on real data only", "objectives/penalties.py",
             "mixed = alpha * real.detach() + (1 - alpha) * fake.detach()", "mixed = real.detach()", PEN),
    Mutation("dragan perturbation scale", "objectives/penalties.py",
             "delta = 0.5 * real.std()", "delta = 2.0 * real.std()", PEN),
    Mutation("r1 without its 1/2", "objectives/penalties.py",
             "return 0.5 * input_gradient_norms(discriminator, real, labels).pow(2).mean()",
             "return input_gradient_norms(discriminator, real, labels).pow(2).mean()", PEN),
    Mutation("lazy regularisation loses its x k", "algorithms/gan/model.py",
             "weight = own_weight * factor", "weight = own_weight", REG),
    Mutation("ac-gan class loss dropped from D", "algorithms/gan/model.py",
             "loss = loss + self.settings.aux_weight * classify", "loss = loss", REG),
    Mutation("fid with the biased covariance", "metrics/feature_distances.py",
             "torch.cov(x.T)", "torch.cov(x.T, correction=0)", FD),
    Mutation("kid keeps the diagonal", "metrics/feature_distances.py",
             "((k_xx.sum() - k_xx.trace()) + (k_yy.sum() - k_yy.trace())) / off_diagonal",
             "(k_xx.sum() + k_yy.sum()) / off_diagonal", FD),
    Mutation("k-NN radius off by one", "metrics/feature_distances.py",
             "radii = torch.cat(nearest)[:, list(ks)].T", "radii = torch.cat(nearest)[:, [k - 1 for k in ks]].T", FD),
    Mutation("density not divided by k", "metrics/feature_distances.py",
             "density=float(real_balls_per_fake.mean() / k_dc)", "density=float(real_balls_per_fake.mean())", FD),
    Mutation("mode threshold 0.2 -> 0.05", "metrics/modes2d.py",
             "min_fraction: float = 0.2", "min_fraction: float = 0.05", MODES),
    Mutation("high quality at 2 sigma", "metrics/modes2d.py",
             "good = nearest_distance <= 3 * std", "good = nearest_distance <= 2 * std", MODES),
    Mutation("langevin descends", "samplers/langevin.py",
             "x = x + step_size * grad + noise", "x = x - step_size * grad + noise", LANGEVIN),
    Mutation("langevin without noise", "samplers/langevin.py",
             "+ noise * per_example_randn(x, generator)", "", LANGEVIN),
    Mutation("ema without the warm-up ramp", "nets/ema.py",
             "weight = 1 - ((1 + n) / (10 + n)).clamp(max=self.decay)", "weight = 1 - self.decay + 0 * n", EMA),
    Mutation("ema moves the wrong way", "nets/ema.py",
             "mine.lerp_(theirs, weight.to(mine.dtype))", "mine.lerp_(theirs, (1 - weight).to(mine.dtype))", EMA),
    Mutation("vae kl sign", "algorithms/autoencoder/density.py",
             "0.5 * (mean.square() + log_var.exp() - 1 - log_var)",
             "0.5 * (mean.square() - log_var.exp() - 1 + log_var)", KL),
    Mutation("checkpoint hash not checked", "training/checkpoint.py",
             "if hashlib.sha256(data).hexdigest() != meta[\"sha256\"]:", "if False:", ("training/test_checkpoint.py",)),
]


def run_mutation(mutation: Mutation) -> tuple[str, float]:
    path = SRC / mutation.file
    original = path.read_text()
    if original.count(mutation.old) != 1:
        return f"target found {original.count(mutation.old)} times", 0.0
    start = time.perf_counter()
    try:
        path.write_text(original.replace(mutation.old, mutation.new))
        tests = [str(ROOT / "tests" / t) for t in mutation.tests]
        result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                                cwd=ROOT, capture_output=True, text=True)
    finally:
        path.write_text(original)
    return ("caught" if result.returncode != 0 else "NOT CAUGHT"), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the mutations whose name contains this")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if args.only in m.name]
    print(f"{'mutation':42s} {'file':30s} {'result':12s} seconds")
    outcomes = []
    for mutation in chosen:
        outcome, seconds = run_mutation(mutation)
        outcomes.append(outcome)
        print(f"{mutation.name:42s} {mutation.file:30s} {outcome:12s} {seconds:5.0f}", flush=True)
    caught = outcomes.count("caught")
    print(f"\n{caught} of {len(chosen)} mutations caught")
    sys.exit(0 if caught == len(chosen) else 1)


if __name__ == "__main__":
    main()
