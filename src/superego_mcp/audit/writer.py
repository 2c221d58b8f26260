"""The server's audit writer: one thread, group commits.

Requests hand their row to :meth:`Writer.submit` and await the returned future, so a decision
is returned only once its row is committed ("acknowledged means stored"). Rows that arrive
while a commit is running go into the next commit together: with many concurrent requests
one fsync covers many rows, and the event loop never waits on the database.

The server hands whole batches instead (:meth:`Writer.submit_many`: every decision of one
turn of its event loop, as the raw pieces of each row): the rows are built (redacted) here,
off the request path, and the batch is answered with one call back, so the event loop is
woken once per batch rather than once per row.

The thread also keeps SQLite's WAL file small (``Store.checkpoint``): after every
:data:`CHECKPOINT_ROWS` rows committed, by itself or on the server's event loop (which tells it
with :meth:`Writer.committed`), and once more, emptying the file, when no row has been
committed for :data:`IDLE_S`. Its checkpoints never hold up a commit for long and never
stall the event loop (docs/audit.md "The WAL file").
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Final

from superego_mcp.audit.store import Store

log = logging.getLogger("superego_mcp.audit")

# Most rows in one transaction.
MAX_BATCH: Final = 500
# Rows committed between two checkpoints of the WAL, and the seconds without a commit after
# which the WAL file is emptied.
CHECKPOINT_ROWS: Final = 1000
IDLE_S: Final = 1.0

# One result per row of a batch: its id, or why it was not stored.
Results = list[int | BaseException]


class _Batch:
    """Rows to build from ``items`` with ``build``; ``done`` is told each row's result."""

    __slots__ = ("build", "done", "items")

    def __init__(
        self,
        items: list[Any],
        build: Callable[[Any], dict[str, Any]],
        done: Callable[[Results], None],
    ) -> None:
        self.items = items
        self.build = build
        self.done = done


def _one(row: dict[str, Any]) -> dict[str, Any]:
    return row


def _future_done(future: concurrent.futures.Future[int]) -> Callable[[Results], None]:
    def done(results: Results) -> None:
        result = results[0]
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)

    return done


class Writer:
    """Writes rows to ``store`` from a background thread (see the module docstring).

    ``on_commit`` is called (from the writer thread) after each successful commit: the live
    stream uses it to look for new rows at once instead of at its next poll.
    """

    def __init__(self, store: Store, on_commit: Callable[[], None] | None = None) -> None:
        """Start the writer thread."""
        self.store = store
        self.on_commit = on_commit
        self._queue: queue.SimpleQueue[_Batch | Callable[[], None] | None] = queue.SimpleQueue()
        # Rows committed (by this thread, or on the event loop through committed(): a server
        # does one or the other), and where the last checkpoint and the last emptying of the
        # WAL were (moved by this thread only).
        self._rows = 0
        self._last_commit = 0.0
        self._checkpointed = 0
        self._emptied = 0
        self._asked = 0  # _rows when a checkpoint was last queued by committed()
        self._thread = threading.Thread(target=self._run, name="superego-audit-writer", daemon=True)
        self._thread.start()

    def submit(self, row: dict[str, Any]) -> concurrent.futures.Future[int]:
        """Queue ``row``; the future resolves to its id once committed, or to the error."""
        future: concurrent.futures.Future[int] = concurrent.futures.Future()
        self._queue.put(_Batch([row], _one, _future_done(future)))
        return future

    def submit_many(
        self,
        items: list[Any],
        build: Callable[[Any], dict[str, Any]],
        done: Callable[[Results], None],
    ) -> None:
        """Queue the rows ``build(item)`` makes of ``items`` (built in the writer thread);
        ``done`` is called once, from the writer thread, with each row's id or error (a row
        that cannot be built gets its error, the others are still stored)."""
        self._queue.put(_Batch(items, build, done))

    def committed(self, rows: int) -> None:
        """Note ``rows`` committed elsewhere on this store's database (the server's event
        loop); past :data:`CHECKPOINT_ROWS` of them, the writer thread checkpoints (the fsyncs
        it costs never hold up whoever committed). Called from one thread only."""
        self._rows += rows
        self._last_commit = time.monotonic()
        if self._rows - self._asked >= CHECKPOINT_ROWS:
            self._asked = self._rows
            self._queue.put(self._checkpoint)

    def close(self, timeout: float = 5.0) -> None:
        """Commit what is queued, then stop the thread and close the store."""
        self._queue.put(None)
        self._thread.join(timeout)
        self.store.close()

    def _checkpoint(self, *, idle: bool = False) -> None:
        """Checkpoint the WAL (emptying its file when ``idle``), in the writer thread."""
        rows = self._rows
        emptied = self.store.checkpoint(truncate=idle)
        # Blocked by a reader: tried again after the next CHECKPOINT_ROWS rows, or the next
        # idle second, not after every commit (each try may wait CHECKPOINT_WAIT_S).
        self._checkpointed = rows
        if idle and emptied:
            self._emptied = rows

    def _idle(self) -> None:
        """Nothing queued for a while: empty the WAL file once rows stopped coming."""
        if self._rows == self._emptied or time.monotonic() - self._last_commit < IDLE_S:
            return
        _job(lambda: self._checkpoint(idle=True))

    def _run(self) -> None:
        stopping = False
        while not stopping:
            try:
                first = self._queue.get(timeout=IDLE_S)
            except queue.Empty:
                self._idle()
                continue
            if first is None:
                break
            if not isinstance(first, _Batch):
                _job(first)
                continue
            batch: list[_Batch] = [first]
            rows = len(first.items)
            while rows < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                if not isinstance(item, _Batch):
                    _job(item)
                    continue
                batch.append(item)
                rows += len(item.items)
            self._commit(batch)

    def _commit(self, batch: list[_Batch]) -> None:
        built: list[Results] = []
        rows: list[dict[str, Any]] = []
        for b in batch:
            results: Results = []
            for item in b.items:
                try:
                    rows.append(b.build(item))
                    results.append(-1)  # its id, once committed
                except Exception as exc:
                    log.exception("cannot build the audit record")
                    results.append(exc)
            built.append(results)
        try:
            ids = iter(self.store.append_many(rows))
        except Exception as exc:
            for b, results in zip(batch, built, strict=True):
                _tell(b, [r if isinstance(r, BaseException) else exc for r in results])
            return
        for b, results in zip(batch, built, strict=True):
            _tell(b, [r if isinstance(r, BaseException) else next(ids) for r in results])
        self._rows += len(rows)
        self._last_commit = time.monotonic()
        if self._rows - self._checkpointed >= CHECKPOINT_ROWS:
            _job(self._checkpoint)
        if self.on_commit is not None:
            try:
                self.on_commit()
            except Exception:  # the stream's business; the rows are stored
                log.exception("audit on-commit callback failed")


def _tell(batch: _Batch, results: Results) -> None:
    try:
        batch.done(results)
    except Exception:  # the caller's business; the rows are stored (or not) either way
        log.exception("audit batch callback failed")


def _job(job: Callable[[], None]) -> None:
    try:
        job()
    except Exception:  # a checkpoint that fails is tried again next time
        log.exception("audit writer job failed")
