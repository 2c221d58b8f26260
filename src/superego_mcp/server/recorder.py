"""Every decision the server makes, counted, recorded and streamed, in one place.

Each entry point (REST, HTTP hook, MCP) asks :meth:`Recorder.decide`, which decides with the
policy in force, counts the decision in the metrics, and awaits its audit row: the decision
is returned once the row is committed. If the store fails or is slower than
``audit_write_timeout``, the decision is still returned (the guard must not fail because the
audit did), and the failure is counted (``superego_audit_write_errors_total``) and logged.

The request path does not build the row: the decisions of one turn of the event loop are
recorded together, as their raw pieces (call, decision, timings), once the turn's requests
have been answered by the rules, and the loop is told once per batch. With SQLite at
``audit_synchronous=normal`` the batch is built and committed right there, on the event loop,
in one transaction (a commit writes to the WAL without an fsync: microseconds); while another
connection holds the database's write lock (a command hook writing its row, the writer
thread's WAL checkpoint) the batch waits, and is tried again a moment later, with the batches
that came after it, in their order: the loop never waits for the lock. The writer thread
checkpoints the WAL (its fsyncs off the loop, ``audit/writer.py``). Why not always the
thread: building rows is Python work, and a second thread doing it holds the GIL against the
event loop, whose next request then waits for it (measured: several times slower under load,
docs/benchmarks.md). PostgreSQL and ``audit_synchronous=full`` (an fsync per commit) always use
the writer thread. With the audit off and nobody watching the stream, nothing of a row is made
at all.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from superego_mcp.audit.record import build_outcome, build_record, to_public
from superego_mcp.audit.store import Store, StoreError, busy, open_store
from superego_mcp.audit.stream import Hub
from superego_mcp.audit.target import describe, parse_target
from superego_mcp.audit.writer import Results, Writer
from superego_mcp.config import Settings
from superego_mcp.hook.agents import decide_request
from superego_mcp.model import Decision, ToolCall
from superego_mcp.redact import redact_text
from superego_mcp.server.metrics import Metrics
from superego_mcp.server.reload import PolicyHolder

if TYPE_CHECKING:
    from superego_mcp.reviewer.core import Sampler

log = logging.getLogger("superego_mcp.audit")

# Most rows the event loop commits in one transaction when batches waited for the lock.
MERGE_ROWS = 2000


class Recorder:
    """The server's decisions: metrics, audit store (reads and the writer), live stream."""

    def __init__(self, settings: Settings, holder: PolicyHolder) -> None:
        """Open (and migrate) the store named by ``settings.audit``; raises ``StoreError``
        when it cannot be used, so a server never starts without the audit it was told to
        keep."""
        self.settings = settings
        self.holder = holder
        self.metrics = Metrics()
        backend, _ = parse_target(settings.audit)
        self.backend = backend
        self.store: Store | None = None
        self.writer: Writer | None = None
        # Commits on the event loop (see the module docstring): never waits for a lock.
        self.inline: Store | None = None
        if backend != "off":
            self.store = open_store(settings.audit, synchronous=settings.audit_synchronous)
            self.writer = Writer(
                open_store(settings.audit, synchronous=settings.audit_synchronous, migrate=False)
            )
            if backend == "sqlite" and settings.audit_synchronous == "normal":
                self.inline = open_store(
                    settings.audit, migrate=False, busy_timeout=0, checkpoints=False
                )
        self.hub = Hub(
            self.store,
            settings.stream_queue_size,
            on_drop=self.metrics.stream_drops.inc,
            on_count=self.metrics.subscribers.set,
        )
        if self.writer is not None:
            self.writer.on_commit = self.hub.poke
        self._local_id = 0  # ids of streamed decisions when the audit is off
        # The batch of this turn of the event loop: its rows' pieces and the future its
        # requests await (see the module docstring).
        self._batch: tuple[list[_Pieces], asyncio.Future[Results]] | None = None
        # Built batches waiting for the database's write lock, oldest first (committed in
        # this order: ids follow the order of the decisions), and the timer of the next try.
        self._waiting: collections.deque[_Built] = collections.deque()
        self._retry: asyncio.Handle | None = None
        self._pruner: asyncio.Task[None] | None = None
        holder.on_reload = self.metrics.reloaded
        self.metrics.watch_cache(holder.cache)

    @property
    def where(self) -> str:
        """Where decisions go, for the start-up log line (password redacted)."""
        if self.store is None:
            return "off"
        return f"{self.backend} {describe(self.store.location)}"

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Start the stream tailer and the retention task; stop them and flush the writer."""
        await self.hub.start()
        if self.store is not None and (
            self.settings.audit_retention_days or self.settings.audit_max_rows
        ):
            self._pruner = asyncio.create_task(self._prune_forever())
        log.info("audit: %s", self.where)
        try:
            yield
        finally:
            if self._pruner is not None:
                self._pruner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._pruner
            await self.hub.stop()
            if self.writer is not None:
                await asyncio.to_thread(self.writer.close)
            if self.inline is not None:
                self.inline.close()
            if self.store is not None:
                self.store.close()

    async def decide(
        self,
        call: ToolCall,
        *,
        entry: str,
        event: str | None = None,
        session: Sampler | None = None,
        more: Sequence[ToolCall] = (),
        tool_use_id: str | None = None,
    ) -> tuple[Decision, ToolCall]:
        """Decide ``call`` (and ``more``: the other calls of the same input, a patch's other
        files) with the policy in force and record the one answer, the most restrictive
        (see the module docstring); returns it with the call it is about. ``session``: the
        MCP session of the request (the ``mcp-sampling`` reviewer); ``tool_use_id``: the
        agent's id of the call (its after-tool event repeats it, see :meth:`observe`)."""
        policy = self.holder.policy
        started = time.perf_counter()
        decision = await self.holder.decide(call, session)
        if more:
            calls = [call, *more]
            decisions = [decision] + [await self.holder.decide(c, session) for c in more]
            decision, call = decide_request(calls, decisions)
        seconds = time.perf_counter() - started
        await self.record(
            call,
            decision,
            entry=entry,
            event=event,
            seconds=seconds,
            digest=policy.digest,
            tool_use_id=tool_use_id,
        )
        return decision, call

    async def observe(
        self, call: ToolCall, *, entry: str, event: str, tool_use_id: str | None = None
    ) -> bool:
        """Record an after-tool event: ``call`` ran (``docs/replay.md``, "Approvals"); True
        when stored. Never raises; a failure is counted and logged like a decision row's."""
        if self.store is None:
            return False
        try:
            row = build_outcome(call, entry=entry, event=event, tool_use_id=tool_use_id)
            await asyncio.wait_for(
                asyncio.to_thread(self.store.append_outcomes, [row]),
                self.settings.audit_write_timeout,
            )
        except Exception as exc:
            self.metrics.audit_errors.inc()
            log.error("audit write of a %s event failed: %s", event, _why(exc))
            return False
        return True

    async def record(
        self,
        call: ToolCall,
        decision: Decision,
        *,
        entry: str,
        event: str | None,
        seconds: float,
        digest: str | None,
        tool_use_id: str | None = None,
    ) -> None:
        """Count, store (awaited) and stream one decision; never raises. With the audit
        off and nobody watching the stream, no row is built at all."""
        try:
            review = decision.review
            self.metrics.decided(
                decision=decision.action,
                tool=call.tool_name,
                rule=decision.rule_id,
                entry=entry,
                seconds=seconds,
                review=review if isinstance(review, dict) else None,
            )
        except Exception:  # a metrics problem never holds back an answer
            log.exception("cannot count the decision")
        if log.isEnabledFor(logging.DEBUG):
            _log_decision(call, decision, entry, seconds)
        pieces = (call, decision, entry, event, seconds, digest, time.time(), tool_use_id)
        if self.writer is None:
            self._local_id += 1  # the stream's ids stay one per decision
            if self.hub.subscribers:
                try:
                    row = _build(pieces)
                except Exception:
                    log.exception("cannot build the audit record")
                    self.metrics.audit_errors.inc()
                    return
                self.hub.publish({"id": self._local_id, **row})
            return
        batch = self._batch
        if batch is None:
            batch = self._batch = ([], asyncio.get_running_loop().create_future())
            asyncio.get_running_loop().call_soon(self._send)
        index = len(batch[0])
        batch[0].append(pieces)
        try:
            result = (await asyncio.shield(batch[1]))[index]
            if isinstance(result, BaseException):
                raise result
            self.metrics.audit_rows.inc()
        except Exception as exc:
            self.metrics.audit_errors.inc()
            log.error("audit write failed, decision returned without its row: %s", _why(exc))

    def _send(self) -> None:
        """Record this turn's batch: committed here (SQLite, ``normal``; after the batches
        still waiting for the lock, if any), or handed to the writer thread, whose answer
        settles its future (or a timeout after ``audit_write_timeout``)."""
        batch, self._batch = self._batch, None
        if batch is None or self.writer is None:
            return
        items, future = batch
        if self.inline is not None:
            rows: list[dict[str, Any]] = []
            results: Results = []
            for pieces in items:
                try:
                    rows.append(_build(pieces))
                    results.append(-1)
                except Exception as exc:
                    log.exception("cannot build the audit record")
                    results.append(exc)
            deadline = time.monotonic() + self.settings.audit_write_timeout
            self._waiting.append(_Built(rows, results, future, deadline))
            if self._retry is None:  # else it waits its turn behind the earlier batches
                self._commit(0.001)
            return
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self.settings.audit_write_timeout, _settle, future, None)

        def done(results: Results) -> None:  # in the writer thread
            loop.call_soon_threadsafe(_settle, future, results, timer)

        try:
            self.writer.submit_many(items, _build, done)
        except Exception as exc:
            timer.cancel()
            future.set_result([exc] * len(items))

    def _commit(self, pause: float) -> None:
        """Commit the waiting batches on the event loop, oldest first, several in one
        transaction (up to :data:`MERGE_ROWS` rows: the loop is not held for long). While
        another connection holds the database's write lock (a command hook writing its row,
        a WAL checkpoint) they are tried again ``pause`` seconds later (doubling), never
        waited for here, until the oldest one's deadline: then it is told it timed out, and
        the others are tried again. Any other error is told to the batches tried."""
        self._retry = None
        loop = asyncio.get_running_loop()
        while self._waiting:
            batches: list[_Built] = []
            rows: list[dict[str, Any]] = []
            for b in self._waiting:
                if rows and len(rows) + len(b.rows) > MERGE_ROWS:
                    break
                batches.append(b)
                rows += b.rows
            outcome: BaseException | Iterator[int]
            if self.inline is None or self.writer is None:  # closed meanwhile: nothing stored
                outcome = RuntimeError("the audit store is closed")
            else:
                try:
                    outcome = iter(self.inline.append_many(rows))
                except StoreError as exc:
                    if not busy(exc):
                        outcome = exc
                    elif time.monotonic() + pause < batches[0].deadline:
                        self._retry = loop.call_later(pause, self._commit, min(pause * 2, 0.05))
                        return
                    else:
                        self._waiting.popleft().tell(TimeoutError())
                        continue
                else:
                    self.hub.poke()
                    self.writer.committed(len(rows))
            for b in batches:
                self._waiting.popleft()
                b.tell(outcome)
            if self._waiting:  # more than one transaction's worth waited: the rest next turn
                self._retry = loop.call_soon(self._commit, 0.001)
                return

    async def _prune_forever(self) -> None:
        while True:
            await self.prune()
            await asyncio.sleep(self.settings.audit_prune_interval)

    async def prune(self) -> int:
        """One retention pass by the settings; how many rows went."""
        if self.store is None:
            return 0
        days = self.settings.audit_retention_days
        try:
            n = await asyncio.to_thread(
                self.store.prune,
                max_age_s=None if days is None else days * 86400,
                max_rows=self.settings.audit_max_rows,
            )
        except StoreError as exc:
            log.error("audit retention pass failed: %s", exc)
            return 0
        if n:
            log.info("audit retention removed %d rows", n)
        return n

    def public(self, row: dict[str, Any]) -> dict[str, Any]:
        """A row as the API shows it."""
        return to_public(row)


