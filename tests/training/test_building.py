import pytest
import torch

from conftest import tiny_config
from gankit.algorithms.resolve import resolve
from gankit.config import Config
from gankit.errors import ConfigError
from gankit.training.building import build
from gankit.training.double_backward import TOLERANCE, refusal
from gankit.world import World


def resolved(tmp_path, **sections):
    return resolve(Config.from_dict(tiny_config(tmp_path, **sections)), "points")


def test_the_same_seed_builds_the_same_networks_with_an_optimizer_per_trained_network(tmp_path):
    a, b = build(resolved(tmp_path), torch.device("cpu")), build(resolved(tmp_path), torch.device("cpu"))
    assert sorted(a.optimizers) == sorted(a.algorithm.trainable()) == ["discriminator", "generator"]
    assert all(torch.equal(x, y) for x, y in zip(a.algorithm.state_dict().values(),
                                                 b.algorithm.state_dict().values(), strict=True))
    assert a.spec.kind == "points" and a.heldout is None and a.batches.batch_size == 64


def test_a_process_share_that_the_pack_does_not_divide_is_one_line(tmp_path):
    config = resolved(tmp_path, model={"pack": 3}, train={"batch_size": 6})
    with pytest.raises(ConfigError, match="2 examples per batch, which model.pack 3 does not divide"):
        build(config, torch.device("cpu"), World(rank=0, size=3))


def discriminator_gradients(tmp_path, compile: bool, penalty: str) -> list[torch.Tensor]:
    """The gradients of D's first update (its loss and penalty) on the first batch, from a fresh build."""
    parts = build(resolved(tmp_path, objective={"penalty": penalty}, train={"compile": compile}), torch.device("cpu"))
    phase = next(p for p in parts.phases if p.trains == "discriminator")
    phase.loss(parts.batches.get(0), torch.Generator().manual_seed(0)).loss.backward()
    return [p.grad for p in parts.algorithm.discriminator.parameters()]


@pytest.mark.slow
@pytest.mark.parametrize("penalty", ["gp", "dragan", "r1", "r2", "r1+r2"])
def test_a_penalised_step_under_compile_has_eagers_gradients_or_says_in_one_line_why_not(tmp_path, penalty):
    reason = refusal(torch.device("cpu"))
    if reason is None:  # this PyTorch's compiler differentiates twice: the compiled step must be exact
        compiled = discriminator_gradients(tmp_path, True, penalty)
    else:
        with pytest.warns(UserWarning) as notices:
            compiled = discriminator_gradients(tmp_path, True, penalty)
        (line,) = [str(n.message) for n in notices if str(n.message).startswith("train.compile:")]
        assert line == (f"train.compile: objective.penalty {penalty} differentiates twice, and {reason}; "
                        "training uncompiled")
    eager = discriminator_gradients(tmp_path, False, penalty)
    assert max(float((a - b).abs().max()) for a, b in zip(compiled, eager, strict=True)) <= TOLERANCE
