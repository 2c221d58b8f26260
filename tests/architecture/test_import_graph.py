"""The floors of docs/architecture.md, checked: imports in src/ only point down, and never
in a circle.

Every ``import`` statement in ``src/superego_mcp`` counts (module level, inside functions,
under ``TYPE_CHECKING``): a lazy import is still a dependency. A module may import modules on
its own floor or below; two modules may never reach each other; no module imports another's
private name. There is no allow-list: issue 25 removed the last violation (the shell walker's
circle, now one dispatch: ``shell/walk.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "superego_mcp"

# The floors, bottom first: (floor, module prefixes). A module belongs to the floor of its
# longest matching prefix. Keep in step with docs/architecture.md "Floors".
FLOORS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "superego_mcp",  # the package __init__ (import-free)
            "superego_mcp.model",
            "superego_mcp.paths",
            "superego_mcp.places",
            "superego_mcp.redact",
            "superego_mcp.strictjson",
            "superego_mcp.project",
            "superego_mcp.buildinfo",
            "superego_mcp.visible",
            "superego_mcp.files",
            "superego_mcp.observe",
            "superego_mcp.errors",
            "superego_mcp.net",
            "superego_mcp.base",
        ),
    ),
    ("analysis", ("superego_mcp.shell", "superego_mcp.lang")),
    ("rules", ("superego_mcp.policy", "superego_mcp.memory")),
    (
        "decision",
        (
            "superego_mcp.decide",
            "superego_mcp.explain",
            "superego_mcp.grants",
            "superego_mcp.reviewer",
            "superego_mcp.audit",
            "superego_mcp.logs",
        ),
    ),
    ("settings", ("superego_mcp.config", "superego_mcp.settings")),
    ("adapters", ("superego_mcp.hook", "superego_mcp.server")),
    (
        "cli",
        (
            "superego_mcp.cli",
            "superego_mcp.__main__",
        ),
    ),
]


def floor_of(module: str) -> int:
    """The index in FLOORS of the floor a module belongs to (longest prefix wins)."""
    best, best_len = -1, -1
    for index, (_name, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    assert best >= 0, f"{module} is on no floor: add it to FLOORS (and docs/architecture.md)"
    return best


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    found: dict[str, Path] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest prefix of a dotted name that is one of our modules."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``module`` imports anywhere in its text."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            # `from pkg import name`: the submodule pkg.name when there is one, else pkg.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            resolved = _resolve(target, known)
            if resolved is not None and resolved != module:
                found.add(resolved)
    return found


def graph() -> dict[str, set[str]]:
    """module -> the package's modules it imports."""
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[frozenset[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            if pending:
                child = pending.pop()
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, sorted(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def upward(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Every import from a module to one on a higher floor."""
    return {
        (importer, imported)
        for importer, targets in edges.items()
        for imported in targets
        if floor_of(imported) > floor_of(importer)
    }


def test_every_module_is_on_a_floor() -> None:
    for name in modules():
        floor_of(name)


def test_no_upward_import() -> None:
    found = sorted(upward(graph()))
    names = [name for name, _ in FLOORS]
    assert not found, (
        "imports that point up a floor (see docs/architecture.md 'Floors'):\n"
        + "\n".join(f"  {a} ({names[floor_of(a)]}) -> {b} ({names[floor_of(b)]})" for a, b in found)
    )


def test_no_circle() -> None:
    found = circles(graph())
    assert not found, "import circles (modules that reach each other):\n" + "\n".join(
        "  " + ", ".join(sorted(c)) for c in found
    )


def test_agents_adapters_are_reached_through_the_registry() -> None:
    """An agent's adapter (hook/agents/<agent>.py) imports no other adapter, and nothing but
    the registry (hook/agents/__init__.py) imports one: the command hook, the server and
    explain all take theirs from adapter_for(), so every agent is read and answered alike."""
    from superego_mcp.hook.agents import AGENTS

    registry = "superego_mcp.hook.agents"
    adapters = {f"{registry}.{agent}" for agent in AGENTS}
    found = sorted(
        (importer, imported)
        for importer, targets in graph().items()
        for imported in targets & adapters
        if importer != registry
    )
    assert not found, "adapters imported around the registry:\n" + "\n".join(
        f"  {a} -> {b}" for a, b in found
    )


def private_imports() -> set[tuple[str, str, str]]:
    """(importer, module, name) for every ``from module import _name`` across the package's
    modules (the standard library's own private modules are not ours to judge)."""
    known = modules()
    found: set[tuple[str, str, str]] = set()
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and not node.level
                and (node.module or "").split(".")[0] == PACKAGE
            ):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.add((module, node.module, alias.name))
    return found


def test_no_private_import() -> None:
    found = sorted(private_imports())
    assert not found, "private names imported from another module (make them public or move):\n" + (
        "\n".join(f"  {a}: from {b} import {c}" for a, b, c in found)
    )


def test_the_checker_sees_a_circle_and_an_upward_import() -> None:
    # The checker itself: a made-up graph with one circle and one arrow up.
    edges = {
        "superego_mcp.model": {"superego_mcp.policy.engine"},
        "superego_mcp.policy.engine": {"superego_mcp.shell.words"},
        "superego_mcp.shell.words": {"superego_mcp.policy.engine"},
    }
    assert circles(edges) == [frozenset({"superego_mcp.policy.engine", "superego_mcp.shell.words"})]
    assert upward(edges) == {
        ("superego_mcp.model", "superego_mcp.policy.engine"),
        ("superego_mcp.shell.words", "superego_mcp.policy.engine"),
    }


def test_every_error_class_derives_from_superego_error() -> None:
    """An exception class the package defines (``*Error``) is a ``SuperegoError``, so that
    ``except SuperegoError`` catches every error raised on purpose."""
    import importlib

    from superego_mcp.errors import SuperegoError

    loose = []
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = [
            n.name for n in tree.body if isinstance(n, ast.ClassDef) and n.name.endswith("Error")
        ]
        if names:
            loaded = importlib.import_module(module)
            loose += [
                f"{module}.{n}" for n in names if not issubclass(getattr(loaded, n), SuperegoError)
            ]
    assert not loose, f"derive these from superego_mcp.errors.SuperegoError: {loose}"
