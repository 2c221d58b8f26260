"""Server speed: POST /v1/hooks/claude-code on loopback, with the bundled policy.

Prints: cold start to healthy, median and p99 latency at one connection, requests/s at 32
connections (and errors), and the server's resident memory after the load; then the same
latency and throughput with the audit off, and the rows the audit store holds (every
answered request is one committed row: the default SQLite audit, in a temporary file). The load is a
realistic mix: alternately a Bash call and a Read call, as Claude Code sends them.

The 32-connection load uses ``wrk`` when it is installed (``apt-get install -y wrk``); it is
written in C and leaves the CPU to the server. Without it a Python asyncio client runs
instead, which competes with the server for the same 2 cores and so reports less.

    uv run --frozen python bench/bench_server.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

PATH = "/v1/hooks/claude-code"
BODIES = [
    json.dumps(
        {
            "session_id": "bench",
            "transcript_path": "/tmp/bench.jsonl",
            "cwd": "/home/user/project",
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": "git status && ls -la src | grep py", "timeout": 120},
        }
    ).encode(),
    json.dumps(
        {
            "session_id": "bench",
            "transcript_path": "/tmp/bench.jsonl",
            "cwd": "/home/user/project",
            "hook_event_name": "PreToolUse",
            "tool_name": "Read",
            "tool_input": {"file_path": "/home/user/project/src/app.py"},
        }
    ).encode(),
]

WRK_SCRIPT = """
local bodies = {%s}
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "%s", {["Content-Type"] = "application/json"}, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("REQS %%d\\nNON2XX %%d\\n", summary.requests, summary.errors.status))
  io.write(string.format("SOCKERR %%d\\n", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(port: int, audit: str) -> tuple[subprocess.Popen[bytes], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEREGO_")}
    env["SUPEREGO_LOG_LEVEL"] = "warning"
    env["SUPEREGO_AUDIT"] = audit
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "superego_mcp", "serve", "--transport", "http", "--port", str(port)],
        env=env,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return proc, time.perf_counter() - t0
        except OSError:
            if proc.poll() is not None or time.perf_counter() - t0 > 30:
                raise SystemExit("server did not become healthy") from None
            time.sleep(0.01)


def one_connection(port: int, n: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    headers = {"Content-Type": "application/json"}
    for i in range(n):
        body = BODIES[i % 2]
        t0 = time.perf_counter()
        conn.request("POST", PATH, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        times.append(time.perf_counter() - t0)
        if resp.status != 200 or b"permissionDecision" not in data:
            raise SystemExit(f"bad answer: {resp.status} {data[:200]!r}")
    conn.close()
    return times


def load_wrk(port: int, seconds: float, conns: int) -> tuple[float, int]:
    bodies = ", ".join(json.dumps(b.decode()) for b in BODIES)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % (bodies, PATH))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "1",
                "-c",
                str(conns),
                "-d",
                f"{int(seconds)}s",
                "-s",
                f.name,
                f"http://127.0.0.1:{port}{PATH}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        ).stdout
    finally:
        Path(f.name).unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(re.search(rf"{k} (\d+)", out).group(1)) for k in ("NON2XX", "SOCKERR"))  # type: ignore[union-attr]
    return rps, errors


def load_wrk_path(port: int, path: str, seconds: int = 3) -> float:
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", "32", "-d", f"{seconds}s", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


async def _worker(port: int, deadline: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    while time.perf_counter() < deadline:
        body = BODIES[i % 2]
        i += 1
        writer.write(
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
        await reader.readexactly(length)
        counts[0 if head.startswith(b"HTTP/1.1 200") else 1] += 1
    writer.close()


def load_python(port: int, seconds: float, conns: int) -> tuple[float, int]:
    counts = [0, 0]

    async def run() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_worker(port, deadline, counts) for _ in range(conns)))

    t0 = time.perf_counter()
    asyncio.run(run())
    return counts[0] / (time.perf_counter() - t0), counts[1]


def evaluation_us(n: int = 500) -> float:
    """In-process cost of one hook answer (parse + policy + render) for the same mix: the
    share of each request that is the policy engine's, not the server's (no audit write)."""
    from superego_mcp.hook import adapter
    from superego_mcp.server.reload import PolicyHolder

    holder = PolicyHolder(None)

    def answer(body: bytes) -> bytes:
        request = adapter.parse_hook_input(adapter.decode_hook_input(body))
        assert request.call is not None
        decision = holder.decide(request.call)
        return adapter.dump(adapter.render_decision(request.event, decision, request.call))

    for body in BODIES * 50:
        answer(body)
    t0 = time.perf_counter()
    for _ in range(n):
        for body in BODIES:
            answer(body)
    return (time.perf_counter() - t0) / (n * len(BODIES)) * 1e6


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="length of the 32-conn load")
    ap.add_argument("--requests", type=int, default=3000, help="requests at one connection")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-server-")
    db = str(Path(tmp, "audit.db"))
    tool = "wrk" if shutil.which("wrk") else "python asyncio client (wrk not installed)"
    load = load_wrk if shutil.which("wrk") else load_python
    port = free_port()
    proc, cold = start(port, f"sqlite://{db}")
    try:
        one_connection(port, 300)  # warm-up: imports, caches, tree-sitter
        times = sorted(one_connection(port, args.requests))
        median = statistics.median(times) * 1000
        p99 = times[int(len(times) * 0.99)] * 1000
        rps, errors = load(port, args.seconds, 32)
        rss = rss_mib(proc.pid)
        floor = load_wrk_path(port, "/healthz") if shutil.which("wrk") else float("nan")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    rows = _rows(db)
    off_median, off_rps, on_rps, off_errors = _audit_ab(tmp, load, args)
    shutil.rmtree(tmp, ignore_errors=True)
    print("audit: SQLite (the default), every decision committed before it is answered")
    print(f"cold start to healthy:        {cold * 1000:8.0f} ms")
    print(f"1 connection, median latency: {median:8.2f} ms   (p99 {p99:.2f} ms, target <= 2)")
    print(
        f"32 connections, throughput:   {rps:8.0f} req/s (errors {errors}, target >= 1500; "
        f"load: {tool})"
    )
    print(f"resident memory after load:   {rss:8.1f} MiB")
    eval_us = evaluation_us()
    per_req = 1e6 / rps
    print(
        f"per request at 32 connections: {per_req:7.0f} us, of which policy evaluation "
        f"(in-process, same mix) {eval_us:.0f} us = {eval_us / per_req:.0%}"
    )
    print(f"GET /healthz at 32 connections: {floor:7.0f} req/s (the server's own ceiling)")
    print(f"audit rows committed:          {rows:7d}")
    print("audit on vs off: two servers side by side, measured in alternating rounds")
    added = median - off_median
    print(f"1 connection, audit off:      {off_median:8.2f} ms   (audit adds {added:+.2f} ms)")
    print(
        f"32 connections, audit off:    {off_rps:8.0f} req/s (errors {off_errors}); audit on "
        f"{on_rps:.0f} req/s = {on_rps / off_rps:.0%} of it"
    )


def _audit_ab(
    tmp: str, load: Any, args: argparse.Namespace, rounds: int = 3
) -> tuple[float, float, float, int]:
    """Audit off against audit on (SQLite), both servers running, in alternating rounds so
    that load from elsewhere hits both alike: (off 1-conn median ms, off req/s, on req/s,
    off errors)."""
    servers = {}
    for mode in ("off", "on"):
        port = free_port()
        audit = "off" if mode == "off" else f"sqlite://{Path(tmp, 'ab.db')}"
        servers[mode] = (port, start(port, audit)[0])
    try:
        rps: dict[str, list[float]] = {"off": [], "on": []}
        off_times: list[float] = []
        errors = 0
        for port, _ in servers.values():
            one_connection(port, 300)
        for _ in range(rounds):
            for mode, (port, _) in servers.items():
                if mode == "off":
                    off_times += one_connection(port, args.requests // rounds)
                r, e = load(port, max(args.seconds / rounds, 2), 32)
                rps[mode].append(r)
                errors += e if mode == "off" else 0
    finally:
        for _, proc in servers.values():
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
    return (
        statistics.median(off_times) * 1000,
        statistics.median(rps["off"]),
        statistics.median(rps["on"]),
        errors,
    )


def _rows(db: str) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM decisions").fetchone()[0])
    finally:
        conn.close()


if __name__ == "__main__":
    main()
