"""Fixtures for the reviewer tests: the fake vendor, the vendors' variables, the bundled policy."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from reviewer_helpers import FakeVendor, vendor_env


@pytest.fixture(scope="module")
def vendor() -> Iterator[FakeVendor]:
    """One fake vendor per test module (each test scripts its replies)."""
    fake = FakeVendor()
    yield fake
    fake.close()


@pytest.fixture
def fake(vendor: FakeVendor, monkeypatch: pytest.MonkeyPatch) -> FakeVendor:
    """The fake vendor, reset, with the vendors' variables pointing at it in this process."""
    vendor.script()
    for k in list(os.environ):
        if k.upper().startswith(("SUPEREGO_", "ANTHROPIC_", "OPENAI_")):
            monkeypatch.delenv(k)
    for k, v in vendor_env(vendor).items():
        monkeypatch.setenv(k, v)
    return vendor
