"""Shared by the dashboard tests: the token, Debian's chromium, the server under test."""

from __future__ import annotations

from pathlib import Path

from support.server import Server
from system_parts import require

TOKEN = "dashboard-test-token-4f1c9a"
BUNDLED = Path(__file__).resolve().parents[2] / "src/superego_mcp/data/default_policy.yaml"


def chromium_path() -> str:
    """Debian's chromium binary; skips the test (one line naming the install) without it."""
    return require("chromium")


class Dashboard:
    """The server under test and the policy file it watches."""

    def __init__(self, server: Server, policy: Path) -> None:
        self.server = server
        self.url = server.url
        self.policy = policy
        self.good_policy = policy.read_text()
