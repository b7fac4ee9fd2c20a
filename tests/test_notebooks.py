"""The lecture notebooks in examples/ run from top to bottom at the small budget (an error in any cell fails).

Each `examples/NN_*.py` is a jupytext "percent" file: it is converted to a notebook here and executed by
nbclient on a fresh kernel, in a temp folder, with GANKIT_NOTEBOOK_BUDGET=small.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

import gankit

jupytext = pytest.importorskip("jupytext", reason="the notebook tests need the dev extra (jupytext, nbclient)")
nbclient = pytest.importorskip("nbclient")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("[0-9][0-9]_*.py"))
CELL_TIMEOUT_S = 300


def test_there_is_a_notebook_for_each_section_of_the_lecture():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_uses_only_the_public_api_and_has_the_budget_switch(path):
    tree = ast.parse(path.read_text())
    private = [ast.unparse(node) for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gankit")
               or isinstance(node, ast.Import) and any(a.name.startswith("gankit.") for a in node.names)]
    used = {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "gankit"}
    assert private == []
    assert used and used <= set(gankit.__all__), f"not public: {sorted(used - set(gankit.__all__))}"
    assert 'os.environ.get("GANKIT_NOTEBOOK_BUDGET", "small")' in path.read_text()


def _kernel_env(tmp: Path) -> dict[str, str]:
    """The test's environment (its temp $GANKIT_CACHE included), the small budget, this gankit first on the path
    (so the kernel imports the code under test), temp folders (the notebooks' run folders) under `tmp`, and one
    torch thread, as every test gets (conftest): the tiny networks gain nothing from two, and on a busy 2-core
    machine notebook 2's training cell took 434 s on two threads and 19 s on one."""
    source = str(Path(gankit.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "GANKIT_NOTEBOOK_BUDGET": "small", "PYTHONPATH": path, "TMPDIR": str(tmp),
            "OMP_NUM_THREADS": "1"}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_at_the_small_budget(path, tmp_path):
    notebook = jupytext.read(path)
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=_kernel_env(tmp_path))  # raises CellExecutionError, naming the cell, on any error
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    pictures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert pictures, f"{path.name} showed no picture inline"
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert list(tmp_path.glob("gankit-*/*/config.yaml")), "its run folders were not made in the temp folder"
