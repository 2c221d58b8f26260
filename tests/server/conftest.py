"""Shared servers for the server tests (session-scoped: started once, reused)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.server import READ_DENY_POLICY, Server, start_server


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """One shared server on the bundled policy, no token."""
    s = start_server()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def read_policy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One shared server on READ_DENY_POLICY (a file that no test changes)."""
    path = tmp_path_factory.mktemp("policy") / "rules.yaml"
    path.write_text(READ_DENY_POLICY)
    s = start_server("--rules", str(path))
    yield s
    s.stop()
