"""The SQLite audit's WAL file under saturation: how big it grows, and what is left when idle.

A real ``superego-mcp serve`` with a real SQLite audit file is saturated by ``wrk`` (32
connections, the corpora's calls round-robin, as ``bench_server.py`` sends them) while a live
stream subscriber reads every row (``/v1/decisions/stream``, as an open dashboard does). The
``-wal`` file's size is sampled every 0.2 s during the load and after it (the idle checkpoint);
then every answered request must have its row. With ``--baseline-src DIR`` the code in ``DIR``
is measured the same way, one server after the other, in the same run.

    python3 scripts/uv.py run python bench/bench_wal.py [--seconds 35] [--baseline-src DIR]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_server import (
    HERE,
    PATH,
    Server,
    audit_rows,
    check_answers,
    corpus_bodies,
    parse_wrk,
    write_mix,
)


def wal_bytes(db: str) -> int:
    """The size of ``db``'s WAL file (0 when there is none)."""
    wal = Path(db + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def read_stream(
    port: int, seen: list[int], stop: threading.Event, conns: list[http.client.HTTPConnection]
) -> None:
    """Follow the SSE stream, counting the decision events and the times the server dropped
    this reader as too slow (it subscribes again): a reader of the database all along."""
    while not stop.is_set():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conns.append(conn)
        # Only denials reach the client (fewer bytes); the server's tailer reads every row.
        conn.request("GET", "/v1/decisions/stream?decision=deny")
        resp = conn.getresponse()
        while not stop.is_set():
            try:
                line = resp.readline()
            except OSError:  # closed by measure() at the end
                break
            if not line:
                break
            if line.startswith(b"event: decision"):
                seen[0] += 1
            elif line.startswith(b"event: dropped"):
                seen[1] += 1
                break
        conn.close()


def measure(name: str, src: str | None, env: dict[str, str], args: argparse.Namespace) -> None:
    """Saturate one server and print its WAL figures."""
    tmp = tempfile.mkdtemp(prefix="bench-wal-")
    bodies = corpus_bodies()
    script = write_mix(tmp, bodies)
    db = str(Path(tmp, "audit.db"))
    env = {**env, "SUPEREGO_AUDIT": f"sqlite://{db}", "XDG_STATE_HOME": str(Path(tmp, "state"))}
    if src:
        env["PYTHONPATH"] = src
    serve = [sys.executable, "-m", "superego_mcp", "serve", "--transport", "http"]
    server = Server(name, serve, env, db)
    samples: list[int] = []
    try:
        server.wait_healthy()
        check_answers(server, bodies)
        before = audit_rows(db)
        seen, stop = [0, 0], threading.Event()
        conns: list[http.client.HTTPConnection] = []
        reader = threading.Thread(
            target=read_stream, args=(server.port, seen, stop, conns), daemon=True
        )
        if not args.no_reader:
            reader.start()
        load = subprocess.Popen(
            [
                "wrk",
                "-t1",
                "-c32",
                f"-d{args.seconds}s",
                "-s",
                script,
                f"http://127.0.0.1:{server.port}{PATH}",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        while load.poll() is None:
            samples.append(wal_bytes(db))
            time.sleep(0.2)
        out = load.communicate()[0]
        rps, answered, errors, _ = parse_wrk(out)
        time.sleep(args.idle)
        idle = wal_bytes(db)
        stop.set()
        for conn in conns:  # the reader's stream ends before the server stops
            if conn.sock is not None:
                conn.sock.shutdown(socket.SHUT_RDWR)
        reader.join(5)
    finally:
        server.stop()
    rows = audit_rows(db) - before
    shutil.rmtree(tmp, ignore_errors=True)
    mib = 1 << 20
    print(
        f"{name:<12} {rps:>7.0f} req/s, {errors} errors; WAL peak {max(samples) / mib:7.1f} MiB, "
        f"at the end of the load {samples[-1] / mib:6.1f} MiB, {args.idle:g} s idle after "
        f"{idle / mib:6.1f} MiB; {rows} rows for {answered} answered "
        f"({'every one' if rows >= answered else 'MISSING ROWS'}); the stream reader got "
        f"{seen[0]} denials, was dropped {seen[1]} times"
    )


def main() -> int:
    """Measure this code (and ``--baseline-src``), one server at a time."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=35, help="wrk load (default 35)")
    ap.add_argument("--idle", type=float, default=3.0, help="seconds idle after the load")
    ap.add_argument("--baseline-src", metavar="DIR", help="also run the code in DIR (src/)")
    ap.add_argument("--no-reader", action="store_true", help="no stream subscriber")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SUPEREGO_")}
    env.update(
        HOME="/home/user",
        SUPEREGO_LOG_LEVEL="warning",
        SUPEREGO_CACHE_DIR=tempfile.mkdtemp(prefix="bench-wal-cache-"),
        XDG_CONFIG_HOME=tempfile.mkdtemp(prefix="bench-wal-config-"),
    )
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {HERE.name}/bench_wal.py, "
        f"{args.seconds} s of wrk at 32 connections"
        f"{'' if args.no_reader else ', one stream subscriber'}"
    )
    measure("this", None, env, args)
    if args.baseline_src:
        measure("baseline", str(Path(args.baseline_src).resolve()), env, args)
    shutil.rmtree(env["SUPEREGO_CACHE_DIR"], ignore_errors=True)
    shutil.rmtree(env["XDG_CONFIG_HOME"], ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
