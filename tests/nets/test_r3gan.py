import torch

from conftest import image_spec
from gankit.nets import NetSettings, build_networks


def test_r3gan_is_normalisation_free_grouped_and_starts_as_identity_blocks():
    """Fix-up: every residual branch's last layer starts at zero, so each block passes its input through."""
    from gankit.nets.r3gan import ResidualBlock

    generator, discriminator = build_networks(NetSettings(family="r3gan", width=16), image_spec(3, 32))
    modules = [*generator.modules(), *discriminator.modules()]
    assert not any(isinstance(m, (torch.nn.BatchNorm2d, torch.nn.GroupNorm, torch.nn.LayerNorm)) for m in modules)
    assert any(isinstance(m, torch.nn.Conv2d) and m.groups > 1 for m in modules)
    blocks = [m for m in modules if isinstance(m, ResidualBlock)]
    assert len(blocks) == 2 * 2 * 4  # G and D, 2 blocks at each of 4, 8, 16, 32
    x = torch.randn(2, blocks[0].branch[0].in_channels, 4, 4)
    assert torch.equal(blocks[0](x), x)
    widths = [m.out_channels for m in discriminator.modules()
              if isinstance(m, torch.nn.Conv2d) and m.kernel_size == (1, 1)]
    assert max(widths) == 8 * 16 * 2  # width doubles per halving up to 8x, and the bottleneck widens 2x
