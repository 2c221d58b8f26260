"""A hook input that makes several calls (a patch over several files), sent to the server's
HTTP hook route: one answer, the most restrictive, and one audit row about the call that
decided it, recorded through the same path as every other server decision."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from superego_mcp.audit.store import Query, open_store
from support.server import Server, clean_env, start_server

FIXTURE = Path(__file__).parent.parent / "hook" / "agent_fixtures"
# Writes allowed, edits denied: the fixture's patch adds notes.txt and edits /etc/hosts.
POLICY = """\
version: 1
default: {action: allow, reason: nothing matched}
rules:
  - id: no-edit
    action: deny
    reason: editing is off in this test
    conditions:
      tool: Edit
"""


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    base = tmp_path_factory.mktemp("patch")
    rules = base / "rules.yaml"
    rules.write_text(POLICY)
    target = f"sqlite://{base / 'audit.db'}"
    server = start_server("--rules", str(rules), env=clean_env(SUPEREGO_AUDIT=target))
    yield server, target
    server.stop()


def test_a_patch_is_answered_and_recorded_once(audited: tuple[Server, str]) -> None:
    server, target = audited
    raw = (FIXTURE / "codex_pre_tool_use_apply_patch.json").read_bytes()
    r = httpx.post(f"{server.url}/v1/hooks/codex", content=raw, timeout=30)
    assert r.status_code == 200
    out = r.json()["hookSpecificOutput"]
    assert out["permissionDecision"] == "deny"
    assert "editing is off" in out["permissionDecisionReason"]
    store = open_store(target)
    try:
        rows = store.query(Query(entry="http-hook"))
    finally:
        store.close()
    assert len(rows) == 1, rows
    [row] = rows
    assert (row["decision"], row["rule"], row["tool"]) == ("deny", "no-edit", "Edit")
    assert "/etc/hosts" in str(row["input"])
