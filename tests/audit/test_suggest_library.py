"""``superego_mcp.audit.suggest`` piece by piece: linking outcomes to decisions, shapes that
generalise, appending to a policy file without breaking it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from superego_mcp.audit import suggest as sg
from superego_mcp.audit.record import build_outcome, build_record
from superego_mcp.model import ToolCall
from superego_mcp.policy.layers import compile_policy

POLICY = """\
version: 1
extends: none
default: {action: ask, reason: "No rule covers this call."}
rules:
  - id: deny-make-clean
    priority: 20
    action: deny
    reason: cleaning is for people
    conditions:
      shell: {program: make, args: {equals: clean}}
"""


class Trail:
    """Decision and outcome rows built as the entry points build them."""

    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self.rows: list[dict[str, Any]] = []
        self.outcomes: list[dict[str, Any]] = []

    def add(
        self,
        command: str,
        session: str,
        *,
        decision: str = "ask",
        ran: bool = True,
        tool_use_id: bool = True,
        after: float = 1.0,
    ) -> dict[str, Any]:
        from superego_mcp.model import Decision

        n = len(self.rows) + 1
        call = ToolCall("Bash", {"command": command}, self.cwd, session_id=session)
        tid = f"toolu_{n}" if tool_use_id else None
        row = build_record(
            call,
            Decision(decision, "why", None),  # type: ignore[arg-type]
            entry="hook",
            latency_ms=1.0,
            policy_digest="d",
            event="PreToolUse",
            tool_use_id=tid,
            ts=1000.0 + 10 * n,
        )
        row["id"] = n
        self.rows.append(row)
        if ran:
            outcome = build_outcome(
                call, entry="hook", event="PostToolUse", tool_use_id=tid, ts=row["ts"] + after
            )
            outcome["id"] = len(self.outcomes) + 1
            self.outcomes.append(outcome)
        return row


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / ".git").mkdir(parents=True)
    return root


def test_outcomes_link_by_id_else_by_call_within_the_window(project: Path) -> None:
    t = Trail(str(project))
    by_id = t.add("make build", "s1")
    by_call = t.add("make test", "s1", tool_use_id=False, after=30.0)
    too_late = t.add("make lint", "s1", tool_use_id=False, after=sg.LINK_WINDOW_S + 5)
    refused = t.add("make docs", "s1", ran=False)
    evidence = sg.Evidence(t.rows, t.outcomes)
    assert set(evidence.links) == {by_id["id"], by_call["id"]}
    assert [r["id"] for r in evidence.approved] == [by_id["id"], by_call["id"]]
    # The late one is not linked, but it ran: neither approved nor refused.
    assert too_late["id"] not in evidence.links
    assert [r["id"] for r in evidence.refused] == [refused["id"]]


def test_differing_words_generalise_to_the_path_scope_and_deny_stays(project: Path) -> None:
    t = Trail(str(project))
    for s in ("a", "b", "c"):
        t.add("make build", s)
        t.add("make test", s)
    t.add("make clean", "a", decision="deny", ran=False)
    policy = compile_policy(POLICY, "<test>")
    result = sg.suggest(policy, sg.Evidence(t.rows, t.outcomes), home=str(project.parent))
    (only,) = result.suggestions
    assert only.rule["conditions"] == {
        "shell": {"program": "make", "dynamic": False},
        "path": {"all": ["${project}/**"]},
    }
    assert only.shape.text() == "make (in ${project})"
    assert only.rule["priority"] > 20  # tried after the deny for the same program
    assert sorted(only.rule["examples"]["match"]) == ["make build", "make test"]
    # `make clean` matches the rule's conditions too (so it is no no_match example), but the
    # deny is tried first: the replay leaves it denied.
    assert "no_match" not in only.rule["examples"]
    assert only.replay is not None
    changed = {c.call.tool_input["command"] for c in only.replay.changes}
    assert changed == {"make build", "make test"}
    assert all(c.old == "ask" and c.new == "allow" for c in only.replay.changes)


def test_the_same_words_everywhere_stay_in_the_rule(project: Path) -> None:
    t = Trail(str(project))
    for s in ("a", "b", "c"):
        t.add("npm run build", s)
    policy = compile_policy(POLICY, "<test>")
    result = sg.suggest(policy, sg.Evidence(t.rows, t.outcomes), home=str(project.parent))
    (only,) = result.suggestions
    assert only.rule["conditions"]["all"] == [{"shell": {"args": {"equals": "build"}}}]
    assert only.rule["examples"]["no_match"] == ["npm run"]
    below = sg.suggest(
        policy, sg.Evidence(t.rows, t.outcomes), min_sessions=4, home=str(project.parent)
    )
    assert below.suggestions == []


RULE = {
    "id": "allow-learned-x",
    "action": "allow",
    "reason": "People approved it.",
    "conditions": {"shell": {"program": "true"}},
    "examples": {"match": ["true"], "no_match": ["false"]},
}


@pytest.mark.parametrize(
    ("old", "kept"),
    [
        (
            "# top\nversion: 1\nextends: bundled\nrules:\n    - id: a\n      action: ask\n"
            "      reason: r\n      conditions: {tool: Write}\n# tail\n",
            ["# top", "    - id: a", "# tail"],
        ),
        ("version: 1\nextends: bundled\nrules: []\n", []),
        ("version: 1\nextends: bundled\nrules:\n", []),
        ("version: 1\nextends: bundled\n", []),
    ],
)
def test_rules_are_appended_to_what_is_there(old: str, kept: list[str]) -> None:
    text = sg.new_text(old, [RULE])
    data = yaml.safe_load(text)
    assert data["rules"][-1] == RULE
    assert len(data["rules"]) == len(yaml.safe_load(old).get("rules") or []) + 1
    for line in kept:
        assert line in text.splitlines()
    compile_policy(text, "<appended>")


def test_a_write_that_breaks_the_policy_in_effect_puts_the_file_back(tmp_path: Path) -> None:
    target = tmp_path / "policy.yaml"
    before = (
        "version: 1\nextends: bundled\nrules:\n"
        "  - {id: a, action: ask, reason: r, conditions: {tool: Write}}\n"
    )
    target.write_text(before)

    def broken() -> None:
        raise sg.SuggestError("the policy in force would not load")

    with pytest.raises(sg.SuggestError):
        sg.write_rules(str(target), [RULE], verify=broken)
    assert target.read_text() == before
    fresh = tmp_path / "new.yaml"
    with pytest.raises(sg.SuggestError):
        sg.write_rules(str(fresh), [RULE], verify=broken)
    assert not fresh.exists()
    bad = {**RULE, "examples": {"match": ["false"]}}
    with pytest.raises(sg.SuggestError, match="check fails"):
        sg.write_rules(str(target), [bad])
    assert target.read_text() == before
    sg.write_rules(str(target), [RULE])
    assert target.read_text().startswith(before)
