"""Reasons for paths outside the project say so: a file in a temp directory is scratch space
outside the project, with rules and reasons of its own (it was explained as "inside the
project")."""

from __future__ import annotations

import pytest

from superego_mcp.model import ToolCall
from superego_mcp.policy.layers import load_policy

BUNDLED = load_policy()
PROJECT = "/home/user/repo"


def _judge(tool: str, tool_input: dict[str, object]) -> tuple[str, str | None, str]:
    call = ToolCall(tool, tool_input, PROJECT, project=PROJECT)
    d = BUNDLED.evaluate(call, home="/home/user")
    return d.action, d.rule_id, d.reason


@pytest.mark.parametrize(
    ("tool", "tool_input", "rule"),
    [
        ("Bash", {"command": "rm -rf /tmp/scratch"}, "allow-delete-temp"),
        ("Bash", {"command": "rm /tmp/out.log"}, "allow-files-in-temp"),
        ("Bash", {"command": "mkdir -p /var/tmp/work"}, "allow-files-in-temp"),
        ("Write", {"file_path": "/tmp/x.yaml", "content": "a: 1"}, "allow-edit-temp-files"),
    ],
)
def test_temp_files_are_allowed_and_said_to_be_outside_the_project(
    tool: str, tool_input: dict[str, object], rule: str
) -> None:
    action, rule_id, reason = _judge(tool, tool_input)
    assert (action, rule_id) == ("allow", rule)
    assert "temp directory" in reason
    assert "outside the project" in reason


@pytest.mark.parametrize(
    ("tool", "tool_input"),
    [
        ("Bash", {"command": "rm -rf build"}),
        ("Bash", {"command": "rm old.log"}),
        ("Write", {"file_path": "src/app.py", "content": "x"}),
    ],
)
def test_project_files_keep_their_project_reasons(tool: str, tool_input: dict[str, object]) -> None:
    action, _, reason = _judge(tool, tool_input)
    assert action == "allow"
    assert "inside the project" in reason
    assert "outside the project" not in reason


def test_outside_both_is_still_refused() -> None:
    action, rule_id, reason = _judge("Bash", {"command": "rm -rf /srv/data"})
    assert (action, rule_id) == ("deny", "deny-recursive-delete-outside-project")
    assert "outside the project" in reason
