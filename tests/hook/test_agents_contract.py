"""Each agent's recorded payloads through the real `superego-mcp hook --agent NAME`: the
call is mapped onto our vocabulary (so the same rules apply) and answered in that agent's
exact shape and exit code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from agent_helpers import fixture, reason, verdict, warmed

from support.hook import Result

RunHook = Callable[..., Result]  # the run_hook fixture (tests/hook/conftest.py)


# (fixture, expected verdict, rule id that must be named or None)
CASES = [
    ("codex", "codex_pre_tool_use_bash", "none", None),  # allow: Codex has no pre-approval
    ("codex", "codex_pre_tool_use_rm", "block", "deny-rm"),
    # the patch's /etc/hosts update asks; Codex cannot ask, so it blocks and says why
    ("codex", "codex_pre_tool_use_apply_patch", "block", "ask-etc"),
    ("codex", "codex_pre_tool_use_mcp", "block", "deny-mcp-delete"),
    ("codex", "codex_permission_request", "block", "deny-rm"),
    ("gemini", "gemini_before_tool_shell", "block", "deny-rm"),
    ("gemini", "gemini_before_tool_write", "ask", "ask-etc"),
    ("gemini", "gemini_before_tool_read", "allow", None),
    ("gemini", "gemini_before_tool_mcp", "block", "deny-mcp-delete"),
    ("gemini", "gemini_before_tool_web_fetch", "block", "deny-metadata"),
    ("copilot", "copilot_pre_tool_use_docs", "block", "deny-rm"),
    ("copilot", "copilot_pre_tool_use_live", "allow", None),
    ("copilot", "copilot_pre_tool_use_edit", "ask", "ask-etc"),
    ("cursor", "cursor_pre_tool_use_shell", "allow", None),
    ("cursor", "cursor_pre_tool_use_read", "block", "deny-ssh"),
    ("cursor", "cursor_before_shell_execution", "block", "deny-rm"),
    ("cursor", "cursor_before_mcp_execution", "block", None),  # no rule: default ask -> deny
    ("cursor", "cursor_before_read_file", "allow", None),
    ("opencode", "opencode_bash", "block", "deny-rm"),
    ("opencode", "opencode_edit", "block", "ask-etc"),
    ("opencode", "opencode_read", "allow", None),
]


@pytest.mark.parametrize(("agent", "name", "expected", "rule"), CASES, ids=[c[1] for c in CASES])
def test_recorded_payload(
    run_hook: RunHook, tmp_path: Path, agent: str, name: str, expected: str, rule: str | None
) -> None:
    rules = warmed(tmp_path)
    result = run_hook(fixture(name), "--agent", agent, "--rules", str(rules))
    assert "Traceback" not in result.stderr
    assert verdict(agent, result.code, result.stdout) == expected, reason(result.stdout)
    if rule is not None:
        assert f"(rule {rule})" in reason(result.stdout)


def test_agent_specific_rule_names_match_literally(run_hook: RunHook, tmp_path: Path) -> None:
    """`tool: run_shell_command` (Gemini's own name) matches Gemini's shell calls, not
    Claude Code's or Codex's Bash calls."""
    rules = warmed(tmp_path)
    gemini = fixture("gemini_before_tool_shell")
    gemini["tool_input"] = {"command": "curl -s https://example.com"}
    result = run_hook(gemini, "--agent", "gemini", "--rules", str(rules))
    assert verdict("gemini", result.code, result.stdout) == "block"
    assert "(rule deny-gemini-curl)" in reason(result.stdout)
    codex = fixture("codex_pre_tool_use_bash")
    codex["tool_input"] = {"command": "curl -s https://example.com"}
    result = run_hook(codex, "--agent", "codex", "--rules", str(rules))
    assert "deny-gemini-curl" not in result.stdout.decode()
    # the default (ask) applies, which Codex can only express as a block
    assert "No rule covers this call" in reason(result.stdout)


def test_ask_reasons_say_a_person_must_confirm(run_hook: RunHook, tmp_path: Path) -> None:
    rules = warmed(tmp_path)
    for agent, name in (("codex", "codex_pre_tool_use_apply_patch"), ("opencode", "opencode_edit")):
        result = run_hook(fixture(name), "--agent", agent, "--rules", str(rules))
        text = reason(result.stdout)
        assert "wants a person to confirm" in text
        assert "cannot ask the user" in text


def test_claude_code_is_the_default_agent(run_hook: RunHook, tmp_path: Path) -> None:
    rules = warmed(tmp_path)
    payload = fixture("codex_pre_tool_use_bash")  # Claude-Code-like shape
    plain = run_hook(payload, "--rules", str(rules))
    explicit = run_hook(payload, "--agent", "claude", "--rules", str(rules))
    assert plain.code == explicit.code == 0
    assert plain.stdout == explicit.stdout
    assert plain.pre_tool_use()[0] == "allow"  # Claude Code can pre-approve


PROJECT_POLICY = """\
version: 1
default: {action: ask, reason: "No rule covers this call."}
rules:
  - id: project-writes
    action: allow
    reason: writing inside the project is fine
    conditions: {tool: Write, path: "${project}/**"}
"""


def test_the_agents_project_variable_names_the_project(run_hook: RunHook, tmp_path: Path) -> None:
    rules = warmed(tmp_path, PROJECT_POLICY)
    payload = fixture("gemini_before_tool_write")
    payload["tool_input"] = {"file_path": "/srv/app/src/x.py", "content": "x"}
    inside = run_hook(
        payload, "--agent", "gemini", "--rules", str(rules), env={"GEMINI_PROJECT_DIR": "/srv/app"}
    )
    assert verdict("gemini", inside.code, inside.stdout) == "allow"
    outside = run_hook(
        payload,
        "--agent",
        "gemini",
        "--rules",
        str(rules),
        env={"GEMINI_PROJECT_DIR": "/srv/other"},
    )
    assert verdict("gemini", outside.code, outside.stdout) == "ask"
