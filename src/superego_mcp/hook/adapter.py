"""Claude Code hook JSON <-> :class:`ToolCall` / :class:`Decision`, as pure functions.

The command hook (``hook.runner``) and the server's ``POST /v1/hooks/claude-code`` route both
use these, so the two surfaces read and answer exactly the same JSON. No I/O here, and only
the standard library plus ``superego_mcp.model``: this module is on the hook's start-up path.

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

import json
from typing import TYPE_CHECKING

from superego_mcp.errors import SuperegoError
from superego_mcp.model import Decision, ToolCall
from superego_mcp.strictjson import DuplicateKeyError, reject_duplicates

if TYPE_CHECKING:
    from superego_mcp.model import Action

PRE_TOOL_USE = "PreToolUse"
PERMISSION_REQUEST = "PermissionRequest"
# Events whose answer is a decision; every other event is observed only.
JUDGED_EVENTS = (PRE_TOOL_USE, PERMISSION_REQUEST)

# Claude Code caps hook output strings at this many characters.
MAX_STRING = 10_000
# What every agent's adapter declares (superego_mcp.hook.agents.AgentAdapter). Claude Code's
# tool names are ours, so its mapping is the identity.
AGENT = "claude"
EVENT = PRE_TOOL_USE
SHELL_TOOL = "Bash"
TOOLS: dict[str, str] = {}
# Deeper JSON than this is refused before any rule walks it (a rule engine that recurses
# over tool_input must not be the first to find out).
MAX_DEPTH = 100

_ELLIPSIS = " [...]"
_DENY_ADVICE = (
    "Do not retry this in another form or with another tool. If it is really needed, "
    "tell the user what you wanted to do and why, and let them run it or change the policy."
)


class HookInputError(SuperegoError, ValueError):
    """Hook input that cannot be judged; the message names the problem."""


class HookRequest:
    """One parsed hook input: the event, and for judged events the tool call.

    ``more`` holds further calls the same input makes (another agent's patch that touches
    several files): the answer is the most restrictive decision over ``call`` and ``more``.
    """

    __slots__ = ("call", "event", "judged", "more", "permission_mode", "tool_use_id")

    def __init__(
        self,
        event: str,
        call: ToolCall | None,
        tool_use_id: str | None = None,
        permission_mode: str | None = None,
        more: tuple[ToolCall, ...] = (),
        judged: bool | None = None,
    ) -> None:
        self.event = event
        self.call = call
        self.tool_use_id = tool_use_id
        self.permission_mode = permission_mode
        self.more = more
        # True when this event's answer is an allow / deny / ask decision.
        self.judged = event in JUDGED_EVENTS if judged is None else judged


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # {"command": "ls", "command": "rm -rf ~"}: which one runs depends on the reader; refuse
    # (the same message on every entry point: superego_mcp.strictjson).
    try:
        return reject_duplicates(pairs)
    except DuplicateKeyError as exc:
        raise HookInputError(str(exc)) from None


def _check_depth(value: object) -> None:
    # Iterative, so that the check itself cannot overflow the stack.
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise HookInputError(f"hook input is nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def decode_hook_input(raw: bytes) -> object:
    """Decode hook input bytes (UTF-8 JSON) into a Python value.

    Raises :class:`HookInputError` for empty input, bytes that are not UTF-8, text that is
    not JSON, duplicate keys, and nesting deeper than :data:`MAX_DEPTH`.
    """
    if not raw.strip():
        raise HookInputError("hook input is empty (expected a JSON object on stdin)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HookInputError(f"hook input is not UTF-8 (byte {exc.start})") from None
    try:
        value: object = json.loads(text, object_pairs_hook=_reject_duplicates)
    except RecursionError:
        raise HookInputError(f"hook input is nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise HookInputError(
            f"hook input is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    _check_depth(value)
    return value


def _optional_str(data: dict[str, object], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def map_tool(
    tool_name: str, args: dict[str, object], cwd: str, session_id: str | None = None
) -> list[ToolCall]:
    """Claude Code's call as ours: the same tool, the same arguments."""
    return [ToolCall(tool_name, args, cwd, session_id=session_id)]


def event_of(data: dict[str, object], default: str) -> str:
    """The input's ``hook_event_name``; ``default`` (the agent's judged pre-tool event: a
    judged answer is the safe reading) when absent; anything but a non-empty string raises
    :class:`HookInputError`."""
    event = data.get("hook_event_name", default)
    if not isinstance(event, str) or not event:
        raise HookInputError("hook_event_name must be a non-empty string")
    return event


def failure(fail_mode: str, problem: str) -> Decision:
    """The decision of a call that could not be judged: ``deny`` for the ``deny`` fail mode,
    ``ask`` for anything else (never allow, never defer); the reason names ``problem``."""
    action: Action = "deny" if fail_mode == "deny" else "ask"
    return Decision(action, f"it could not judge the call, so it fails closed: {problem}", None)


