import torch

from gankit.objectives import build_objective


def test_minimax_saturates_where_ns_does_not():
    """When D confidently rejects fakes (logit -10), minimax's G gradient vanishes; ns's does not."""
    grads = {}
    for name in ("minimax", "ns"):
        fake = torch.tensor([-10.0], requires_grad=True)
        build_objective(name).generator_loss(fake).backward()
        grads[name] = fake.grad.abs().item()
    assert grads["minimax"] < 1e-4 < 0.9 < grads["ns"]
