"""Only a ``review`` decision reaches the reviewer, through the blocking ``decide`` (hook,
CLI) and the server's ``adecide`` alike: an ``ask``, ``deny``, ``defer`` or ``allow`` the
rules gave is final, even when the reviewer (a fake vendor on 127.0.0.1) would allow."""

from __future__ import annotations

import asyncio

import pytest
from reviewer_helpers import ALLOW, FakeVendor, Reply

from superego_mcp.decide import adecide, decide
from superego_mcp.model import Decision, ToolCall
from superego_mcp.policy import compile_policy
from superego_mcp.policy.engine import Policy
from superego_mcp.reviewer.core import Reviewer, ReviewerConfig

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
