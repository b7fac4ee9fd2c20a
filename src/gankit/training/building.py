"""Building a run from its resolved config: load the data, make the networks and optimizers.

The order of the random draws here is part of a run's identity (same seed, same weights): the data is
loaded, then the networks are initialised from `torch.manual_seed(train.seed)`, then the optimizers.
"""

from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from gankit.algorithms import build_algorithm, family_of
from gankit.algorithms.base import Algorithm, Phase
from gankit.config import Config
from gankit.data.batches import Batches
from gankit.data.dataset import Dataset, to_model_range
from gankit.data.loading import load_dataset
from gankit.data.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets.base import Discriminator, Encoder, Generator
from gankit.training import double_backward
from gankit.training.optimizers import OptimizerSchedule, build_optimizer
from gankit.world import ONE_PROCESS, World

HELDOUT_EXAMPLES = 10_000  # test-split examples for held-out losses (the VAE's test ELBO)


@dataclass
class Parts:
    """Everything a run trains with."""

    config: Config  # resolved: every default filled
    spec: DataSpec
    dataset: Dataset  # on the training device
    algorithm: Algorithm
    optimizers: dict[str, torch.optim.Optimizer]  # by the name of the network they step
    phases: list[Phase]
    batches: Batches
    heldout: Tensor | None  # test-split examples in model range, for algorithms that report on them
    schedule: OptimizerSchedule  # the learning rates and beta2 along the run


def compile_networks(algorithm: Algorithm, config: Config) -> None:
    """torch.compile every generator, discriminator and encoder in place (their state_dict keys unchanged);
    where compiling cannot work (no C++ compiler; a penalty, on a PyTorch whose compiled second derivatives
    fail or disagree with eager ones: `gankit.training.double_backward`), a one-line notice and the networks
    stay eager."""
    reason = None
    if algorithm.device.type == "cpu" and shutil.which("c++") is None and shutil.which("g++") is None:
        reason = "compiling for the CPU needs a C++ compiler (apt-get install g++)"
    elif algorithm.second_derivatives is not None and (why := double_backward.refusal(algorithm.device)):
        reason = f"{algorithm.second_derivatives} differentiates twice, and {why}"
    if reason is not None:
        warnings.warn(f"train.compile: {reason}; training uncompiled", UserWarning, stacklevel=2)
        return
    for module in algorithm.modules():
        if isinstance(module, (Generator, Discriminator, Encoder)) and not isinstance(module, Algorithm):
            module.compile()
            if isinstance(module, Discriminator):  # GAN losses call evaluate(), which bypasses __call__
                module.evaluate = torch.compile(module.evaluate)  # type: ignore[method-assign]


def build(config: Config, device: torch.device, world: World = ONE_PROCESS) -> Parts:
    """The run's parts from a resolved config (`gankit.algorithms.resolve`); in a data-parallel run, this
    process's (same networks, its slice of each batch)."""
    dataset = load_dataset(config.data)
    spec = DataSpec.of(dataset)
    dataset = dataset.to(device)
    assert config.train.batch_size is not None
    batches = Batches(dataset, config.train.batch_size, config.train.seed, world.rank, world.size)
    local_batch = config.train.batch_size // world.size
    if local_batch % config.model.pack:
        raise ConfigError(f"each of the {world.size} processes gets {local_batch} examples per batch, which "
                          f"model.pack {config.model.pack} does not divide")
    torch.manual_seed(config.train.seed)  # network initialisation
    # the algorithm computes one process's share of each global batch (its G step draws that many z)
    algorithm = build_algorithm(config, spec, local_batch).to(device)
    if config.train.channels_last and spec.kind == "image":
        algorithm.to(memory_format=torch.channels_last)  # the conv weights; inputs follow inside each conv
    if config.train.compile:
        compile_networks(algorithm, config)
    rates = algorithm.learning_rates(config.optim)
    optimizers = {name: build_optimizer(config.optim, net.parameters(), rates[name])
                  for name, net in algorithm.trainable().items()}
    heldout = None
    if family_of(config).supports.heldout:
        test = load_dataset(replace(config.data, split="test")).data[:HELDOUT_EXAMPLES]
        heldout = to_model_range(test.to(device))
    return Parts(config, spec, dataset, algorithm, optimizers, algorithm.phases(), batches, heldout,
                 OptimizerSchedule(config.optim, rates))
