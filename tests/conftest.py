"""Shared test fixtures. First of all, the isolation from the user's own Superego set-up
(tests/hermetic.py): before anything imports Superego."""

from __future__ import annotations

import pytest

import hermetic

assert hermetic.TEST_HOME.is_dir()

TYPE_CHECKING = False
if TYPE_CHECKING:
    from superego_mcp.policy.engine import Policy


@pytest.fixture(scope="session")
def bundled() -> Policy:
    """The bundled policy, compiled once for the whole session (tests only read it)."""
    from superego_mcp.policy import load_policy

    return load_policy(None)
