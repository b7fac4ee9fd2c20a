import pytest
import torch

from gankit.config import OptimConfig
from gankit.training.optimizers import OptimizerSchedule, build_optimizer


def test_adam_takes_the_configs_betas_and_rmsprop_and_sgd_are_built_by_name():
    weight = [torch.nn.Parameter(torch.zeros(2))]
    adam = build_optimizer(OptimConfig(name="adam", beta1=0.0, beta2=0.99), weight, lr=0.1)
    assert isinstance(adam, torch.optim.Adam) and adam.param_groups[0]["betas"] == (0.0, 0.99)
    assert isinstance(build_optimizer(OptimConfig(name="rmsprop"), weight, lr=0.1), torch.optim.RMSprop)


def test_sgd_takes_one_plain_gradient_step():
    weight = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    sgd = build_optimizer(OptimConfig(name="sgd"), [weight], lr=0.1)
    weight.square().sum().backward()
    sgd.step()
    assert weight.tolist() == pytest.approx([0.8, -1.6])  # w - 0.1 * 2w: no momentum, no scaling


def test_the_schedule_sets_each_rate_and_beta2_from_the_step_alone():
    optim = OptimConfig(name="adam", beta1=0.0, beta2=0.99, beta2_start=0.9, lr_final=0.25, decay_steps=100)
    adam = build_optimizer(optim, [torch.nn.Parameter(torch.zeros(2))], lr=1.0)
    schedule = OptimizerSchedule(optim, {"generator": 2e-4})
    schedule.apply({"generator": adam}, 50)
    assert adam.param_groups[0]["lr"] == pytest.approx(2e-4 * 0.625)
    assert adam.param_groups[0]["betas"] == (0.0, pytest.approx(0.945))
    schedule.apply({"generator": adam}, 100)
    assert adam.param_groups[0]["lr"] == pytest.approx(5e-5) and adam.param_groups[0]["betas"][1] == 0.99
    still = OptimizerSchedule(OptimConfig(name="adam", beta1=0.5, beta2=0.999), {"generator": 2e-4})
    assert not still.active
    still.apply({"generator": adam}, 10)
    assert adam.param_groups[0]["lr"] == pytest.approx(5e-5)  # no ramp: the optimizer keeps its rate
