"""Rows that wait for the SQLite write lock keep the order of their decisions: batches of
later turns of the event loop wait behind the earlier ones and are committed after them
(``server/recorder.py``), so ids follow the order in which calls were decided."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from superego_mcp.config import Settings
from superego_mcp.model import Decision, ToolCall
from superego_mcp.policy import Policy
from superego_mcp.server.recorder import Recorder
from superego_mcp.server.reload import PolicyHolder

BATCHES = 20


async def _record_while_locked(db: Path, policy: Policy) -> None:
    recorder = Recorder(Settings(audit=f"sqlite://{db}"), PolicyHolder(load=lambda: policy))
    decision = Decision("allow", "fine", "r1")
    async with recorder.running():
        # Another process writing (a command hook, a checkpoint) holds the write lock...
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        pending = []
        for n in range(BATCHES):  # ...while batches of later turns arrive, 20 ms apart
            pending += [
                asyncio.create_task(
                    recorder.record(
                        ToolCall("Bash", {"command": f"echo {n} {k}"}, "/tmp", session_id="o"),
                        decision,
                        entry="rest",
                        event=None,
                        seconds=0.001,
                        digest=None,
                    )
                )
                for k in range(3)
            ]
            await asyncio.sleep(0.02)
        holder.execute("ROLLBACK")
        holder.close()
        await asyncio.gather(*pending)
        assert recorder.metrics.audit_errors._value.get() == 0


def test_batches_waiting_for_the_lock_are_committed_in_order(
    tmp_path: Path, bundled: Policy
) -> None:
    db = tmp_path / "audit.db"
    asyncio.run(_record_while_locked(db, bundled))
    conn = sqlite3.connect(db)
    try:
        stored = [r[0] for r in conn.execute("SELECT input FROM decisions ORDER BY id")]
    finally:
        conn.close()
    assert stored == [f'{{"command": "echo {n} {k}"}}' for n in range(BATCHES) for k in range(3)]
