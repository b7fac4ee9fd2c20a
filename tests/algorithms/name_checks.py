"""Where a module outside `gankit.algorithms` compares an algorithm's name to a string (the knowledge belongs to
the algorithm's family, asked through its interface). Used by a test, and runnable on any checkout:

    python tests/algorithms/name_checks.py [SRC_DIR]   # prints each place and the count
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

NAMES = {"gan", "ae", "vae", "rae", "ebm", "drl"}  # the built-in algorithms (a test checks this matches the registry)
_NAME = rf"""["']({"|".join(sorted(NAMES))})["']"""
JS_COMPARISON = re.compile(rf"(===|!==|==|!=)\s*{_NAME}|{_NAME}\s*(===|!==|==|!=)")


def _names_in(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_names_in(e) for e in node.elts)
    return False


def _python_places(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare) and any(_names_in(n) for n in [node.left, *node.comparators]):
            lines.append(node.lineno)
        elif isinstance(node, ast.Subscript) and getattr(node.value, "id", None) == "Literal" and _names_in(node.slice):
            lines.append(node.lineno)  # Literal["gan", "ebm"]: a hand-kept list of algorithms
    return lines


def comparisons(src: Path) -> list[str]:
    """`file:line` of every comparison of an algorithm name with a string outside `algorithms/`."""
    places = []
    for path in sorted(src.rglob("*")):
        relative = path.relative_to(src)
        if relative.parts[0] == "algorithms" or not path.is_file():
            continue
        if path.suffix == ".py":
            places += [f"{relative}:{line}" for line in _python_places(path)]
        elif path.suffix == ".js":
            text = path.read_text().splitlines()
            places += [f"{relative}:{i}" for i, line in enumerate(text, 1) if JS_COMPARISON.search(line)]
    return places


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "src" / "gankit")
    found = comparisons(root)
    print("\n".join(found))
    print(f"{len(found)} comparisons of an algorithm's name outside algorithms/")
