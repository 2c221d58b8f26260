"""The tree-sitter parsers for Python, JavaScript and TypeScript, each created on first use.

Only a call that carries code in a language loads its grammar (the hook path stays as cheap
as before for every other call).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Parser, Tree

# language -> (grammar package, the binding's function that returns the grammar)
_PACKAGES = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
}
_parsers: dict[str, Parser] = {}


def parse(language: str, data: bytes) -> Tree:
    """Parse ``data`` as ``language`` ("python", "javascript", "typescript", "tsx")."""
    parser = _parsers.get(language)
    if parser is None:
        from tree_sitter import Language, Parser

        from superego_mcp.shell.parser import language_pointer

        parser = Parser(Language(language_pointer(*_PACKAGES[language])))
        _parsers[language] = parser
    return parser.parse(data)
