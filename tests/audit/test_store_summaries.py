"""The store's summaries behind the dashboard: hits per rule, a timeline, review fields."""

from __future__ import annotations

import json
import time

from audit_helpers import row

from superego_mcp.audit.store import Query, open_store


def test_rule_hits_count_every_rule_with_its_last_hit(target: str) -> None:
    store = open_store(target)
    now = time.time()
    rows = [row(f"cmd{i}", rule=f"r{i % 12}", ts=now - 100 + i) for i in range(24)]
    rows.append(row("x", rule=None, ts=now - 5))
    rows.append(row("old", rule="r0", ts=now - 7200))
    store.append_many(rows)
    hits = store.rule_hits(Query(since=now - 3600))
    # All twelve rules (stats() stops at its top 10), the default, and nothing older.
    assert len(hits) == 13
    assert hits["r0"]["count"] == 2
    assert hits["(default)"]["count"] == 1
    assert abs(hits["r11"]["last_ts"] - (now - 100 + 23)) < 1e-3
    assert store.rule_hits(Query())["r0"]["count"] == 3
    store.close()


def test_timeline_buckets_by_decision(target: str) -> None:
    store = open_store(target)
    base = 1_800_000_000.0  # a bucket boundary for 60 s and 3600 s
    store.append_many(
        [
            row("a", decision="allow", ts=base + 1),
            row("b", decision="allow", ts=base + 59.9),
            row("c", decision="deny", ts=base + 30),
            row("d", decision="allow", ts=base + 60),
            row("e", decision="ask", ts=base + 3601),
        ]
    )
    assert store.timeline(60) == [
        {"t": int(base), "decision": "allow", "n": 2},
        {"t": int(base), "decision": "deny", "n": 1},
        {"t": int(base) + 60, "decision": "allow", "n": 1},
        {"t": int(base) + 3600, "decision": "ask", "n": 1},
    ]
    assert store.timeline(3600, Query(decision="allow")) == [
        {"t": int(base), "decision": "allow", "n": 3}
    ]
    store.close()


def test_reviews_returns_only_reviewed_rows_newest_first(target: str) -> None:
    store = open_store(target)
    plain = row("ls")
    reviewed = []
    for i in range(3):
        r = row(f"python -c {i}")
        r["review"] = json.dumps({"provider": "openai", "latency_ms": 10 + i, "cache_hit": i == 2})
        reviewed.append(r)
    store.append_many([plain, *reviewed])
    got = [json.loads(t) for t in store.reviews()]
    assert [g["latency_ms"] for g in got] == [12, 11, 10]
    assert len(store.reviews(limit=2)) == 2
    store.close()
