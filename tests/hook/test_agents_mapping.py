"""Each agent's calls in our vocabulary (in-process: the parsing is pure)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from agent_helpers import AGENT_POLICY, FIXTURES, fixture

from superego_mcp.hook.agents import AGENTS, adapter_for
from superego_mcp.hook.agents.wire import HookInputError
from superego_mcp.model import Decision, ToolCall
from superego_mcp.policy.layers import compile_policy
from support.hook import SCRIPT, write_policy


def calls(agent: str, data: object) -> list[ToolCall]:
    request = adapter_for(agent).parse_hook_input(data, default_cwd="/work")
    assert request.call is not None
    return [request.call, *request.more]


def test_cli_choices_name_every_agent() -> None:
    from superego_mcp.cli import _HOOK_OPTIONS

    assert tuple(_HOOK_OPTIONS["--agent"][0] or ()) == AGENTS


def test_codex_apply_patch_is_one_call_per_file() -> None:
    got = calls("codex", fixture("codex_pre_tool_use_apply_patch"))
    assert [(c.tool_name, c.tool_input["file_path"], c.agent_tool) for c in got] == [
        ("Write", "notes.txt", "apply_patch"),
        ("Edit", "/etc/hosts", "apply_patch"),
    ]
    assert got[0].tool_input["content"] == "hello"
    assert got[1].tool_input["old_string"] == "127.0.0.1 localhost"
    assert got[1].tool_input["new_string"] == "127.0.0.1 localhost example.test"
    assert all(c.cwd == "/tmp" and c.agent == "codex" for c in got)


def test_patch_move_and_delete() -> None:
    patch = (
        "*** Begin Patch\n*** Update File: a.py\n*** Move to: b.py\n@@\n-x\n+y\n"
        "*** Delete File: c.py\n*** End Patch"
    )
    got = calls(
        "opencode", {"tool": "apply_patch", "args": {"patchText": patch}, "directory": "/p"}
    )
    assert [(c.tool_name, c.tool_input["file_path"]) for c in got] == [
        ("Edit", "a.py"),
        ("Write", "b.py"),
        ("Write", "c.py"),
    ]
    assert got[0].tool_input["old_string"] == "x"
    assert got[1].tool_input["content"] == "y"
    assert got[2].tool_input["content"] == ""


def test_gemini_names() -> None:
    shell = calls("gemini", fixture("gemini_before_tool_shell"))[0]
    assert (shell.tool_name, shell.agent_tool, shell.cwd) == ("Bash", "run_shell_command", "/tmp")
    sub = fixture("gemini_before_tool_shell")
    sub["tool_input"] = {"command": "make", "dir_path": "src/app"}
    assert calls("gemini", sub)[0].cwd == "/tmp/src/app"
    assert calls("gemini", fixture("gemini_before_tool_write"))[0].tool_name == "Write"
    mcp = calls("gemini", fixture("gemini_before_tool_mcp"))[0]
    assert mcp.tool_name == "mcp__github__delete_repository"
    no_context = fixture("gemini_before_tool_mcp")
    del no_context["mcp_context"]
    assert calls("gemini", no_context)[0].tool_name == "mcp__github__delete_repository"
    fetches = calls("gemini", fixture("gemini_before_tool_web_fetch"))
    assert [c.tool_input["url"] for c in fetches] == [
        "https://example.com/docs",
        "http://169.254.169.254/latest/meta-data/",
    ]


def test_copilot_string_and_object_args() -> None:
    docs = calls("copilot", fixture("copilot_pre_tool_use_docs"))[0]
    assert (docs.tool_name, docs.tool_input["command"]) == ("Bash", "rm -rf dist")
    live = calls("copilot", fixture("copilot_pre_tool_use_live"))[0]
    assert (live.tool_name, live.session_id) == ("Bash", "85a696df-0000-4000-8000-000000000001")
    edit = calls("copilot", fixture("copilot_pre_tool_use_edit"))[0]
    assert edit.tool_name == "Edit"
    assert edit.tool_input["file_path"] == edit.tool_input["path"] == "/etc/hosts"
    assert edit.tool_input["old_string"] == "127.0.0.1 localhost"


def test_cursor_events_and_roots() -> None:
    shell = calls("cursor", fixture("cursor_pre_tool_use_shell"))[0]
    assert (shell.tool_name, shell.agent_tool, shell.cwd) == ("Bash", "Shell", "/tmp")
    mcp = calls("cursor", fixture("cursor_before_mcp_execution"))[0]
    assert mcp.tool_name == "mcp__unknown__database_query"
    assert mcp.tool_input == {"query": "SELECT * FROM users"}
    named = {"hook_event_name": "preToolUse", "tool_name": "MCP:github:delete_repo", "cwd": "/r"}
    assert calls("cursor", named)[0].tool_name == "mcp__github__delete_repo"
    read = calls("cursor", fixture("cursor_before_read_file"))[0]
    assert read.tool_input == {"file_path": "/tmp/secrets.env"}  # the content is not judged
    # no cwd, no roots: the hook's own working directory
    bare = {"hook_event_name": "beforeShellExecution", "command": "ls"}
    assert calls("cursor", bare)[0].cwd == "/work"


def test_opencode_names() -> None:
    bash = calls("opencode", fixture("opencode_bash"))[0]
    assert (bash.tool_name, bash.cwd, bash.agent_tool) == ("Bash", "/tmp", "bash")
    edit = calls("opencode", fixture("opencode_edit"))[0]
    assert edit.tool_input["file_path"] == "/etc/hosts"
    assert edit.tool_input["new_string"] == "localhost example.test"


def test_unknown_tools_keep_their_name() -> None:
    got = calls("gemini", {"tool_name": "save_memory", "tool_input": {"fact": "x"}, "cwd": "/"})
    assert (got[0].tool_name, got[0].agent_tool) == ("save_memory", None)


@pytest.mark.parametrize("agent", AGENTS[1:])
def test_observed_or_unusable_events_do_not_raise_for_other_events(agent: str) -> None:
    module = adapter_for(agent)
    if agent in ("copilot", "opencode"):
        with pytest.raises(HookInputError):
            module.parse_hook_input({}, default_cwd="/")
        return
    request = module.parse_hook_input({"hook_event_name": "Stop"}, default_cwd="/")
    assert not request.judged
    assert module.render_decision("Stop", Decision("deny", "x")) == {}


def test_rules_see_our_name_and_the_agents_name() -> None:
    policy = compile_policy(
        "version: 1\ndefault: {action: allow, reason: ok}\nrules:\n"
        "  - {id: ours, action: ask, reason: r, conditions: {tool: Write}}\n"
        "  - {id: theirs, action: deny, reason: r, conditions: {tool: write_file}}\n"
        "  - {id: shell, action: deny, reason: r, conditions: "
        "{tool: run_shell_command, shell: {program: curl}}}\n",
        "t.yaml",
    )
    write = ToolCall("Write", {"file_path": "/tmp/x"}, "/", agent="gemini", agent_tool="write_file")
    assert policy.evaluate(write).rule_id == "ours"  # first by priority/order
    assert [r.id for r in policy.rules_for("Write", "write_file")] == ["ours", "theirs"]
    curl = ToolCall(
        "Bash", {"command": "curl x"}, "/", agent="gemini", agent_tool="run_shell_command"
    )
    assert policy.evaluate(curl).rule_id == "shell"
    plain = ToolCall("Bash", {"command": "curl x"}, "/")
    assert policy.evaluate(plain).action == "allow"


def test_project_roots_the_agents_name() -> None:
    cursor = calls("cursor", fixture("cursor_pre_tool_use_shell"))[0]
    assert cursor.project == "/tmp"  # the first workspace root
    opencode = calls("opencode", fixture("opencode_bash"))[0]
    assert opencode.project == "/tmp"  # the worktree
    outside_git = fixture("opencode_bash")
    outside_git["worktree"] = "/"
    assert calls("opencode", outside_git)[0].project is None  # left to superego_mcp.project
    # A forwarding command hook adds project_dir / home; every adapter reads them.
    forwarded = fixture("gemini_before_tool_shell")
    forwarded.update(project_dir="/srv/app", home="/home/u")
    got = calls("gemini", forwarded)[0]
    assert (got.project, got.home) == ("/srv/app", "/home/u")


def _explain(
    hook_env: dict[str, str], tmp_path: Path, *args: str, stdin: bytes = b"", code: int = 0
) -> str:
    assert SCRIPT is not None
    rules = write_policy(tmp_path, AGENT_POLICY)
    proc = subprocess.run(
        [SCRIPT, "explain", "--rules", str(rules), *args],
        input=stdin,
        capture_output=True,
        env=hook_env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert proc.returncode == code, proc.stderr
    return proc.stdout.decode()


def test_explain_agent_shows_the_mapping_and_the_answer(
    hook_env: dict[str, str], tmp_path: Path
) -> None:
    table = _explain(hook_env, tmp_path, "--agent", "gemini")
    assert "run_shell_command" in table
    assert "->  Bash" in table
    raw = (FIXTURES / "codex_pre_tool_use_apply_patch.json").read_bytes()
    # the patch's /etc/hosts edit asks (exit 1); Codex gets a deny saying so
    out = _explain(hook_env, tmp_path, "--agent", "codex", "--json", "-", stdin=raw, code=1)
    data = json.loads(out)
    assert [c["mapping"]["tool_name"] for c in data["calls"]] == ["Write", "Edit"]
    assert data["answer"]["hookSpecificOutput"]["permissionDecision"] == "deny"
    text = _explain(hook_env, tmp_path, "--agent", "opencode", "--", "rm", "-rf", "dist", code=2)
    assert "opencode tool bash -> our Bash" in text
    assert 'answer to opencode (tool.execute.before): {"decision": "deny"' in text
