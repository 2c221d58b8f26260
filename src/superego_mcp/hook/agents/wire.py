"""The hook wire format every agent's adapter shares: decoding hook input (strict JSON),
the parsed request, the fail-closed decision, the reason text every answer carries, and the
bytes written back. The command hook (``hook.runner``) and the server's hook routes both use
it, so the two surfaces read and answer exactly alike. No I/O here, and only the standard
library plus ``superego_mcp.model``: this module is on the hook's start-up path.
"""

from __future__ import annotations

from superego_mcp import cjson
from superego_mcp.errors import SuperegoError
from superego_mcp.model import Decision, fail_mode_of
from superego_mcp.strictjson import DuplicateKeyError, reject_duplicates

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from superego_mcp.model import Action, ToolCall

# Claude Code caps hook output strings at this many characters; every agent's answer is
# capped alike.
MAX_STRING = 10_000
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
    """One parsed hook input: the event, whether its answer is a decision (``judged``: the
    agent's adapter knows its events), and for judged events the tool call.

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
        *,
        judged: bool,
    ) -> None:
        self.event = event
        self.call = call
        self.tool_use_id = tool_use_id
        self.permission_mode = permission_mode
        self.more = more
        # True when this event's answer is an allow / deny / ask decision.
        self.judged = judged


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
        # {"command": "ls", "command": "rm -rf ~"}: which one runs depends on the reader;
        # refuse (the same message on every entry point: superego_mcp.strictjson).
        value: object = cjson.loads(text, object_pairs_hook=reject_duplicates)
    except DuplicateKeyError as exc:
        raise HookInputError(str(exc)) from None
    except RecursionError:
        raise HookInputError(f"hook input is nested deeper than {MAX_DEPTH} levels") from None
    except cjson.DecodeError as exc:
        raise HookInputError(
            f"hook input is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    # Nesting needs an opening bracket per level: with few of them, no walk is needed.
    if raw.count(b"{") + raw.count(b"[") >= MAX_DEPTH:
        _check_depth(value)
    return value


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
    action: Action = fail_mode_of(fail_mode) or "ask"
    return Decision(action, f"it could not judge the call, so it fails closed: {problem}", None)


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


def explain_reason(decision: Decision, call: ToolCall | None = None) -> str:
    """The reason text every agent's answer carries: who decided, which rule, why; a deny
    also names what was blocked and tells the model not to work around it."""
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


def dump(data: dict[str, object]) -> bytes:
    """Hook JSON as bytes for stdout: ASCII-escaped, so no encoding setting can break it."""
    return cjson.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"
