"""Assertion helpers for the shell analyzer tests."""

from __future__ import annotations

from collections.abc import Callable

from superego_mcp.shell.model import Analysis, Command

Analyze = Callable[..., Analysis]


def programs(result: Analysis) -> list[str]:
    """Program names in order."""
    return [c.program for c in result.commands]


def only(result: Analysis, program: str) -> Command:
    """The single command running ``program``."""
    found = [c for c in result.commands if c.program == program]
    assert len(found) == 1, (program, result.commands)
    return found[0]


def kinds(result: Analysis) -> set[str]:
    """Finding kinds."""
    return {f.kind for f in result.findings}
