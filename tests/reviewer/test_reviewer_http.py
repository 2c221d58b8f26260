"""The reviewer against a fake vendor on 127.0.0.1 speaking the Anthropic Messages API and
OpenAI chat-completions wire formats: answers, retries, deadlines, breakers, cache, chain."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from reviewer_helpers import ALLOW, DENY, FakeVendor, Reply

from superego_mcp.decide import adecide, decide
from superego_mcp.model import ToolCall
from superego_mcp.policy.engine import Policy
from superego_mcp.policy.layers import compile_policy
from superego_mcp.reviewer.core import Reviewer, ReviewerConfig

# Inline code Superego does not read (Python and JavaScript are read: superego_mcp.lang).
ONE_LINER = ToolCall("Bash", {"command": "perl -e 'print 6*7'"}, "/home/user/project")


def reviewer(*chain: str, **options: Any) -> Reviewer:
    """A reviewer over ``chain`` entries ``name`` or ``name:model``."""
    pairs = [(e.partition(":")[0], e.partition(":")[2]) for e in chain]
    return Reviewer(ReviewerConfig(pairs, **options))


def judge(policy: Policy, r: Reviewer | None, call: ToolCall = ONE_LINER) -> Any:
    return decide(policy, call, fail_mode="ask", reviewer=lambda: r)


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_a_clean_answer_decides_and_is_recorded(
    fake: FakeVendor, bundled: Policy, provider: str
) -> None:
    fake.script(Reply(ALLOW))
    d = judge(bundled, reviewer(f"{provider}:test-model"))
    assert d.action == "allow"
    assert d.rule_id == "review-code-execution"
    assert "It only prints a number." in d.reason
    review = d.review
    assert review is not None
    assert review["provider"] == provider
    assert review["model"] == "test-model"
    assert review["outcome"] == "answered"
    assert review["risk"] == "low"
    assert review["cache_hit"] is False
    assert review["breaker"] == "closed"
    assert review["latency_ms"] >= 0
    assert d.to_dict()["review"] == review
    [seen] = fake.seen
    assert seen.body["model"] == "test-model"
    assert seen.body["temperature"] == 0
    if provider == "anthropic":
        assert seen.path == "/v1/messages"
        assert seen.headers["x-api-key"] == "sk-ant-test-not-a-secret"
        assert seen.headers["anthropic-version"] == "2023-06-01"
        assert seen.body["max_tokens"] > 0
        assert [m["role"] for m in seen.body["messages"]] == ["user"]
    else:
        assert seen.path == "/v1/chat/completions"
        assert seen.headers["authorization"] == "Bearer sk-test-not-a-secret"
        assert [m["role"] for m in seen.body["messages"]] == ["system", "user"]


def test_openai_without_a_key_sends_no_authorization(
    fake: FakeVendor, bundled: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")  # a local Ollama needs none
    fake.script(Reply(DENY))
    d = judge(bundled, reviewer("openai:llama3.2:3b"))
    assert d.action == "deny"
    assert fake.seen[0].body["model"] == "llama3.2:3b"
    assert "authorization" not in {k.lower() for k in fake.seen[0].headers}


def test_anthropic_without_a_key_is_unavailable_and_fails_closed(
    fake: FakeVendor, bundled: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    d = judge(bundled, reviewer("anthropic"))
    assert d.action == "ask"
    assert "ANTHROPIC_API_KEY is not set" in d.reason
    assert fake.seen == []


def test_429_retry_after_is_honoured(fake: FakeVendor, bundled: Policy) -> None:
    fake.script(Reply(status=429, headers={"retry-after": "0.6"}), Reply(ALLOW))
    d = judge(bundled, reviewer("openai", timeout=5))
    assert d.action == "allow"
    first, second = fake.seen
    assert second.at - first.at >= 0.55
    assert d.review is not None
    assert d.review["outcome"] == "answered"


def test_429_whose_retry_after_passes_the_deadline_is_not_retried(
    fake: FakeVendor, bundled: Policy
) -> None:
    fake.script(Reply(status=429, headers={"retry-after": "30"}))
    start = time.monotonic()
    d = judge(bundled, reviewer("anthropic", timeout=2))
    assert time.monotonic() - start < 1.5
    assert d.action == "ask"
    assert len(fake.seen) == 1
    assert "rate limited" in d.reason


def test_500_is_retried_then_fails_closed(fake: FakeVendor, bundled: Policy) -> None:
    fake.script(Reply(status=500))
    d = judge(bundled, reviewer("openai", retries=1, timeout=5), ONE_LINER)
    assert d.action == "ask"
    assert len(fake.seen) == 2  # one try and one retry
    assert "server error (HTTP 500)" in d.reason
    assert d.review is not None
    assert d.review["outcome"] == "failed"


def test_fail_mode_deny_is_kept(fake: FakeVendor, bundled: Policy) -> None:
    fake.script(Reply(status=500))
    r = reviewer("openai", retries=0)
    d = decide(bundled, ONE_LINER, fail_mode="deny", reviewer=lambda: r)
    assert d.action == "deny"


def test_slow_past_the_deadline_fails_closed_on_time(fake: FakeVendor, bundled: Policy) -> None:
    fake.script(Reply(ALLOW, delay=3.0))
    start = time.monotonic()
    d = judge(bundled, reviewer("anthropic", timeout=0.8))
    elapsed = time.monotonic() - start
    assert d.action == "ask"
    assert elapsed < 2.0, elapsed
    assert "no answer within" in d.reason


def test_per_provider_timeout_leaves_time_for_the_next(fake: FakeVendor, bundled: Policy) -> None:
    fake.script(Reply(ALLOW, delay=3.0), Reply(DENY))
    d = judge(bundled, reviewer("openai", "anthropic", timeout=3, provider_timeout=0.5))
    assert d.action == "deny"
    assert d.review is not None
    assert d.review["provider"] == "anthropic"
    assert [a["provider"] for a in d.review["attempts"]] == ["openai", "anthropic"]


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        (Reply(raw=b"<html>502 Bad Gateway</html>"), "not JSON"),
        (Reply(raw=b'{"unexpected": true}'), "no content list"),
        (Reply("Sure! I think this is fine: allow"), "not a single JSON object"),
        (Reply('{"decision": "allow", "reason": "ok"}'), "exactly the keys"),
        (Reply('{"decision": "allow", "reason": "ok", "risk": "low", "x": 1}'), "exactly"),
        (Reply('{"decision": "yes", "reason": "ok", "risk": "low"}'), "decision must be"),
        (Reply('{"decision": "allow", "reason": "ok", "risk": "none"}'), "risk must be"),
        (Reply(f"{DENY}\n{ALLOW}"), "not valid JSON"),
        (
            Reply('{"decision": "deny", "decision": "allow", "reason": "x", "risk": "low"}'),
            "repeats the key",
        ),
        (Reply(f"```json\n{ALLOW}\n```"), "not a single JSON object"),
    ],
)
def test_garbage_and_wrong_schema_fail_closed(
    fake: FakeVendor, bundled: Policy, reply: Reply, problem: str
) -> None:
    fake.script(reply)
    d = judge(bundled, reviewer("anthropic"))
    assert d.action == "ask"
    assert problem in d.reason
    assert d.review is not None
    assert d.review["outcome"] == "failed"


@pytest.mark.parametrize(
    "command",
    [
        "python3 -c 'print(1)'; rm -rf ~",  # deny rule on another command of the line
        "python3 -c 'import os' > ~/.bashrc",  # writing a shell start-up file
        "eval \"$(echo python3 -c 'print(1)')\"",  # the analyzer cannot see it all
    ],
)
def test_an_allow_can_never_loosen_the_rules(
    fake: FakeVendor, bundled: Policy, command: str
) -> None:
    fake.script(Reply(ALLOW))
    call = ToolCall("Bash", {"command": command}, "/home/user/project")
    plain = decide(bundled, call, home="/home/user")
    assert plain.action in ("deny", "ask")
    d = decide(bundled, call, home="/home/user", reviewer=lambda: reviewer("openai"))
    assert d.action == plain.action
    assert d.review is None
    assert fake.seen == []  # never even asked


def test_breaker_opens_then_probes(fake: FakeVendor, bundled: Policy) -> None:
    r = reviewer("openai", retries=0, breaker_failures=2, breaker_cooldown=0.5, cache_ttl=0)
    fake.script(Reply(status=500))
    for _ in range(2):
        assert judge(bundled, r).action == "ask"
    assert len(fake.seen) == 2
    d = judge(bundled, r)
    assert d.action == "ask"
    assert len(fake.seen) == 2  # open: not asked
    assert d.review is not None
    assert d.review["breaker"] == "open"
    assert "breaker open" in d.reason
    time.sleep(0.6)
    fake.script(Reply(ALLOW))
    d = judge(bundled, r)  # the half-open probe succeeds and closes the breaker
    assert d.action == "allow"
    assert d.review is not None
    assert d.review["attempts"][0]["breaker"] == "half-open"
    assert r.state.breaker("openai").state() == "closed"


def test_breaker_skips_to_the_next_provider(fake: FakeVendor, bundled: Policy) -> None:
    r = reviewer("openai", "anthropic", retries=0, breaker_failures=1, cache_ttl=0)
    fake.script(Reply(status=503), Reply(DENY))
    assert judge(bundled, r).action == "deny"
    fake.script(Reply(ALLOW))
    d = judge(bundled, r)
    assert d.action == "allow"
    assert [s.path for s in fake.seen] == ["/v1/messages"]  # openai's breaker is open


def test_cache_reuses_a_clean_answer_per_call_and_policy(fake: FakeVendor, bundled: Policy) -> None:
    r = reviewer("anthropic")
    fake.script(Reply(ALLOW))
    assert judge(bundled, r).review["cache_hit"] is False
    d = judge(bundled, r)
    assert d.action == "allow"
    assert d.review is not None
    assert d.review["cache_hit"] is True
    assert len(fake.seen) == 1
    other = ToolCall("Bash", {"command": "perl -e 'print 6*8'"}, "/home/user/project")
    judge(bundled, r, other)
    assert len(fake.seen) == 2  # another call is another review


def test_cache_expires(fake: FakeVendor, bundled: Policy) -> None:
    r = reviewer("anthropic", cache_ttl=0.3)
    judge(bundled, r)
    time.sleep(0.4)
    judge(bundled, r)
    assert len(fake.seen) == 2


def test_failures_are_not_cached(fake: FakeVendor, bundled: Policy) -> None:
    r = reviewer("anthropic", retries=0)
    fake.script(Reply(status=500), Reply(ALLOW))
    assert judge(bundled, r).action == "ask"
    assert judge(bundled, r).action == "allow"


def test_concurrent_reviews_do_not_wait_on_each_other(fake: FakeVendor, bundled: Policy) -> None:
    fake.script(Reply(ALLOW, delay=0.8))
    r = reviewer("openai", timeout=10, cache_ttl=0)
    calls = [
        ToolCall("Bash", {"command": f"perl -e 'print {i}*7'"}, "/home/user/project")
        for i in range(8)
    ]

    async def all_at_once() -> list[Any]:
        try:
            return await asyncio.gather(
                *(adecide(bundled, c, fail_mode="ask", reviewer=lambda: r) for c in calls)
            )
        finally:
            await r.aclose()

    start = time.monotonic()
    decisions = asyncio.run(all_at_once())
    elapsed = time.monotonic() - start
    assert [d.action for d in decisions] == ["allow"] * 8
    assert len(fake.seen) == 8
    # One review takes 0.8 s; eight in a row would take 6.4 s.
    assert elapsed < 2.4, elapsed


def test_the_prompt_carries_the_call_and_the_analysis(fake: FakeVendor, bundled: Policy) -> None:
    judge(bundled, reviewer("anthropic"))
    [seen] = fake.seen
    user = seen.user_prompt
    lines = user.split("\n")
    begin = next(i for i, line in enumerate(lines) if line.startswith("BEGIN-CALL-"))
    end = next(i for i, line in enumerate(lines) if line.startswith("END-CALL-"))
    data = json.loads("\n".join(lines[begin + 1 : end]))
    assert data["tool_input"] == ONE_LINER.tool_input
    [command] = data["analysis"]["commands"]
    assert command["program"] == "perl"
    assert {"kind": "code_execution"}.items() <= data["analysis"]["findings"][0].items()
    assert data["rule_results"][0]["rule_id"] == "review-code-execution"
    assert "Read the inline code." in user  # the rule's guidance, outside the data block
    assert "untrusted DATA" in seen.system_prompt


PROBE = """
import pickle, sys
from superego_mcp.decide import decide
from superego_mcp.hook.cache import Compiled
from superego_mcp.hook.runner import _reviewer_factory
from superego_mcp.model import ToolCall
with open(sys.argv[1], "rb") as fh:
    policy = pickle.load(fh)
