"""``superego-mcp audit tail | query | export | stats | prune``: the audit from a terminal.

Every command reads the store named by ``--audit`` (``SUPEREGO_AUDIT`` syntax), else the
settings (``--config`` / ``SUPEREGO_AUDIT`` / the default state path). Exit codes: 0 done,
2 bad arguments or a store that cannot be read (the message says which).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Iterator
from typing import Any, Final

from superego_mcp.audit.record import ENTRIES, to_public
from superego_mcp.audit.store import Query, Store, StoreError, open_store, parse_since
from superego_mcp.audit.target import TargetError

FOLLOW_POLL_S: Final = 0.5
CSV_FIELDS: Final = (
    "id",
    "time",
    "entry",
    "event",
    "agent_id",
    "session_id",
    "cwd",
    "tool",
    "decision",
    "rule",
    "reason",
    "input",
    "review",
    "policy_digest",
    "latency_ms",
    "node",
)


def add_filters(q: argparse.ArgumentParser, *, filters: bool = True) -> None:
    """``--audit`` and the row filters every command reading the store shares (``audit
    tail|query|export|stats``, ``replay``); :func:`query_of` reads them back."""
    q.add_argument("--audit", metavar="TARGET", help="sqlite:///path or postgresql://...")
    if filters:
        q.add_argument("--since", help="15m, 2h, 7d, an ISO time or epoch seconds")
        q.add_argument("--decision", choices=["allow", "deny", "ask", "review", "defer"])
        q.add_argument("--tool")
        q.add_argument("--rule")
        q.add_argument("--session")
        q.add_argument("--entry", choices=ENTRIES)
        q.add_argument("--text", help="substring of the input, reason or tool")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``audit`` subcommands and their options (called by ``cli.build_parser``)."""
    sub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)

    def common(q: argparse.ArgumentParser, filters: bool = True) -> None:
        q.add_argument("--config", metavar="FILE", help="settings file")
        add_filters(q, filters=filters)

    q = sub.add_parser("tail", help="the newest decisions; -f to follow")
    common(q)
    q.add_argument("-n", "--lines", type=int, default=20, help="how many (default 20)")
    q.add_argument("-f", "--follow", action="store_true", help="keep printing new ones")
    q.add_argument("--json", action="store_true", help="one JSON object per line")

    q = sub.add_parser("query", help="decisions matching filters, newest first")
    common(q)
    q.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    q.add_argument(
        "--reverse", action="store_true", help="oldest first (still the --limit newest rows)"
    )
    q.add_argument("--json", action="store_true", help="one JSON object per line")

    q = sub.add_parser("export", help="every matching decision, oldest first")
    common(q)
    q.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")

    q = sub.add_parser("stats", help="counts by decision, entry, tool and rule")
    common(q)
    q.add_argument(
        "--defer",
        action="store_true",
        help="the programs and tools that had no opinion in deferred calls, most frequent first",
    )
    q.add_argument("--top", type=int, default=20, help="with --defer: how many (default 20)")

    q = sub.add_parser("prune", help="apply retention now")
    common(q, filters=False)
    q.add_argument("--older-than", metavar="AGE", help="delete rows older than this (30d, 12h)")
    q.add_argument("--max-rows", type=int, metavar="N", help="keep only the newest N rows")


def _fail(message: str) -> int:
    print(f"superego-mcp audit: {message}", file=sys.stderr)
    return 2


def _settings(args: argparse.Namespace) -> Any:
    from superego_mcp.config import load_settings

    return load_settings(getattr(args, "config", None))


def query_of(args: argparse.Namespace, limit: int = 100) -> Query:
    """The :class:`Query` of the filters :func:`add_filters` added (``ValueError``: a bad
    ``--since``)."""
    since = parse_since(args.since) if getattr(args, "since", None) else None
    return Query(
        since=since,
        decision=args.decision,
        tool=args.tool,
        rule=args.rule,
        session=args.session,
        text=args.text,
        entry=args.entry,
        limit=limit,
    )


def run(args: argparse.Namespace) -> int:
    """Entry point of ``superego-mcp audit ACTION``."""
    from superego_mcp.config import ConfigError

    try:
        target = args.audit if args.audit else _settings(args).audit
        store = open_store(target)
    except (ConfigError, TargetError, StoreError) as exc:
        return _fail(str(exc))
    try:
        action = args.audit_command
        if action == "prune":
            return _prune(store, args)
        q = query_of(args, limit=args.lines if action == "tail" else getattr(args, "limit", 100))
        if action == "tail":
            return _tail(store, q, args)
        if action == "query":
            rows = store.query(q)  # newest first, as documented
            _print_rows(reversed(rows) if args.reverse else rows, args.json)
            return 0
        if action == "export":
            return _export(store, q, args.format)
        if args.defer:
            print(json.dumps(store.deferred(q, limit=max(1, args.top)), indent=2))
            return 0
        print(json.dumps(store.stats(q), indent=2, sort_keys=True))
        return 0
    except ValueError as exc:  # a bad --since
        return _fail(str(exc))
    except StoreError as exc:
        return _fail(str(exc))
    except BrokenPipeError:  # `audit export | head`
        return 0
    finally:
        store.close()


def _line(row: dict[str, Any]) -> str:
    public = to_public(row)
    summary = json.dumps(public["input"], ensure_ascii=False)
    if len(summary) > 100:
        summary = summary[:97] + "..."
    rule = row["rule"] or "-"
    return (
        f"{public['time']}  {row['decision']:<5}  {row['entry']:<9}  {row['tool']:<10}  "
        f"{rule}  {summary}"
    )


def _print_rows(rows: Iterator[dict[str, Any]] | Any, as_json: bool) -> None:
    for row in rows:
        print(json.dumps(to_public(row), ensure_ascii=False) if as_json else _line(row))
    sys.stdout.flush()


def _tail(store: Store, q: Query, args: argparse.Namespace) -> int:
    rows = store.query(q)
    _print_rows(reversed(rows), args.json)
    if not args.follow:
        return 0
    last = rows[0]["id"] if rows else store.last_id()
    try:
        while True:
            time.sleep(FOLLOW_POLL_S)
            fresh = store.after(last, 500, q)
            if fresh:
                last = fresh[-1]["id"]
                _print_rows(fresh, args.json)
    except KeyboardInterrupt:
        return 0


def _all(store: Store, q: Query) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        rows = store.after(last, 1000, q)
        yield from rows
        if len(rows) < 1000:
            return
        last = rows[-1]["id"]


def _export(store: Store, q: Query, fmt: str) -> int:
    out = sys.stdout
    if fmt == "jsonl":
        for row in _all(store, q):
            out.write(json.dumps(to_public(row), ensure_ascii=False) + "\n")
        out.flush()
        return 0
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in _all(store, q):
        public = to_public(row)
        for key in ("input", "review"):
            if public[key] is not None:
                public[key] = json.dumps(public[key], ensure_ascii=False)
        writer.writerow(public)
    out.flush()
    return 0


def _prune(store: Store, args: argparse.Namespace) -> int:
    age: float | None = None
    if args.older_than:
        age = time.time() - parse_since(args.older_than)
    rows = args.max_rows
    if age is None and rows is None:
        settings = _settings(args)
        if settings.audit_retention_days:
            age = settings.audit_retention_days * 86400
        rows = settings.audit_max_rows
    if age is None and rows is None:
        return _fail(
            "nothing to prune by: give --older-than and/or --max-rows, or set "
            "audit_retention_days / audit_max_rows"
        )
    n = store.prune(max_age_s=age, max_rows=rows)
    print(f"pruned {n} row{'s' if n != 1 else ''}")
    return 0
