"""The tree-sitter parsers for Python, JavaScript and TypeScript, each created on first use.

Only a call that carries code in a language loads its grammar (the hook path stays as cheap
as before for every other call).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Query, Tree

# language -> (grammar package, the binding's function that returns the grammar)
_PACKAGES = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
}
_parsers: dict[str, Parser] = {}
_queries: dict[tuple[str, tuple[str, ...]], Query] = {}


def parse(language: str, data: bytes) -> Tree:
    """Parse ``data`` as ``language`` ("python", "javascript", "typescript", "tsx")."""
    parser = _parsers.get(language)
    if parser is None:
        from tree_sitter import Language, Parser

        from superego_mcp.shell.parser import language_pointer

        parser = Parser(Language(language_pointer(*_PACKAGES[language])))
        _parsers[language] = parser
    return parser.parse(data)


def select(language: str, root: Node, kinds: tuple[str, ...]) -> list[Node]:
    """Every node under ``root`` (itself included) whose type is one of ``kinds``, in
    document order: found by a tree-sitter query (in C), not by walking every node in
    Python, which is what makes a 256 KiB file affordable on the hook path."""
    key = (language, kinds)
    query = _queries.get(key)
    if query is None:
        from tree_sitter import Query

        grammar = _parsers[language].language
        assert grammar is not None  # set when the parser was made
        query = Query(grammar, " ".join(f"({kind}) @n" for kind in kinds))
        _queries[key] = query
    from tree_sitter import QueryCursor

    found = QueryCursor(query).captures(root).get("n", [])
    return sorted(found, key=lambda n: (n.start_byte, -n.end_byte))
