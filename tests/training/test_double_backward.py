"""The compiled-double-backward probe: a penalised run compiles only where the compiler's second derivatives
equal eager ones; otherwise one line says why and the run trains eagerly."""

import re

import pytest
import torch
from torch.func import functional_call

from gankit.training import double_backward
from gankit.training.double_backward import TOLERANCE, penalty_gradients, refusal

CPU = torch.device("cpu")


def first_order_only(network):
    """A "compiler" whose output, parameter gradients and input gradient are right, but whose input gradient
    no longer depends on the parameters: the second derivatives a penalty needs are silently dropped (the
    kind of failure pytorch issue 181581 reported)."""
    def call(x):
        frozen = {name: p.detach() for name, p in network.named_parameters()}
        live = network(x.detach())  # the value and d/dθ
        dead = functional_call(network, frozen, (x,))  # d/dx, through parameters the graph cannot see
        return live + dead - dead.detach()
    return call


def refusing(network):
    def call(x):
        raise RuntimeError("does not currently support double backward\nsecond line of the traceback text")
    return call


def test_a_compiler_that_agrees_with_eager_is_accepted():
    assert refusal(CPU, compiler=lambda network: network) is None


def test_a_compiler_that_drops_second_derivatives_is_refused_with_the_difference():
    reason = refusal(CPU, compiler=first_order_only)
    assert reason is not None and "\n" not in reason
    assert re.fullmatch(r"torch.compile's second derivatives differ from eager ones by \S+ \(more than 1e-05\) "
                        r"on this PyTorch", reason)


def test_a_compiler_that_raises_is_refused_with_its_first_line():
    assert refusal(CPU, compiler=refusing) == \
        "torch.compile cannot differentiate twice here (does not currently support double backward)"


def test_the_penalty_gradients_reach_every_parameter_the_input_gradient_depends_on():
    network = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    grads = penalty_gradients(network, list(network.parameters()), torch.randn(5, 3))
    assert [g.abs().sum() > 0 for g in grads] == [True, True, True, False]  # the last bias shifts D, not ∇x D


@pytest.mark.slow
def test_this_pytorchs_compiler_is_either_exact_or_refused_in_one_line():
    """Whatever this PyTorch does: torch.compile passes the probe (and then agrees within TOLERANCE) or the
    reason is one line. The answer is cached for the process: asked twice, compiled once."""
    reason = refusal(CPU)
    assert reason is None or ("\n" not in reason and reason.startswith("torch.compile"))
    assert refusal(CPU) is reason
    assert double_backward._torch_compile_refusal.cache_info().hits >= 1
    assert TOLERANCE == 1e-5
