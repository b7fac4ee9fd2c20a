import torch

from gankit.algorithms.resolve import resolve
from gankit.config import Config


def test_minibatch_std_lets_d_see_a_batch_without_variety():
    from gankit.nets.mlp import MLPDiscriminator

    torch.manual_seed(0)
    discriminator = MLPDiscriminator(2, 16, 2, minibatch_std=True)
    same = torch.ones(8, 2)
    assert discriminator.representation(same)[:, -1].abs().max() == 0  # no spread, the extra feature is 0
    varied = torch.randn(8, 2)
    h = discriminator.features(varied)
    assert torch.allclose(discriminator.representation(varied)[:, -1], h.std(0, unbiased=False).mean().expand(8))
    # a sample's score depends on the rest of its batch: that is how D sees the batch's variety
    alone, with_others = discriminator(varied[:1].repeat(8, 1))[0], discriminator(varied)[0]
    assert not torch.allclose(alone, with_others)
    toy = resolve(Config(), "points")
    images = resolve(Config(), "image")
    assert (toy.model.minibatch_std, images.model.minibatch_std) == (True, False)
    assert (toy.model.g_ema, images.model.g_ema) == (0.999, 0.0)
    toy_hinge = resolve(Config().override({"objective.name": "hinge"}), "points")
    assert (toy_hinge.model.spectral_norm, toy_hinge.optim.lr_g, toy_hinge.optim.lr_d) == (False, 3e-4, 1e-3)
    toy_gp = resolve(Config().override({"objective.name": "wgan-gp", "model.g_ema": 0}), "points")  # 0 kept
    assert (toy_gp.model.minibatch_std, toy_gp.model.g_ema, toy_gp.objective.penalty_weight) == (False, 0, 0.1)
