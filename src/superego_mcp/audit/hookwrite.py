"""The command hook's audit write: one INSERT, from the hook's parent process.

The parent writes after the answer is on stdout, with its own short deadline, and any failure
is reported on stderr and otherwise ignored: the audit can neither change the answer nor fail
the call.

What "acknowledged" means for the command hook: before the answer is written, the row is put
in a spool file (``spool()``: one small file, no fsync: it survives the hook being killed at any
instant, as the SQLite WAL with ``synchronous=NORMAL`` survives the server being killed, not a
power loss). After the answer, the row is inserted and its spool file removed. A hook killed
in between leaves the file; the next hook call of the same user inserts it (``recover()``),
once: a file is claimed by renaming it, its writer must be gone, and a row already in the
store is not inserted twice. So every answered call has its row, in the store or on its way.

The fast path imports ``sqlite3`` and runs one autocommit ``INSERT`` (WAL: other hooks and the
server keep writing the same file); a missing file, directory or table takes the full path
through :class:`~superego_mcp.audit.store.Store`, which creates and migrates.
"""

# ruff: noqa: S608 - fixed column names; values are parameters.
# ruff: noqa: PTH101, PTH102, PTH103, PTH104, PTH108, PTH110, PTH112, PTH116, PTH118, PTH120, PTH208
# - os.path on the hook path: pathlib's import costs every hook call milliseconds.

from __future__ import annotations

import os
import time

from superego_mcp import cjson
from superego_mcp.audit.record import COLUMNS, OUTCOME_COLUMNS

# A hook waits at most this long for another writer's lock; Claude Code's own timeout for
# the whole hook (10 s as installed) must never be reached because of the audit.
HOOK_BUSY_TIMEOUT_S: Final = 1.0

# The two kinds of row a hook writes: a decision, or an after-tool event (``outcome``).
_TABLES: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "decision": ("decisions", COLUMNS),
    "outcome": ("outcomes", OUTCOME_COLUMNS),
}

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)

if TYPE_CHECKING:
    from typing import Any, Final


def _insert(kind: str) -> tuple[str, tuple[str, ...]]:
    table, columns = _TABLES[kind]
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", columns


def append(
    backend: str, location: str, synchronous: str, row: dict[str, Any], kind: str = "decision"
) -> None:
    """Store ``row`` (``kind``: ``decision`` or ``outcome``); raises on failure (the caller
    reports it and carries on).

    The SQLite connection is left open on purpose: closing the last connection to a WAL
    database checkpoints it (copies the WAL into the database and fsyncs), which costs more
    than the write itself. The hook process ends right after this with ``os._exit``; the
    committed row is in the WAL, where every reader sees it and the next auto-checkpoint
    (by whichever writer crosses it) folds it in. That is SQLite's ordinary crash path.
    """
    # A new database is made by the Store (0700 directory, 0600 file, migrations), never by
    # the fast path's connect, which would create it with the umask's mode.
    if backend == "sqlite" and os.path.exists(location):
        try:
            # The C module behind `sqlite3`: the same library without the Python layer's
            # imports (datetime, adapters), which cost the hook milliseconds per call.
            import _sqlite3 as sqlite
        except ImportError:  # pragma: no cover - every CPython we support has it
            import sqlite3 as sqlite  # type: ignore[no-redef]

        sql, columns = _insert(kind)
        # .get: a row spooled by an older version lacks the newer columns.
        values = tuple(row.get(c) for c in columns)
        try:
            conn = sqlite.connect(location, timeout=HOOK_BUSY_TIMEOUT_S, isolation_level=None)
            # Per connection, not stored in the file: FULL is SQLite's compiled default.
            conn.execute("PRAGMA synchronous=" + ("FULL" if synchronous == "full" else "NORMAL"))
            conn.execute(sql, values)
            _OPEN.append(conn)
            return
        except sqlite.OperationalError as exc:
            text = str(exc)
            # A store an older version made (a table or column missing): migrate it below.
            if not any(m in text for m in ("no such table", "unable to open", "no column")):
                raise
    from superego_mcp.audit.store import Store

    store = Store(backend, location, synchronous=synchronous)
    try:
        store.migrate()
        if kind == "outcome":
            store.append_outcomes([row])
        else:
            store.append_many([row])
    finally:
        store.close()


# Connections kept open until the process ends (see append()).
_OPEN: list[Any] = []


