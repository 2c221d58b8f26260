"""After-tool events (Claude Code's PostToolUse) are recorded: the call ran. Migration 0002 on
both backends (a store an older version made is brought up to date), the real command hook
process, and the real server's HTTP hook route, linked to the decision by ``tool_use_id``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from audit_helpers import table_rows
from test_hook_audit import env, pycache

from superego_mcp.audit.schema import migrations, statements
from superego_mcp.audit.store import Store, open_store
from superego_mcp.audit.target import parse_target
from support.hook import bash, warm
from support.hook import run_hook as run_process
from support.server import clean_env, start_server

__all__ = ["env", "pycache"]


def post(payload: dict[str, object]) -> dict[str, object]:
    """The PostToolUse event Claude Code sends after ``payload``'s call ran."""
    return {**payload, "hook_event_name": "PostToolUse", "tool_response": {"stdout": "ok"}}


def old_store(target: str) -> Store:
    """A store as version 1 of the schema left it (only ``0001``), with one row."""
    backend, location = parse_target(target)
    store = Store(backend, location)
    first = [m for m in migrations() if m[0] == 1]
    with store._session() as conn, store._transaction(conn):
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at DOUBLE PRECISION NOT NULL)"
        )
        for version, name, sql in first:
            for statement in statements(sql, backend):
                conn.execute(statement)
            conn.execute(
                store._sql("INSERT INTO schema_migrations VALUES (?, ?, ?)"), (version, name, 0.0)
            )
        conn.execute(
            "INSERT INTO decisions (ts, entry, tool, input, decision, reason) "
            "VALUES (1.0, 'hook', 'Bash', '{}', 'ask', 'old row')"
        )
        if backend == "sqlite":
            conn.execute("PRAGMA user_version=1")
    return store


def test_migration_0002_brings_an_old_store_up_to_date(target: str) -> None:
    store = old_store(target)
    assert store.migrate() == 2
    (kept,) = store.after(0)
    assert kept["reason"] == "old row"
    assert kept["tool_use_id"] is None
    store.append_outcomes(
        [
            {
                "ts": 2.0,
                "entry": "hook",
                "event": "PostToolUse",
                "session_id": "s",
                "tool_use_id": "toolu_9",
                "tool": "Bash",
                "input": "{}",
            }
        ]
    )
    (outcome,) = store.outcomes()
    assert (outcome["tool_use_id"], outcome["event"]) == ("toolu_9", "PostToolUse")
    assert store.outcomes(since=3.0) == []
    assert store.migrate() == 2  # a second start applies nothing
    store.close()


