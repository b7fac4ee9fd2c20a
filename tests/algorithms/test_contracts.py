"""Every registered algorithm, net family and objective keeps the contract of tests/algorithms/contract_checks.py."""

from __future__ import annotations

import pytest
from contract_checks import IMAGES, POINTS, check_contract

from gankit.algorithms import ALGORITHMS
from gankit.nets import NETS
from gankit.objectives import OBJECTIVES

CONDITIONAL = {"model": {"conditional": True}}


@pytest.mark.parametrize("name", ALGORITHMS.names())
@pytest.mark.parametrize("data", ["points", "images"])
def test_every_algorithm_keeps_the_contract(tmp_path, name, data):
    extra = {"model": {"algorithm": name}, "ebm": {"langevin_steps": 3, "buffer_size": 64}}
    check_contract(tmp_path / "run", POINTS if data == "points" else IMAGES, extra)


@pytest.mark.parametrize("name", NETS.names())
def test_every_net_family_keeps_the_contract_in_a_gan(tmp_path, name):
    check_contract(tmp_path / "run", POINTS if name == "mlp" else IMAGES, {"model": {"net": name}})


@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_every_objective_keeps_the_contract(tmp_path, name):
    check_contract(tmp_path / "run", POINTS, {"objective": {"name": name}})


@pytest.mark.parametrize("name", [n for n in ALGORITHMS.names() if ALGORITHMS.get(n).supports.conditional])
def test_every_conditional_algorithm_keeps_the_contract_with_labels(tmp_path, name):
    check_contract(tmp_path / "run", IMAGES, {"model": {"algorithm": name, "conditional": True}})


@pytest.mark.parametrize("name", [n for n in ALGORITHMS.names() if not ALGORITHMS.get(n).supports.conditional])
def test_an_unconditional_algorithm_refuses_labels_in_one_line_before_anything_is_written(tmp_path, name):
    from gankit.errors import ConfigError

    with pytest.raises(ConfigError, match=f"model.algorithm {name} is unconditional here"):
        check_contract(tmp_path / "run", IMAGES, {"model": {"algorithm": name, "conditional": True}})
    assert not (tmp_path / "run").exists()