def spool_dir(backend: str, location: str) -> str:
    """Where rows wait between the answer and the insert: beside the SQLite file, or in
    Superego's state directory for PostgreSQL."""
    if backend == "sqlite":
        return os.path.join(os.path.dirname(location) or ".", "spool")
    from superego_mcp.places import state_dir

    return os.path.join(state_dir(), "audit-spool")


def spool(target: list[str], row: dict[str, Any], kind: str = "decision") -> str:
    """Put ``row`` (for ``target``: backend, location, synchronous) in the spool before the
    answer goes out; returns the file's path. Raises on failure (the caller reports it; the
    answer still goes out: the audit never blocks a decision)."""
    directory = spool_dir(target[0], target[1])
    parent = os.path.dirname(directory)
    if not os.path.isdir(parent):
        os.makedirs(parent, mode=0o700, exist_ok=True)
        os.chmod(parent, 0o700)  # makedirs gives only the leaf its mode
    if not os.path.isdir(directory):
        os.mkdir(directory, 0o700)
    path = os.path.join(directory, f"{time.time_ns()}-{os.getpid()}.json")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        # ASCII JSON: a lone surrogate in the row (escaped already) cannot break the write.
        os.write(fd, cjson.dumps({"target": target, "row": row, "kind": kind}).encode("ascii"))
    finally:
        os.close(fd)
    return path


def _owner_pid(name: str) -> int | None:
    """The pid that must be gone before ``name`` in the spool may be taken over."""
    try:
        if name.endswith(".json"):
            return int(name[: -len(".json")].split("-")[1])
        if name.endswith(".claim"):
            return int(name.rsplit(".", 2)[1])
    except (IndexError, ValueError):
        pass
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True


# A hook recovers at most this many rows (its audit deadline is short); the next ones take
# the rest.
RECOVER_AT_MOST: Final = 16


def recover(backend: str, location: str, at_most: int = RECOVER_AT_MOST) -> int:
    """Insert the rows that hooks of this user spooled but did not insert (they were killed
    or their insert failed); returns how many files were settled (inserted, found already
    stored, or cut short). Files whose writer is still running are left to it."""
    directory = spool_dir(backend, location)
    try:
        if os.stat(directory).st_uid != os.getuid():
            return 0  # a spool someone else owns is not read (its rows could be planted)
        names = os.listdir(directory)
    except FileNotFoundError:
        return 0
    done = 0
    for name in sorted(names):
        if done >= at_most:
            break
        # "<ns>-<writer pid>.json", or "<...>.json.<claimer pid>.claim" when a hook claimed it
        # and died (or hit its deadline) before settling it: taken over once that pid is gone.
        owner = _owner_pid(name)
        if owner is None or owner == os.getpid() or _alive(owner):
            continue
        path = os.path.join(directory, name)
        base = name if name.endswith(".json") else name.split(".json.", 1)[0] + ".json"
        claimed = os.path.join(directory, f"{base}.{os.getpid()}.claim")
        try:
            os.rename(path, claimed)  # atomic: one hook claims a file, the others skip it
        except OSError:
            continue
        try:
            with open(claimed, "rb") as fh:
                data = cjson.loads(fh.read())
        except (OSError, ValueError):
            # Cut short while being written: that hook never answered, so nothing was
            # acknowledged; the partial file goes.
            os.unlink(claimed)
            done += 1
            continue
        target, row = data["target"], data["row"]
        kind = "outcome" if data.get("kind") == "outcome" else "decision"
        if not _recorded(target, row, kind):
            append(str(target[0]), str(target[1]), str(target[2]), row, kind)
        os.unlink(claimed)
        done += 1
    return done


def _recorded(target: list[str], row: dict[str, Any], kind: str = "decision") -> bool:
    """Whether the store already has ``row`` (its writer inserted it, then died before
    removing its spool file): a row of the same table with its time, entry and input."""
    backend, location = str(target[0]), str(target[1])
    sql = f"SELECT 1 FROM {_TABLES[kind][0]} WHERE ts = ? AND entry = ? AND input = ? LIMIT 1"
    values = (row["ts"], row["entry"], row["input"])
    if backend == "sqlite":
        import sqlite3

        if not os.path.exists(location):
            return False
        conn = sqlite3.connect(location, timeout=HOOK_BUSY_TIMEOUT_S)
        try:
            found = conn.execute(sql, values).fetchone()
        except sqlite3.OperationalError:  # no table yet
            return False
        finally:
            conn.close()
        return found is not None
    from superego_mcp.audit.store import Store

    store = Store(backend, location, synchronous=str(target[2]))
    try:
        store.migrate()
        return store.exists(sql, values)
    finally:
        store.close()
