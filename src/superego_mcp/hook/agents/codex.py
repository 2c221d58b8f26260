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
# Codex tool name -> ours ("Bash" and mcp__* names are already ours).
# The agent's shell tool (what `explain --agent codex <command>` maps a command line from).
SHELL_TOOL = "Bash"
TOOLS: dict[str, str] = {"Bash": "Bash", "apply_patch": "Write / Edit (one per file)"}


def map_tool(
    tool_name: str, tool_input: dict[str, object], cwd: str, session_id: str | None = None
) -> list[ToolCall]:
    """Codex's call as ours (several calls for a patch touching several files)."""
    if tool_name == "apply_patch":
        patch = tool_input.get("command", tool_input.get("patch", tool_input.get("input")))
        if not isinstance(patch, str):
            raise wire.HookInputError(
                f"apply_patch input has no patch text, got {wire.json_type(patch)}"
            )
        return common.Caller(AGENT, tool_name, cwd, session_id).patch(patch)
    if tool_name == "Bash":
        command = tool_input.get("command")
        if isinstance(command, list) and all(isinstance(w, str) for w in command):
            # Older builds sent argv; judge the command line it stands for.
            import shlex

            tool_input = {**tool_input, "command": shlex.join(command)}
    return [ToolCall(tool_name, tool_input, cwd, session_id=session_id, agent=AGENT)]


def parse_hook_input(data: object, *, default_cwd: str = "/") -> wire.HookRequest:
    """Codex hook JSON -> request. A missing ``hook_event_name`` reads as ``PreToolUse``."""
    data = common.as_object(data)
    event = wire.event_of(data, PRE_TOOL_USE)
    judged = event in JUDGED_EVENTS
    calls: list[ToolCall] = []
    with common.Observed(judged):
        calls = map_tool(*common.claude_fields(data, default_cwd))
    return common.claude_request(data, event, judged, calls)


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
