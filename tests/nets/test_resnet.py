import torch

from conftest import image_spec
from gankit.nets import NetSettings, build_networks


def test_the_resnet_discriminator_halves_to_an_eighth_of_32():
    _, discriminator = build_networks(NetSettings(family="resnet", width=8), image_spec(3, 32))
    shapes = []
    for block in discriminator.blocks:
        block.register_forward_hook(lambda _m, _i, out: shapes.append(out.shape[-1]))
    discriminator(torch.randn(2, 3, 32, 32))
    assert shapes == [16, 8, 8, 8]  # SNGAN's CIFAR-10 D: two downsampling blocks, two at 8x8
