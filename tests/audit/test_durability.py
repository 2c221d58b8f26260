"""Acknowledged means stored: SIGKILL a server under load and find every decision it had
returned; two replicas on one PostgreSQL show up in one `audit query` and one stream."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import httpx

from support.server import clean_env, start_server

CLIENTS = 6
MAX_PER_CLIENT = 300


def _export(target: str, *args: str) -> list[dict[str, object]]:
    proc = subprocess.run(
        [sys.executable, "-m", "superego_mcp", "audit", "export", "--audit", target, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean_env(),
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_every_acknowledged_decision_survives_sigkill(target: str) -> None:
    server = start_server(env=clean_env(SUPEREGO_AUDIT=target))
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        with httpx.Client(timeout=10) as http:
            for i in range(MAX_PER_CLIENT):
                if stop.is_set():
                    return
                command = f"echo ack-{n}-{i}"
                body = {"tool_name": "Bash", "tool_input": {"command": command}, "cwd": "/tmp"}
                try:
                    r = http.post(f"{server.url}/v1/evaluate", json=body)
                except httpx.TransportError:
                    return  # killed mid-request: not acknowledged
                if r.status_code == 200:
                    with lock:
                        acknowledged.append(command)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.proc.kill()  # SIGKILL: no shutdown, no flush, mid-load
    server.proc.wait(10)
    stop.set()
    for t in threads:
        t.join(30)
    server.stop()
    assert len(acknowledged) >= 150, server.output()

    # A new server starts on the same store (migrations already applied) ...
    again = start_server(env=clean_env(SUPEREGO_AUDIT=target))
    again.stop()
    # ... and every acknowledged decision is there.
    stored = {row["input"]["command"] for row in _export(target, "--text", "ack-")}  # type: ignore[index]
    missing = sorted(set(acknowledged) - stored)
    assert missing == [], f"{len(missing)} acknowledged rows lost, e.g. {missing[:5]}"


def test_two_replicas_on_one_postgresql(pg_dsn: str) -> None:
    env = clean_env(SUPEREGO_AUDIT=pg_dsn)
    a = start_server(env=env)
    b = start_server(env=env)
    try:
        url = f"{a.url}/v1/decisions/stream"
        with (
            httpx.Client(timeout=20) as http,
            http.stream("GET", url, params={"session": "replicas"}) as stream,
        ):
            lines = stream.iter_lines()
            assert next(lines).startswith(":")
            for i, server in enumerate((a, b, a, b)):
                body = {
                    "tool_name": "Bash",
                    "tool_input": {"command": f"echo replica-{i}"},
                    "cwd": "/tmp",
                    "session_id": "replicas",
                }
                assert http.post(f"{server.url}/v1/evaluate", json=body).status_code == 200
            # Replica A's stream shows replica B's decisions too (it follows the store).
            streamed = []
            for line in lines:
                if line.startswith("data: "):
                    streamed.append(json.loads(line[6:])["input"]["command"])
                    if len(streamed) == 4:
                        break
        assert sorted(streamed) == [f"echo replica-{i}" for i in range(4)]
    finally:
        a.stop()
        b.stop()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "superego_mcp",
            "audit",
            "query",
            "--audit",
            pg_dsn,
            "--session",
            "replicas",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_env(),
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 4
    pids = {str(a.proc.pid), str(b.proc.pid)}
    assert {r["node"].rsplit(":", 1)[1] for r in rows} == pids  # both replicas wrote
