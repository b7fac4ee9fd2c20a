import pytest
import torch

from gankit.data.spec import DataSpec
from gankit.errors import ConfigError, GankitError
from gankit.nets import NetSettings, build_networks
from gankit.nets.dcgan import layout

POINTS = DataSpec("ring8", "points", (2,), tuple("01234567"))


def image_spec(channels, size):
    return DataSpec("img", "image", (channels, size, size), tuple("0123456789"))


@pytest.mark.parametrize(
    ("spec", "net"),
    [(POINTS, "mlp"), (image_spec(1, 28), "dcgan"), (image_spec(3, 32), "dcgan"),
     (image_spec(3, 64), "dcgan"), (image_spec(1, 8), "dcgan"),
     *[(image_spec(c, side), net) for net in ("resnet", "r3gan") for c, side in ((1, 28), (3, 32), (3, 64), (1, 8))]],
)
@pytest.mark.parametrize("conditional", [False, True])
def test_networks_keep_the_contract(spec, net, conditional):
    generator, discriminator = build_networks(NetSettings(family=net, conditional=conditional, width=8), spec)
    labels = torch.tensor([0, 3, 5]) if conditional else None
    x = generator.sample(3, labels)
    assert x.shape == (3, *spec.sample_shape)
    scores = discriminator(x, labels)
    assert scores.shape == (3,)  # raw scores, one per sample
    if spec.kind == "image":
        assert x.min() >= -1 and x.max() <= 1


@pytest.mark.parametrize(("spec", "net"), [(POINTS, "mlp"), (image_spec(1, 28), "dcgan"), (image_spec(3, 32), "dcgan"),
                                           (image_spec(3, 32), "resnet"), (image_spec(1, 28), "r3gan")])
def test_every_latent_dimension_changes_the_output(spec, net):
    torch.manual_seed(0)
    generator, _ = build_networks(NetSettings(family=net, width=8, latent_dim=6), spec)
    z, shift = torch.randn(8, 6), torch.randn(8)  # a different move per sample: batch norm removes a common one
    with torch.no_grad():
        base = generator(z)
        for i in range(6):
            moved = z.clone()
            moved[:, i] += shift
            assert (generator(moved) - base).abs().mean() > 1e-2 * base.std(), f"z[{i}] is ignored"


def test_conditional_generator_uses_labels():
    generator, _ = build_networks(NetSettings(family="mlp", conditional=True), POINTS)
    z = torch.randn(4, generator.latent_dim)
    a = generator(z, torch.zeros(4, dtype=torch.long))
    b = generator(z, torch.ones(4, dtype=torch.long))
    assert not torch.allclose(a, b)
    with pytest.raises(GankitError, match="pass labels"):
        generator(z)


def test_projection_discriminator_uses_labels():
    _, discriminator = build_networks(NetSettings(family="mlp", conditional=True), POINTS)
    torch.nn.init.normal_(discriminator.embed.weight)
    x = torch.randn(4, 2)
    zeros, ones = torch.zeros(4, dtype=torch.long), torch.ones(4, dtype=torch.long)
    assert not torch.allclose(discriminator(x, zeros), discriminator(x, ones))


def test_sample_is_seeded():
    generator, _ = build_networks(NetSettings(family="mlp"), POINTS)
    a = generator.sample(5, generator=torch.Generator().manual_seed(1))
    b = generator.sample(5, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)


def test_layouts_and_bad_sizes():
    assert layout(28) == (7, 2) and layout(32) == (4, 3) and layout(64) == (4, 4)
    with pytest.raises(ConfigError, match="not supported by dcgan"):
        layout(30)


def test_wrong_family_for_data():
    with pytest.raises(ConfigError, match="mlp is for 2D"):
        build_networks(NetSettings(family="mlp"), image_spec(1, 28))
    with pytest.raises(ConfigError, match="has no labels"):
        build_networks(NetSettings(family="mlp", conditional=True), DataSpec("x", "points", (2,)))


@pytest.mark.parametrize(("spec", "net"), [(POINTS, "mlp"), (image_spec(1, 28), "dcgan")])
def test_projection_starts_on_the_heads_scale(spec, net):
    """The class term embed(y)·h must not dwarf the score at initialisation (nn.Embedding's N(0, 1) did)."""
    scores = {}
    for conditional in (False, True):
        torch.manual_seed(0)
        _, discriminator = build_networks(NetSettings(family=net, conditional=conditional, width=16), spec)
        x = torch.randn(64, *spec.sample_shape)
        labels = torch.arange(64) % spec.num_classes if conditional else None
        scores[conditional] = discriminator(x, labels).detach()
    assert scores[True].std() < 3 * scores[False].std() + 0.1


def test_pacgan_packs_consecutive_samples_along_channels():
    from gankit.nets.base import PackedDiscriminator

    spec = DataSpec(name="x", kind="image", sample_shape=(3, 28, 28))
    _, d = build_networks(NetSettings(family="dcgan", pack=2, width=8), spec)
    assert isinstance(d, PackedDiscriminator) and d.inner.body[0].in_channels == 6
    x = torch.randn(6, 3, 28, 28)
    d.eval()  # batch norm in train mode would mix the packs
    assert d(x).shape == (3,)
    swapped = x.clone()
    swapped[[0, 1]] = x[[1, 0]]  # the same pack in another order: another stacked input
    assert torch.equal(d(x)[1:], d(swapped)[1:])
    with pytest.raises(GankitError, match="do not split into packs of 2"):
        d(torch.randn(5, 3, 28, 28))
    from gankit.config import Config

    with pytest.raises(ConfigError, match="multiple of model.pack"):
        Config().override({"model.pack": 2, "train.batch_size": 63})
    from gankit.algorithms.resolve import resolve

    with pytest.raises(ConfigError, match="unconditional GANs, not model.algorithm vae"):  # asked of its family
        resolve(Config().override({"model.pack": 2, "model.algorithm": "vae"}), "image")


def test_minibatch_std_on_the_dcgan_discriminator_sees_the_batch():
    torch.manual_seed(0)
    _, discriminator = build_networks(NetSettings(family="dcgan", width=8, minibatch_std=True, d_norm="none"),
                                      image_spec(1, 16))
    plain = build_networks(NetSettings(family="dcgan", width=8, d_norm="none"), image_spec(1, 16))[1]
    assert discriminator.head.in_features == plain.head.in_features + 1
    x = torch.randn(6, 1, 16, 16)
    assert discriminator.representation(x[:1].repeat(6, 1, 1, 1))[:, -1].abs().max() == 0  # no variety: 0
    alone, in_batch = discriminator(x[:1].repeat(6, 1, 1, 1))[0], discriminator(x)[0]
    assert not torch.allclose(alone, in_batch)  # the same image scores differently in another batch


def test_the_image_families_are_registered_beside_mlp_and_dcgan():
    from gankit.nets import NETS

    assert NETS.names() == ["dcgan", "mlp", "r3gan", "resnet"]
    with pytest.raises(ConfigError, match="model r3gan is for images"):
        build_networks(NetSettings(family="r3gan"), POINTS)


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


def test_the_resnet_discriminator_halves_to_an_eighth_of_32():
    _, discriminator = build_networks(NetSettings(family="resnet", width=8), image_spec(3, 32))
    shapes = []
    for block in discriminator.blocks:
        block.register_forward_hook(lambda _m, _i, out: shapes.append(out.shape[-1]))
    discriminator(torch.randn(2, 3, 32, 32))
    assert shapes == [16, 8, 8, 8]  # SNGAN's CIFAR-10 D: two downsampling blocks, two at 8x8
