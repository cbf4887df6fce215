"""The code base keeps a shape a newcomer can read: no module in `src/` over about 600 lines, no
class holding over 20 instance attributes of its own, no import cycle."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import grimp

SRC = Path(__file__).resolve().parent.parent / "src"
MAX_MODULE_LINES = 620  # "about 600": a one-line fix near the limit does not trip it
MAX_INSTANCE_ATTRIBUTES = 20


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _own_nodes(cls: ast.ClassDef) -> list[ast.AST]:
    """Every node in the class's body (methods and closures in them), not in nested classes."""
    out: list[ast.AST] = []
    todo: list[ast.AST] = list(cls.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.ClassDef):
            continue
        out.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return out


def self_attributes(cls: ast.ClassDef) -> set[str]:
    """The names the class's code assigns on `self` (`self.x = ...`, `self.x: T = ...`)."""
    names: set[str] = set()
    for node in _own_nodes(cls):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        else:
            continue
        for target in targets:
            for sub in ast.walk(target):
                if (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id == "self"
                ):
                    names.add(sub.attr)
    return names


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _inherited(module: str, qualname: str, names: set[str]) -> set[str]:
    """Of `names`, those a base class already has (Textual's `virtual_size`, `border_title`):
    set by the class, held by the base."""
    obj: object = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    assert isinstance(obj, type)
    return {n for n in names if any(hasattr(base, n) for base in obj.__mro__[1:])}


def _classes(tree: ast.Module) -> list[tuple[str, ast.ClassDef]]:
    out: list[tuple[str, ast.ClassDef]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                out.append((prefix + child.name, child))
                visit(child, prefix + child.name + ".")

    visit(tree, "")
    return out


def test_no_module_is_over_about_600_lines() -> None:
    long: dict[str, int] = {}
    for path in _modules():
        lines = len(path.read_text("utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            long[str(path.relative_to(SRC))] = lines
    assert not long, f"split these modules by what they hold: {long}"


def test_no_class_holds_over_20_instance_attributes() -> None:
    crowded: dict[str, list[str]] = {}
    for path in _modules():
        tree = ast.parse(path.read_text("utf-8"))
        for qualname, cls in _classes(tree):
            names = self_attributes(cls)
            if len(names) <= MAX_INSTANCE_ATTRIBUTES:
                continue
            names -= _inherited(_module_name(path), qualname, names)
            if len(names) > MAX_INSTANCE_ATTRIBUTES:
                crowded[f"{_module_name(path)}.{qualname}"] = sorted(names)
    assert not crowded, f"split these classes by what their state is for: {crowded}"


def test_the_attribute_count_sees_what_a_class_sets() -> None:
    """The counter itself: assignments, annotated and augmented ones, tuple targets and
    closures count; a nested class's attributes and other objects' do not."""
    tree = ast.parse(
        "class A:\n"
        "    def __init__(self, other):\n"
        "        self.a = 1\n"
        "        self.b: int = 2\n"
        "        self.c, (self.d, _) = 3, (4, 5)\n"
        "        other.x = 6\n"
        "        def later():\n"
        "            self.e = 7\n"
        "    def bump(self):\n"
        "        self.f += 1\n"
        "    class Inner:\n"
        "        def __init__(self):\n"
        "            self.g = 8\n"
    )
    (_, outer), (_, inner) = _classes(tree)
    assert self_attributes(outer) == {"a", "b", "c", "d", "e", "f"}
    assert self_attributes(inner) == {"g"}


def test_the_import_graph_has_no_cycle() -> None:
    """No module imports, directly or through others, one that imports it back; a package and
    its own modules included (import-linter's `acyclic_siblings` contract leaves those out), and
    imports inside functions counted."""
    graph = grimp.build_graph("sessionscope")
    cycles = {
        " <-> ".join(sorted((module, imported)))
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    }
    assert not cycles, f"import cycles: {sorted(cycles)}"
