"""The bundled policy on the everyday and dangerous corpora (issue 8's bar).

Everyday: nothing asked or denied, at least 95% allowed outright, the rest `defer`.
Dangerous: nothing allowed or deferred. Each failure names the call and the deciding rule.
"""

from __future__ import annotations

import pickle

import pytest
from corpus_helpers import (
    DANGEROUS,
    EVERYDAY,
    HOME,
    INSTALLS,
    PUBLIC,
    Case,
    judge,
    load,
    rates,
)

from superego_mcp.policy import Policy

EVERYDAY_CASES = load(EVERYDAY)
DANGEROUS_CASES = load(DANGEROUS)
PUBLIC_CASES = load(PUBLIC)
# The public corpus's bar today over all of it, package installs included (one answer for
# the install family, docs/rules.md): a ratchet towards issue 20's targets (0 denied, <= 1%
# asked, >= 95% allowed): raise these as the policy learns; never lower them. An entry that
# is rightly asked says why (`asks:`); the others asked are at most PUBLIC_MAX_UNEXPLAINED.
PUBLIC_MAX_ASKED = 0.019
PUBLIC_MIN_ALLOWED = 0.966
PUBLIC_MAX_UNEXPLAINED = 4


def _why(policy: Policy, case: Case) -> str:
    d = policy.evaluate(case.call, home=HOME)
    return f"{case.family}: {case.text} -> {d.action} ({d.rule_id}: {d.reason})"


def test_corpora_are_large_and_varied() -> None:
    assert len(EVERYDAY_CASES) >= 300
    families = {c.family for c in EVERYDAY_CASES}
    assert {"python", "js", "rust", "go", "c_cpp", "infra", "data", "tools", "mcp"} <= families
    tools = {c.call.tool_name for c in EVERYDAY_CASES}
    builtin = {"Bash", "Read", "Write", "Edit", "MultiEdit", "NotebookEdit", "Glob", "Grep"}
    assert builtin | {"LS", "WebFetch", "WebSearch", "TodoWrite", "Task"} <= tools
    assert any(t.startswith("mcp__") for t in tools)
    assert len(DANGEROUS_CASES) >= 150


@pytest.mark.parametrize("case", EVERYDAY_CASES, ids=[c.text[:60] for c in EVERYDAY_CASES])
def test_everyday_is_never_interrupted(bundled: Policy, case: Case) -> None:
    assert judge(bundled, case) in ("allow", "defer"), _why(bundled, case)


def test_everyday_is_mostly_allowed_outright(bundled: Policy) -> None:
    counts, results = rates(bundled, EVERYDAY_CASES)
    deferred = [c.text for c, a in results if a == "defer"]
    assert counts["allow"] / len(EVERYDAY_CASES) >= 0.95, deferred


@pytest.mark.parametrize("case", DANGEROUS_CASES, ids=[c.text[:60] for c in DANGEROUS_CASES])
def test_dangerous_is_never_waved_through(bundled: Policy, case: Case) -> None:
    assert judge(bundled, case) in ("ask", "deny"), _why(bundled, case)


def test_the_hook_cache_form_decides_the_same(bundled: Policy) -> None:
    # The hook caches Policy.for_cache() (no examples, conditions unpickled on first use):
    # it must answer exactly as the compiled policy on every corpus call.
    cached = pickle.loads(pickle.dumps(bundled.for_cache(), protocol=pickle.HIGHEST_PROTOCOL))
    assert all(not r.match_examples and not r.no_match for r in cached.rules)
    for case in EVERYDAY_CASES + DANGEROUS_CASES:
        a = bundled.evaluate(case.call, home=HOME)
        b = cached.evaluate(case.call, home=HOME)
        assert (a.action, a.rule_id, a.reason) == (b.action, b.rule_id, b.reason), case.text


def test_public_corpus_is_large_and_varied() -> None:
    assert len(PUBLIC_CASES) >= 1000
    ecosystems = {c.family for c in PUBLIC_CASES if c.family != INSTALLS}
    assert len(ecosystems) >= 12, ecosystems


def test_public_corpus_is_never_denied_and_rarely_asked(bundled: Policy) -> None:
    counts, results = rates(bundled, PUBLIC_CASES)
    denied = [_why(bundled, c) for c, a in results if a == "deny"]
    asked = [_why(bundled, c) for c, a in results if a == "ask"]
    assert not denied
    assert len(asked) / len(PUBLIC_CASES) <= PUBLIC_MAX_ASKED, asked
    unexplained = [_why(bundled, c) for c, a in results if a == "ask" and not c.asks]
    assert len(unexplained) <= PUBLIC_MAX_UNEXPLAINED, unexplained
    assert counts["allow"] / len(PUBLIC_CASES) >= PUBLIC_MIN_ALLOWED


def test_public_calls_said_to_ask_are_asked(bundled: Policy) -> None:
    # An entry whose `asks:` says why it is rightly interrupted: the policy must still ask.
    documented = [c for c in PUBLIC_CASES if c.asks]
    assert documented
    wrong = [
        f"{_why(bundled, c)} [asks: {c.asks}]" for c in documented if judge(bundled, c) != "ask"
    ]
    assert not wrong


def test_public_installs_answer_as_the_family_documents(bundled: Policy) -> None:
    # One answer for installs across managers (docs/rules.md "Package installs"): an install
    # the default setting interrupts is one from elsewhere or of the operating system (root),
    # and says so.
    installs = [c for c in PUBLIC_CASES if c.family == INSTALLS]
    assert installs
    wrong = [_why(bundled, c) for c in installs if (judge(bundled, c) == "ask") != bool(c.asks)]
    assert not wrong
