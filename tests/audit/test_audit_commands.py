"""`superego-mcp audit tail | query | export | stats | prune` as a person runs them."""

from __future__ import annotations

import csv
import io
import json
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest
from audit_helpers import row

from superego_mcp.audit.store import open_store
from support.server import clean_env


def audit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "superego_mcp", "audit", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env or clean_env(),
    )


def _seed(target: str) -> None:
    store = open_store(target)
    now = time.time()
    store.append_many(
        [
            row("ls", decision="allow", rule="read-only", ts=now - 3 * 86400),
            row("rm -rf ~", decision="deny", rule="no-rm", session="s2", entry="hook"),
            row("curl x | sh", decision="ask", rule=None),
        ]
    )
    store.close()


def test_query_export_stats_and_prune(tmp_path: Path) -> None:
    target = f"sqlite://{tmp_path / 'a.db'}"
    _seed(target)
    out = audit("query", "--audit", target, "--decision", "deny")
    assert out.returncode == 0, out.stderr
    assert "deny" in out.stdout
    assert "no-rm" in out.stdout
    assert "curl" not in out.stdout

    rows = [json.loads(x) for x in audit("export", "--audit", target).stdout.splitlines()]
    assert [r["input"]["command"] for r in rows] == ["ls", "rm -rf ~", "curl x | sh"]
    for r in rows:
        assert {"time", "tool", "decision", "rule", "entry", "session_id", "input"} <= set(r)
    assert rows[1]["entry"] == "hook"

    text = audit("export", "--audit", target, "--format", "csv", "--since", "1d").stdout
    table = list(csv.DictReader(io.StringIO(text)))
    assert [json.loads(t["input"])["command"] for t in table] == ["rm -rf ~", "curl x | sh"]

    stats = json.loads(audit("stats", "--audit", target).stdout)
    assert stats["total"] == 3
    assert stats["by_decision"] == {"allow": 1, "ask": 1, "deny": 1}

    pruned = audit("prune", "--audit", target, "--older-than", "2d")
    assert pruned.stdout.strip() == "pruned 1 row"
    assert json.loads(audit("stats", "--audit", target).stdout)["total"] == 2
    nothing = audit("prune", "--audit", target)
    assert nothing.returncode == 2
    assert "nothing to prune by" in nothing.stderr
    with_settings = audit("prune", "--audit", target, env=clean_env(SUPEREGO_AUDIT_MAX_ROWS="1"))
    assert with_settings.stdout.strip() == "pruned 1 row"


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    bad = audit("query", "--audit", "sqlite://relative.db")
    assert bad.returncode == 2
    assert "absolute path" in bad.stderr
    since = audit("query", "--audit", f"sqlite://{tmp_path / 'a.db'}", "--since", "soon")
    assert since.returncode == 2
    assert "since='soon'" in since.stderr
    env = clean_env(SUPEREGO_AUDIT="off")
    off = audit("stats", env=env)
    assert off.returncode == 2
    assert "audit is off" in off.stderr


# `superego-mcp audit tail -f` as a person runs it, Ctrl-C included. A test run started in
# the background (`pytest &` in a non-interactive shell, some CI runners) ignores SIGINT and
# its children inherit that, so Python would never raise KeyboardInterrupt: the child turns
# it back on first, as a terminal would have it.
TAIL = (
    "import signal, sys\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "from superego_mcp.cli import main\n"
    "main(sys.argv[1:])"
)


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


@pytest.mark.timeout(300)
def test_tail_follows_new_rows(tmp_path: Path) -> None:
    target = f"sqlite://{tmp_path / 'a.db'}"
    _seed(target)
    argv = ["audit", "tail", "-n", "1", "-f", "--audit", target, "--json"]
    proc = subprocess.Popen(
        [sys.executable, "-c", TAIL, *argv], stdout=subprocess.PIPE, text=True, env=clean_env()
    )
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True)
    reader.start()
    try:
        # Generous deadlines, never a hang: a loaded machine may take many seconds to start.
        first = json.loads(lines.get(timeout=90))
        assert first["input"]["command"] == "curl x | sh"
        store = open_store(target)
        store.append_many([row("echo followed")])
        store.close()
        followed = json.loads(lines.get(timeout=60))
        assert followed["input"]["command"] == "echo followed"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0  # Ctrl-C ends the follow cleanly
    finally:
        if proc.poll() is None:  # never leave an `audit tail -f` behind
            proc.kill()
            proc.wait(30)
        reader.join(10)


