"""The vocabulary every part shares: a tool call, an action, a decision.

Plain classes with ``__slots__`` (no dataclasses, no enum): this module is on the hook's
start-up path, where every imported module is paid for on every tool call.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)

if TYPE_CHECKING:
    from typing import Any, Final, Literal, Protocol

    # `defer`: the call was fully seen and no rule has an opinion; the agent's own
    # permission settings decide (Claude Code: no hook decision). A REST/MCP caller treats
    # it as "ask".
    Action = Literal["allow", "deny", "ask", "review", "defer"]

    # What a failure (crash, unanalysable input, broken policy, no reviewer) answers:
    # never allow.
    FailMode = Literal["ask", "deny"]

    class SessionWrites(Protocol):
        """What a call's session memory offers its entry point (``superego_mcp.memory``'s
        ``SessionMemory``), named here so that the shared vocabulary imports nothing above
        it."""

        def commit(self, action: str) -> None:
            """Keep what the call wrote, now that it is answered with ``action``."""
            ...


ACTIONS: Final[tuple[Action, ...]] = ("allow", "deny", "ask", "review", "defer")
FAIL_MODES: Final[tuple[FailMode, ...]] = ("ask", "deny")


def __getattr__(name: str) -> object:
    """``Action`` and ``FailMode`` at run time (pydantic settings read them), built on first
    use: the hook path never imports typing. Type checkers read the definitions above."""
    if name in ("Action", "FailMode"):
        from typing import Literal

        value = Literal[ACTIONS if name == "Action" else FAIL_MODES]  # type: ignore[valid-type]
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# A call deferred by the policy's default says, at the end of its reason, what had no
# opinion (the programs of its commands, or the tool), so `explain`, the audit row and
# `audit stats --defer` show where the policy is silent.
_NO_OPINION: Final = " No rule has an opinion on "
MAX_NO_OPINION: Final = 5


def with_no_opinion(reason: str, names: list[str]) -> str:
    """``reason`` followed by the names that had no opinion (at most :data:`MAX_NO_OPINION`
    shown, each in backquotes)."""
    shown = [n.replace("`", "'")[:60] for n in names[:MAX_NO_OPINION]]
    more = f" and {len(names) - MAX_NO_OPINION} more" if len(names) > MAX_NO_OPINION else ""
    return f"{reason}{_NO_OPINION}" + ", ".join(f"`{n}`" for n in shown) + f"{more}."


def without_no_opinion(reason: str) -> str:
    """``reason`` without what :func:`with_no_opinion` added."""
    at = reason.rfind(_NO_OPINION)
    return reason if at < 0 else reason[:at]


def no_opinion_names(reason: str) -> list[str]:
    """The names :func:`with_no_opinion` put at the end of ``reason`` (``[]`` if none)."""
    at = reason.rfind(_NO_OPINION)
    if at < 0:
        return []
    names: list[str] = []
    for i, part in enumerate(reason[at + len(_NO_OPINION) :].split("`")):
        if i % 2 == 1:
            names.append(part)
    return names


def fail_mode_of(value: object) -> FailMode | None:
    """``value`` as a fail mode when it is one (``"ask"`` / ``"deny"``), else ``None``: the
    caller picks the stricter fallback (a bad setting must not weaken the answer)."""
    if value == "ask":
        return "ask"
    if value == "deny":
        return "deny"
    return None


# Most restrictive first: a command line is judged by its most restrictive part.
_RESTRICTIVENESS: Final[dict[str, int]] = {
    "deny": 4,
    "ask": 3,
    "review": 2,
    "defer": 1,
    "allow": 0,
}


def more_restrictive(a: Action, b: Action) -> Action:
    """Return whichever of two actions is more restrictive
    (deny > ask > review > defer > allow)."""
    return a if _RESTRICTIVENESS[a] >= _RESTRICTIVENESS[b] else b


class ToolCall:
    """One tool call an agent wants to make, as the hook, MCP or REST surfaces receive it.

    ``tool_input`` is untrusted data: it may carry text written to mislead a reviewer.
    ``project`` is the project root (``superego_mcp.project.project_root``; ``None``: found
    from ``cwd`` when judged); ``home`` the agent's home when the entry point knows it
    (``None``: the evaluating process's ``$HOME``).

    A call from another agent (Codex, Gemini CLI, ...) carries our tool vocabulary in
    ``tool_name`` (``Bash``, ``Write``, ``mcp__server__tool``, ...) so that rules written for
    it apply, and the agent's own name in ``agent_tool`` (``run_shell_command``), which rules
    match too; ``agent`` names the agent (``None``: Claude Code or an API caller).

    ``memory`` is the session's memory of the files the agent wrote
    (``superego_mcp.memory.SessionMemory``), set by the entry point for a call with a
    session id; ``None``: none is consulted.
    """

    __slots__ = (
        "agent",
        "agent_id",
        "agent_tool",
        "cwd",
        "home",
        "memory",
        "project",
        "session_id",
        "tool_input",
        "tool_name",
    )

    def __init__(
        self,
        tool_name: str,
        tool_input: dict[str, Any],
        cwd: str,
        session_id: str | None = None,
        agent_id: str | None = None,
        project: str | None = None,
        home: str | None = None,
        agent: str | None = None,
        agent_tool: str | None = None,
    ) -> None:
        self.tool_name = tool_name
        self.tool_input = tool_input
        self.cwd = cwd
        self.session_id = session_id
        self.agent_id = agent_id
        self.project = project
        self.home = home
        self.agent = agent
        # Only a name that differs from tool_name is kept: rules then test one name, not two.
        self.agent_tool = agent_tool if agent_tool != tool_name else None
        self.memory: SessionWrites | None = None

    def __repr__(self) -> str:
        extra = f", agent={self.agent!r}, agent_tool={self.agent_tool!r}" if self.agent else ""
        return f"ToolCall({self.tool_name!r}, {self.tool_input!r}, cwd={self.cwd!r}{extra})"


class Decision:
    """The answer for one tool call: an action, a reason a person or model can act on, and
    the id of the rule that decided (``None`` when the policy's default or a fail-closed path
    decided). ``final`` is true when nothing may loosen the decision: a rule marked ``final``
    decided a part of the call, or the call could not be fully analysed (so no exception
    granted with ``superego-mcp allow`` applies).

    ``review`` is set when an LLM reviewer was consulted (see ``superego_mcp.reviewer``): a
    JSON-ready dict with ``provider``, ``model``, ``latency_ms``, ``cache_hit``, ``breaker``,
    ``outcome``, ``risk`` and ``reason``; ``None`` when no review happened."""

    __slots__ = ("action", "final", "reason", "review", "rule_id")

    def __init__(
        self,
        action: Action,
        reason: str,
        rule_id: str | None = None,
        final: bool = False,
        review: dict[str, Any] | None = None,
    ) -> None:
        self.action: Action = action
        self.reason = reason
        self.rule_id = rule_id
        self.final = final
        self.review = review

    def may_be_excepted(self) -> bool:
        """True when a ``superego-mcp allow`` exception may turn this into an allow: it is
        not one already and nothing final decided it (the one place that says so)."""
        return self.action != "allow" and not self.final

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (REST, MCP structured output, audit); ``review`` only when
        a reviewer was consulted."""
        data: dict[str, Any] = {
            "decision": self.action,
            "reason": self.reason,
            "rule_id": self.rule_id,
        }
        if self.review is not None:
            data["review"] = self.review
        return data

    def __repr__(self) -> str:
        return f"Decision({self.action!r}, {self.reason!r}, rule_id={self.rule_id!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return (self.action, self.reason, self.rule_id, self.review) == (
            other.action,
            other.reason,
            other.rule_id,
            other.review,
        )

    __hash__ = None  # type: ignore[assignment]
