"""Bad input to `superego-mcp hook --agent NAME`: always a fail-closed answer in that
agent's own format (or exit 2), never an exit code or answer the agent reads as go ahead;
and, whatever arrives (hypothesis), a well-formed answer."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from agent_helpers import verdict, warmed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superego_mcp.hook.runner import MAX_INPUT, handle
from support.hook import Result, write_policy

RunHook = Callable[..., Result]  # the run_hook fixture (tests/hook/conftest.py)

AGENTS = ["codex", "gemini", "copilot", "cursor", "opencode"]

COMMON_BAD: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("blank", b"  \n"),
    ("not json", b"rm -rf ~"),
    ("not utf-8", b'{"tool_name": "\xff"}'),
    ("array", b"[1, 2]"),
    ("string", b'"Bash"'),
    ("duplicate keys", b'{"a": 1, "a": 2}'),
    ("deep", b"[" * 5000 + b"]" * 5000),
]

SHAPE_BAD: dict[str, list[dict[str, object]]] = {
    "codex": [
        {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": "rm -rf ~"},
        {"hook_event_name": "PreToolUse", "tool_name": 5, "tool_input": {}},
        {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {}, "cwd": "rel"},
        {
            "hook_event_name": "PreToolUse",
            "tool_name": "apply_patch",
            "tool_input": {"command": "x"},
        },
        {"hook_event_name": "PermissionRequest", "tool_input": {"command": "ls"}},
    ],
    "gemini": [
        {"hook_event_name": "BeforeTool", "tool_name": "run_shell_command", "tool_input": []},
        {"hook_event_name": "BeforeTool", "tool_input": {"command": "ls"}},
        {"hook_event_name": "BeforeTool", "tool_name": "read_many_files", "tool_input": {}},
        {"hook_event_name": 7, "tool_name": "read_file", "tool_input": {}},
    ],
    "copilot": [
        {"toolName": "bash", "toolArgs": "not json"},
        {"toolName": "bash", "toolArgs": 5},
        {"toolName": "bash", "toolArgs": "[1]"},
        {"toolArgs": {"command": "ls"}},
        {"toolName": "bash", "toolArgs": {"command": "ls"}, "cwd": "C:\\Users\\x"},
    ],
    "cursor": [
        {"hook_event_name": "beforeShellExecution", "cwd": "/tmp"},
        {"hook_event_name": "beforeMCPExecution", "tool_name": "q", "tool_input": "[1]"},
        {"hook_event_name": "beforeReadFile", "file_path": 3},
        {"hook_event_name": "preToolUse", "tool_name": "Shell", "tool_input": "ls"},
    ],
    "opencode": [
        {"tool": "bash", "args": "ls"},
        {"args": {"command": "ls"}, "directory": "/tmp"},
        {"tool": "bash", "args": {"command": "ls"}, "directory": "relative"},
        {"tool": "apply_patch", "args": {"patchText": 1}, "directory": "/tmp"},
    ],
}

CASES = [(a, name, raw) for a in AGENTS for name, raw in COMMON_BAD] + [
    (a, f"shape {i}", json.dumps(p).encode()) for a in AGENTS for i, p in enumerate(SHAPE_BAD[a])
]


@pytest.mark.parametrize(("agent", "name", "raw"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_bad_input_fails_closed(
    run_hook: RunHook, tmp_path: Path, agent: str, name: str, raw: bytes
) -> None:
    rules = warmed(tmp_path)
    # The weaker fail mode (ask) must still never let the call through.
    result = run_hook(raw, "--agent", agent, "--rules", str(rules))
    assert "Traceback" not in result.stderr
    got = verdict(agent, result.code, result.stdout)
    assert got in ("block", "ask"), (got, result.stdout)


@pytest.mark.parametrize("agent", AGENTS)
def test_bad_input_with_fail_mode_deny_blocks(
    run_hook: RunHook, tmp_path: Path, agent: str
) -> None:
    rules = warmed(tmp_path)
    for raw in (b"", json.dumps(SHAPE_BAD[agent][0]).encode()):
        result = run_hook(raw, "--agent", agent, "--rules", str(rules), "--fail-mode", "deny")
        assert verdict(agent, result.code, result.stdout) == "block", result.stdout


@pytest.mark.parametrize("agent", AGENTS)
def test_huge_input_fails_closed(run_hook: RunHook, tmp_path: Path, agent: str) -> None:
    rules = warmed(tmp_path)
    raw = b'{"x": "' + b"a" * (MAX_INPUT + 10) + b'"}'
    result = run_hook(raw, "--agent", agent, "--rules", str(rules))
    assert verdict(agent, result.code, result.stdout) in ("block", "ask")
    assert "larger than" in result.stdout.decode()


@pytest.mark.parametrize("agent", AGENTS)
def test_broken_policy_fails_closed(run_hook: RunHook, tmp_path: Path, agent: str) -> None:
    rules = write_policy(tmp_path, "version: 1\nrules: [{id: x, action: maybe}]\n")
    payload = {
        "hook_event_name": {"gemini": "BeforeTool", "cursor": "preToolUse"}.get(
            agent, "PreToolUse"
        ),
        "tool_name": "Read",
        "tool_input": {"file_path": "/tmp/x"},
        "toolName": "view",
        "toolArgs": {"path": "/tmp/x"},
        "tool": "read",
        "args": {"filePath": "/tmp/x"},
        "cwd": "/tmp",
        "directory": "/tmp",
    }
    result = run_hook(payload, "--agent", agent, "--rules", str(rules))
    assert verdict(agent, result.code, result.stdout) in ("block", "ask")
    assert "rules.yaml" in result.stdout.decode()


# --- any input (hypothesis), judged in-process ---------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
KEYS = [
    "hook_event_name",
    "tool_name",
    "tool_input",
    "cwd",
    "toolName",
    "toolArgs",
    "tool",
    "args",
    "directory",
    "command",
    "file_path",
    "workspace_roots",
    "mcp_context",
]
TOOL_NAMES = [
    "Bash",
    "apply_patch",
    "run_shell_command",
    "write_file",
    "web_fetch",
    "read_many_files",
    "bash",
    "edit",
    "create",
    "Shell",
    "MCP:srv:delete_x",
    "read",
    "webfetch",
    "mcp_a_b",
]
EVENTS = [
    "PreToolUse",
    "PermissionRequest",
    "BeforeTool",
    "AfterTool",
    "preToolUse",
    "beforeShellExecution",
    "beforeMCPExecution",
    "beforeReadFile",
    "stop",
]
values_by_key = {
    "hook_event_name": st.sampled_from(EVENTS) | json_values,
    "tool_name": st.sampled_from(TOOL_NAMES) | json_values,
    "toolName": st.sampled_from(TOOL_NAMES) | json_values,
    "tool": st.sampled_from(TOOL_NAMES) | json_values,
    "cwd": st.sampled_from(["/tmp", "", "rel"]) | json_values,
    "directory": st.sampled_from(["/tmp", "rel"]) | json_values,
}
args_values = st.dictionaries(
    st.sampled_from(["command", "file_path", "filePath", "path", "patchText", "prompt", "include"]),
    st.sampled_from(["rm -rf ~", "ls", "*** Add File: a\n+x", "~/.ssh/id_rsa"]) | json_values,
    max_size=3,
)
payloads = st.fixed_dictionaries(
    {},
    optional={
        k: values_by_key.get(
            k, args_values if k in ("tool_input", "toolArgs", "args") else json_values
        )
        for k in KEYS
    },
)
raws = (
    st.binary(max_size=200)
    | payloads.map(lambda p: json.dumps(p).encode())
    | json_values.map(lambda v: json.dumps(v).encode())
)


@pytest.fixture
def agent_args(hook_env: dict[str, str], tmp_path: Path) -> argparse.Namespace:
    return argparse.Namespace(
        rules=str(warmed(tmp_path)),
        config=None,
        server=None,
        on_server_error="local",
        fail_mode=None,
        agent=None,
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(agent=st.sampled_from(AGENTS), raw=raws)
def test_any_input_gets_a_well_formed_answer(
    agent_args: argparse.Namespace, agent: str, raw: bytes
) -> None:
    agent_args.agent = agent
    outcome = handle(raw, agent_args)
    got = verdict(agent, outcome.code, outcome.stdout)  # checks the exact shape
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        assert got in ("block", "ask")  # not even an object: never let through
