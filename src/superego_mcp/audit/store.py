"""The one audit store interface, over SQLite and PostgreSQL.

:class:`Store` appends rows (many per transaction: the server's writer commits in groups),
queries them with the filters every surface shares (:class:`Query`: REST, CLI, MCP), tails
them by id (the live stream), summarises and prunes them. Methods are thread-safe (one lock
around one connection); a broken connection is dropped and reopened on the next call.
"""

# ruff: noqa: S608 - SQL is assembled from fixed fragments; values are always parameters.
# ruff: noqa: PTH103, PTH110, PTH120 - os.path, as on the hook's path (hookwrite falls back here)

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, Final

from superego_mcp.audit.record import COLUMNS, OUTCOME_COLUMNS
from superego_mcp.audit.schema import (
    CREATE_VERSIONS,
    PG_LOCK_KEY,
    latest_version,
    migrations,
    statements,
)
from superego_mcp.audit.target import describe, parse_target
from superego_mcp.errors import SuperegoError
from superego_mcp.redact import redact_text

# Seconds a writer waits for another writer's lock (SQLite busy timeout).
BUSY_TIMEOUT_S: Final = 10.0
# SQLite's WAL (docs/audit.md "The WAL file"): a checkpoint that finds more pages than this in
# it starts it over (RESTART), so the next commit writes from its beginning again...
WAL_RESTART_PAGES: Final = 1000
# ...and that commit cuts the file back to this size (journal_size_limit).
WAL_SIZE_LIMIT: Final = 4 << 20
# Longest a RESTART or TRUNCATE checkpoint waits for readers and writers (it holds the write
# lock meanwhile, so the server's commits wait too); when it cannot finish in time, the WAL
# is started over at the next try.
CHECKPOINT_WAIT_S: Final = 0.1
MAX_PAGE: Final = 1000

_SELECT: Final = "SELECT id, " + ", ".join(COLUMNS) + " FROM decisions"
_INSERT: Final = (
    "INSERT INTO decisions (" + ", ".join(COLUMNS) + ") VALUES (" + ", ".join("?" * len(COLUMNS))
) + ") RETURNING id"
_INSERT_MANY: Final = _INSERT.removesuffix(" RETURNING id")
_INSERT_OUTCOME: Final = (
    ("INSERT INTO outcomes (" + ", ".join(OUTCOME_COLUMNS) + ") VALUES (")
    + ", ".join("?" * len(OUTCOME_COLUMNS))
    + ")"
)


class StoreError(SuperegoError):
    """The audit store cannot be opened or used; the message names it (no password)."""


class Query:
    """Filters shared by ``GET /v1/audit``, ``audit query`` and the MCP resource.

    All optional; ``before`` is the cursor (rows with a smaller id), newest first.
    """

    __slots__ = ("before", "decision", "entry", "limit", "rule", "session", "since", "text", "tool")

    def __init__(
        self,
        *,
        since: float | None = None,
        decision: str | None = None,
        tool: str | None = None,
        rule: str | None = None,
        session: str | None = None,
        text: str | None = None,
        entry: str | None = None,
        before: int | None = None,
        limit: int = 100,
    ) -> None:
        self.since = since
        self.decision = decision
        self.tool = tool
        self.rule = rule
        self.session = session
        self.text = text
        self.entry = entry
        self.before = before
        self.limit = max(1, min(limit, MAX_PAGE))

    def where(self) -> tuple[str, list[Any]]:
        """The SQL ``WHERE`` clause (with ``?`` placeholders) and its parameters."""
        parts: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("decision", self.decision),
            ("tool", self.tool),
            ("rule", self.rule),
            ("session_id", self.session),
            ("entry", self.entry),
        ):
            if value is not None:
                parts.append(f"{column} = ?")
                params.append(value)
        if self.since is not None:
            parts.append("ts >= ?")
            params.append(self.since)
        if self.before is not None:
            parts.append("id < ?")
            params.append(self.before)
        if self.text:
            like = "%" + _escape_like(self.text.lower()) + "%"
            parts.append(
                "(lower(input) LIKE ? ESCAPE '\\' OR lower(reason) LIKE ? ESCAPE '\\' "
                "OR lower(tool) LIKE ? ESCAPE '\\')"
            )
            params.extend([like, like, like])
        return (" WHERE " + " AND ".join(parts)) if parts else "", params

    def matches(self, row: dict[str, Any]) -> bool:
        """The same filters applied to one row in memory (the live stream)."""
        for key, value in (
            ("decision", self.decision),
            ("tool", self.tool),
            ("rule", self.rule),
            ("session_id", self.session),
            ("entry", self.entry),
        ):
            if value is not None and row.get(key) != value:
                return False
        if self.since is not None and float(row["ts"]) < self.since:
            return False
        if self.text:
            needle = self.text.lower()
            hay = (str(row.get("input", "")), str(row.get("reason", "")), str(row.get("tool")))
            if not any(needle in h.lower() for h in hay):
                return False
        return True


