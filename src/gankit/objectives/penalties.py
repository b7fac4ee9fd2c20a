"""Gradient penalties on D, usable with any objective: WGAN-GP, DRAGAN, R1 and R2.

Every norm is the per-sample L2 norm of dD/dx over *all* input dimensions (pixels and channels
together), averaged over the batch; a per-pixel or L1 norm is a common bug these functions avoid.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, autograd

from gankit.data.shard import per_example
from gankit.registry import Registry

Scorer = Callable[[Tensor, "Tensor | None"], Tensor]  # D as the penalty sees it: (x, labels) -> scores [N]
Penalty = Callable[[Scorer, Tensor, Tensor, "Tensor | None", torch.Generator], Tensor]
PENALTIES: Registry[Penalty] = Registry("penalty")


def input_gradient_norms(discriminator: Scorer, x: Tensor, labels: Tensor | None) -> Tensor:
    """‖∇_x D(x)‖₂ per sample [N], differentiable (create_graph) so a penalty on it can be minimised."""
    x = x.detach().requires_grad_(True)
    (grad,) = autograd.grad(discriminator(x, labels).sum(), x, create_graph=True)
    return grad.flatten(1).norm(dim=1)


def _per_sample_uniform(x: Tensor, generator: torch.Generator) -> Tensor:
    """U[0, 1) of shape [N, 1, ...] to broadcast one value over each sample."""
    shape = (1,) * (x.dim() - 1)
    return per_example(lambda m: torch.rand((m, *shape), generator=generator, device=x.device, dtype=x.dtype),
                       len(x), generator)


@PENALTIES.register("gp")
def gradient_penalty(
    discriminator: Scorer, real: Tensor, fake: Tensor, labels: Tensor | None, generator: torch.Generator
) -> Tensor:
    """E[(‖∇D(x̂)‖ - 1)²] on x̂ = αx + (1-α)G(z), α ~ U[0, 1] per sample (Gulrajani et al. 2017, eq. 3)."""
    alpha = _per_sample_uniform(real, generator)
    mixed = alpha * real.detach() + (1 - alpha) * fake.detach()
    return (input_gradient_norms(discriminator, mixed, labels) - 1).pow(2).mean()


@PENALTIES.register("dragan")
def dragan_penalty(
    discriminator: Scorer, real: Tensor, fake: Tensor, labels: Tensor | None, generator: torch.Generator
) -> Tensor:
    """E[(‖∇D(x̂)‖ - 1)²] on x̂ = x + α·δ, δ ~ 0.5·std(x)·U[0, 1) per element (Kodali et al. 2017)."""
    real = real.detach()
    uniform = per_example(lambda m: torch.rand((m, *real.shape[1:]), generator=generator, device=real.device,
                                               dtype=real.dtype), len(real), generator)
    delta = 0.5 * real.std() * uniform
    perturbed = real + _per_sample_uniform(real, generator) * delta
    return (input_gradient_norms(discriminator, perturbed, labels) - 1).pow(2).mean()


@PENALTIES.register("r1")
def r1_penalty(
    discriminator: Scorer, real: Tensor, fake: Tensor, labels: Tensor | None, generator: torch.Generator
) -> Tensor:
    """½ E[‖∇D(x)‖²] on real data (Mescheder et al. 2018); the weight is their gamma."""
    return 0.5 * input_gradient_norms(discriminator, real, labels).pow(2).mean()


@PENALTIES.register("r2")
def r2_penalty(
    discriminator: Scorer, real: Tensor, fake: Tensor, labels: Tensor | None, generator: torch.Generator
) -> Tensor:
    """½ E[‖∇D(G(z))‖²] on generated data: R1's zero-centred penalty on the fakes (Roth et al. 2017; with R1,
    R3GAN's regulariser, Huang et al. 2024, eq. 5)."""
    return 0.5 * input_gradient_norms(discriminator, fake, labels).pow(2).mean()


__all__ = ["PENALTIES", "Penalty", "Scorer", "input_gradient_norms"]
