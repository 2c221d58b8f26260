"""Superego MCP: reviews an AI coding agent's tool calls before they run.

The package is laid out by concern:

- ``superego_mcp.shell``  -- shell-command analysis (tree-sitter-bash), what would really run;
- ``superego_mcp.policy`` -- the rules language, its loader and the policy engine;
- ``superego_mcp.hook``   -- the command hook (fail-closed runner, cache, installers) and every
  agent's adapter (``hook.agents``);
- ``superego_mcp.server`` -- the one HTTP/stdio server process (FastAPI + FastMCP);
- ``superego_mcp.config`` -- the typed settings model (file + environment).

This module stays import-free so that the hook path starts fast.
"""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # The version lives in pyproject.toml only; read it from the installed metadata lazily,
    # because importlib.metadata costs milliseconds the hook path does not spend.
    if name == "__version__":
        from importlib.metadata import version

        return version("superego-mcp")
    raise AttributeError(name)
