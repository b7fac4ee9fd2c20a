import pytest
import torch

from gankit.data.spec import DataSpec
from gankit.errors import ConfigError, GankitError
from gankit.nets import NetSettings, build_networks


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