def test_the_command_hook_records_post_tool_use_linked_by_tool_use_id(
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    db = tmp_path / "state" / "superego" / "audit.db"
    secret = "AKIA" + "ABCDEFGHIJKLMNOP"
    pre = bash(f"docker compose up -d # {secret}", session_id="sess-1", tool_use_id="toolu_42")
    warm(env, tmp_path, pre)
    answer = run_process(pre, env=env, cwd=tmp_path)
    assert answer.code == 0, answer.stderr
    after = run_process(post(pre), env=env, cwd=tmp_path)
    assert (after.code, after.stdout.strip()) == (0, b"{}"), after.stderr
    assert "not recorded" not in after.stderr
    (decision,) = table_rows(db)
    (ran,) = table_rows(db, "outcomes")
    assert decision["tool_use_id"] == ran["tool_use_id"] == "toolu_42"
    assert (ran["entry"], ran["event"], ran["session_id"]) == ("hook", "PostToolUse", "sess-1")
    assert ran["input"] == decision["input"]  # stored alike: linkable without an id too
    assert secret not in ran["input"]
    assert "[REDACTED]" in ran["input"]


def test_a_post_tool_use_the_hook_cannot_record_still_never_blocks(
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the audit directory should be")
    broken = {**env, "SUPEREGO_AUDIT": f"sqlite://{blocker}/audit.db"}
    pre = bash("git status")
    warm(broken, tmp_path, pre)
    for payload in (post(pre), {**post(pre), "tool_input": "not an object"}):
        after = run_process(payload, env=broken, cwd=tmp_path)
        assert (after.code, after.stdout.strip()) == (0, b"{}"), after.stderr


def test_an_old_sqlite_store_is_migrated_by_the_hooks_write(
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    db = tmp_path / "state" / "superego" / "audit.db"
    db.parent.mkdir(parents=True, mode=0o700)
    old_store(f"sqlite://{db}").close()
    pre = bash("git status", tool_use_id="toolu_7")
    warm(env, tmp_path, pre)
    assert run_process(pre, env=env, cwd=tmp_path).code == 0
    after = run_process(post(pre), env=env, cwd=tmp_path)
    assert "not recorded" not in after.stderr, after.stderr
    assert "failed" not in after.stderr, after.stderr
    assert [r["tool_use_id"] for r in table_rows(db)] == [None, "toolu_7"]
    assert [r["tool_use_id"] for r in table_rows(db, "outcomes")] == ["toolu_7"]


def test_the_http_hook_route_records_post_tool_use(target: str) -> None:
    server = start_server(env=clean_env(SUPEREGO_AUDIT=target))
    try:
        route = f"{server.url}/v1/hooks/claude-code"
        pre = bash("docker compose up -d", session_id="web-1", tool_use_id="toolu_77")
        first = httpx.post(route, json=pre, timeout=30)
        assert first.status_code == 200
        after = httpx.post(route, json=post(pre), timeout=30)
        assert (after.status_code, after.json()) == (200, {})
        # Another event with a tool (not an after-tool one) records nothing.
        other = {**pre, "hook_event_name": "Notification", "tool_use_id": "toolu_78"}
        assert httpx.post(route, json=other, timeout=30).json() == {}
    finally:
        server.stop()
    store = open_store(target)
    try:
        (decision,) = [r for r in store.after(0) if r["session_id"] == "web-1"]
        deadline = time.monotonic() + 10
        found = store.outcomes()
        while not found and time.monotonic() < deadline:
            time.sleep(0.1)
            found = store.outcomes()
    finally:
        store.close()
    (ran,) = found
    assert decision["tool_use_id"] == ran["tool_use_id"] == "toolu_77"
    assert (ran["entry"], ran["event"]) == ("http-hook", "PostToolUse")
    assert json.loads(ran["input"])["command"] == "docker compose up -d"


def test_rest_clients_report_a_call_that_ran(target: str) -> None:
    server = start_server(env=clean_env(SUPEREGO_AUDIT=target))
    try:
        call = {"tool_name": "Bash", "tool_input": {"command": "make deploy"}, "cwd": "/tmp"}
        ids = {"session_id": "rest-1", "tool_use_id": "call-5"}
        judged = httpx.post(f"{server.url}/v1/evaluate", json={**call, **ids}, timeout=30)
        assert judged.status_code == 200
        ran = httpx.post(f"{server.url}/v1/outcomes", json={**call, **ids}, timeout=30)
        assert (ran.status_code, ran.json()) == (200, {"recorded": True})
        bad = httpx.post(f"{server.url}/v1/outcomes", json={**call, "cwd": "tmp"}, timeout=30)
        assert bad.status_code == 422
    finally:
        server.stop()
    store = open_store(target)
    try:
        (decision,) = [r for r in store.after(0) if r["session_id"] == "rest-1"]
        (outcome,) = store.outcomes()
    finally:
        store.close()
    assert decision["tool_use_id"] == outcome["tool_use_id"] == "call-5"
    assert (outcome["entry"], outcome["event"]) == ("rest", "ran")
    assert outcome["input"] == decision["input"]


def test_a_command_hook_with_server_sends_post_tool_use_to_the_server(
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    db = tmp_path / "server.db"
    server = start_server(env=clean_env(SUPEREGO_AUDIT=f"sqlite://{db}"))
    try:
        pre = bash("docker compose up -d", session_id="fwd-1", tool_use_id="toolu_fwd")
        hook_env = {**env, "SUPEREGO_AUDIT": "off"}  # the hook itself keeps nothing
        for payload in (pre, post(pre)):
            proc = run_process(payload, "--server", server.url, env=hook_env, cwd=tmp_path)
            assert proc.code == 0, proc.stderr
            assert "did not answer" not in proc.stderr
    finally:
        server.stop()
    store = open_store(f"sqlite://{db}")
    try:
        (decision,) = [r for r in store.after(0) if r["session_id"] == "fwd-1"]
        (ran,) = store.outcomes()
    finally:
        store.close()
    assert decision["tool_use_id"] == ran["tool_use_id"] == "toolu_fwd"
    assert (decision["entry"], ran["entry"]) == ("http-hook", "http-hook")


def test_cursor_post_tool_use_is_linked_by_its_tool_use_id(
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    db = tmp_path / "state" / "superego" / "audit.db"
    base = {
        "conversation_id": "cur-1",
        "session_id": "cur-1",
        "tool_name": "Shell",
        "tool_input": {"command": "docker compose up -d"},
        "tool_use_id": "cursor-use-1",
        "cwd": "",
        "workspace_roots": [str(tmp_path)],
    }
    warm(env, tmp_path, bash("docker compose up -d", cwd=str(tmp_path)))
    for event in ("preToolUse", "postToolUse"):
        proc = run_process(
            {**base, "hook_event_name": event}, "--agent", "cursor", env=env, cwd=tmp_path
        )
        assert proc.code == 0, proc.stderr
    (decision,) = table_rows(db)
    (ran,) = table_rows(db, "outcomes")
    assert decision["tool_use_id"] == ran["tool_use_id"] == "cursor-use-1"
    assert (ran["event"], ran["tool"]) == ("postToolUse", "Bash")


def test_an_outcome_left_in_the_spool_is_recovered_into_outcomes(tmp_path: Path) -> None:
    """A hook killed between its answer and its write leaves the outcome row in the spool;
    the next hook inserts it into the outcomes table, once."""
    import os

    from superego_mcp.audit import hookwrite
    from superego_mcp.audit.record import build_outcome
    from superego_mcp.model import ToolCall

    db = tmp_path / "audit.db"
    open_store(f"sqlite://{db}").close()
    row = build_outcome(
        ToolCall("Bash", {"command": "ls"}, "/tmp", session_id="s"),
        entry="hook",
        event="PostToolUse",
        tool_use_id="toolu_s",
    )
    target = ["sqlite", str(db), "normal"]
    spooled = Path(hookwrite.spool(target, row, "outcome"))
    dead = 2**22 + 12345  # above any pid_max default: no such process
    assert not os.path.exists(f"/proc/{dead}")
    spooled.rename(spooled.with_name(f"{time.time_ns()}-{dead}.json"))
    assert hookwrite.recover("sqlite", str(db)) == 1
    assert hookwrite.recover("sqlite", str(db)) == 0
    (ran,) = table_rows(db, "outcomes")
    assert (ran["tool_use_id"], ran["event"]) == ("toolu_s", "PostToolUse")
    assert table_rows(db) == []
