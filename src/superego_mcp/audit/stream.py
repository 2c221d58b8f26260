"""The live decision stream: one tailer per server, a bounded queue per subscriber.

The tailer follows the store by id (polling, and at once after the server's own commits), so
a subscriber sees every decision recorded in that store: the server's, the command hooks'
and, on PostgreSQL, every replica's. Each subscriber has a bounded queue; one that falls
:attr:`Hub.queue_size` events behind is dropped with a reason (it can reconnect and resume
from its last id), so a slow reader never slows decisions or other readers.

PostgreSQL assigns ids at insert, so concurrent transactions can commit out of id order: an
id skipped over is looked for again for :data:`GAP_SECONDS` before it is given up as a
rolled-back insert.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, Final

from superego_mcp.audit.store import Query, Store

log = logging.getLogger("superego_mcp.audit")

POLL_SECONDS: Final = 0.25
GAP_SECONDS: Final = 5.0
PAGE: Final = 500


class Subscriber:
    """One reader of the stream: its filters, its queue, and why it was dropped."""

    def __init__(self, query: Query, queue_size: int) -> None:
        """A subscriber with an empty queue of ``queue_size`` places."""
        self.query = query
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(queue_size)
        self.dropped: str | None = None
        self.skip_upto = 0  # rows up to this id were already sent (resume backfill)

    def offer(self, row: dict[str, Any]) -> bool:
        """Queue ``row`` if it matches; False when the queue is full (drop the reader)."""
        if row["id"] <= self.skip_upto or not self.query.matches(row):
            return True
        try:
            self.queue.put_nowait(row)
        except asyncio.QueueFull:
            return False
        return True

    def drop(self, reason: str) -> None:
        """End this subscription: empty the queue and leave the end marker."""
        self.dropped = reason
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)


class Hub:
    """Fans rows out to subscribers; tails ``store`` when there is one."""

    def __init__(
        self,
        store: Store | None,
        queue_size: int,
        on_drop: Callable[[], None] | None = None,
        on_count: Callable[[int], None] | None = None,
    ) -> None:
        """``on_drop``/``on_count`` feed the metrics (a drop; the number of subscribers)."""
        self.store = store
        self.queue_size = queue_size
        self.subscribers: set[Subscriber] = set()
        self.last_id = 0
        self._gaps: dict[int, float] = {}  # missing id -> when first missed
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._on_drop = on_drop
        self._on_count = on_count

    async def start(self) -> None:
        """Start tailing from the store's newest row (nothing older is replayed live)."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self.store is not None:
            self.last_id = await asyncio.to_thread(self.store.last_id)
            self._task = asyncio.create_task(self._tail())

    async def stop(self) -> None:
        """Stop tailing and end every subscription."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for sub in list(self.subscribers):
            sub.drop("server shutting down")

    def poke(self) -> None:
        """Look for new rows now (thread-safe: the writer thread calls it after a commit).
        Nobody listening: nothing to do (the position is refreshed at the next poll)."""
        if self.subscribers and self._loop is not None and self._wake is not None:
            with contextlib.suppress(RuntimeError):  # loop closed during shutdown
                self._loop.call_soon_threadsafe(self._wake.set)

    def subscribe(self, query: Query) -> Subscriber:
        """A new subscriber receiving rows published from now on."""
        sub = Subscriber(query, self.queue_size)
        self.subscribers.add(sub)
        self._count()
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget ``sub`` (its connection ended)."""
        self.subscribers.discard(sub)
        self._count()

    def _count(self) -> None:
        if self._on_count is not None:
            self._on_count(len(self.subscribers))

    def publish(self, row: dict[str, Any]) -> None:
        """Give ``row`` to every matching subscriber; drop the ones that are full."""
        for sub in list(self.subscribers):
            if not sub.offer(row):
                sub.drop(f"slow subscriber: more than {self.queue_size} events behind")
                self.subscribers.discard(sub)
                self._count()
                if self._on_drop is not None:
                    self._on_drop()

    async def _tail(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()
            if not self.subscribers:
                # Nobody listens: only keep the position current (no gaps to chase), once a
                # poll period at most, whatever the rate of commits.
                with contextlib.suppress(Exception):
                    self.last_id = max(self.last_id, await asyncio.to_thread(self._newest))
                self._gaps.clear()
                await asyncio.sleep(POLL_SECONDS)
                continue
            try:
                rows = await asyncio.to_thread(self._fetch)
            except Exception as exc:  # the store is down: keep serving, try again later
                log.warning("decision stream cannot read the audit store: %s", exc)
                await asyncio.sleep(1.0)
                continue
            for row in rows:
                self.publish(row)

    def _newest(self) -> int:
        assert self.store is not None
        return self.store.last_id()

    def _fetch(self) -> list[dict[str, Any]]:
        """New rows and late ones filling earlier gaps, in id order (writer-thread safe)."""
        assert self.store is not None
        now = time.monotonic()
        self._gaps = {i: t for i, t in self._gaps.items() if now - t < GAP_SECONDS}
        rows: list[dict[str, Any]] = []
        if self._gaps:
            low = min(self._gaps) - 1
            rows = [r for r in self.store.after(low, PAGE) if r["id"] in self._gaps]
            for r in rows:
                del self._gaps[r["id"]]
        fresh = self.store.after(self.last_id, PAGE)
        for r in fresh:
            for missing in range(self.last_id + 1, r["id"]):
                self._gaps[missing] = now
            self.last_id = r["id"]
        if len(self._gaps) > 10_000:  # a huge jump (an identity restart): do not chase it
            self._gaps.clear()
        return rows + fresh
