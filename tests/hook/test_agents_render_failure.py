"""Every agent's fail-closed answer (``render_failure``), for every fail mode it may be
handed (a valid one, or anything else) and every event it judges: the agent blocks or asks,
never goes ahead and never falls back to its own permission flow, and the model reads what
went wrong."""

from __future__ import annotations

import json

import pytest
from agent_helpers import reason, verdict

from superego_mcp.hook.agents import AGENTS, adapter_for

MODES = ["ask", "deny", "allow", "defer", "", "bogus"]
PROBLEM = "hook input is empty"


def _events(agent: str) -> list[str | None]:
    module = adapter_for(agent)
    named: list[object] = [getattr(module, n, None) for n in ("EVENT", "PRE_TOOL_USE")]
    named += list(getattr(module, "JUDGED_EVENTS", ()))
    return [None, *dict.fromkeys(e for e in named if isinstance(e, str))]


def _verdict(agent: str, event: str | None, out: bytes) -> str:
    data = json.loads(out)
    if not data and event == "PermissionRequest":
        return "ask"  # no answer leaves the agent's own permission prompt up: asking
    if agent != "claude":
        return verdict(agent, 0, out)
    if not data:
        return "none"
    spec = data["hookSpecificOutput"]
    if "decision" in spec:
        return {"deny": "block"}.get(spec["decision"]["behavior"], "allow")
    return {"deny": "block", "ask": "ask"}.get(spec["permissionDecision"], "allow")


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("mode", MODES)
def test_a_failure_never_lets_the_call_through(agent: str, mode: str) -> None:
    for event in _events(agent):
        out = json.dumps(adapter_for(agent).render_failure(event, mode, PROBLEM)).encode()
        got = _verdict(agent, event, out)
        # deny blocks; anything else asks, or blocks where the agent cannot ask.
        assert got in ({"block"} if mode == "deny" else {"ask", "block"}), (event, mode, out)
        if out.strip() != b"{}":
            assert PROBLEM in reason(out), (event, mode, out)
