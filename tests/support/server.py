"""Helpers for the server tests: real ``superego-mcp serve`` subprocesses on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

# Generous: on a loaded 2-core machine (parallel suites) an import-heavy start can take 30 s.
STARTUP_SECONDS = 60.0

# A policy in the real rules language that needs no shell analysis: Read is denied, Write
# asks, everything else is allowed. Reload tests rewrite it.
READ_DENY_POLICY = """\
version: 1
default: {action: allow, reason: nothing matched}
rules:
  - id: no-read
    action: deny
    reason: reading is off in this test
    conditions:
      tool: Read
  - id: ask-write
    action: ask
    reason: writes need a person
    conditions:
      tool: Write
"""


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without any SUPEREGO_* leaking in, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEREGO_")}
    env.update(extra)
    return env


class Server:
    """One ``superego-mcp serve`` process and its base URL."""

    def __init__(self, args: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"superego-server-{port}.log"
        self._log = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "superego_mcp", *args, "--port", str(port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}: {self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server not healthy in {STARTUP_SECONDS}s: {self.output()}")

    def output(self) -> str:
        self._log.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
        return self.proc.returncode


def start_server(*args: str, env: dict[str, str] | None = None) -> Server:
    """Start ``superego-mcp serve --transport http <args>`` and wait for /healthz."""
    server = Server(["serve", "--transport", "http", *args], env or clean_env(), free_port())
    try:
        server.wait_healthy()
    except BaseException:
        server.stop()
        raise
    return server
