"""Whether torch.compile differentiates twice correctly on this PyTorch and device, asked once per process.

A gradient penalty (R1, R2, WGAN-GP, DRAGAN, RAE's decoder penalty) differentiates the network's gradient
again. Some PyTorch releases refuse that for compiled modules ("torch.compile with aot_autograd does not
currently support double backward"); one 2026 release accepted it and silently dropped gradients (pytorch
issue 181581). So gankit does not trust a version number: it computes a small penalty's parameter gradients
eagerly and through the compiler, and compiles a penalised run only where they agree within TOLERANCE.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

TOLERANCE = 1e-5  # |compiled - eager| of a penalty's parameter gradients, float32

Compiler = Callable[[nn.Module], Callable[[Tensor], Tensor]]


def penalty_gradients(network: Callable[[Tensor], Tensor], parameters: Sequence[Tensor], x: Tensor) -> list[Tensor]:
    """d/dθ of R1's form, mean ||∇x D(x)||², through `network` (an eager or compiled view of the parameters)."""
    x = x.detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(network(x).sum(), x, create_graph=True)
    penalty = gradient.pow(2).sum(dim=1).mean()
    return list(torch.autograd.grad(penalty, parameters, allow_unused=True, materialize_grads=True))


def refusal(device: torch.device, compiler: Compiler | None = None) -> str | None:
    """None when compiled double backward matches eager on `device`; else why not, in one line.

    `compiler` replaces torch.compile (tests hand it one that breaks in a known way)."""
    if compiler is None:
        return _torch_compile_refusal(device.type)
    return _probe(device, compiler)


@functools.cache
def _torch_compile_refusal(device_type: str) -> str | None:
    # a fresh compiler cache per probe module: the run's own networks compile later, unaffected
    return _probe(torch.device(device_type), lambda module: torch.compile(module, dynamic=False))


def _probe(device: torch.device, compiler: Compiler) -> str | None:
    generator = torch.Generator().manual_seed(0)
    network = nn.Sequential(nn.Linear(4, 16), nn.SiLU(), nn.Linear(16, 16), nn.SiLU(), nn.Linear(16, 1))
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.5)
    network = network.to(device)
    x = torch.randn(32, 4, generator=generator).to(device)
    parameters = list(network.parameters())
    eager = penalty_gradients(network, parameters, x)
    try:
        compiled = penalty_gradients(compiler(network), parameters, x)
    except Exception as err:  # the compiler's own refusal, whatever its type
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return f"torch.compile cannot differentiate twice here ({first})"
    difference = max(float((a - b).abs().max()) for a, b in zip(eager, compiled, strict=True))
    if not difference <= TOLERANCE:  # NaN included
        return (f"torch.compile's second derivatives differ from eager ones by {difference:.2g} "
                f"(more than {TOLERANCE:g}) on this PyTorch")
    return None


__all__ = ["TOLERANCE", "penalty_gradients", "refusal"]
