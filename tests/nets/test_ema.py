import torch

from gankit.nets.ema import EMA


def test_ema_trails_the_generator_with_its_ramped_decay():
    generator = torch.nn.Linear(3, 2)
    ema = EMA(generator, decay=0.999)
    before = ema.average.weight.detach().clone()
    with torch.no_grad():
        generator.weight.add_(1.0)
    ema.update(generator)  # first update: decay min(0.999, 1/10) = 0.1
    assert torch.allclose(ema.average.weight, 0.1 * before + 0.9 * generator.weight)
    assert ema.average.weight.requires_grad is False and int(ema.updates) == 1