def busy(exc: BaseException) -> bool:
    """Whether ``exc`` (or the error behind a :class:`StoreError`) is SQLite's answer to
    another connection holding the lock ("database is locked", "database table is locked")."""
    cause = exc.__cause__ if isinstance(exc, StoreError) else exc
    return cause is not None and "is locked" in str(cause).lower()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Store:
    """Audit rows in SQLite or PostgreSQL (see the module docstring).

    ``synchronous`` (SQLite): ``normal`` (the default) has a committed row written to the WAL
    file, which survives any crash of the process; ``full`` also fsyncs each commit, so it
    survives a crash of the machine too.
    """

    def __init__(
        self,
        backend: str,
        location: str,
        *,
        synchronous: str = "normal",
        busy_timeout: float = BUSY_TIMEOUT_S,
        checkpoints: bool = True,
    ) -> None:
        """Open lazily: nothing connects until the first call (see :meth:`migrate`).
        ``busy_timeout`` (SQLite): seconds a write waits for another writer's lock before
        it fails; ``checkpoints=False``: its commits never copy the WAL into the database
        (an fsync; :meth:`checkpoint`, called from elsewhere, does)."""
        if backend not in ("sqlite", "postgresql"):
            raise StoreError(f"no audit store for backend {backend!r}")
        self.backend = backend
        self.location = location
        self.synchronous = "NORMAL" if synchronous == "normal" else "FULL"
        self.busy_timeout = busy_timeout
        self.checkpoints = checkpoints
        self._conn: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Store({self.backend!r}, {describe(self.location)!r})"

    @property
    def where(self) -> str:
        """The location, password redacted (for messages)."""
        return describe(self.location)

    # --- connection ----------------------------------------------------------------------

    def _connect(self) -> Any:
        if self.backend == "sqlite":
            import sqlite3

            directory = os.path.dirname(self.location)
            os.makedirs(directory, mode=0o700, exist_ok=True)
            if not os.path.exists(self.location):
                # The file holds what agents did: private to its owner (WAL files follow).
                os.close(os.open(self.location, os.O_WRONLY | os.O_CREAT, 0o600))
            conn = sqlite3.connect(
                self.location,
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
            if not self.checkpoints:
                conn.execute("PRAGMA wal_autocheckpoint=0")
            return conn
        import psycopg

        return psycopg.connect(self.location, autocommit=True, connect_timeout=10)

    @contextlib.contextmanager
    def _session(self) -> Iterator[Any]:
        """The connection, under the lock; dropped (and reopened next time) on an error."""
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._connect()
                yield self._conn
            except Exception as exc:
                if not (self.backend == "sqlite" and busy(exc)):  # a lock: the connection is fine
                    self._drop()
                problem = redact_text(f"{type(exc).__name__}: {exc}")
                raise StoreError(f"audit store {self.where}: {problem}") from exc

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.backend == "postgresql" else sql

    @contextlib.contextmanager
    def _transaction(self, conn: Any, *, write: bool = True) -> Iterator[None]:
        if self.backend == "sqlite":
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield
            except BaseException:
                with contextlib.suppress(Exception):
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        else:
            with conn.transaction():
                yield

    def close(self) -> None:
        """Close the connection (a later call reopens it)."""
        with self._lock:
            self._drop()

    # --- schema --------------------------------------------------------------------------

    def migrate(self) -> int:
        """Apply the migrations not yet applied; the schema version after."""
        target = latest_version()
        with self._session() as conn:
            if self.backend == "sqlite" and conn.execute("PRAGMA user_version").fetchone()[0] >= (
                target
            ):
                return target
            with self._transaction(conn):
                if self.backend == "postgresql":
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK_KEY,))
                conn.execute(CREATE_VERSIONS)
                done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
                for version, name, sql in migrations():
                    if version in done:
                        continue
                    for statement in statements(sql, self.backend):
                        conn.execute(statement)
                    conn.execute(
                        self._sql(
                            "INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES (?, ?, ?)"
                        ),
                        (version, name, time.time()),
                    )
                if self.backend == "sqlite":
                    conn.execute(f"PRAGMA user_version={int(target)}")
        return target

    # --- writes --------------------------------------------------------------------------

    def append_many(self, records: Sequence[dict[str, Any]]) -> list[int]:
        """Store ``records`` in one transaction; their ids, in order. All or none."""
        if not records:
            return []
        # .get: a row spooled by an older version has no tool_use_id.
        values = [tuple(r.get(c) for c in COLUMNS) for r in records]
        with self._session() as conn, self._transaction(conn):
            if self.backend == "sqlite":
                # One statement for all (cheaper than one RETURNING each): AUTOINCREMENT ids
                # of rows inserted together under the write lock follow one another.
                conn.executemany(_INSERT_MANY, values)
                last = int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])
                return list(range(last - len(values) + 1, last + 1))
            sql = self._sql(_INSERT)
            return [int(conn.execute(sql, v).fetchone()[0]) for v in values]

    def checkpoint(self, *, truncate: bool = False) -> bool:
        """Copy what the SQLite WAL holds into the database (as a commit does every 1,000
        pages unless ``checkpoints=False``) and keep the WAL file small; True when the WAL
        is short enough (or started over), False when readers or writers kept it from
        being started over (try again later). A no-op on PostgreSQL.

        The copy waits for nobody (PASSIVE). A WAL of more than :data:`WAL_RESTART_PAGES`
        pages is then started over (RESTART; ``truncate``: always, and the file cut to 0
        bytes): that waits at most :data:`CHECKPOINT_WAIT_S` for readers to leave it while
        holding the write lock. Without this, a writer that never pauses keeps SQLite's own
        checkpoints from ever starting the WAL over, and the file grows without bound."""
        if self.backend != "sqlite":
            return True
        with self._session() as conn:
            log = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
            if not truncate and log <= WAL_RESTART_PAGES:
                return True
            conn.execute(f"PRAGMA busy_timeout={int(CHECKPOINT_WAIT_S * 1000)}")
            try:
                mode = "TRUNCATE" if truncate else "RESTART"
                blocked = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()[0]
            finally:
                conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        return not blocked

    def append_outcomes(self, records: Sequence[dict[str, Any]]) -> None:
        """Store after-tool event rows (``record.build_outcome``) in one transaction."""
        if not records:
            return
        sql = self._sql(_INSERT_OUTCOME)
        with self._session() as conn, self._transaction(conn):
            for r in records:
                conn.execute(sql, tuple(r.get(c) for c in OUTCOME_COLUMNS))

    def prune(self, *, max_age_s: float | None = None, max_rows: int | None = None) -> int:
        """Delete rows older than ``max_age_s`` and beyond the newest ``max_rows``; how many."""
        deleted = 0
        with self._session() as conn, self._transaction(conn):
            if max_age_s is not None:
                cur = conn.execute(
                    self._sql("DELETE FROM decisions WHERE ts < ?"), (time.time() - max_age_s,)
                )
                deleted += max(cur.rowcount, 0)
            if max_rows is not None:
                row = conn.execute(
                    self._sql("SELECT id FROM decisions ORDER BY id DESC LIMIT 1 OFFSET ?"),
                    (max_rows,),
                ).fetchone()
                if row is not None:
                    cur = conn.execute(self._sql("DELETE FROM decisions WHERE id <= ?"), (row[0],))
                    deleted += max(cur.rowcount, 0)
            if deleted:
                # Outcomes older than the oldest decision kept have nothing left to tell.
                conn.execute(
                    "DELETE FROM outcomes WHERE ts < (SELECT coalesce(min(ts), 0) FROM decisions)"
                )
        return deleted

    # --- reads ---------------------------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        names = ("id", *COLUMNS)
        with self._session() as conn:
            return [dict(zip(names, r, strict=True)) for r in conn.execute(self._sql(sql), params)]

    def query(self, q: Query) -> list[dict[str, Any]]:
        """Rows matching ``q``, newest first, at most ``q.limit``."""
        where, params = q.where()
        return self._rows(f"{_SELECT}{where} ORDER BY id DESC LIMIT ?", [*params, q.limit])

    def after(self, last_id: int, limit: int = 500, q: Query | None = None) -> list[dict[str, Any]]:
        """Rows with an id above ``last_id`` (matching ``q``), oldest first: tails and resumes."""
        where, params = (q or Query()).where()
        cond = f"{where} AND id > ?" if where else " WHERE id > ?"
        return self._rows(f"{_SELECT}{cond} ORDER BY id ASC LIMIT ?", [*params, last_id, limit])

    def outcomes(
        self, since: float | None = None, until: float | None = None
    ) -> list[dict[str, Any]]:
        """The after-tool event rows (``record.OUTCOME_COLUMNS`` and ``id``) from ``since``
        to ``until`` (epoch seconds, inclusive; ``None``: no bound), oldest first."""
        parts, params = [], []
        if since is not None:
            parts.append("ts >= ?")
            params.append(since)
        if until is not None:
            parts.append("ts <= ?")
            params.append(until)
        where = (" WHERE " + " AND ".join(parts)) if parts else ""
        names = ("id", *OUTCOME_COLUMNS)
        sql = f"SELECT {', '.join(names)} FROM outcomes{where} ORDER BY id ASC"
        with self._session() as conn:
            return [dict(zip(names, r, strict=True)) for r in conn.execute(self._sql(sql), params)]

    def exists(self, sql: str, params: Sequence[Any]) -> bool:
        """Whether the ``SELECT`` ``sql`` (``?`` placeholders) finds a row."""
        with self._session() as conn:
            return conn.execute(self._sql(sql), tuple(params)).fetchone() is not None

    def last_id(self) -> int:
        """The highest id stored (0 when empty)."""
        with self._session() as conn:
            row = conn.execute("SELECT max(id) FROM decisions").fetchone()
        return int(row[0] or 0)

    def stats(self, q: Query | None = None) -> dict[str, Any]:
        """Counts by decision, entry, tool and rule, latency figures, time span."""
        where, params = (q or Query()).where()
        out: dict[str, Any] = {}
        with self._session() as conn:
            row = conn.execute(
                self._sql(
                    "SELECT count(*), min(ts), max(ts), avg(latency_ms), max(latency_ms) "
                    f"FROM decisions{where}"
                ),
                params,
            ).fetchone()
            out["total"] = int(row[0])
            out["first_ts"], out["last_ts"] = row[1], row[2]
            out["avg_latency_ms"] = None if row[3] is None else round(float(row[3]), 3)
            out["max_latency_ms"] = row[4]
            for column, key, limit in (
                ("decision", "by_decision", 100),
                ("entry", "by_entry", 100),
                ("tool", "top_tools", 10),
                ("rule", "top_rules", 10),
            ):
                rows = conn.execute(
                    self._sql(
                        f"SELECT {column}, count(*) AS n FROM decisions{where} "
                        f"GROUP BY {column} ORDER BY n DESC, {column} LIMIT {limit}"
                    ),
                    params,
                ).fetchall()
                out[key] = {str(r[0]) if r[0] is not None else "(default)": int(r[1]) for r in rows}
        return out

    def deferred(self, q: Query | None = None, limit: int = 20) -> dict[str, Any]:
        """Where the policy is silent: the deferred rows matching ``q`` (whatever its
        ``decision``), and the programs or tools that had no opinion, most frequent first
        (read from the end of each reason, see ``model.with_no_opinion``)."""
        from superego_mcp.model import no_opinion_names

        base = q or Query()
        only = Query(
            since=base.since,
            decision="defer",
            tool=base.tool,
            rule=base.rule,
            session=base.session,
            text=base.text,
            entry=base.entry,
        )
        where, params = only.where()
        counts: dict[str, int] = {}
        total = 0
        with self._session() as conn:
            rows = conn.execute(
                self._sql(f"SELECT reason, count(*) FROM decisions{where} GROUP BY reason"),
                params,
            ).fetchall()
        for reason, n in rows:
            total += int(n)
            for name in no_opinion_names(str(reason)) or ["(not named)"]:
                counts[name] = counts.get(name, 0) + int(n)
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return {"deferred": total, "top_deferred": dict(top)}

    def rule_hits(self, q: Query | None = None) -> dict[str, dict[str, Any]]:
        """For every rule that decided a row matching ``q``: ``{count, last_ts}`` (the key
        ``(default)`` for rows no rule decided). Unlimited, unlike :meth:`stats`' top 10."""
        where, params = (q or Query()).where()
        with self._session() as conn:
            rows = conn.execute(
                self._sql(f"SELECT rule, count(*), max(ts) FROM decisions{where} GROUP BY rule"),
                params,
            ).fetchall()
        return {
            str(r[0]) if r[0] is not None else "(default)": {"count": int(r[1]), "last_ts": r[2]}
            for r in rows
        }

    def timeline(self, bucket_s: int, q: Query | None = None) -> list[dict[str, Any]]:
        """Counts per ``bucket_s``-second bucket and decision, oldest first: ``{t, decision,
        n}`` with ``t`` the bucket's start (epoch seconds)."""
        if bucket_s < 1:
            raise ValueError("bucket_s must be at least 1")
        where, params = (q or Query()).where()
        # floor() of a non-negative epoch: the same bucket on both backends.
        bucket = f"CAST(floor(ts / {int(bucket_s)}) AS BIGINT)"
        if self.backend == "sqlite":  # SQLite's floor() needs 3.35's math functions
            bucket = f"CAST(ts / {int(bucket_s)} AS INTEGER)"
        sql = (
            f"SELECT {bucket} AS b, decision, count(*) FROM decisions{where} "
            "GROUP BY b, decision ORDER BY b, decision"
        )
        with self._session() as conn:
            rows = conn.execute(self._sql(sql), params).fetchall()
        return [{"t": int(r[0]) * bucket_s, "decision": r[1], "n": int(r[2])} for r in rows]

    def reviews(self, q: Query | None = None, limit: int = 1000) -> list[str]:
        """The ``review`` column (JSON text) of the newest rows matching ``q`` that had a
        review, newest first, at most ``limit``."""
        where, params = (q or Query()).where()
        cond = f"{where} AND review IS NOT NULL" if where else " WHERE review IS NOT NULL"
        with self._session() as conn:
            rows = conn.execute(
                self._sql(f"SELECT review FROM decisions{cond} ORDER BY id DESC LIMIT ?"),
                [*params, max(1, min(limit, 10_000))],
            ).fetchall()
        return [str(r[0]) for r in rows]


