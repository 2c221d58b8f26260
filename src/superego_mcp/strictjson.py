"""JSON with duplicate keys refused, one message for every entry point.

``{"command": "ls", "command": "rm -rf ~"}``: which value counts depends on the reader (most
keep the last, some the first), so the guard could judge one command while the agent runs
the other. Every entry point (command hook, HTTP hooks, REST, MCP over HTTP, SSE and stdio)
refuses such input with :func:`message`. Standard library only: the hook path uses it.
"""

from __future__ import annotations

from superego_mcp import cjson
from superego_mcp.errors import SuperegoError


class DuplicateKeyError(SuperegoError, ValueError):
    """A JSON object repeats a key."""


def message(key: str) -> str:
    """The one refusal text for a repeated ``key`` (cut to 80 characters)."""
    shown = key if len(key) <= 80 else key[:77] + "..."
    return f"duplicate key {shown!r} in JSON input"


def reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """``object_pairs_hook`` for :func:`json.loads`: a dict, or :class:`DuplicateKeyError`."""
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(message(key))
        out[key] = value
    return out


def duplicate_key(raw: bytes | str) -> str | None:
    """The refusal message when ``raw`` is JSON that repeats a key somewhere, else ``None``
    (also for text that is not JSON: the reader's own parse reports that)."""
    if (isinstance(raw, bytes) and b'"' not in raw) or (isinstance(raw, str) and '"' not in raw):
        return None  # no string at all, so no key
    try:
        cjson.loads(raw, object_pairs_hook=reject_duplicates)
    except DuplicateKeyError as exc:
        return str(exc)
    except (ValueError, RecursionError):
        return None
    return None
