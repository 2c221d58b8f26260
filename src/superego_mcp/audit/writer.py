"""The server's audit writer: one thread, group commits, a future per row.

Requests hand their row to :meth:`Writer.submit` and await the returned future, so a decision
is returned only once its row is committed ("acknowledged means stored"). Rows that arrive
while a commit is running go into the next commit together: with many concurrent requests
one fsync covers many rows, and the event loop never waits on the database.
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, Final

from superego_mcp.audit.store import Store

log = logging.getLogger("superego_mcp.audit")

# Most rows in one transaction.
MAX_BATCH: Final = 500

_Item = tuple[dict[str, Any], "concurrent.futures.Future[int]"]


class Writer:
    """Writes rows to ``store`` from a background thread (see the module docstring).

    ``on_commit`` is called (from the writer thread) after each successful commit: the live
    stream uses it to look for new rows at once instead of at its next poll.
    """

    def __init__(self, store: Store, on_commit: Callable[[], None] | None = None) -> None:
        """Start the writer thread."""
        self.store = store
        self.on_commit = on_commit
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="superego-audit-writer", daemon=True)
        self._thread.start()

    def submit(self, row: dict[str, Any]) -> concurrent.futures.Future[int]:
        """Queue ``row``; the future resolves to its id once committed, or to the error."""
        future: concurrent.futures.Future[int] = concurrent.futures.Future()
        self._queue.put((row, future))
        return future

    def close(self, timeout: float = 5.0) -> None:
        """Commit what is queued, then stop the thread and close the store."""
        self._queue.put(None)
        self._thread.join(timeout)
        self.store.close()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch: list[_Item] = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[_Item]) -> None:
        try:
            ids = self.store.append_many([row for row, _ in batch])
        except Exception as exc:
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), row_id in zip(batch, ids, strict=True):
            future.set_result(row_id)
        if self.on_commit is not None:
            try:
                self.on_commit()
            except Exception:  # the stream's business; the rows are stored
                log.exception("audit on-commit callback failed")
