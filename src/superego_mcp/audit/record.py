"""One audit row: what is stored for a decision, built the same way by every entry point.

Standard library only (plus :mod:`redact`): the command hook's judging child builds the row
and hands it to its parent as JSON. Secrets are redacted here, before the row exists, so no
store, log line or metric label downstream ever sees them.
"""

from __future__ import annotations

import os
import time

from superego_mcp import cjson
from superego_mcp.model import no_opinion_names, with_no_opinion, without_no_opinion
from superego_mcp.redact import redact_text, redact_value, scrub, secret_words

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from typing import Any, Final, Literal

    from superego_mcp.model import Decision, ToolCall

    Entry = Literal["hook", "http-hook", "rest", "mcp"]
ENTRIES: Final[tuple[str, ...]] = ("hook", "http-hook", "rest", "mcp")

# Stored columns, in order (the store adds ``id``). ``input`` and ``review`` are JSON text.
COLUMNS: Final[tuple[str, ...]] = (
    "ts",
    "entry",
    "event",
    "agent_id",
    "session_id",
    "cwd",
    "tool",
    "input",
    "decision",
    "reason",
    "rule",
    "review",
    "policy_digest",
    "latency_ms",
    "node",
    "tool_use_id",
)
# An outcome row: an agent's after-tool event (the call ran), see :func:`build_outcome`.
OUTCOME_COLUMNS: Final[tuple[str, ...]] = (
    "ts",
    "entry",
    "event",
    "agent_id",
    "session_id",
    "tool_use_id",
    "cwd",
    "tool",
    "input",
    "node",
)
# The events that say a call ran (they answer nothing): Claude Code's and Codex's
# ``PostToolUse``, Cursor's and Copilot CLI's ``postToolUse``, Gemini CLI's ``AfterTool``.
AFTER_EVENTS: Final = frozenset({"PostToolUse", "postToolUse", "AfterTool"})

# A stored input longer than this is cut (and says so): the audit keeps what was decided
# about, not every byte of a 4 MiB Write.
MAX_INPUT_CHARS: Final = 65_536
MAX_TEXT_CHARS: Final = 4_096

_node: list[str] = []


def node_name() -> str:
    """``host:pid`` of this process: which replica or hook process decided."""
    if not _node:
        _node.append(f"{os.uname().nodename}:{os.getpid()}")
    return _node[0]


def storable(text: str) -> str:
    """``text`` as every store takes it: a lone surrogate (``\\ud800``, which JSON input can
    carry but UTF-8 cannot) written as its ``\\uXXXX`` escape, a NUL (PostgreSQL text has
    none) as ``\\x00``. Ordinary text comes back unchanged (one check)."""
    if text.isascii() and "\x00" not in text:
        return text
    text = text.replace("\x00", "\\x00")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _cap(text: str | None, limit: int = MAX_TEXT_CHARS) -> str | None:
    if text is None:
        return None
    text = storable(text)
    return text if len(text) <= limit else text[:limit] + " [...]"


def _json(value: object) -> str:
    """JSON for a text column; lone surrogates stay as ``\\uXXXX`` escapes, so the stored
    text is valid UTF-8 and ``json.loads`` gives back exactly the input."""
    text = cjson.dumps(value, ensure_ascii=False, sort_keys=True)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = cjson.dumps(value, ensure_ascii=True, sort_keys=True)
    return text


# The stored input and the secret words of each input already recorded, by the input's JSON
# (short inputs only; emptied when full): a server records the same calls again and again,
# and both are pure functions of the input.
_parts: dict[str, tuple[str, set[str]]] = {}
_PARTS_MAX: Final = 8192
_PARTS_CHARS: Final = 2048


def _input_parts(tool_input: dict[str, Any]) -> tuple[str, set[str]]:
    """:func:`stored_input` and ``redact.secret_words`` of ``tool_input`` (the set is
    shared: never change it)."""
    try:
        key: str | None = cjson.dumps(tool_input, separators=(",", ":"))
    except (TypeError, ValueError):
        key = None
    if key is None or len(key) > _PARTS_CHARS:
        return stored_input(tool_input), secret_words(tool_input)
    parts = _parts.get(key)
    if parts is None:
        parts = (stored_input(tool_input), secret_words(tool_input))
        if len(_parts) >= _PARTS_MAX:
            _parts.clear()
        _parts[key] = parts
    return parts


