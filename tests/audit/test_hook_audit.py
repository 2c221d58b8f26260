"""The command hook records its decisions (real hook processes, a real SQLite file): the
answer never depends on the audit, and many hooks plus a server writing one file at once
lose no row."""

from __future__ import annotations

import concurrent.futures
import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from audit_helpers import table_rows

from support.hook import SCRIPT, Result, bash, read, warm
from support.hook import run_hook as run_process
from support.server import clean_env, start_server


@pytest.fixture(scope="module")
def pycache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One .pyc prefix for the module's hook processes, filled by one warm-up call: a hook
    compiling pydantic from source on a loaded machine can miss its own 5 s deadline."""
    prefix = tmp_path_factory.mktemp("pycache")
    work = tmp_path_factory.mktemp("warm")
    env = clean_env(
        HOME=str(work),
        SUPEREGO_CACHE_DIR=str(work / "cache"),
        SUPEREGO_AUDIT="off",
        PYTHONPYCACHEPREFIX=str(prefix),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    run_hook(read("/tmp/x"), env, work)
    return prefix


@pytest.fixture
def env(tmp_path: Path, pycache: Path) -> dict[str, str]:
    """A hook environment of its own: HOME, cache, state directory, no SUPEREGO_*."""
    home = tmp_path / "home"
    home.mkdir()
    e = clean_env(
        HOME=str(home),
        SUPEREGO_CACHE_DIR=str(tmp_path / "cache"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHONPYCACHEPREFIX=str(pycache),
    )
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    return e


def run_hook(payload: dict[str, object], env: dict[str, str], cwd: Path) -> Result:
    return run_process(payload, env=env, cwd=cwd)


def test_the_hook_records_to_the_default_state_path(env: dict[str, str], tmp_path: Path) -> None:
    secret = "AKIA" + "ABCDEFGHIJKLMNOP"
    payload = bash(f"git status # {secret}", session_id="sess-9")
    warm(env, tmp_path, payload)
    proc = run_hook(payload, env, tmp_path)
    assert proc.code == 0, proc.stderr
    answer = json.loads(proc.stdout)["hookSpecificOutput"]
    db = tmp_path / "state" / "superego" / "audit.db"
    assert db.exists(), proc.stderr
    (stored,) = table_rows(db)
    assert stored["entry"] == "hook"
    assert stored["event"] == "PreToolUse"
    assert stored["session_id"] == "sess-9"
    assert stored["decision"] == answer["permissionDecision"]
    assert secret not in stored["input"]
    assert "[REDACTED]" in stored["input"]
    assert len(stored["policy_digest"]) == 64
    assert oct(db.stat().st_mode & 0o777) == "0o600"
    assert oct(db.parent.stat().st_mode & 0o777) == "0o700"
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_failing_audit_changes_nothing_in_the_answer(env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the audit directory should be")
    calls = [bash("rm -rf ~"), bash("git status"), read("/etc/hosts")]
    broken_env = {**env, "SUPEREGO_AUDIT": f"sqlite://{blocker}/audit.db"}
    warm({**env, "SUPEREGO_AUDIT": "off"}, tmp_path, calls[0])
    warm(broken_env, tmp_path, calls[0])
    off = [run_hook(c, {**env, "SUPEREGO_AUDIT": "off"}, tmp_path) for c in calls]
    broken = [run_hook(c, broken_env, tmp_path) for c in calls]
    for a, b in zip(off, broken, strict=True):
        assert (a.code, a.stdout) == (b.code, b.stdout)
        assert "audit write failed" in b.stderr
        assert "audit write failed" not in a.stderr
    assert not (tmp_path / "state").exists()  # off means off


def test_many_hooks_and_a_server_write_one_file_without_losing_a_row(
    env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "shared.db"
    target = f"sqlite://{db}"
    server = start_server(env=clean_env(SUPEREGO_AUDIT=target))
    try:
        hook_env = {**env, "SUPEREGO_AUDIT": target}
        warm(hook_env, tmp_path, bash("echo warm", session_id="conc"))
        hooks, rests = 16, 48

        def hook(i: int) -> bytes:
            proc = run_hook(bash(f"echo hook-{i}", session_id="conc"), hook_env, tmp_path)
            assert proc.code == 0, proc.stderr
            assert "audit write failed" not in proc.stderr
            return proc.stdout

        def rest(i: int) -> int:
            body = {
                "tool_name": "Bash",
                "tool_input": {"command": f"echo rest-{i}"},
                "cwd": "/tmp",
                "session_id": "conc",
            }
            return httpx.post(f"{server.url}/v1/evaluate", json=body, timeout=30).status_code

        # Hook processes and server requests interleaved, so that they write at once.
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            hook_jobs = [pool.submit(hook, i) for i in range(hooks)]
            rest_jobs = [pool.submit(rest, i) for i in range(rests)]
            answers = [j.result() for j in hook_jobs]
            rest_codes = [j.result() for j in rest_jobs]
    finally:
        server.stop()
    # A hook that missed its own 5 s deadline (a starved machine) answers without judging:
    # that is not the audit's doing, so say so rather than count a lost row.
    late = [a for a in answers if b"no decision within" in a]
    assert not late, f"{len(late)} hook calls timed out before judging (machine overloaded)"
    assert rest_codes == [200] * rests
    stored = [r for r in table_rows(db) if r["session_id"] == "conc"]
    commands = sorted(json.loads(r["input"])["command"] for r in stored)
    expected = sorted(
        [f"echo hook-{i}" for i in range(hooks)] + [f"echo rest-{i}" for i in range(rests)]
    )
    assert commands == expected
    assert {r["entry"] for r in stored} == {"hook", "rest"}
    assert len({r["node"] for r in stored if r["entry"] == "hook"}) == hooks  # real processes
    assert os.path.exists(db)


def test_a_lone_surrogate_in_the_input_still_leaves_its_row(
    env: dict[str, str], tmp_path: Path
) -> None:
    """JSON may carry "\\ud800", which no UTF-8 store takes: the row is stored with the
    escape, and reading it back gives exactly the input the hook judged."""
    db = tmp_path / "state" / "superego" / "audit.db"
    payload = bash("ls -la # \ud800 odd")
    warm(env, tmp_path, payload)
    proc = run_hook(payload, env, tmp_path)
    assert proc.code == 0, proc.stderr
    assert "audit write failed" not in proc.stderr
    (row,) = table_rows(db)
    assert json.loads(row["input"])["command"] == "ls -la # \ud800 odd"


def _answer_of(proc: subprocess.Popen[bytes]) -> tuple[bytes, float]:
    """What the hook wrote on stdout until its answer is complete JSON (or it closed
    stdout), and when that was (``time.monotonic()``). Blocks on the pipe, not on a clock."""
    assert proc.stdout is not None
    out = b""
    while chunk := os.read(proc.stdout.fileno(), 65536):
        out += chunk
        try:
            json.loads(out)
            break
        except ValueError:
            continue
    return out, time.monotonic()


def _acknowledged(out: bytes) -> bool:
    try:
        json.loads(out)["hookSpecificOutput"]["permissionDecision"]
    except (ValueError, KeyError, TypeError):
        return False
    return True


@pytest.mark.timeout(900)  # 200 hook processes on a loaded 2-core machine
def test_a_hook_killed_at_any_instant_loses_no_acknowledged_row(
    env: dict[str, str], tmp_path: Path
) -> None:
    """200 hooks, each SIGKILLed at a random instant of its run. Every one whose answer
    reached stdout (acknowledged) has its row once, after the next hooks recover the spool;
    none that did not answer is required to.

    The instants follow each hook's own progress, not a duration measured once (which a
    change of load makes wrong): every other hook is killed a random time after its answer
    was read (while it records), the others a random fraction of the way to the latest
    hook's answer (before the spool, or between the spool and the answer)."""
    import random
    import signal

    from superego_mcp.audit.hookwrite import recover

    db = tmp_path / "state" / "superego" / "audit.db"
    warm(env, tmp_path, bash("echo warm-0"))
    assert run_hook(bash("echo warm-0"), env, tmp_path).code == 0  # creates the store
    rng = random.Random(22)
    to_answer = 0.0  # how long the latest hook took to answer
    after_answer = 0.0  # how long the latest hook ran on after answering
    acknowledged: list[str] = []
    for i in range(-1, 200):
        marker = f"echo kill-{i}"
        assert SCRIPT is not None
        started = time.monotonic()
        proc = subprocess.Popen(
            [SCRIPT, "hook"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=tmp_path,
        )
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(bash(marker)).encode())
        proc.stdin.close()
        if i < 0:  # one hook run to its end: how long it answers and records
            out, answered = _answer_of(proc)
            proc.wait(timeout=120)
            to_answer, after_answer = answered - started, time.monotonic() - answered
            assert _acknowledged(out)
            acknowledged.append(marker)
            continue
        if i % 2:
            out, answered = _answer_of(proc)
            to_answer = answered - started
            time.sleep(rng.uniform(0, after_answer * 2))
            proc.send_signal(signal.SIGKILL)
        else:
            time.sleep(rng.uniform(0, to_answer))
            proc.send_signal(signal.SIGKILL)
            out, _ = _answer_of(proc)
        proc.wait(timeout=120)
        if _acknowledged(out):  # else killed before answering: nothing was acknowledged
            acknowledged.append(marker)
    # The next hook recovers what the killed ones left (a few files per call) ...
    assert run_hook(bash("echo after"), env, tmp_path).code == 0
    while recover("sqlite", str(db)):  # ... and the calls after it the rest
        pass
    stored = [json.loads(r["input"])["command"] for r in table_rows(db)]
    lost = [m for m in acknowledged if m not in stored]
    twice = [m for m in acknowledged if stored.count(m) > 1]
    assert len(acknowledged) > 100, "every hook killed after its answer had answered"
    assert len(acknowledged) < 201, "no kill came before the answer: the spool was not tested"
    assert lost == []
    assert twice == []
    assert not list((db.parent / "spool").glob("*.json"))
