"""The default layers: values for the config fields a user left unset, as data (`resolve` applies them).

The first layer that names a field wins:
0. on toy data, the objective's own toy settings (e.g. hinge's slower G);
1. toy data (`mlp` nets), tuned on ring8/grid25 (see the README's measurements): batch 512 and
   learning rate 1e-3, because the papers' rates are for images and would need 10-50x more steps on 2D
   data; minibatch std in D and sampling from G's weight average, without which plain GANs drop
   ring8 modes or land beside them on some seeds; no spectral norm, whose 1-Lipschitz bound on a
   small MLP cannot separate modes 0.06 wide (0/8 modes on ring8);
2. the objective's paper: optimizer, betas, d_steps, penalty, clipping, D norm; for the other
   algorithms (`ae`, `vae`, `ebm`) their own settings (declared in their `gankit.algorithms` module) take
   the objective's place, toy first;
3. the network family: DCGAN's batch 64 and Adam 2e-4 (Radford et al. 2016), z and width;
4. the base: Adam (0.5, 0.999), one D step, no penalty, no clipping, batch-norm D, no spectral norm.
"""

from __future__ import annotations

from typing import Any

Layer = dict[str, Any]  # dotted config key -> value

# The objectives' papers (the names are those of gankit.objectives; a test checks both lists agree).
OBJECTIVE_DEFAULTS: dict[str, Layer] = {
    "minimax": {},
    "ns": {},
    "lsgan": {"optim.lr_g": 2e-4, "optim.lr_d": 2e-4, "optim.beta1": 0.5},  # Mao et al. 2017
    # Arjovsky et al. 2017: clipping, RMSprop, 5 critic updates per G update
    "wgan": {"objective.clip": 0.01, "optim.name": "rmsprop", "optim.lr_g": 5e-5, "optim.lr_d": 5e-5,
             "gan.d_steps": 5},
    # Gulrajani et al. 2017, Algorithm 1: lambda 10, n_critic 5, Adam 1e-4 (0, 0.9), no batch norm in the critic
    "wgan-gp": {"objective.penalty": "gp", "objective.penalty_weight": 10.0, "model.d_norm": "none",
                "optim.lr_g": 1e-4, "optim.lr_d": 1e-4, "optim.beta1": 0.0, "optim.beta2": 0.9, "gan.d_steps": 5},
    "dragan": {"objective.penalty": "dragan", "objective.penalty_weight": 10.0, "model.d_norm": "none",
               "optim.lr_g": 1e-4, "optim.lr_d": 1e-4, "optim.beta1": 0.5, "optim.beta2": 0.9},  # Kodali et al.
    "began": {"optim.lr_g": 1e-4, "optim.lr_d": 1e-4, "optim.beta1": 0.5, "optim.beta2": 0.999,
              "model.d_norm": "none"},  # Berthelot et al. 2017
    # R3GAN (Huang et al. 2024, CIFAR-10 preset): R1 + R2 with gamma 0.05, Adam 2e-4 with betas (0, 0.99)
    # (their end values), no normalisation in D
    "rpgan": {"objective.penalty": "r1+r2", "objective.penalty_weight": 0.05, "model.d_norm": "none",
              "optim.lr_g": 2e-4, "optim.lr_d": 2e-4, "optim.beta1": 0.0, "optim.beta2": 0.99},
    # SNGAN (Miyato et al. 2018, setting C): spectral norm on D, Adam 2e-4 (0.5, 0.999)
    "hinge": {"model.spectral_norm": True, "model.d_norm": "none", "optim.lr_g": 2e-4, "optim.lr_d": 2e-4,
              "optim.beta1": 0.5, "optim.beta2": 0.999},
}
OBJECTIVE_TOY_DEFAULTS: dict[str, Layer] = {
    # lambda 0.1, as the WGAN-GP authors' own toy code ("smaller lambda seems to help for toy tasks"), and no
    # batch-std feature, which lets the critic score a batch in ways the per-sample penalty does not bound
    # (ring8, seeds 1 and 2: 0/8 modes with lambda 10 and batch std, 8/8 with these).
    "wgan-gp": {"objective.penalty_weight": 0.1, "model.minibatch_std": False},
    # G's loss is linear in the score, so its steps do not shrink as samples reach a mode: on 2D data
    # a G slower than D (TTUR, Heusel et al. 2017) lets samples settle (ring8: 8/8 modes on 3 of 3 seeds)
    "hinge": {"optim.lr_g": 3e-4},
}
TOY_DEFAULTS: Layer = {"train.batch_size": 512, "optim.lr_g": 1e-3, "optim.lr_d": 1e-3,
                       "model.minibatch_std": True, "model.spectral_norm": False, "model.g_ema": 0.999}
