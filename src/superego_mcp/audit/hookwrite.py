"""The command hook's audit write: one INSERT, from the hook's parent process.

The parent writes after the answer is on stdout, with its own short deadline, and any failure
is reported on stderr and otherwise ignored: the audit can neither change the answer nor fail
the call. The fast path imports ``sqlite3`` and runs one autocommit ``INSERT`` (WAL: other
hooks and the server keep writing the same file); a missing file, directory or table takes
the full path through :class:`~superego_mcp.audit.store.Store`, which creates and migrates.
"""

# ruff: noqa: S608 - fixed column names; values are parameters.

from __future__ import annotations

from typing import Any, Final

from superego_mcp.audit.record import COLUMNS

# A hook waits at most this long for another writer's lock; Claude Code's own timeout for
# the whole hook (10 s as installed) must never be reached because of the audit.
HOOK_BUSY_TIMEOUT_S: Final = 1.0

_INSERT: Final = (
    "INSERT INTO decisions (" + ", ".join(COLUMNS) + ") VALUES (" + ", ".join("?" * len(COLUMNS))
) + ")"


def append(backend: str, location: str, synchronous: str, row: dict[str, Any]) -> None:
    """Store ``row``; raises on failure (the caller reports it and carries on)."""
    if backend == "sqlite":
        import sqlite3

        values = tuple(row[c] for c in COLUMNS)
        try:
            conn = sqlite3.connect(location, timeout=HOOK_BUSY_TIMEOUT_S, isolation_level=None)
            try:
                if synchronous == "normal":  # FULL is SQLite's default
                    conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(_INSERT, values)
                return
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "no such table" not in text and "unable to open" not in text:
                raise
    from superego_mcp.audit.store import Store

    store = Store(backend, location, synchronous=synchronous)
    try:
        store.migrate()
        store.append_many([row])
    finally:
        store.close()
