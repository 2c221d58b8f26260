"""Claude Code hooks (``PreToolUse``, ``PermissionRequest``) <-> our calls and answers.

Claude Code's tool names and arguments are ours, so its mapping is the identity. The command
hook (``hook.runner``, the default ``--agent``) and the server's ``POST
/v1/hooks/claude-code`` route both use this module.

Wire format (see ``docs/hook.md``):

- ``PreToolUse`` -> ``{"hookSpecificOutput": {"hookEventName": "PreToolUse",
  "permissionDecision": "allow"|"deny"|"ask", "permissionDecisionReason": ...}}``
- ``PermissionRequest`` -> ``{"hookSpecificOutput": {"hookEventName": "PermissionRequest",
  "decision": {"behavior": "allow"|"deny", ...}}}``; ``ask`` is ``{}`` (no decision: Claude
  Code shows its own permission dialog, which is what asking means there).
- ``defer`` (no rule has an opinion) is ``{}`` for both events: no decision, so Claude Code's
  own permission settings and dialog decide, exactly as without the guard.
- every other event -> ``{}`` (no decision; the audit trail will hook in here).
"""

from __future__ import annotations

from superego_mcp.hook.agents import common, wire
from superego_mcp.model import ToolCall

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from superego_mcp.model import Decision

AGENT = "claude"
PRE_TOOL_USE = "PreToolUse"
PERMISSION_REQUEST = "PermissionRequest"
# Events whose answer is a decision; every other event is observed only.
JUDGED_EVENTS = (PRE_TOOL_USE, PERMISSION_REQUEST)
# The pre-tool event (what `explain --agent claude` answers as).
EVENT = PRE_TOOL_USE
# Claude Code's tool names are ours: nothing to map (its calls carry no agent name).
TOOL_MAP = common.ToolMap(None, {}, shell_tool="Bash")
# The agent's call as ours (several for a patch over several files); another tool keeps its
# name and arguments.
map_tool = TOOL_MAP.calls


def parse_hook_input(data: object, *, default_cwd: str = "/") -> wire.HookRequest:
    """Turn decoded hook JSON into a :class:`~.wire.HookRequest`.

    Unknown fields are ignored. Optional ``project_dir`` and ``home`` (absolute paths; not
    sent by Claude Code, but an adapter may add them) become the call's project root and
    home. A missing ``hook_event_name`` is read as ``PreToolUse`` (a
    judged answer is the safe reading). For judged events ``tool_name`` must be a non-empty
    string, ``tool_input`` an object and ``cwd`` (``default_cwd`` when absent) an absolute
    path; anything else raises :class:`~.wire.HookInputError`. Events that are not judged
    never raise for their tool fields: their call is ``None`` when the fields are unusable.
    """
    return common.claude_shaped(data, default_cwd, PRE_TOOL_USE, JUDGED_EVENTS, TOOL_MAP)


def render_decision(
    event: str, decision: Decision, call: ToolCall | None = None
) -> dict[str, object]:
    """The hook JSON that answers ``event`` with ``decision`` (about ``call``, if given: a
    deny reason then names what was blocked).

    ``defer`` is ``{}`` (no decision: the agent's own permission settings decide). Anything
    else but ``allow`` and ``deny`` (``ask``, or an unresolved ``review``) is rendered as ask:
    the answer never becomes more permissive than the decision.
    """
    if decision.action == "defer":
        return {}
    action = decision.action if decision.action in ("allow", "deny") else "ask"
    if event == PRE_TOOL_USE:
        return {
            "hookSpecificOutput": {
                "hookEventName": PRE_TOOL_USE,
                "permissionDecision": action,
                "permissionDecisionReason": wire.cap(wire.explain_reason(decision, call)),
            }
        }
    if event == PERMISSION_REQUEST:
        if action == "allow":
            return {
                "hookSpecificOutput": {
                    "hookEventName": PERMISSION_REQUEST,
                    "decision": {"behavior": "allow"},
                }
            }
        if action == "deny":
            return {
                "hookSpecificOutput": {
                    "hookEventName": PERMISSION_REQUEST,
                    "decision": {
                        "behavior": "deny",
                        "message": wire.cap(wire.explain_reason(decision, call)),
                    },
                }
            }
        return {}
    return {}


def render_failure(event: str | None, fail_mode: str, problem: str) -> dict[str, object]:
    """The fail-closed answer when a call cannot be judged (``problem`` says why).

    ``fail_mode`` other than ``"deny"`` means ask. With the event unknown (the input could
    not be read) the answer has the ``PreToolUse`` shape: that is the event the installer
    wires, and for a ``PermissionRequest`` a mismatched answer leaves Claude Code's own
    permission dialog up, which is asking.
    """
    return render_decision(event or PRE_TOOL_USE, wire.failure(fail_mode, problem))


def is_valid_output(event: str, data: object) -> bool:
    """True when ``data`` is a well-formed answer to ``event`` (used to vet a server's reply).

    ``{}`` (no decision) is valid for every event: it is how ``defer`` (and, for a
    ``PermissionRequest``, ``ask``) is rendered; it never allows more than the agent's own
    permission settings would.
    """
    if not isinstance(data, dict):
        return False
    if event not in JUDGED_EVENTS or not data:
        return True
    out = data.get("hookSpecificOutput")
    if not isinstance(out, dict) or out.get("hookEventName") != event:
        return False
    if event == PRE_TOOL_USE:
        return out.get("permissionDecision") in ("allow", "deny", "ask") and isinstance(
            out.get("permissionDecisionReason", ""), str
        )
    decision = out.get("decision")
    return isinstance(decision, dict) and decision.get("behavior") in ("allow", "deny")
