"""The server's audit rows (``server/recorder.py``): committed on the event loop, and handed to
the writer thread when another process holds the SQLite database's write lock, so that the
loop never waits for the lock and no answer goes out before its row."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from support.server import clean_env, start_server

HOOK = "/v1/hooks/claude-code"


def _payload(session: str, n: int) -> dict[str, Any]:
    return {
        "session_id": session,
        "cwd": "/tmp",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": f"echo {n}"},
    }


def _rows(db: Path, session: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(
            conn.execute(
                "SELECT count(*) FROM decisions WHERE session_id = ?", (session,)
            ).fetchone()[0]
        )
    finally:
        conn.close()


def test_rows_wait_for_a_locked_database_without_stalling_the_server(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    server = start_server(env=clean_env(SUPEREGO_AUDIT=f"sqlite://{db}"))
    try:
        # Unlocked: the answer comes with its row already committed.
        r = httpx.post(server.url + HOOK, json=_payload("free", 1), timeout=30)
        assert r.status_code == 200
        assert _rows(db, "free") == 1

        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing, as a command hook does
        answered: dict[str, Any] = {}

        def ask() -> None:
            resp = httpx.post(server.url + HOOK, json=_payload("locked", 2), timeout=30)
            answered["status"] = resp.status_code
            answered["at"] = time.monotonic()

        asker = threading.Thread(target=ask)
        asker.start()
        time.sleep(0.5)
        # The event loop still answers while the row waits for the lock.
        started = time.monotonic()
        assert httpx.get(server.url + "/healthz", timeout=5).status_code == 200
        assert time.monotonic() - started < 2
        assert asker.is_alive(), "answered before its row could be committed"
        released = time.monotonic()
        holder.execute("ROLLBACK")
        holder.close()
        asker.join(30)
        assert answered["status"] == 200
        assert answered["at"] >= released
        assert _rows(db, "locked") == 1
        metrics = httpx.get(server.url + "/metrics", timeout=10).text
        assert "superego_audit_write_errors_total 0.0" in metrics
    finally:
        server.stop()
