"""Helpers for the audit tests: rows as the entry points build them."""

from __future__ import annotations

from typing import Any

from superego_mcp.audit.record import build_record
from superego_mcp.model import Decision, ToolCall


def row(
    command: str = "ls",
    *,
    tool: str = "Bash",
    decision: str = "allow",
    rule: str | None = "r1",
    session: str = "s1",
    entry: str = "rest",
    ts: float | None = None,
) -> dict[str, Any]:
    """One audit row for a Bash-like call."""
    call = ToolCall(tool, {"command": command}, "/work", session_id=session)
    return build_record(
        call,
        Decision(decision, f"because {decision}", rule),  # type: ignore[arg-type]
        entry=entry,
        latency_ms=0.5,
        policy_digest="d1",
        ts=ts,
    )