FAMILY_DEFAULTS: dict[str, Layer] = {
    "dcgan": {"train.batch_size": 64, "optim.lr_g": 2e-4, "optim.lr_d": 2e-4, "model.latent_dim": 100,
              "model.width": 64},
    "mlp": {"model.latent_dim": 2, "model.width": 128},
    # SNGAN/BigGAN ResNets (Miyato et al. 2018, CIFAR-10): z 128, 128 channels in D (G: twice), no batch norm in D
    "resnet": {"train.batch_size": 64, "optim.lr_g": 2e-4, "optim.lr_d": 2e-4, "model.latent_dim": 128,
               "model.width": 128, "model.d_norm": "none"},
    # R3GAN's CIFAR-10 net is 768 channels wide with z 64; 32 at full resolution (doubling per halving) keeps
    # a CPU run short
    "r3gan": {"train.batch_size": 64, "optim.lr_g": 2e-4, "optim.lr_d": 2e-4, "model.latent_dim": 64,
              "model.width": 32, "model.d_norm": "none"},
}
RECIPE_OBJECTIVES = {"modern": "rpgan"}  # the objective a recipe picks when objective.name is left at `ns`
RECIPE_FAMILIES = {"modern": "r3gan"}  # the image nets a recipe picks when model.net is `auto`
MODERN_GAMMA_DECAY = 0.1  # R3GAN decays gamma tenfold (CIFAR-10: 0.05 -> 0.005) by a half cosine
MODERN_LR_DECAY = 0.25  # R3GAN: lr 2e-4 -> 5e-5 by the same half cosine
MODERN_BETA2_START = 0.9  # R3GAN: Adam's beta2 0.9 -> 0.99 by the same half cosine
# R3GAN's gamma is per dataset (CIFAR-10 0.05, FFHQ-256 2); on the 2D mixtures 2 was measured best of 0.05-8
# (grid25, 3 000 steps, seed 0: 0.05 -> 23/25 modes, 45% high quality; 0.5 -> 25, 75%; 2 -> 25, 87%; 8 -> 25, 87%)
MODERN_TOY_GAMMA = 2.0
# and with it, Adam 1.5e-3 and two D steps per G step (grid25, seeds 0-2, 3 000 steps: 25/25 modes at 90.3-91.0%
# high quality, against 25/23/25 at 61-87% with the 2D data's 1e-3 and one D step; docs/benchmarks.md)
MODERN_TOY_STEPS: Layer = {"optim.lr_g": 1.5e-3, "optim.lr_d": 1.5e-3, "gan.d_steps": 2}
MODERN_EMA_HALF_LIFE = 0.25  # of the run: R3GAN's EMA half-life reaches 5M images at 20M (its decay horizon)


def recipe_layer(recipe: str, toy: bool, steps: int) -> Layer:
    """The modern recipe (R3GAN, Huang et al. 2024) with its schedules scaled to a run of `steps` iterations.

    R3GAN moves lr (2e-4 -> 5e-5), gamma (tenfold down) and Adam's beta2 (0.9 -> 0.99) by half cosines over
    20M images and grows the EMA half-life over them; gankit runs the same three ramps over the whole run (in
    iterations, from the 2D or image learning rate) and keeps an EMA whose half-life is a quarter of the run.
    """
    if recipe != "modern":
        return {}
    half_life = max(MODERN_EMA_HALF_LIFE * steps, 1.0)
    layer: Layer = {
        "objective.penalty": "r1+r2", "objective.penalty_weight": MODERN_TOY_GAMMA if toy else 0.05,
        "objective.penalty_final": MODERN_GAMMA_DECAY, "objective.penalty_decay_steps": steps,
        "optim.beta1": 0.0, "optim.beta2": 0.99, "optim.beta2_start": MODERN_BETA2_START,
        "optim.lr_final": MODERN_LR_DECAY, "optim.decay_steps": steps, "gan.d_steps": 1, "model.spectral_norm": False,
        "model.d_norm": "none", "model.g_ema": round(min(0.5 ** (1 / half_life), 0.9999), 6),
    }
    if toy:
        layer |= MODERN_TOY_STEPS
    else:  # DiffAugment's CIFAR-10 policy; 2D points have nothing to augment
        layer |= {"augment.policy": "color,translation,cutout", "optim.lr_g": 2e-4, "optim.lr_d": 2e-4,
                  "model.minibatch_std": False}
    return layer
BASE_DEFAULTS: Layer = {
    "optim.name": "adam", "optim.beta1": 0.5, "optim.beta2": 0.999, "gan.d_steps": 1,
    "objective.penalty": "none", "objective.penalty_weight": 10.0, "objective.clip": 0.0,
    "model.d_norm": "batch", "model.spectral_norm": False, "model.minibatch_std": False,
    "model.g_ema": 0.0, "objective.penalty_final": 1.0, "objective.penalty_decay_steps": 0, "augment.policy": "none",
    "optim.lr_final": 1.0, "optim.decay_steps": 0,
}
