"""``serve --reload`` driven for real: start it, change a source file's mtime, wait for the
new worker to answer. Shared by tests/server/test_dev_reload.py and bench/bench_reload.py."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

import superego_mcp.server.devreload as devreload

# A file under the watched package directory: touching it changes nothing but its mtime.
TOUCHED = Path(devreload.__file__)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workers(log: Path) -> list[str]:
    return re.findall(r"Started server process \[(\d+)\]", log.read_text(errors="replace"))


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def reload_seconds(home: Path, timeout: float = 120) -> tuple[float, list[str]]:
    """Seconds from touching a source file to the new worker answering /healthz, and the
    worker pids seen (two: the first and its replacement)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = home / "reload.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEREGO_")}
    env["HOME"] = str(home)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "superego_mcp", "serve", "--reload", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the reloader and its worker stop together
        )
    try:
        deadline = time.monotonic() + timeout
        while not (_workers(log) and _healthy(url)):
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.1)
        os.utime(TOUCHED)
        started = time.monotonic()
        while not (len(_workers(log)) >= 2 and _healthy(url)):
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < started + timeout, log.read_text(errors="replace")
            time.sleep(0.05)
        return time.monotonic() - started, _workers(log)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