def build_record(
    call: ToolCall,
    decision: Decision,
    *,
    entry: str,
    latency_ms: float,
    policy_digest: str | None,
    event: str | None = None,
    ts: float | None = None,
    tool_use_id: str | None = None,
) -> dict[str, Any]:
    """The row for one decision, redacted and size-capped; keys are :data:`COLUMNS`.
    ``tool_use_id``: the agent's id of the call, which its after-tool event repeats."""
    # A reason (or review) may quote part of the input whose secret redaction recognised only
    # by its context (a key block's header, a NAME=): the secret's own words go too.
    text, words = _input_parts(call.tool_input)
    review = getattr(decision, "review", None)
    reason = _reason(decision.reason, text, call.tool_name)
    if words:
        reason = scrub(reason, words)
    if review is not None:
        review = redact_value(review)
        if words:
            review = cjson.loads(scrub(cjson.dumps(review), words))
    return {
        "ts": time.time() if ts is None else ts,
        "entry": entry,
        "event": _cap(event, 64),
        "agent_id": _cap(_redacted(call.agent_id), 256),
        "session_id": _cap(_redacted(call.session_id), 256),
        "cwd": _cap(_redacted(call.cwd), 1024),
        "tool": _cap(redact_text(call.tool_name), 256),
        "input": text,
        "decision": decision.action,
        "reason": _cap(reason),
        "rule": _cap(decision.rule_id, 256),
        "review": None if review is None else _json(review),
        "policy_digest": policy_digest,
        "latency_ms": round(latency_ms, 3),
        "node": node_name(),
        "tool_use_id": _cap(_redacted(tool_use_id), 256),
    }


def stored_input(tool_input: dict[str, Any]) -> str:
    """A tool input as the ``input`` column holds it: JSON, redacted, cut at
    :data:`MAX_INPUT_CHARS` (a cut one is ``{"truncated": ...}``). Decisions and outcomes
    store it alike, so equal calls have equal text."""
    text = _json(redact_value(tool_input))
    if len(text) > MAX_INPUT_CHARS:
        # Cut on the redacted text, then redact again: a cut must not expose half a secret.
        text = cjson.dumps({"truncated": redact_text(text[:MAX_INPUT_CHARS])})
    return text


def build_outcome(
    call: ToolCall,
    *,
    entry: str,
    event: str,
    tool_use_id: str | None = None,
    ts: float | None = None,
) -> dict[str, Any]:
    """The row for an after-tool event (``call`` ran), redacted like a decision's; keys
    are :data:`OUTCOME_COLUMNS`."""
    return {
        "ts": time.time() if ts is None else ts,
        "entry": entry,
        "event": _cap(event, 64),
        "agent_id": _cap(_redacted(call.agent_id), 256),
        "session_id": _cap(_redacted(call.session_id), 256),
        "tool_use_id": _cap(_redacted(tool_use_id), 256),
        "cwd": _cap(_redacted(call.cwd), 1024),
        "tool": _cap(redact_text(call.tool_name), 256),
        "input": stored_input(call.tool_input),
        "node": node_name(),
    }


def _reason(reason: str, stored_input: str, tool: str) -> str:
    """The reason, redacted. A defer names what had no opinion, and those names are words of
    the call (a pasted key can be taken for a program): a name is kept only when it is the
    tool or the stored, redacted input shows it too, so the reason never tells more than the
    input column."""
    reason = redact_text(reason)
    names = no_opinion_names(reason)
    if not names:
        return reason
    shown = [n for n in names if n == tool or all(w in stored_input for w in n.split())]
    if shown == names:
        return reason
    base = without_no_opinion(reason)
    return with_no_opinion(base, shown) if shown else base


def _redacted(text: str | None) -> str | None:
    return None if text is None else redact_text(text)


def to_public(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as the API, the stream and ``audit export`` show it: ``time`` in ISO
    8601 UTC, ``input`` and ``review`` as JSON values, every column by its documented name."""
    out = dict(row)
    ts = float(out["ts"])
    out["time"] = (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts % 1 * 1000):03d}Z"
    )
    for key in ("input", "review"):
        value = out.get(key)
        if isinstance(value, str):
            try:
                out[key] = cjson.loads(value)
            except ValueError:
                out[key] = value
    return out