def test_the_server_applies_retention_at_start(tmp_path: Path) -> None:
    from support.server import start_server

    target = f"sqlite://{tmp_path / 'a.db'}"
    store = open_store(target)
    now = time.time()
    store.append_many([row(f"echo {i}", ts=now - 86400 * (9 - i)) for i in range(10)])
    store.close()
    env = clean_env(
        SUPEREGO_AUDIT=target, SUPEREGO_AUDIT_RETENTION_DAYS="5.5", SUPEREGO_AUDIT_MAX_ROWS="4"
    )
    server = start_server(env=env)
    try:
        deadline = time.monotonic() + 30
        while json.loads(audit("stats", "--audit", target).stdout)["total"] != 4:
            assert time.monotonic() < deadline, "retention did not run"
            time.sleep(0.3)
    finally:
        server.stop()
    left = [
        json.loads(x)["input"]["command"]
        for x in audit("export", "--audit", target).stdout.splitlines()
    ]
    assert left == ["echo 6", "echo 7", "echo 8", "echo 9"]


def test_stats_defer_names_where_the_policy_is_silent(tmp_path: Path) -> None:
    # The bundled policy decides; each row is built as every entry point builds it; the
    # CLI reads the file back in a process of its own.
    from superego_mcp.audit.record import build_record
    from superego_mcp.model import ToolCall
    from superego_mcp.policy import load_policy

    policy = load_policy(None)
    target = f"sqlite://{tmp_path / 'a.db'}"
    calls = [
        ToolCall("Bash", {"command": "frobnicate --fast"}, "/work"),
        ToolCall("Bash", {"command": "frobnicate --slow && docker run --gpus all alpine"}, "/work"),
        ToolCall("Bash", {"command": "docker run --gpus all -it alpine sh"}, "/work"),
        ToolCall("mcp__notes__annotate", {"text": "x"}, "/work"),
        ToolCall("Bash", {"command": "ls"}, "/work"),
    ]
    store = open_store(target)
    decisions = [policy.evaluate(c, home=str(tmp_path)) for c in calls]
    assert [d.action for d in decisions] == ["defer"] * 4 + ["allow"]
    assert decisions[1].reason.endswith("No rule has an opinion on `frobnicate`, `docker run`.")
    store.append_many(
        [
            build_record(c, d, entry="hook", latency_ms=1.0, policy_digest="d")
            for c, d in zip(calls, decisions, strict=True)
        ]
    )
    store.close()
    out = audit("stats", "--audit", target, "--defer")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["deferred"] == 4
    assert got["top_deferred"] == {"docker run": 2, "frobnicate": 2, "mcp__notes__annotate": 1}
    assert list(got["top_deferred"])[:2] == ["docker run", "frobnicate"]
    top1 = json.loads(audit("stats", "--audit", target, "--defer", "--top", "1").stdout)
    assert top1["top_deferred"] == {"docker run": 2}
    only_mcp = audit("stats", "--audit", target, "--defer", "--tool", "mcp__notes__annotate")
    assert json.loads(only_mcp.stdout) == {
        "deferred": 1,
        "top_deferred": {"mcp__notes__annotate": 1},
    }


def test_query_is_newest_first_as_documented_and_reverse_is_oldest_first(tmp_path: Path) -> None:
    target = f"sqlite://{tmp_path / 'a.db'}"
    store = open_store(target)
    now = time.time()
    store.append_many([row(f"echo {i}", ts=now - 100 + i) for i in range(5)])
    store.close()

    def commands(*extra: str) -> list[str]:
        out = audit("query", "--audit", target, "--json", *extra)
        assert out.returncode == 0, out.stderr
        return [json.loads(x)["input"]["command"] for x in out.stdout.splitlines()]

    assert commands() == ["echo 4", "echo 3", "echo 2", "echo 1", "echo 0"]
    assert commands("--limit", "2") == ["echo 4", "echo 3"]
    assert commands("--reverse") == ["echo 0", "echo 1", "echo 2", "echo 3", "echo 4"]
    assert commands("--reverse", "--limit", "2") == ["echo 3", "echo 4"]
