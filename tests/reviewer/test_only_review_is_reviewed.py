"""Only a ``review`` decision reaches the reviewer, through the blocking ``decide`` (hook,
CLI) and the server's ``adecide`` alike: an ``ask``, ``deny``, ``defer`` or ``allow`` the
rules gave is final, even when the reviewer (a fake vendor on 127.0.0.1) would allow.

Each guard on the way is held on its own: ``decide``/``adecide`` never build a reviewer for
such a decision, the reviewer hands such a decision back untouched, and a real server
judging such a call never contacts the vendor."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from reviewer_helpers import ALLOW, FakeVendor, Reply, vendor_env

from superego_mcp.decide import adecide, decide
from superego_mcp.model import Decision, ToolCall
from superego_mcp.policy import compile_policy
from superego_mcp.policy.engine import Policy
from superego_mcp.reviewer.core import Reviewer, ReviewerConfig
from support.hook import bash
from support.server import Server, clean_env, start_server

# One rule per action, each for its own program; `review` too, to show the reviewer is
# reachable at all.
POLICY = """\
version: 1
default: {action: ask, reason: "no rule"}
rules:
""" + "".join(
    f"""  - id: {action}-it
    action: {action}
    reason: "{action} by rule"
    conditions:
      shell: {{program: prog-{action}}}
"""
    for action in ("ask", "deny", "defer", "allow", "review")
)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return compile_policy(POLICY, "test.yaml")


def _call(action: str) -> ToolCall:
    return ToolCall("Bash", {"command": f"prog-{action} x"}, "/home/user/project")


def _sync(policy: Policy, call: ToolCall, r: Reviewer) -> Decision:
    return decide(policy, call, fail_mode="ask", reviewer=lambda: r)


def _async(policy: Policy, call: ToolCall, r: Reviewer) -> Decision:
    async def run() -> Decision:
        try:
            return await adecide(policy, call, fail_mode="ask", reviewer=lambda: r)
        finally:
            await r.aclose()

    return asyncio.run(run())


@pytest.mark.parametrize("way", [_sync, _async], ids=["decide", "adecide"])
@pytest.mark.parametrize("action", ["ask", "deny", "defer", "allow"])
def test_a_rule_decision_never_reaches_the_reviewer(
    fake: FakeVendor, policy: Policy, way: object, action: str
) -> None:
    fake.script(Reply(ALLOW))
    r = Reviewer(ReviewerConfig([("anthropic", "")], cache_ttl=0))
    d = way(policy, _call(action), r)  # type: ignore[operator]
    assert (d.action, d.rule_id, d.review) == (action, f"{action}-it", None)
    assert fake.seen == []


@pytest.mark.parametrize("way", [_sync, _async], ids=["decide", "adecide"])
def test_a_review_decision_does(fake: FakeVendor, policy: Policy, way: object) -> None:
    fake.script(Reply(ALLOW))
    r = Reviewer(ReviewerConfig([("anthropic", "")], cache_ttl=0))
    d = way(policy, _call("review"), r)  # type: ignore[operator]
    assert d.action == "allow"
    assert d.review is not None
    assert len(fake.seen) == 1


def _counting(r: Reviewer, built: list[str]) -> Callable[[], Reviewer]:
    def make() -> Reviewer:
        built.append("built")
        return r

    return make


@pytest.mark.parametrize("action", ["ask", "deny", "defer", "allow", "review"])
def test_adecide_builds_a_reviewer_only_for_a_review(
    fake: FakeVendor, policy: Policy, action: str
) -> None:
    # The factory is the cost the docstring promises to spare every other call; it is also
    # the only way a decision reaches a reviewer at all.
    fake.script(Reply(ALLOW))
    r = Reviewer(ReviewerConfig([("anthropic", "")], cache_ttl=0))
    built: list[str] = []

    async def run() -> Decision:
        try:
            return await adecide(policy, _call(action), reviewer=_counting(r, built))
        finally:
            await r.aclose()

    asyncio.run(run())
    assert built == (["built"] if action == "review" else [])


@pytest.mark.parametrize("action", ["ask", "deny", "defer", "allow", "review"])
def test_decide_builds_a_reviewer_only_for_a_review(
    fake: FakeVendor, policy: Policy, action: str
) -> None:
    fake.script(Reply(ALLOW))
    r = Reviewer(ReviewerConfig([("anthropic", "")], cache_ttl=0))
    built: list[str] = []
    decide(policy, _call(action), reviewer=_counting(r, built))
    assert built == (["built"] if action == "review" else [])


@pytest.mark.parametrize("action", ["ask", "deny", "defer", "allow"])
def test_the_reviewer_hands_any_other_decision_back(fake: FakeVendor, action: str) -> None:
    fake.script(Reply(ALLOW))
    given = Decision(action, f"{action} by rule", f"{action}-it")  # type: ignore[arg-type]
    call = _call(action)
    args = {"policy_digest": "d", "fail_mode": "ask"}
    r = Reviewer(ReviewerConfig([("anthropic", "")], cache_ttl=0))
    assert r.review(given, call, None, **args) is given  # type: ignore[arg-type]

    async def run() -> Decision:
        try:
            return await r.areview(given, call, None, **args)  # type: ignore[arg-type]
        finally:
            await r.aclose()

    assert asyncio.run(run()) is given
    assert fake.seen == []


@pytest.fixture(scope="module")
def served(vendor: FakeVendor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real server with this module's policy and a reviewer that is the fake vendor."""
    rules = tmp_path_factory.mktemp("rules") / "policy.yaml"
    rules.write_text(POLICY)
    env = clean_env(**vendor_env(vendor))
    env.update(SUPEREGO_REVIEWER="anthropic:test-model", SUPEREGO_REVIEWER_CACHE_TTL="0")
    s = start_server("--rules", str(rules), env=env)
    yield s
    s.stop()


def test_the_server_never_sends_a_rule_decision_to_the_reviewer(
    fake: FakeVendor, served: Server, tmp_path: Path
) -> None:
    fake.script(Reply(ALLOW))
    for action in ("ask", "deny", "defer", "allow"):
        command = f"prog-{action} x"
        body = {"tool_name": "Bash", "tool_input": {"command": command}, "cwd": str(tmp_path)}
        rest = httpx.post(f"{served.url}/v1/evaluate", json=body, timeout=60).json()
        assert (rest["decision"], rest["rule_id"], rest["review"]) == (action, f"{action}-it", None)
        hook = httpx.post(
            f"{served.url}/v1/hooks/claude-code",
            content=json.dumps(bash(command, cwd=str(tmp_path))).encode(),
            timeout=60,
        )
        assert hook.status_code == 200
        if action in ("ask", "deny"):
            out = hook.json()["hookSpecificOutput"]
            assert out["permissionDecision"] == action
            assert "reviewer" not in out["permissionDecisionReason"]
    assert fake.seen == []
    # The reviewer is wired: a review decision reaches it.
    body = {"tool_name": "Bash", "tool_input": {"command": "prog-review x"}, "cwd": str(tmp_path)}
    reviewed = httpx.post(f"{served.url}/v1/evaluate", json=body, timeout=60).json()
    assert reviewed["decision"] == "allow"
    assert reviewed["review"]["provider"] == "anthropic"
    assert len(fake.seen) == 1
