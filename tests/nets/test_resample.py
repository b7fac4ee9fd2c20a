import torch

from gankit.nets.resample import downsample_lowpass, msr_init, upsample_lowpass


def test_resampling_halves_and_doubles_the_side_and_keeps_a_constant_image_constant_inside():
    x = torch.full((1, 3, 8, 8), 2.0)
    down, up = downsample_lowpass(x), upsample_lowpass(x)
    assert down.shape == (1, 3, 4, 4) and up.shape == (1, 3, 16, 16)
    assert torch.allclose(down[..., 1:-1, 1:-1], x[..., :2, :2]) and torch.allclose(up, torch.full_like(up, 2.0))
    checker = (torch.arange(8)[:, None] + torch.arange(8)).remainder(2).float().view(1, 1, 8, 8)
    assert torch.allclose(downsample_lowpass(checker)[..., 1:-1, 1:-1], torch.tensor(0.5))  # no aliasing


def test_msr_init_draws_weights_of_std_gain_over_root_fan_in_and_zero_gain_zeroes():
    torch.manual_seed(0)
    layer = msr_init(torch.nn.Linear(400, 300), gain=2.0)
    assert abs(layer.weight.std().item() - 2.0 / 20) < 0.005 and torch.all(layer.bias == 0)
    assert torch.all(msr_init(torch.nn.Conv2d(4, 4, 3), gain=0.0).weight == 0)
