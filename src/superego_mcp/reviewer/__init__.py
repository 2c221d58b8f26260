"""The LLM reviewer: a second opinion for calls the rules mark ``review``.

Nothing here is imported unless a ``review`` unit needs it (``superego_mcp.decide`` imports
it lazily), so a call the rules decide costs what it did before. See ``docs/reviewer.md``.

- :mod:`.prompt`: the injection-resistant prompt and the strict answer check;
- :mod:`.providers`: Anthropic, OpenAI-compatible, ``claude`` CLI, MCP sampling;
- :mod:`.state`: per-provider circuit breakers and the TTL answer cache;
- :mod:`.core`: :class:`~.core.Reviewer` (the fallback chain, budgets, the final decision);
- ``superego-mcp reviewer test`` is :mod:`superego_mcp.cli.reviewer`.
"""

from typing import Final

# The provider names SUPEREGO_REVIEWER accepts (config.py validates against this).
PROVIDERS: Final = ("anthropic", "openai", "claude-cli", "mcp-sampling")
# The longest overall review deadline a setting may ask for: the command hook's own deadline
# grows by the review deadline, and the installed Claude Code hook timeout covers the most
# it can grow to (hook.install), so Claude Code never times the hook out (which would let
# the call through).
MAX_TIMEOUT_S: Final = 50.0
