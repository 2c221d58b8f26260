"""How fast ``superego-mcp replay`` goes through a large trail.

Builds a synthetic 100,000-row SQLite trail in a temporary directory from the corpora's calls
(tests/corpus: everyday, dangerous, public everyday), each recorded as the bundled policy
decides it (rows built by ``audit.record.build_record``, as every entry point builds them),
spread over 200 sessions in corpus order; then replays it from the store through the bundled
policy (no change expected) and through a tighter one. Prints calls per second, and, as the
same-run ratio that means something on a loaded machine, replay time / the time to read the
rows alone. Asserts nothing. Run:
    uv run --frozen python bench/bench_replay.py [ROWS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "corpus"))

from corpus_helpers import DANGEROUS, EVERYDAY, HOME, PUBLIC, load

from superego_mcp.audit.record import build_record
from superego_mcp.audit.replay import judge, replay, store_rows
from superego_mcp.audit.store import Query, open_store
from superego_mcp.policy import compile_policy, load_policy

TIGHTER = """\
version: 1
extends: bundled
rules:
  - id: ask-git
    priority: 5
    action: ask
    reason: "Git needs a person here."
    conditions:
      shell: {program: git}
"""


def main() -> None:
    """Build the trail, replay it twice, print the figures."""
    rows_wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    policy = load_policy(None)
    cases = [c for path in (EVERYDAY, DANGEROUS, PUBLIC) for c in load(path)]
    # Calls judged in a temporary project of their own would not replay there: left out.
    cases = [c for c in cases if c.call.project is None]
    start = time.perf_counter()
    recorded = [
        (c.call, judge(policy, c.call, home=HOME)) for c in cases
    ]  # one live decision per distinct call
    t_distinct = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="superego-bench-replay-") as tmp:
        store = open_store(f"sqlite://{Path(tmp) / 'audit.db'}")
        t0 = 1_700_000_000.0
        batch = []
        for i in range(rows_wanted):
            call, decision = recorded[i % len(recorded)]
            call.session_id = f"session-{i % 200}"
            batch.append(
                build_record(
                    call,
                    decision,
                    entry="hook",
                    latency_ms=1.0,
                    policy_digest=policy.digest,
                    event="PreToolUse",
                    ts=t0 + i,
                )
            )
            if len(batch) == 5000:
                store.append_many(batch)
                batch = []
        store.append_many(batch)
        start = time.perf_counter()
        n_read = sum(1 for _ in store_rows(store, Query()))
        t_read = time.perf_counter() - start
        print(f"trail: {n_read} rows from {len(recorded)} distinct corpus calls")
        print(
            f"distinct calls judged live (no store): {len(recorded)} in {t_distinct:.2f} s "
            f"({len(recorded) / t_distinct:,.0f} calls/s)"
        )
        print(f"read the rows alone: {t_read:.2f} s ({n_read / t_read:,.0f} rows/s)")
        for name, p in (("same policy", policy), ("tighter policy", compile_policy(TIGHTER))):
            start = time.perf_counter()
            report = replay(p, store_rows(store, Query()), home=HOME)
            elapsed = time.perf_counter() - start
            print(
                f"replay, {name}: {report.total} rows in {elapsed:.2f} s "
                f"({report.total / elapsed:,.0f} calls/s; {report.distinct} distinct judged), "
                f"{len(report.changes)} changed; replay / read = {elapsed / t_read:.1f}x"
            )
        store.close()


if __name__ == "__main__":
    main()
