
import pytest
import torch

from conftest import image_spec
from gankit.errors import ConfigError, GankitError
from gankit.nets import NetSettings, build_networks
from gankit.nets.dcgan import DCGANDiscriminator, LabelBias, layout


def test_layouts_and_bad_sizes():
    assert layout(28) == (7, 2) and layout(32) == (4, 3) and layout(64) == (4, 4)
    with pytest.raises(ConfigError, match="not supported by dcgan"):
        layout(30)


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


def test_instance_norm_critic_scores_each_image_alone_and_batch_norm_is_unchanged():
    torch.manual_seed(0)
    critic = DCGANDiscriminator(3, 16, width=8, norm="instance")
    kinds = [type(m).__name__ for m in critic.body]
    assert "InstanceNorm2d" in kinds and "BatchNorm2d" not in kinds
    x = torch.randn(6, 3, 16, 16)
    critic.train()
    alone = critic(x[:1])
    assert torch.allclose(critic(x)[:1], alone, atol=1e-6)  # no coupling between the batch's samples
    batch = DCGANDiscriminator(3, 16, width=8)  # the default: DCGAN's batch norm, no norm on the input layer
    assert [type(m).__name__ for m in batch.body] == ["Conv2d", "LeakyReLU", "Conv2d", "BatchNorm2d", "LeakyReLU",
                                                      "Flatten"]
    assert batch.body[0].bias is not None and batch.body[2].bias is None


def _rows_seen_by_the_centre_feature(critic: DCGANDiscriminator) -> int:
    """How many input rows move the trunk's centre feature (its receptive field)."""
    x = torch.randn(1, 1, 28, 28, requires_grad=True)
    critic.body[:-1](x)[0, :, 3, 3].sum().backward()  # [C, 7, 7] before the flatten
    assert x.grad is not None
    return int((x.grad[0, 0].abs().sum(dim=1) > 0).sum())


def test_d_depth_adds_3x3_convolutions_that_widen_what_a_feature_sees():
    torch.manual_seed(0)
    plain = build_networks(NetSettings(family="dcgan", width=8, d_norm="none"), image_spec(1, 28))[1]
    deep = build_networks(NetSettings(family="dcgan", width=8, d_depth=2, d_norm="none"), image_spec(1, 28))[1]
    assert isinstance(plain, DCGANDiscriminator) and isinstance(deep, DCGANDiscriminator)
    convs = [m for m in deep.body if isinstance(m, torch.nn.Conv2d)]
    assert [m.kernel_size for m in convs] == [(4, 4), (4, 4), (3, 3), (3, 3)]
    assert deep.head.in_features == plain.head.in_features  # same 16×7×7 features, the score's head unchanged
    assert deep(torch.randn(5, 1, 28, 28)).shape == (5,)
    # two strided 4×4 convolutions see 10 rows; each 3×3 at the 4-pixel stride adds 2 features × 4 px
    assert _rows_seen_by_the_centre_feature(plain) == 10
    assert _rows_seen_by_the_centre_feature(deep) == 10 + 2 * 2 * 4


def test_label_bias_starts_as_the_plain_d_and_shifts_only_its_own_labels_features():
    spec = image_spec(1, 28)
    torch.manual_seed(0)
    plain = build_networks(NetSettings(family="dcgan", width=8, d_norm="none", spectral_norm=True), spec,
                           score_classes=3)[1]
    torch.manual_seed(0)
    biased = build_networks(NetSettings(family="dcgan", width=8, d_norm="none", d_depth=1, spectral_norm=True,
                                        label_bias=True), spec, score_classes=3)[1]
    torch.manual_seed(0)
    deep = build_networks(NetSettings(family="dcgan", width=8, d_norm="none", d_depth=1, spectral_norm=True), spec,
                          score_classes=3)[1]
    biases = [m for m in biased.modules() if isinstance(m, LabelBias)]
    assert [tuple(m.bias.shape) for m in biases] == [(3, 8), (3, 16), (3, 16)]  # one per nonlinearity
    assert not any(isinstance(m, LabelBias) for m in plain.modules())
    assert not any(torch.nn.utils.parametrize.is_parametrized(m) for m in biases)  # spectral norm leaves them
    assert torch.nn.utils.parametrize.is_parametrized(biased.body[0])  # and normalises the convolutions
    x, labels = torch.randn(6, 1, 28, 28), torch.tensor([0, 1, 2, 0, 1, 2])
    assert torch.equal(biased(x, labels), deep(x, labels))  # zero biases: the same D as without them
    with torch.no_grad():
        biases[1].bias[1] += 0.5  # level 1's bias in the second layer
    moved = biased(x, labels) != deep(x, labels)
    assert moved.tolist() == [False, True, False, False, True, False]
    biased(x, labels).sum().backward()
    assert biases[0].bias.grad is not None and biases[0].bias.grad.abs().sum(dim=1).gt(0).all()
    with pytest.raises(GankitError, match="pass labels"):
        biased(x)


@pytest.mark.parametrize("settings, message", [
    (NetSettings(family="dcgan", width=8, label_bias=True), "need labels"),
    (NetSettings(family="resnet", width=8, label_bias=True), "are for the dcgan net, not resnet"),
    (NetSettings(family="r3gan", width=8, label_bias=True), "are for the dcgan net, not r3gan"),
])
def test_label_bias_needs_labels_and_the_dcgan_net(settings, message):
    with pytest.raises(ConfigError, match=message):
        build_networks(settings, image_spec(1, 16))
