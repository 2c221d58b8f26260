"""The store interface on both backends: migrations, writes, filters, cursor, prune, stats."""

from __future__ import annotations

import time

import pytest
from audit_helpers import row

from superego_mcp.audit.record import build_record, to_public
from superego_mcp.audit.schema import latest_version
from superego_mcp.audit.store import Query, Store, StoreError, open_store, parse_since
from superego_mcp.audit.target import TargetError, default_sqlite_path, parse_target
from superego_mcp.model import Decision, ToolCall


def test_targets_parse_and_name_their_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", "/state")
    assert parse_target(None) == ("sqlite", "/state/superego/audit.db")
    assert default_sqlite_path() == "/state/superego/audit.db"
    assert parse_target("OFF") == ("off", "")
    assert parse_target("sqlite:///a/b/../c.db") == ("sqlite", "/a/c.db")
    assert parse_target("postgresql://u:p@h/db")[0] == "postgresql"
    with pytest.raises(TargetError, match="absolute path"):
        parse_target("sqlite://relative.db")
    with pytest.raises(TargetError, match="unknown audit target") as info:
        parse_target("mysql://root:hunter2@db/x")
    assert "hunter2" not in str(info.value)  # the message never shows the password


def test_migrations_apply_once_and_record_their_version(target: str) -> None:
    store = open_store(target)
    assert store.migrate() == latest_version()  # a second start applies nothing
    with store._session() as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == list(range(1, latest_version() + 1))
    store.close()


def test_rows_round_trip_with_every_filter_and_the_cursor(target: str) -> None:
    store = open_store(target)
    now = time.time()
    rows = [
        row("ls -la", decision="allow", rule="read-only", ts=now - 7200),
        row("rm -rf ~", decision="deny", rule="no-rm", session="s2", ts=now - 60),
        row("curl x | sh", decision="ask", rule=None, entry="hook", ts=now - 30),
        row("/etc/shadow", tool="Read", decision="deny", rule="creds", ts=now - 10),
    ]
    ids = store.append_many(rows)
    assert ids == sorted(ids)
    assert len(set(ids)) == 4

    def tools(q: Query) -> list[str]:
        return [r["input"] for r in store.query(q)]

    assert len(store.query(Query())) == 4
    assert [r["id"] for r in store.query(Query())] == ids[::-1]  # newest first
    assert len(store.query(Query(decision="deny"))) == 2
    assert [r["tool"] for r in store.query(Query(tool="Read"))] == ["Read"]
    assert [r["rule"] for r in store.query(Query(rule="no-rm"))] == ["no-rm"]
    assert [r["session_id"] for r in store.query(Query(session="s2"))] == ["s2"]
    assert [r["entry"] for r in store.query(Query(entry="hook"))] == ["hook"]
    assert len(store.query(Query(since=now - 3600))) == 3
    assert tools(Query(text="RM -RF")) == ['{"command": "rm -rf ~"}']
    # LIKE wildcards in the text are literal characters.
    assert tools(Query(text="%")) == []
    assert tools(Query(text="_")) == []
    # Cursor pagination: two pages of two, no row twice, none missed.
    first = store.query(Query(limit=2))
    second = store.query(Query(limit=2, before=first[-1]["id"]))
    assert [r["id"] for r in first + second] == ids[::-1]
    assert store.query(Query(limit=2, before=second[-1]["id"])) == []
    # Tailing by id, with filters.
    assert [r["id"] for r in store.after(ids[1])] == ids[2:]
    assert [r["id"] for r in store.after(0, q=Query(decision="deny"))] == [ids[1], ids[3]]
    assert store.last_id() == ids[-1]

    stats = store.stats()
    assert stats["total"] == 4
    assert stats["by_decision"] == {"deny": 2, "allow": 1, "ask": 1}
    assert stats["top_rules"]["(default)"] == 1
    assert stats["by_entry"] == {"rest": 3, "hook": 1}
    store.close()


def test_prune_by_age_and_by_count(target: str) -> None:
    store = open_store(target)
    now = time.time()
    store.append_many([row(f"echo {i}", ts=now - 86400 * (10 - i)) for i in range(10)])
    assert store.prune(max_age_s=86400 * 5.5) == 5  # 10, 9, 8, 7, 6 days old
    assert store.prune(max_rows=2) == 3
    left = store.query(Query())
    assert [r["input"] for r in left] == ['{"command": "echo 9"}', '{"command": "echo 8"}']
    assert store.prune(max_rows=2, max_age_s=86400 * 5) == 0
    store.close()


def test_a_broken_store_raises_a_clear_error_without_the_password(pg_cluster: object) -> None:
    store = Store("postgresql", "postgresql://u:s3cret@/nodb?host=/nonexistent&port=1")
    with pytest.raises(StoreError) as info:
        store.migrate()
    assert "s3cret" not in str(info.value)
    assert "[REDACTED]" in str(info.value)


def test_since_forms() -> None:
    assert parse_since("15m", now=1000.0) == 100.0
    assert parse_since("2h", now=10000.0) == 2800.0
    assert parse_since("1700000000") == 1700000000.0
    assert parse_since("2024-01-01T00:00:00Z") == 1704067200.0
    assert parse_since("2024-01-01T00:00:00") == 1704067200.0
    with pytest.raises(ValueError, match="since='yesterday'"):
        parse_since("yesterday")


class _ReviewedDecision(Decision):
    """A decision carrying the reviewer's fields, as the reviewer adds them."""

    __slots__ = ("review",)


def test_review_fields_are_stored_as_json_and_redacted(target: str) -> None:
    decision = _ReviewedDecision("deny", "the reviewer said no", "review-rule")
    decision.review = {
        "provider": "anthropic",
        "model": "m",
        "latency_ms": 812.5,
        "cache_hit": False,
        "breaker": "closed",
        "outcome": "deny",
        "risk": "high",
        "reason": "uploads ~/.aws/credentials with key AKIA" + "ABCDEFGHIJKLMNOP",
    }
    r = build_record(
        ToolCall("Bash", {"command": "x"}, "/w"),
        decision,
        entry="rest",
        latency_ms=813.0,
        policy_digest="d",
    )
    store = open_store(target)
    store.append_many([r, row()])
    stored = [to_public(x) for x in store.query(Query())]
    store.close()
    assert stored[0]["review"] is None  # no review happened for the second row
    review = stored[1]["review"]
    assert review["breaker"] == "closed"
    assert review["latency_ms"] == 812.5
    assert "AKIA" not in review["reason"]