def open_store(
    target: str | None,
    *,
    synchronous: str = "normal",
    migrate: bool = True,
    busy_timeout: float = BUSY_TIMEOUT_S,
    checkpoints: bool = True,
) -> Store:
    """The store for an audit target (``SUPEREGO_AUDIT`` syntax), migrated; raises
    :class:`StoreError` (or ``TargetError``) when it is ``off`` or cannot be opened."""
    backend, location = parse_target(target)
    if backend == "off":
        raise StoreError("the audit is off (SUPEREGO_AUDIT=off)")
    store = Store(
        backend,
        location,
        synchronous=synchronous,
        busy_timeout=busy_timeout,
        checkpoints=checkpoints,
    )
    if migrate:
        store.migrate()
    return store


_UNITS: Final = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def parse_since(text: str, now: float | None = None) -> float:
    """A ``since`` filter as epoch seconds: ``30s``/``15m``/``2h``/``7d``/``1w`` ago, an ISO
    8601 time (``2026-01-02T03:04:05Z``), or epoch seconds. ``ValueError`` names the form."""
    value = text.strip()
    now = time.time() if now is None else now
    if value and value[-1].lower() in _UNITS:
        try:
            return now - float(value[:-1]) * _UNITS[value[-1].lower()]
        except ValueError:
            pass
    try:
        return float(value)
    except ValueError:
        pass
    from datetime import UTC, datetime

    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"cannot read since={text!r}: use 15m, 2h, 7d, an ISO time or epoch seconds"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
