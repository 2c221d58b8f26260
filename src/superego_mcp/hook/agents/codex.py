"""OpenAI Codex CLI hooks (``PreToolUse``, ``PermissionRequest``) <-> our calls and answers.

Contract (``docs/agents.md`` has the sources): stdin is Claude-Code-like JSON (``tool_name``,
``tool_input``, ``cwd``, ``hook_event_name``, ``session_id``, ``turn_id``, ...). Tool names:
shell calls arrive as ``Bash`` (``{"command": str}``), file edits as ``apply_patch`` with the
patch envelope in ``command``, MCP tools as ``mcp__<server>__<tool>``; other function tools
under their own names.

Answers (exit 0): a ``PreToolUse`` deny is ``{"hookSpecificOutput": {"hookEventName":
"PreToolUse", "permissionDecision": "deny", "permissionDecisionReason": ...}}``. Codex
rejects (and then runs the call anyway) ``allow`` without ``updatedInput`` and ``ask``, and a
PreToolUse hook cannot pre-approve: so allow and defer are ``{}`` (no decision: Codex's own
approval flow decides), and ask is a deny whose reason says a person must confirm.
``PermissionRequest``: ``{"hookSpecificOutput": {"hookEventName": "PermissionRequest",
"decision": {"behavior": "allow" | "deny", ...}}}``; ask and defer are ``{}`` (Codex shows
its own approval prompt).
"""

from __future__ import annotations

from superego_mcp.hook.agents import common, wire
from superego_mcp.model import Decision, ToolCall

AGENT = "codex"
LABEL = "Codex"
PRE_TOOL_USE = "PreToolUse"
# The pre-tool event (what `explain --agent codex` answers as).
EVENT = PRE_TOOL_USE
PERMISSION_REQUEST = "PermissionRequest"
JUDGED_EVENTS = (PRE_TOOL_USE, PERMISSION_REQUEST)
# Codex tool name -> ours ("Bash" and mcp__* names are already ours; older builds sent a
# shell command as argv: judged as the command line it stands for).
TOOL_MAP = common.ToolMap(
    AGENT,
    {
        "Bash": common.Tool("Bash", command=common.CommandLine("command")),
        "apply_patch": common.Tool(common.PATCH, patch=common.Arg("command", "patch", "input")),
    },
)
# The agent's call as ours (several for a patch over several files); another tool keeps its
# name and arguments.
map_tool = TOOL_MAP.calls


def parse_hook_input(data: object, *, default_cwd: str = "/") -> wire.HookRequest:
    """Codex hook JSON -> request. A missing ``hook_event_name`` reads as ``PreToolUse``."""
    return common.claude_shaped(data, default_cwd, PRE_TOOL_USE, JUDGED_EVENTS, TOOL_MAP)


def render_decision(
    event: str, decision: Decision, call: ToolCall | None = None
) -> dict[str, object]:
    """Codex's answer to ``event`` (see the module docstring)."""
    action: str = decision.action  # str: compared with `defer` too
    if event == PRE_TOOL_USE:
        if action == "deny":
            reason = wire.explain_reason(decision, call)
        elif action in ("allow", "defer"):
            return {}
        else:  # ask, or an unresolved review: Codex cannot ask from here
            reason = common.confirm_reason(decision, call, LABEL)
        return {
            "hookSpecificOutput": {
                "hookEventName": PRE_TOOL_USE,
                "permissionDecision": "deny",
                "permissionDecisionReason": wire.cap(reason),
            }
        }
    if event == PERMISSION_REQUEST and action in ("allow", "deny"):
        verdict: dict[str, object] = {"behavior": action}
        if action == "deny":
            verdict["message"] = wire.cap(wire.explain_reason(decision, call))
        return {"hookSpecificOutput": {"hookEventName": PERMISSION_REQUEST, "decision": verdict}}
    return {}


def render_failure(event: str | None, fail_mode: str, problem: str) -> dict[str, object]:
    """The fail-closed answer. Codex runs a call whose hook answers ``ask``, so both fail
    modes block in ``PreToolUse`` (the shape used when the event is unknown); in
    ``PermissionRequest`` ask leaves Codex's own prompt up."""
    return render_decision(event or PRE_TOOL_USE, wire.failure(fail_mode, problem))


def is_valid_output(event: str, data: object) -> bool:
    """True for an answer this adapter could have written for ``event``."""
    if not isinstance(data, dict):
        return False
    if not data:
        return True  # Codex's "no decision" (allow, defer; ask in PermissionRequest)
    out = data.get("hookSpecificOutput")
    if not isinstance(out, dict) or out.get("hookEventName") != event:
        return False
    if event == PRE_TOOL_USE:
        reason = out.get("permissionDecisionReason")
        return out.get("permissionDecision") == "deny" and isinstance(reason, str) and bool(reason)
    verdict = out.get("decision")
    return isinstance(verdict, dict) and verdict.get("behavior") in ("allow", "deny")
