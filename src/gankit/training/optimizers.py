"""Optimizers by name."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor

from gankit.config import OptimConfig
from gankit.config.schedule import cosine_ramp


def build_optimizer(optim: OptimConfig, parameters: Iterable[Tensor], lr: float) -> torch.optim.Optimizer:
    """Adam with the config's betas, RMSprop (WGAN's choice: momentum-free, stable for critics) or plain SGD."""
    if optim.name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr)
    if optim.name == "sgd":
        return torch.optim.SGD(parameters, lr=lr)
    assert optim.beta1 is not None and optim.beta2 is not None, "gankit.algorithms.resolve fills the betas"
    return torch.optim.Adam(parameters, lr=lr, betas=(optim.beta1, optim.beta2))


class OptimizerSchedule:
    """The learning rates and Adam's beta2 at each iteration: R3GAN's half-cosine ramps over `optim.decay_steps`
    (`lr_final` of each network's rate, beta2 from `beta2_start`); set before every step, from the step alone."""

    def __init__(self, optim: OptimConfig, rates: dict[str, float]) -> None:
        self.optim, self.rates = optim, dict(rates)

    @property
    def active(self) -> bool:
        return bool(self.optim.decay_steps)

    def values(self, step: int) -> tuple[float, float | None]:
        """(the learning rates' factor, Adam's beta2) at `step`."""
        o = self.optim
        steps = o.decay_steps or 0
        scale = cosine_ramp(1.0, 1.0 if o.lr_final is None else o.lr_final, step, steps)
        beta2 = None if o.beta2 is None else cosine_ramp(
            o.beta2 if o.beta2_start is None else o.beta2_start, o.beta2, step, steps)
        return scale, beta2

    def apply(self, optimizers: dict[str, torch.optim.Optimizer], step: int) -> None:
        if not self.active:
            return  # the optimizers keep what they were built with (and a checkpoint restored)
        scale, beta2 = self.values(step)
        for name, optimizer in optimizers.items():
            for group in optimizer.param_groups:
                group["lr"] = self.rates[name] * scale
                if "betas" in group and beta2 is not None:
                    group["betas"] = (group["betas"][0], beta2)
