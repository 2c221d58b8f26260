"""The tree-sitter-bash parser, created once per process on first use.

Importing the ``tree_sitter_bash`` package pulls in ``importlib.resources`` (tens of ms on a
cold start) only to offer its highlight queries; the grammar itself is the ``_binding``
extension, so it is loaded directly from the package's folder when possible.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from typing import Any

    from tree_sitter import Node, Parser, Query, Tree

_parser: Parser | None = None
_commands: Query | None = None


def _load_binding(package: str) -> object | None:
    """``package``'s ``_binding`` extension loaded from the package's folder, without running
    the package's ``__init__``, and kept in ``sys.modules`` under its own name, so that a
    later ``import package`` uses this one; ``None`` when the layout is not the expected
    one. The import system's own classes are used (``importlib.machinery``'s, without
    importing the ``importlib`` package and its ``warnings``)."""
    import _frozen_importlib as bootstrap
    import _frozen_importlib_external as machinery
    import os.path
    import sys

    name = package + "._binding"
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    spec = machinery.PathFinder.find_spec(package)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        for suffix in machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "_binding" + suffix)  # noqa: PTH118 (start-up cost)
            if not os.path.exists(path):  # noqa: PTH110
                continue
            loader = machinery.ExtensionFileLoader(name, path)
            module_spec = bootstrap.ModuleSpec(name, loader, origin=path)
            module = loader.create_module(module_spec)
            module.__spec__ = module_spec
            loader.exec_module(module)
            sys.modules[name] = module
            return module
    return None


def language_pointer(package: str = "tree_sitter_bash", function: str = "language") -> object:
    """A grammar package's ``language()`` pointer (``function``: the binding's function
    that returns it), without importing the package's ``__init__`` (also used for the
    Python, JavaScript and TypeScript grammars of :mod:`superego_mcp.lang`)."""
    module = _load_binding(package)
    if module is None:  # the supported way, if the layout ever changes
        import importlib

        module = importlib.import_module(package)
    pointer: object = getattr(module, function)()
    return pointer


def binding() -> Any:
    """The ``tree_sitter`` binding (``Language``, ``Parser``, ``Query``, ...): its C
    extension, without the package's ``__init__``, which imports ``typing`` (milliseconds
    on every Bash call of the hook)."""
    module = _load_binding("tree_sitter")
    if module is None:  # the supported way, if the layout ever changes
        import tree_sitter

        return tree_sitter
    return module


def parse(data: bytes) -> Tree:
    """Parse bash source bytes."""
    global _parser
    if _parser is None:
        ts = binding()
        _parser = ts.Parser(ts.Language(language_pointer()))
    return _parser.parse(data)


def count_commands(root: Node) -> int:
    """How many simple commands the tree under ``root`` holds (one query, run in C: the
    size check before any walk must not cost a walk)."""
    global _commands
    ts = binding()
    if _commands is None:
        language = _parser.language if _parser is not None else None
        assert language is not None  # a tree exists, so the parser does
        _commands = ts.Query(language, "(command) @c")
    return len(ts.QueryCursor(_commands).captures(root).get("c", ()))
