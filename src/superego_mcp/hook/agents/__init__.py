"""The agents Superego guards, and where each one's hook adapter lives.

Every agent's adapter is a module here, ``<agent>.py``, of one shape (:class:`AgentAdapter`,
which mypy checks each module against): ``parse_hook_input`` (decoded hook JSON ->
``HookRequest`` whose calls use our tool vocabulary), ``render_decision`` and
``render_failure`` (-> that agent's answer JSON) and ``is_valid_output`` (vets a server's
reply). They share :mod:`.wire` (the wire format: decoding, the request, reasons, the bytes
written back) and :mod:`.common` (reading fields, building calls, patches). The command hook
(``superego-mcp hook --agent NAME``) and the server (``POST /v1/hooks/<route>``) pick the
module here, so both surfaces read and answer exactly alike. Modules are imported only when
their agent is asked for: this package is on the hook's start-up path.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Final, Protocol

    from superego_mcp.hook.agents.common import ToolMap
    from superego_mcp.hook.agents.wire import HookRequest
    from superego_mcp.model import Decision, ToolCall

# The agents, in the order `--agent all` installs them.
AGENTS: Final[tuple[str, ...]] = ("claude", "codex", "gemini", "copilot", "cursor", "opencode")
DEFAULT_AGENT: Final = "claude"

# HTTP hook routes; Claude Code keeps the route it always had.
ROUTES: Final[dict[str, str]] = {
    "claude": "/v1/hooks/claude-code",
    **{name: f"/v1/hooks/{name}" for name in AGENTS[1:]},
}


if TYPE_CHECKING:
    # For the type checker only (the hook path imports no typing): the adapters' shape.
    class AgentAdapter(Protocol):
        """What every agent's adapter module provides (mypy checks each module against it,
        below)."""

        AGENT: str
        # The agent's judged pre-tool event: the shape `explain --agent` answers in.
        EVENT: str
        # The agent's tool names -> ours, as a table (``common.ToolMap``): its ``shell`` is
        # what `explain --agent NAME <command>` maps a command line from, ``shown`` what
        # `explain --agent NAME` lists.
        TOOL_MAP: ToolMap

        def map_tool(
            self, tool_name: str, args: dict[str, object], cwd: str, session_id: str | None = None
        ) -> list[ToolCall]:
            """One of the agent's tool calls as ours (several for a patch over several files)."""
            ...

        def parse_hook_input(self, data: object, *, default_cwd: str = "/") -> HookRequest:
            """Decoded hook JSON -> request (raises ``HookInputError`` on unusable input)."""
            ...

        def render_decision(
            self, event: str, decision: Decision, call: ToolCall | None = None
        ) -> dict[str, object]:
            """The agent's answer to ``event`` for ``decision``."""
            ...

        def render_failure(
            self, event: str | None, fail_mode: str, problem: str
        ) -> dict[str, object]:
            """The agent's fail-closed answer when a call cannot be judged."""
            ...

        def is_valid_output(self, event: str, data: object) -> bool:
            """True when ``data`` is a usable answer to ``event`` (vets a server's reply)."""
            ...

    # every adapter module has the declared shape (checked by mypy only)
    from superego_mcp.hook.agents import claude, codex, copilot, cursor, gemini, opencode

    _CLAUDE: AgentAdapter = claude
    _CODEX: AgentAdapter = codex
    _GEMINI: AgentAdapter = gemini
    _COPILOT: AgentAdapter = copilot
    _CURSOR: AgentAdapter = cursor
    _OPENCODE: AgentAdapter = opencode


def adapter_for(agent: str | None) -> AgentAdapter:
    """The adapter module of ``agent`` (``None``: Claude Code). Raises ``KeyError`` for an
    agent this version does not know."""
    name = agent or DEFAULT_AGENT
    if name not in AGENTS:
        raise KeyError(name)
    module = f"superego_mcp.hook.agents.{name}"
    __import__(module)  # importlib.import_module, without importing importlib
    adapter: AgentAdapter = sys.modules[module]  # of the declared shape (checked above)
    return adapter


def decide_request(
    calls: Sequence[ToolCall], decisions: Sequence[Decision]
) -> tuple[Decision, ToolCall]:
    """One answer for the calls one hook input makes (a patch over several files) and their
    decisions, in order: the most restrictive decision, with the call it is about (the
    first on ties)."""
    from superego_mcp.model import more_restrictive

    decision, call = decisions[0], calls[0]
    for other, d in zip(calls[1:], decisions[1:], strict=True):
        if more_restrictive(decision.action, d.action) != decision.action:
            decision, call = d, other
    return decision, call
