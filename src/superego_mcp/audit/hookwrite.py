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
    """Store ``row``; raises on failure (the caller reports it and carries on).

    The SQLite connection is left open on purpose: closing the last connection to a WAL
    database checkpoints it (copies the WAL into the database and fsyncs), which costs more
    than the write itself. The hook process ends right after this with ``os._exit``; the
    committed row is in the WAL, where every reader sees it and the next auto-checkpoint
    (by whichever writer crosses it) folds it in. That is SQLite's ordinary crash path.
    """
    if backend == "sqlite":
        try:
            # The C module behind `sqlite3`: the same library without the Python layer's
            # imports (datetime, adapters), which cost the hook milliseconds per call.
            import _sqlite3 as sqlite
        except ImportError:  # pragma: no cover - every CPython we support has it
            import sqlite3 as sqlite  # type: ignore[no-redef]

        values = tuple(row[c] for c in COLUMNS)
        try:
            conn = sqlite.connect(location, timeout=HOOK_BUSY_TIMEOUT_S, isolation_level=None)
            # Per connection, not stored in the file: FULL is SQLite's compiled default.
            conn.execute("PRAGMA synchronous=" + ("FULL" if synchronous == "full" else "NORMAL"))
            conn.execute(_INSERT, values)
            _OPEN.append(conn)
            return
        except sqlite.OperationalError as exc:
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


# Connections kept open until the process ends (see append()).
_OPEN: list[Any] = []