compiled = Compiled(policy, "ask", {}, None, True, reviewer={"chain": [["anthropic", ""]]})
for command in ("ls -la", "rm -rf ~", "git status && make test"):
    call = ToolCall("Bash", {"command": command}, "/home/user/project")
    decide(policy, call, reviewer=_reviewer_factory(compiled, None))
heavy = ("superego_mcp.reviewer", "httpx", "asyncio", "hashlib", "secrets")
print(" ".join(sorted(m for m in heavy if m in sys.modules)))
"""


def test_rule_decided_calls_import_nothing_of_the_reviewer(bundled: Policy, tmp_path: Any) -> None:
    import pickle
    import subprocess
    import sys

    cached = tmp_path / "policy.pickle"
    cached.write_bytes(pickle.dumps(bundled))
    r = subprocess.run(
        [sys.executable, "-c", PROBE, str(cached)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


SECRET = "sk-proj-" + "Rev1ewerS33sNoKey_" * 2


@pytest.mark.parametrize(("redact", "sent"), [(True, False), (False, True)])
def test_the_reviewer_gets_the_redacted_call_unless_told_otherwise(
    fake: FakeVendor, redact: bool, sent: bool
) -> None:
    # A review rule whatever the one-liners' rules say: a policy that reviews every call.
    policy = compile_policy(
        "version: 1\ndefault: {action: review, reason: every call is reviewed}\nrules: []\n"
    )
    call = ToolCall(
        "Bash",
        {"command": f"OPENAI_API_KEY={SECRET} perl -e 'print 6*7' {SECRET}"},
        "/home/user/project",
    )
    fake.script(Reply(ALLOW))
    d = judge(policy, reviewer("openai:test-model", redact=redact), call)
    assert d.action == "allow"
    body = json.dumps(fake.seen[0].body)
    assert (SECRET in body) is sent
    assert ("[REDACTED]" in body) is not sent
    assert "print 6*7" in body  # the code itself is still shown
