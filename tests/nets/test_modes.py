import pytest
import torch

from gankit.nets.modes import evaluating, set_trainable


def test_evaluating_restores_the_callers_mode_even_after_an_error():
    net = torch.nn.BatchNorm1d(2).train()
    with evaluating(net):
        assert not net.training
    assert net.training
    with pytest.raises(RuntimeError), evaluating(net):
        raise RuntimeError
    assert net.training
    with evaluating(net.eval()):
        pass
    assert not net.training


def test_only_the_active_network_gets_gradients():
    nets = {"generator": torch.nn.Linear(2, 2), "discriminator": torch.nn.Linear(2, 1)}
    set_trainable(nets, "discriminator")
    assert [p.requires_grad for p in nets["generator"].parameters()] == [False, False]
    assert all(p.requires_grad for p in nets["discriminator"].parameters())
