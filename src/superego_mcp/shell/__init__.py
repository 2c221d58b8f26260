"""Shell-command analysis: what a command line would really run.

``analyze(command, cwd=..., env=...)`` parses with tree-sitter-bash and returns an
:class:`~superego_mcp.shell.model.Analysis`: every simple command that would run (after
unwrapping chains, substitutions, ``bash -c``, ``eval``, wrappers such as sudo/env/xargs/
find -exec, and quoting tricks), plus findings such as download-piped-to-shell.
"""

from .analyzer import analyze
from .flags import canonical_flag

__all__ = ["analyze", "canonical_flag"]