# The raw pieces of one row: call, decision, entry, event, seconds, policy digest, time,
# the agent's id of the call.
_Pieces = tuple[ToolCall, Decision, str, str | None, float, str | None, float, str | None]


def _build(pieces: _Pieces) -> dict[str, Any]:
    """The audit row of one decision (redacted: ``audit.record``)."""
    call, decision, entry, event, seconds, digest, ts, tool_use_id = pieces
    return build_record(
        call,
        decision,
        entry=entry,
        event=event,
        latency_ms=seconds * 1000,
        policy_digest=digest,
        ts=ts,
        tool_use_id=tool_use_id,
    )


class _Built:
    """A batch of built rows waiting for its commit on the event loop: ``results`` holds
    ``-1`` for each row to store and the error of each row that could not be built."""

    __slots__ = ("deadline", "future", "results", "rows")

    def __init__(
        self,
        rows: list[dict[str, Any]],
        results: Results,
        future: asyncio.Future[Results],
        deadline: float,
    ) -> None:
        self.rows = rows
        self.results = results
        self.future = future
        self.deadline = deadline

    def tell(self, outcome: BaseException | Iterator[int]) -> None:
        """Settle the future: each row's id, taken in order from ``outcome``, or its error."""
        self.future.set_result(
            [r if isinstance(r, BaseException) else _next_or(outcome) for r in self.results]
        )


def _next_or(outcome: BaseException | Iterator[int]) -> int | BaseException:
    return outcome if isinstance(outcome, BaseException) else next(outcome)


def _settle(
    future: asyncio.Future[Results],
    results: Results | None,
    timer: asyncio.TimerHandle | None = None,
) -> None:
    """Give a batch's requests their results (``None``: the timeout came first)."""
    if timer is not None:
        timer.cancel()
    if not future.done():
        if results is None:
            future.set_exception(TimeoutError())
        else:
            future.set_result(results)


def _log_decision(call: ToolCall, decision: Decision, entry: str, seconds: float) -> None:
    """The debug log line of a decision (redacted: the tool name may carry anything)."""
    log.debug(
        "decision",
        extra={
            "fields": {
                "decision": decision.action,
                "tool": redact_text(call.tool_name)[:256],
                "rule": decision.rule_id,
                "entry": entry,
                "latency_ms": round(seconds * 1000, 3),
            }
        },
    )


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no commit within audit_write_timeout"
    return f"{type(exc).__name__}: {exc}"
