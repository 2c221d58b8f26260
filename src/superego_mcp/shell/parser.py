"""The tree-sitter-bash parser, created once per process on first use.

Importing the ``tree_sitter_bash`` package pulls in ``importlib.resources`` (tens of ms on a
cold start) only to offer its highlight queries; the grammar itself is the ``_binding``
extension, so it is loaded directly from the package's folder when possible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Query, Tree

_parser: Parser | None = None
_commands: Query | None = None


def language_pointer(package: str = "tree_sitter_bash", function: str = "language") -> object:
    """A grammar package's ``language()`` pointer (``function``: the binding's function
    that returns it), without importing the package's ``__init__`` (also used for the
    Python, JavaScript and TypeScript grammars of :mod:`superego_mcp.lang`)."""
    import importlib.machinery
    import importlib.util
    import os.path

    spec = importlib.util.find_spec(package)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "_binding" + suffix)  # noqa: PTH118 (start-up cost)
            if not os.path.exists(path):  # noqa: PTH110
                continue
            name = package + "._binding"
            loader = importlib.machinery.ExtensionFileLoader(name, path)
            mod_spec = importlib.util.spec_from_file_location(name, path, loader=loader)
            if mod_spec is None:
                continue
            module = importlib.util.module_from_spec(mod_spec)
            loader.exec_module(module)
            return getattr(module, function)()
    import importlib  # the supported way, if the layout ever changes

    pointer: object = getattr(importlib.import_module(package), function)()
    return pointer


def parse(data: bytes) -> Tree:
    """Parse bash source bytes."""
    global _parser
    if _parser is None:
        from tree_sitter import Language, Parser

        _parser = Parser(Language(language_pointer()))
    return _parser.parse(data)


def count_commands(root: Node) -> int:
    """How many simple commands the tree under ``root`` holds (one query, run in C: the
    size check before any walk must not cost a walk)."""
    global _commands
    from tree_sitter import Query, QueryCursor

    if _commands is None:
        language = _parser.language if _parser is not None else None
        assert language is not None  # a tree exists, so the parser does
        _commands = Query(language, "(command) @c")
    return len(QueryCursor(_commands).captures(root).get("c", ()))
