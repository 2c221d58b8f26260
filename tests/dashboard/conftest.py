"""Fixtures every dashboard test module shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dashboard_helpers import chromium_path


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless chromium (Debian's) for one module's tests. Module-scoped, never
    session-wide: Playwright's sync API keeps an event loop running in the main thread while
    it is open, which would break every later test that runs asyncio (the MCP client tests)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), headless=True)
        yield b
        b.close()
