"""A real server (token, SQLite audit, a policy file the tests may break) and a real browser:
Playwright driving Debian's chromium, never a downloaded one."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The server tests' helpers (real `superego-mcp serve` processes on 127.0.0.1).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

from dashboard_helpers import BUNDLED, TOKEN, Dashboard, chromium_path
from server_helpers import clean_env, start_server


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """One server for the dashboard tests: token, its own audit file, a policy copy."""
    base = tmp_path_factory.mktemp("dashboard")
    policy = base / "policy.yaml"
    policy.write_text(BUNDLED.read_text())
    env = clean_env(
        SUPEREGO_API_TOKEN=TOKEN,
        SUPEREGO_AUDIT=f"sqlite://{base / 'audit.db'}",
        SUPEREGO_RULES=str(policy),
    )
    server = start_server(env=env)
    yield Dashboard(server, policy)
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), headless=True)
        yield b
        b.close()
