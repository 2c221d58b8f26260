"""The analyzer's walking state: what is known (``Scope``) and where it is (``Ctx``), and
the two ways a walk stops early."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node


class Limit(Exception):
    """Over a size / depth / count limit."""


class Unparseable(Exception):
    """The parser could not make sense of (part of) the source."""


class Scope:
    """What is known at a point of the walk. Copied for subshells and branches."""

    __slots__ = ("aliases", "cwd", "funcs", "positional", "vars")

    def __init__(self) -> None:
        self.vars: dict[str, str | None] = {}
        self.positional: list[str] | None = None  # None: unknown ($1 of the hook's shell)
        self.cwd: str | None = None
        self.funcs: dict[str, Node] = {}
        self.aliases: dict[str, str] = {}

    def copy(self) -> Scope:
        """An independent copy (subshells, branches)."""
        new = Scope()
        new.vars = dict(self.vars)
        new.positional = None if self.positional is None else list(self.positional)
        new.cwd = self.cwd
        new.funcs = dict(self.funcs)
        new.aliases = dict(self.aliases)
        return new

    def merge(self, branch: Scope) -> None:
        """After a branch that may or may not have run: differing values become unknown."""
        for name in set(self.vars) | set(branch.vars):
            if self.vars.get(name, "\0unset") != branch.vars.get(name, "\0unset"):
                self.vars[name] = None
        if self.cwd != branch.cwd:
            self.cwd = None
        self.funcs.update(branch.funcs)
        self.aliases.update(branch.aliases)

    def lookup(self, name: str) -> str | None:
        """A variable's value: known text, or None when only known at run time."""
        if name in self.vars:
            return self.vars[name]
        if self.positional is not None:
            if name.isdigit():
                k = int(name)
                if k == 0:
                    return None
                return self.positional[k - 1] if k <= len(self.positional) else ""
            if name in ("@", "*"):
                return " ".join(self.positional)
            if name == "#":
                return str(len(self.positional))
        return None


class Ctx:
    """Where the walk is: how we got here (``via``), nesting depth, enclosing pipelines."""

    __slots__ = ("depth", "pipes", "via")

    def __init__(self, via: tuple[str, ...], depth: int, pipes: tuple[tuple[int, int], ...]):
        self.via = via
        self.depth = depth
        self.pipes = pipes

    def nested(self, label: str | None, *, keep_pipes: bool = False) -> Ctx:
        """One level deeper, reached through ``label`` (outside any pipeline unless kept)."""
        via = (*self.via, label) if label else self.via
        return Ctx(via, self.depth + 1, self.pipes if keep_pipes else ())
