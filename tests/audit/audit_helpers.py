"""Helpers for the audit tests: rows as the entry points build them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
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


def table_rows(db: Path, table: str = "decisions") -> list[dict[str, Any]]:
    """Every row of ``table`` (``decisions`` or ``outcomes``) of a SQLite audit file, oldest
    first, read with plain sqlite3 (not through the store under test)."""
    assert table in ("decisions", "outcomes")
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
    finally:
        conn.close()
