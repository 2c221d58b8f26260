"""Evaluation order, combination of units, fail-closed paths, pickling, the tool index."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from policy_helpers import CWD, HOME, bash, call, judge, rules

from superego_mcp.decide import decide
from superego_mcp.model import ToolCall
from superego_mcp.policy import load_policy

LAYERED = """\
- id: allow-build-delete
  priority: 10
  action: allow
  reason: build output
  conditions:
    shell: {program: rm, flags: [-rf]}
    path: {all: ['${project}/build/**']}
- id: deny-home-delete
  priority: 5
  action: deny
  reason: home
  conditions:
    shell: {program: rm, flags: [-r]}
    path: ['~', '~/*']
- id: ask-any-rm
  priority: 50
  action: ask
  reason: rm
  conditions: {shell: {program: rm}}
- id: allow-ls
  action: allow
  reason: ls
  conditions: {shell: {program: ls}}
- id: review-python
  action: review
  reason: python
  conditions: {shell: {program: python}}
"""


def test_priority_and_exceptions() -> None:
    p = rules(LAYERED)
    assert judge(p, bash("rm -rf build/")).rule_id == "allow-build-delete"
    assert judge(p, bash("rm -rf ~")).rule_id == "deny-home-delete"
    assert judge(p, bash("rm -rf src")).rule_id == "ask-any-rm"
    assert judge(p, bash("whoami")).rule_id is None
    assert judge(p, bash("whoami")).reason == "default"
    # Rules come out sorted by priority (default 100), file order on ties.
    assert [r.id for r in p.rules] == [
        "deny-home-delete",
        "allow-build-delete",
        "ask-any-rm",
        "allow-ls",
        "review-python",
    ]


def test_ties_keep_file_order() -> None:
    p = rules("""\
        - {id: first, action: ask, reason: a, conditions: {tool: Read}}
        - {id: second, action: allow, reason: b, conditions: {tool: Read}}
        """)
    assert judge(p, call("Read")).rule_id == "first"


def test_most_restrictive_unit_decides() -> None:
    p = rules(LAYERED)
    d = judge(p, bash("ls && rm -rf build/ && python x.py"))
    assert (d.action, d.rule_id) == ("review", "review-python")
    d = judge(p, bash("ls; rm -rf src; python x.py"))
    assert (d.action, d.rule_id) == ("ask", "ask-any-rm")
    d = judge(p, bash("ls | grep x; rm -rf ~; rm -rf src"))
    assert (d.action, d.rule_id, d.reason) == ("deny", "deny-home-delete", "home")
    # On ties the first unit speaks.
    d = judge(p, bash("ls && ls -la"))
    assert (d.action, d.rule_id) == ("allow", "allow-ls")
    # Commands hidden in substitutions and bash -c are units too.
    assert judge(p, bash("echo $(rm -rf ~)")).rule_id == "deny-home-delete"
    assert judge(p, bash("bash -c 'ls; rm -rf ~'")).rule_id == "deny-home-delete"


def test_disabled_rules_do_not_apply() -> None:
    p = rules(
        """\
        - {id: off, enabled: false, action: deny, reason: x, conditions: {tool: Read}}
        """,
        default="allow",
    )
    assert judge(p, call("Read")).action == "allow"
    assert [r.id for r in p.rules] == ["off"]
    assert p.rules_for("Read") == ()


def test_unparseable_command_is_at_least_ask() -> None:
    p = rules("- {id: all, action: allow, reason: anything, conditions: {}}\n")
    d = judge(p, bash("echo 'unterminated"))
    assert d.action == "ask"
    assert d.rule_id is None
    assert "could not fully analyse" in d.reason
    # An over-limit command line is too complex: also ask.
    d = judge(p, bash("echo hi; " * 50), max_commands=10)
    assert d.action == "ask"
    # ... but a deny stays a deny.
    p = rules("- {id: no, action: deny, reason: no, conditions: {}}\n")
    assert judge(p, bash("echo 'unterminated")).action == "deny"


def test_empty_command_is_one_unit() -> None:
    p = rules("- {id: empty, action: allow, reason: nothing runs, conditions: {tool: Bash}}\n")
    j = p.judge(bash("   # just a comment"), home=HOME)
    assert len(j.units) == 1
    assert j.units[0].unit.command is None
    assert j.decision.rule_id == "empty"


def test_pickle_round_trip_same_decisions() -> None:
    p = load_policy(None)
    q = pickle.loads(pickle.dumps(p))
    assert (q.source, q.digest, q.default_action) == (p.source, p.digest, p.default_action)
    assert [r.id for r in q.rules] == [r.id for r in p.rules]
    calls = [
        bash("rm -rf ~"),
        bash("ls -la"),
        bash("git push --force"),
        call("Read", file_path="~/.ssh/id_rsa"),
        call("Read", file_path="README.md"),
        call("mcp__db__drop_table"),
        call("WebFetch", url="http://169.254.169.254/"),
    ]
    for c in calls:
        assert judge(q, c) == judge(p, c), c


def test_index_by_tool_name() -> None:
    p = rules("""\
        - {id: read, action: allow, reason: r, conditions: {tool: Read}}
        - {id: mcp, action: ask, reason: m, conditions: {tool: 'mcp__*'}}
        - {id: shell, action: ask, reason: s, conditions: {shell: {program: rm}}}
        - {id: any, action: ask, reason: a, conditions: {path: ['/etc/**']}}
        """)
    assert [r.id for r in p.rules_for("Read")] == ["read", "any"]
    assert [r.id for r in p.rules_for("mcp__x__y")] == ["mcp", "any"]
    assert [r.id for r in p.rules_for("Bash")] == ["shell", "any"]
    assert [r.id for r in p.rules_for("Write")] == ["any"]


def test_decide_fails_closed_on_any_error() -> None:
    p = rules("- {id: all, action: allow, reason: fine, conditions: {}}\n")
    bad = ToolCall("Bash", {"command": ["not", "a", "string"]}, CWD)
    for mode in ("ask", "deny"):
        d = decide(p, bad, fail_mode=mode, home=HOME)  # type: ignore[arg-type]
        assert d.action == mode
        assert d.rule_id is None
        assert "could not evaluate this call" in d.reason
        assert "failing closed" in d.reason

    class Broken:  # decide() asks the policy for a judgement; any failure there fails closed
        def judge(self, *a: Any, **k: Any) -> None:
            raise RuntimeError("boom")

        evaluate = judge

    d = decide(Broken(), call("Read"))  # type: ignore[arg-type]
    assert d.action == "ask"
    assert "RuntimeError: boom" in d.reason


def test_decide_resolves_review_to_fail_mode() -> None:
    p = rules(
        "- {id: py, action: review, reason: inline code, conditions: {tool: Read}}\n",
        default="allow",
    )
    assert judge(p, call("Read")).action == "review"
    for mode in ("ask", "deny"):
        d = decide(p, call("Read"), fail_mode=mode, home=HOME)  # type: ignore[arg-type]
        assert (d.action, d.rule_id) == (mode, "py")
        assert "second opinion" in d.reason
        assert "inline code" in d.reason
    assert decide(p, call("Write"), home=HOME).action == "allow"


@pytest.mark.parametrize("mode", ["allow", "nonsense"])
def test_decide_bad_fail_mode_never_weakens(mode: str) -> None:
    p = rules("- {id: py, action: review, reason: r, conditions: {}}\n")
    assert decide(p, call("Read"), fail_mode=mode).action == "deny"  # type: ignore[arg-type]
