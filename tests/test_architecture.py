"""The package's shape: small modules, imports that only run down the layers, tests that mirror it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "xir_bench"

#: Lowest first: a package may import from its own layer and the ones before it, never after.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "storage"}),
    frozenset({"core"}),
    frozenset({"cards", "card_parts"}),
    frozenset({"data"}),
    frozenset({"models"}),
    frozenset({"topk"}),
    frozenset({"results"}),
    frozenset({"pipelines"}),
    frozenset({"train", "mteb_plugin"}),
    frozenset({"board"}),
    frozenset({"cli", "mteb_tasks", "__main__"}),
)
LAYER_OF = {name: index for index, layer in enumerate(LAYERS) for name in layer}


def _package_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "xir_bench":
            parts = node.module.split(".")
            found |= {parts[1]} if len(parts) > 1 else {alias.name for alias in node.names}
    return found - {"__version__"}


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_300_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300


def test_every_module_is_in_a_layer() -> None:
    assert {_package_of(path) for path in MODULES if path.name != "__init__.py" or path.parent != PACKAGE} <= set(
        LAYER_OF
    )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_down_the_layers(path: Path) -> None:
    own = _package_of(path)
    if own == "__init__":
        return
    upward = sorted(p for p in _imported_packages(path) if LAYER_OF[p] > LAYER_OF[own])
    assert not upward, f"{path.relative_to(ROOT)} ({own}) imports from higher layers: {upward}"


def test_tests_mirror_the_package() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    test_folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    assert test_folders <= packages, f"test folders without a package: {sorted(test_folders - packages)}"
    # topk (corpus store, search) is tested with the MIRACL pipeline that drives it (tests/pipelines)
    assert packages - test_folders <= {"topk"}, sorted(packages - test_folders)


SCRIPTS = sorted([*(ROOT / "recipes").glob("*.py"), *(ROOT / "bench").glob("*.py")])


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_scripts_import_what_the_package_has(path: Path) -> None:
    """Recipes and benchmarks run outside the suite: a name moved or removed from the package fails here."""
    import importlib

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "xir_bench":
            module = importlib.import_module(node.module)
            for alias in node.names:
                submodule = hasattr(module, "__path__") and importlib.util.find_spec(f"{node.module}.{alias.name}")
                assert hasattr(module, alias.name) or submodule, f"{path.name}: {node.module} has no {alias.name}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path, modules: set[str]) -> set[str]:
    """xir_bench modules ``path`` imports when it runs, at the top or in a function (not for type checking)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for child in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and id(node) not in typing_only:
            candidates = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            found |= {name for name in candidates if name in modules}
    return found - {_module_name(path)}


def test_no_import_cycle() -> None:
    """Not even through a function-level import: each module can be understood after the ones it imports."""
    modules = {_module_name(path): path for path in MODULES}
    graph = {name: _runtime_imports(path, set(modules)) for name, path in modules.items()}
    done: set[str] = set()

    def visit(name: str, stack: list[str]) -> None:
        if name in stack:
            raise AssertionError("import cycle: " + " -> ".join([*stack[stack.index(name) :], name]))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, [*stack, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
