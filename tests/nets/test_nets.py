import pytest
import torch

from conftest import image_spec
from gankit.data.spec import DataSpec
from gankit.errors import ConfigError, GankitError
from gankit.nets import NetSettings, build_networks

POINTS = DataSpec("ring8", "points", (2,), tuple("01234567"))


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


def test_the_image_families_are_registered_beside_mlp_and_dcgan():
    from gankit.nets import NETS

    assert NETS.names() == ["dcgan", "mlp", "r3gan", "resnet"]
    with pytest.raises(ConfigError, match="model r3gan is for images"):
        build_networks(NetSettings(family="r3gan"), POINTS)




@pytest.mark.parametrize(("spec", "net"), [(POINTS, "mlp"), (image_spec(1, 16), "dcgan"), (image_spec(1, 16), "resnet"),
                                           (image_spec(1, 16), "r3gan")])
def test_d_takes_its_own_width_and_depth_and_g_keeps_the_shared_ones(spec, net):
    def count(module):
        return sum(p.numel() for p in module.parameters())

    shared = build_networks(NetSettings(family=net, width=8, depth=2), spec)
    deeper = 3 if net in ("mlp", "dcgan") else 0  # resnet and r3gan refuse model.d_depth (below)
    own = build_networks(NetSettings(family=net, width=8, depth=2, d_width=16, d_depth=deeper), spec)
    assert count(own[0]) == count(shared[0])  # G as before
    assert count(own[1]) > count(shared[1])  # D wider (and deeper, for the MLP)
    if net == "mlp":
        hidden = [m.out_features for m in own[1].body if isinstance(m, torch.nn.Linear)]
        assert hidden == [16, 16, 16] and own[1].head.in_features == 16


@pytest.mark.parametrize("net", ["resnet", "r3gan"])
def test_a_family_with_a_fixed_depth_refuses_d_depth_instead_of_ignoring_it(net):
    with pytest.raises(ConfigError, match=f"model.d_depth is for the mlp and dcgan nets; {net}'s discriminator"):
        build_networks(NetSettings(family=net, width=8, d_depth=2), image_spec(1, 16))
