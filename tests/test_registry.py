import pytest

from gankit.errors import GankitError
from gankit.registry import Registry, lazy


def test_names_are_sorted_unknown_ones_list_the_valid_and_a_name_registers_once():
    shapes = Registry("shape")
    shapes.register("square")(4)
    shapes.register("triangle")(3)
    assert shapes.names() == ["square", "triangle"] and list(shapes) == shapes.names() and "square" in shapes
    assert shapes.get("triangle") == 3
    with pytest.raises(GankitError, match="unknown shape 'circle'; valid: square, triangle"):
        shapes.get("circle")
    with pytest.raises(ValueError, match="registered twice"):
        shapes.register("square")(5)
    shapes.unregister("square")
    assert shapes.names() == ["triangle"]


def test_lazy_imports_its_target_only_when_called():
    join = lazy("os.path", "join")
    assert join("a", "b") == "a/b" and join.__name__ == "lazy(os.path.join)"
    with pytest.raises(ModuleNotFoundError):
        lazy("gankit.no_such_module", "f")()
