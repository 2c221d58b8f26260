"""Shared by the dashboard tests: the token, Debian's chromium, the server under test."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from support.server import Server
from system_parts import require

TOKEN = "dashboard-test-token-4f1c9a"
BUNDLED = Path(__file__).resolve().parents[2] / "src/superego_mcp/data/default_policy.yaml"
SHOTS = (
    Path(os.environ.get("SUPEREGO_SCREENSHOTS", ""))
    if os.environ.get("SUPEREGO_SCREENSHOTS")
    else None
)


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


def shot(page: Any, name: str, tmp_path: Path, *, full_page: bool = False) -> Path:
    """Every test leaves a screenshot (in SUPEREGO_SCREENSHOTS when set, else tmp)."""
    target = (SHOTS or tmp_path) / f"dashboard-{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=full_page)
    assert target.stat().st_size > 1000
    return target


def signed_in(browser: Any, url: str, *, width: int = 1280, height: int = 800) -> Any:
    """A fresh browser context signed in to the dashboard at ``url`` through the form; its
    page (``page.context`` to close it), with the Live view connected."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{url}/dashboard")
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_selector("#conn:text('live')")
    return page
