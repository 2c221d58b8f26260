"""Shared by the dashboard tests: the token, Debian's chromium, the server under test."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

# The server tests' helpers (real `superego-mcp serve` processes on 127.0.0.1).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

from server_helpers import Server

TOKEN = "dashboard-test-token-4f1c9a"
BUNDLED = Path(__file__).resolve().parents[2] / "src/superego_mcp/data/default_policy.yaml"


def chromium_path() -> str:
    """Debian's chromium binary (the /usr/bin/chromium wrapper is a shell script)."""
    for candidate in ("/usr/lib/chromium/chromium", shutil.which("chromium") or ""):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("chromium is not installed: `apt-get install chromium` (.ci/run does this)")


class Dashboard:
    """The server under test and the policy file it watches."""

    def __init__(self, server: Server, policy: Path) -> None:
        self.server = server
        self.url = server.url
        self.policy = policy
        self.good_policy = policy.read_text()
