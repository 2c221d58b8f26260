"""Every decision the server makes, counted, recorded and streamed, in one place.

Each entry point (REST, HTTP hook, MCP) asks :meth:`Recorder.decide`, which decides with the
policy in force, counts the decision in the metrics, and awaits its audit row: the decision
is returned once the row is committed. If the store fails or is slower than
``audit_write_timeout``, the decision is still returned (the guard must not fail because the
audit did), and the failure is counted (``superego_audit_write_errors_total``) and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from superego_mcp.audit.record import build_outcome, build_record, to_public
from superego_mcp.audit.store import Store, StoreError, open_store
from superego_mcp.audit.stream import Hub
from superego_mcp.audit.target import describe, parse_target
from superego_mcp.audit.writer import Writer
from superego_mcp.config import Settings
from superego_mcp.hook.agents import decide_request
from superego_mcp.model import Decision, ToolCall
from superego_mcp.server.metrics import Metrics
from superego_mcp.server.reload import PolicyHolder

if TYPE_CHECKING:
    from superego_mcp.reviewer.core import Sampler

log = logging.getLogger("superego_mcp.audit")


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
        if backend != "off":
            self.store = open_store(settings.audit, synchronous=settings.audit_synchronous)
            self.writer = Writer(
                open_store(settings.audit, synchronous=settings.audit_synchronous, migrate=False)
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
            review = getattr(decision, "review", None)
            self.metrics.decided(
                decision=decision.action,
                tool=call.tool_name,
                rule=decision.rule_id,
                entry=entry,
                seconds=seconds,
                review=review if isinstance(review, dict) else None,
            )
            if (
                self.writer is None
                and not self.hub.subscribers
                and not log.isEnabledFor(logging.DEBUG)
            ):
                self._local_id += 1  # the stream's ids stay one per decision
                return
            row = build_record(
                call,
                decision,
                entry=entry,
                event=event,
                latency_ms=seconds * 1000,
                policy_digest=digest,
                tool_use_id=tool_use_id,
            )
        except Exception:
            log.exception("cannot build the audit record")
            self.metrics.audit_errors.inc()
            return
        log.debug(
            "decision",
            extra={
                "fields": {
                    "decision": row["decision"],
                    "tool": row["tool"],
                    "rule": row["rule"],
                    "entry": entry,
                    "latency_ms": row["latency_ms"],
                }
            },
        )
        if self.writer is None:
            self._local_id += 1
            self.hub.publish({"id": self._local_id, **row})
            return
        try:
            future = self.writer.submit(row)
            await asyncio.wait_for(asyncio.wrap_future(future), self.settings.audit_write_timeout)
            self.metrics.audit_rows.inc()
        except Exception as exc:
            self.metrics.audit_errors.inc()
            log.error("audit write failed, decision returned without its row: %s", _why(exc))

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


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no commit within audit_write_timeout"
    return f"{type(exc).__name__}: {exc}"
