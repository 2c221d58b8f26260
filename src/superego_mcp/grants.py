"""Grants made with ``superego-mcp allow``: exceptions to the rules' decision, each one exact
call allowed once or for a while.

An exception names one call exactly: the tool name and, for a shell command, the command text
with surrounding whitespace removed; for a tool whose input carries free text beside what
decides the call, the deciding fields (:data:`DECIDING_FIELDS`: WebFetch's ``url``, not its
``prompt``); for any other tool, its whole input as canonical JSON (sorted keys). Nothing
else matches: not a prefix (``git push --force`` does not cover ``git push --force; rm -rf
~``), not another spacing, not another tool. An exception never
lifts what a rule marked ``final`` decided, nor a command line the analyzer could not fully
see (``Decision.final``). ``--once`` exceptions are used up by the call they allow.

The store is one JSON file, ``<state_dir>/exceptions.json`` (mode 0600, directory 0700),
written atomically under a lock; the agent cannot write it (it is part of ``${superego}``).
Standard library only: the hook reaches this module only for calls the rules did not allow,
and a missing store costs one failed ``open``.
"""

# os.path, not pathlib: the hook path pays for every import.
# ruff: noqa: PTH103, PTH118, PTH120

from __future__ import annotations

import os
import time

from superego_mcp import cjson
from superego_mcp.files import write_atomic
from superego_mcp.model import Decision

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from superego_mcp.model import ToolCall

STORE = "exceptions.json"
_SHELL_TOOLS = frozenset({"Bash"})
# Tools whose input carries free text beside the fields that decide the call: an exception
# is matched on the deciding fields alone, so the agent's next call with other wording
# matches (documented in docs/rules.md, "Allow once, or for a while"). The deciding fields
# must all be present; otherwise the whole input is the key.
DECIDING_FIELDS: dict[str, tuple[str, ...]] = {
    "WebFetch": ("url",),  # not the prompt (what to extract from the page)
    "Task": ("subagent_type", "prompt"),  # not the description (a short label)
    "Agent": ("subagent_type", "prompt"),
}


def store_path(state_dir: str) -> str:
    """The exceptions file under ``state_dir``."""
    return os.path.join(state_dir, STORE)


def call_key(tool_name: str, tool_input: dict[str, Any]) -> str:
    """The normalized call an exception is matched on (see the module docstring)."""
    command = tool_input.get("command")
    if tool_name in _SHELL_TOOLS and isinstance(command, str):
        return command.strip()
    deciding = DECIDING_FIELDS.get(tool_name)
    if deciding and all(field in tool_input for field in deciding):
        tool_input = {field: tool_input[field] for field in deciding}
    return cjson.dumps(tool_input, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _read(path: str) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = cjson.loads(fh.read())
    except FileNotFoundError:
        return []
    items = data.get("exceptions") if isinstance(data, dict) else None
    return [e for e in items if isinstance(e, dict)] if isinstance(items, list) else []


def _live(items: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    return [e for e in items if e.get("expires") is None or float(e["expires"]) > now]


def _write(path: str, items: list[dict[str, Any]]) -> None:
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    import json  # indented for people: only where an exception is granted or revoked

    text = json.dumps({"version": 1, "exceptions": items}, indent=2, sort_keys=True)
    write_atomic(path, text.encode("utf-8"))


class _Locked:
    """An exclusive lock on the store (a sibling ``.lock`` file) for read-modify-write."""

    def __init__(self, path: str) -> None:
        self.path = path + ".lock"
        self.fd = -1

    def __enter__(self) -> _Locked:
        import fcntl

        os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing releases the lock


def grant(
    state_dir: str,
    tool_name: str,
    tool_input: dict[str, Any],
    *,
    once: bool,
    seconds: float | None,
    reason: str,
    by: str,
    now: float | None = None,
) -> dict[str, Any]:
    """Record an exception; returns it. ``once``: used up by the first call it allows;
    ``seconds``: expires that long from now (``once`` exceptions may expire too)."""
    now = time.time() if now is None else now
    entry = {
        "id": os.urandom(4).hex(),
        "tool": tool_name,
        "key": call_key(tool_name, tool_input),
        "once": once,
        "expires": None if seconds is None else now + seconds,
        "created": now,
        "by": by,
        "reason": reason,
    }
    path = store_path(state_dir)
    with _Locked(path):
        _write(path, [*_live(_read(path), now), entry])
    return entry


def listed(state_dir: str, now: float | None = None) -> list[dict[str, Any]]:
    """The exceptions in force."""
    return _live(_read(store_path(state_dir)), time.time() if now is None else now)


def revoke(state_dir: str, exception_id: str) -> bool:
    """Remove one exception; False when there is none with that id."""
    path = store_path(state_dir)
    with _Locked(path):
        items = _read(path)
        kept = [e for e in items if e.get("id") != exception_id]
        if len(kept) == len(items):
            return False
        _write(path, kept)
    return True


def _matches(items: list[dict[str, Any]], call: ToolCall, now: float) -> Iterator[int]:
    key = call_key(call.tool_name, call.tool_input)
    for i, e in enumerate(items):
        live = e.get("expires") is None or float(e["expires"]) > now
        if e.get("tool") == call.tool_name and e.get("key") == key and live:
            yield i


def apply(
    state_dir: str | None, call: ToolCall, decision: Decision, *, consume: bool = True
) -> Decision:
    """``decision``, or an allow when an exception in force names exactly this call and
    nothing final decided it. ``consume=False`` (``explain``) leaves ``--once`` exceptions."""
    if not state_dir or not decision.may_be_excepted():
        return decision
    path = store_path(state_dir)
    now = time.time()
    try:
        items = _read(path)  # a missing store: one failed open, no lock
        found = next(_matches(items, call, now), None)
        if found is None:
            return decision
        entry = items[found]
        if consume and entry.get("once"):
            with _Locked(path):
                items = _read(path)
                found = next(_matches(items, call, now), None)
                if found is None:  # another call used it up meanwhile
                    return decision
                entry = items.pop(found)
                _write(path, _live(items, now))
    except (OSError, ValueError, TypeError):
        return decision  # an unreadable store grants nothing
    return Decision("allow", describe(entry, decision), f"exception:{entry.get('id')}")


def describe(entry: dict[str, Any], instead_of: Decision | None = None) -> str:
    """One line about an exception (for the decision's reason and ``allow --list``)."""
    scope = "once" if entry.get("once") else "for a while"
    if entry.get("expires") is not None:
        until = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(float(entry["expires"])))
        scope += f", until {until}"
    why = f": {entry['reason']}" if entry.get("reason") else ""
    text = f"Allowed by exception {entry.get('id')} ({scope}, granted by {entry.get('by')}{why})"
    if instead_of is not None:
        by = f"rule {instead_of.rule_id}" if instead_of.rule_id else "the default"
        text += f"; without it: {instead_of.action} by {by}"
    return text + "."


def parse_duration(text: str) -> float:
    """``90s``, ``30m``, ``1h``, ``2d``, ``1h30m`` as seconds; ``ValueError`` otherwise."""
    import re

    parts = re.findall(r"(\d+)([smhd])", text)
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        raise ValueError(f"bad duration {text!r} (examples: 30m, 1h, 2d, 1h30m)")
    scale = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return float(sum(int(n) * scale[u] for n, u in parts))