def parse_hook_input(data: object, *, default_cwd: str = "/") -> HookRequest:
    """Turn decoded hook JSON into a :class:`HookRequest`.

    Unknown fields are ignored. Optional ``project_dir`` and ``home`` (absolute paths; not
    sent by Claude Code, but an adapter may add them) become the call's project root and
    home. A missing ``hook_event_name`` is read as ``PreToolUse`` (a
    judged answer is the safe reading). For judged events ``tool_name`` must be a non-empty
    string, ``tool_input`` an object and ``cwd`` (``default_cwd`` when absent) an absolute
    path; anything else raises :class:`HookInputError`. Events that are not judged never
    raise for their tool fields: their call is ``None`` when the fields are unusable.
    """
    if not isinstance(data, dict):
        raise HookInputError(f"hook input must be a JSON object, not {json_type(data)}")
    event = event_of(data, PRE_TOOL_USE)
    try:
        call = _tool_call(data, default_cwd)
    except HookInputError:
        if event in JUDGED_EVENTS:
            raise
        call = None
    return HookRequest(
        event,
        call,
        tool_use_id=_optional_str(data, "tool_use_id"),
        permission_mode=_optional_str(data, "permission_mode"),
    )


def _tool_call(data: dict[str, object], default_cwd: str) -> ToolCall:
    tool_name = data.get("tool_name")
    if not isinstance(tool_name, str) or not tool_name:
        raise HookInputError("tool_name is missing or not a non-empty string")
    tool_input = data.get("tool_input")
    if not isinstance(tool_input, dict):
        raise HookInputError(
            f"tool_input of {cap(tool_name, 200)} must be a JSON object, "
            f"not {json_type(tool_input)}"
        )
    cwd = data.get("cwd")
    if cwd is None or cwd == "":
        cwd = default_cwd
    if not isinstance(cwd, str) or not cwd.startswith("/"):
        raise HookInputError("cwd must be an absolute path")
    return ToolCall(
        tool_name,
        tool_input,
        cwd,
        session_id=_optional_str(data, "session_id"),
        agent_id=_optional_str(data, "agent_id"),
        project=_optional_dir(data, "project_dir"),
        home=_optional_dir(data, "home"),
    )


def _optional_dir(data: dict[str, object], key: str) -> str | None:
    # Optional fields an adapter or wrapper may add (Claude Code sends neither): the project
    # root and the agent's home. Only an absolute path counts; anything else is ignored.
    value = data.get(key)
    return value if isinstance(value, str) and value.startswith("/") else None


def json_type(value: object) -> str:
    """``a string``, ``an array``, ...: how a JSON value's type reads in a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def cap(text: str, limit: int = MAX_STRING) -> str:
    """``text`` cut to at most ``limit`` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(_ELLIPSIS)] + _ELLIPSIS


# tool_input fields that say what a call acts on, for the deny reason the model reads.
_SUBJECT_FIELDS = ("command", "file_path", "notebook_path", "path", "url", "pattern", "query")


def _subject(call: ToolCall | None) -> str:
    """``this Bash call (`rm -rf ~`)``: what was blocked, in a few words."""
    if call is None:
        return "this tool call"
    what = f"this {cap(call.tool_name, 100)} call"
    for field in _SUBJECT_FIELDS:
        value = call.tool_input.get(field)
        if isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            return f"{what} ({field} `{cap(text, 200)}`)"
    return what


def _reason(decision: Decision, call: ToolCall | None = None) -> str:
    rule = f" (rule {decision.rule_id})" if decision.rule_id else ""
    reason = decision.reason.strip() or "no reason given"
    if reason[-1] not in ".!?":
        reason += "."
    if decision.action == "allow":
        return f"Superego allowed this{rule}: {reason}"
    if decision.action == "deny":
        # Only the model reads this: naming what was blocked helps it explain to the user.
        return f"Superego blocked {_subject(call)}{rule}: {reason} {_DENY_ADVICE}"
    # Shown to the user next to Claude Code's own view of the call; no call text is
    # repeated here, so text inside the call cannot pose as Superego's words.
    return f"Superego wants a person to confirm this{rule}: {reason}"


def explain_reason(decision: Decision, call: ToolCall | None = None) -> str:
    """The reason text every agent's answer carries: who decided, which rule, why; a deny
    also names what was blocked and tells the model not to work around it."""
    return _reason(decision, call)


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
                "permissionDecisionReason": cap(_reason(decision, call)),
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
                    "decision": {"behavior": "deny", "message": cap(_reason(decision, call))},
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
    return render_decision(event or PRE_TOOL_USE, failure(fail_mode, problem))


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


def dump(data: dict[str, object]) -> bytes:
    """Hook JSON as bytes for stdout: ASCII-escaped, so no encoding setting can break it."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"
