"""The package's shape as contracts: what imports what, what is read where, and names that must agree."""

from __future__ import annotations

import ast
import subprocess
import sys
import typing
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "gankit"


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("args", [["--help"], ["data", "list"], ["train", "--help"], ["bench", "--help"],
                                  ["serve", "--help"]])
def test_help_and_data_list_start_without_torch(args):
    loaded = _python(
        "import sys\nfrom gankit.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'matplotlib', 'numpy') if m in sys.modules))")
    assert loaded.splitlines()[-1] == "[]"


@pytest.mark.slow
def test_import_gankit_is_lazy_and_the_api_loads_on_first_use():
    out = _python("import sys, gankit\nprint('torch' in sys.modules)\ngankit.train\nprint('torch' in sys.modules)")
    assert out.splitlines() == ["False", "True"]


@pytest.mark.slow
def test_importing_every_picture_module_leaves_the_matplotlib_backend_alone():
    out = _python("import matplotlib\nmatplotlib.use('svg')\n"
                  "import gankit.viz.pictures, gankit.viz.report, gankit.viz.bench_results, gankit.api\n"
                  "print(matplotlib.get_backend())")
    assert out == "svg"


def _reads(tree: ast.AST) -> set[str]:
    """`os.environ`, `os.getenv` and `sys.argv` as they appear in a module."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            name = f"{node.value.id}.{node.attr}"
            if name in ("os.environ", "os.getenv", "sys.argv"):
                found.add(name)
    return found


def test_only_the_entry_points_read_the_environment_or_argv():
    allowed = {"environment.py": {"os.environ"}, "cli": {"sys.argv"}}
    offenders = {}
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        reads = _reads(ast.parse(path.read_text()))
        reads -= allowed.get(str(relative), set()) | allowed.get(relative.parts[0], set())
        if reads:
            offenders[str(relative)] = sorted(reads)
    assert offenders == {}


def test_torch_free_name_lists_match_their_registries():
    from gankit.benchmark.suites import BUDGETS, SUITES
    from gankit.cli.train import NET_NAMES, RECIPE_NAMES
    from gankit.config import ModelConfig
    from gankit.config.defaults import OBJECTIVE_DEFAULTS
    from gankit.nets import NETS
    from gankit.objectives import OBJECTIVES

    assert sorted(NET_NAMES) == sorted(["auto", *NETS.names()])
    assert RECIPE_NAMES == typing.get_args(typing.get_type_hints(ModelConfig)["recipe"])
    assert sorted(OBJECTIVE_DEFAULTS) == OBJECTIVES.names()
    assert sorted({budget for suite in SUITES.values() for budget in suite.budgets}) == sorted(BUDGETS)


def test_no_module_outside_algorithms_compares_an_algorithm_name_to_a_string(tmp_path):
    """What an algorithm is lives in its family (gankit.algorithms); the rest asks it. The checker itself is
    tested on a module that does compare."""
    sys.path.insert(0, str(Path(__file__).parent / "algorithms"))
    from name_checks import NAMES, comparisons

    from gankit.algorithms import ALGORITHMS

    assert NAMES == set(ALGORITHMS.names())
    assert comparisons(SRC) == []
    (tmp_path / "serve").mkdir()
    (tmp_path / "serve" / "bad.py").write_text('def f(c):\n    return c.model.algorithm == "gan" or c in ("ebm",)\n')
    (tmp_path / "serve" / "bad.js").write_text('if (run.algorithm !== "ebm") {}\n')
    assert comparisons(tmp_path) == ["serve/bad.js:1", "serve/bad.py:2", "serve/bad.py:2"]


def _layers() -> list[list[str]]:
    import tomllib

    contracts = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layered = next(c for c in contracts if c["type"] == "layers")
    return [[name.strip() for name in layer.split("|")] for layer in layered["layers"]]


def test_each_package_docstring_says_what_it_may_import_as_the_layers_contract_does():
    layers = _layers()
    for depth, layer in enumerate(layers):
        below = [name for lower in layers[depth + 1:] for name in lower]
        for name in layer:
            if not (SRC / name / "__init__.py").is_file():
                continue  # a module, not a package
            doc = ast.get_docstring(ast.parse((SRC / name / "__init__.py").read_text())) or ""
            said = " ".join(doc.split()).partition("May import (the layers below it, `lint-imports`): ")[2]
            assert said.rstrip(".").split(", ") == below, f"gankit.{name}'s docstring"


# Modules with no behaviour of their own, so with no test module: each with why.
UNTESTED = {
    "__main__.py": "only calls cli.entry; tests/cli/test_cli.py runs `python -m gankit`",
    "version.py": "only the version string",
    "errors.py": "only exception classes",
    "config/__init__.py": "only re-exports",
    "benchmark/__init__.py": "only a docstring",
    "data/__init__.py": "only a docstring",
    "metrics/__init__.py": "only a docstring",
    "samplers/__init__.py": "only a docstring",
    "serve/__init__.py": "only a docstring",
    "training/__init__.py": "only a docstring",
    "viz/__init__.py": "only a docstring",
}


def mirror(module: Path) -> Path:
    """The test module of a source module: src/gankit/X/Y.py is tested in tests/X/test_Y.py, and a package's
    own __init__.py in tests/X/test_X.py (src/gankit/__init__.py in tests/test_gankit.py)."""
    relative = module.relative_to(SRC)
    name = (relative.parent.name or "gankit") if relative.name == "__init__.py" else relative.stem
    return Path(__file__).parent / relative.parent / f"test_{name}.py"


def test_every_module_with_behaviour_has_its_mirrored_test_module():
    modules = sorted(str(path.relative_to(SRC)) for path in SRC.rglob("*.py"))
    assert set(UNTESTED) <= set(modules), "UNTESTED names a module that is gone"
    missing = [f"{module} -> {mirror(SRC / module).relative_to(SRC.parents[1])}" for module in modules
               if module not in UNTESTED and not mirror(SRC / module).is_file()]
    assert missing == []
    assert [module for module in UNTESTED if mirror(SRC / module).is_file()] == [], "tested, so not UNTESTED"
