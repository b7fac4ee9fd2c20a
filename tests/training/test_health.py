import math

import torch

from gankit.training.health import first_non_finite, layer_gradient_norms, normalisation_layers


def test_gradient_norms_are_per_layer_and_the_normalisation_layers_are_named():
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2), torch.nn.Linear(2, 1))
    net(torch.randn(4, 2)).sum().backward()
    norms = layer_gradient_norms(net)
    assert sorted(norms) == ["0", "1", "2"]
    expected = torch.cat([net[2].weight.grad.flatten(), net[2].bias.grad]).norm()
    assert torch.allclose(norms["2"], expected) and normalisation_layers(net) == {"1"}


def test_the_first_non_finite_value_names_a_loss_before_a_weight():
    net = torch.nn.Linear(2, 1)
    assert first_non_finite({"loss_d": 1.0}, net) is None
    with torch.no_grad():
        net.bias.fill_(math.inf)
    assert first_non_finite({"loss_d": 1.0}, net) == "weight bias"
    assert first_non_finite({"d_real": math.nan, "loss_g": math.nan}, net) == "loss_g"


def test_an_optimizers_overflowed_state_is_named_after_the_losses_and_weights():
    net = torch.nn.Linear(2, 1)
    adam = torch.optim.Adam(net.parameters())
    net(torch.randn(4, 2)).sum().backward()
    adam.step()
    assert first_non_finite({"loss_d": 1.0}, net, {"discriminator": adam}) is None
    next(iter(adam.state.values()))["exp_avg_sq"].fill_(math.inf)
    assert first_non_finite({"loss_d": 1.0}, net, {"discriminator": adam}) == \
        "discriminator optimizer state exp_avg_sq"
    assert first_non_finite({"loss_d": math.nan}, net, {"discriminator": adam}) == "loss_d"
