import torch

from gankit.algorithms.ebm.model import EBM
from gankit.config import EBMConfig
from gankit.data.batches import Batch
from gankit.nets.mlp import MLPDiscriminator


def small_ebm(buffer_size=1000, restart=0.05):
    settings = EBMConfig(langevin_steps=2, step_size=0.01, noise=0.0, buffer_size=buffer_size, restart=restart)
    return EBM(MLPDiscriminator(2, 16, 2), (2,), (-3.0, 3.0), settings)


def test_replay_buffer_keeps_its_size_and_restarts_the_configured_fraction():
    ebm = small_ebm(restart=0.05)
    chains = ebm.replay.chains
    chains.fill_(10.0)  # outside the noise box: any start below 10 is a fresh restart
    rng = torch.Generator().manual_seed(0)
    start, slots = ebm.replay.starts(40_000, rng, torch.device("cpu"))
    fresh = (start != 10.0).all(1).float().mean()
    assert abs(float(fresh) - 0.05) < 0.005 and slots is not None and int(slots.max()) < 1000
    out = ebm.loss(Batch(torch.zeros(256, 2)), rng)
    assert (chains == 10.0).all()  # the loss changes nothing; the update's hook writes the buffer
    ebm.after_update("discriminator", out)
    negatives = out.pending["negatives"]
    assert chains.shape == (1000, 2) and negatives.shape == (256, 2)
    written = (chains != 10.0).all(1).sum()
    assert 0 < written <= 256 and (negatives.abs() <= 3).all()  # chains end where the buffer now holds them
    assert all(any(torch.equal(row, n) for n in negatives) for row in chains[(chains != 10.0).all(1)])
    no_buffer = small_ebm(buffer_size=0)
    assert no_buffer.replay.starts(8, rng, torch.device("cpu"))[1] is None
