"""Whatever arrives on stdin, the hook exits 0 with valid hook JSON or exits 2."""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superego_mcp.hook.agents.claude import is_valid_output
from superego_mcp.hook.runner import handle
from support.hook import SCRIPT, write_policy

EVENTS = ["PreToolUse", "PermissionRequest", "PostToolUse", "Stop", "", "preToolUse"]
TOOLS = ["Bash", "Read", "Write", "Edit", "mcp__plugin_p_s__t", "WebFetch", ""]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
commands = st.sampled_from(
    ["ls", "rm -rf ~", "git push --force", "echo $(", "a | b && c"]
) | st.text(max_size=80)
hook_inputs = st.fixed_dictionaries(
    {
        "hook_event_name": st.sampled_from(EVENTS) | json_values,
        "tool_name": st.sampled_from(TOOLS) | json_values,
        "tool_input": st.fixed_dictionaries({"command": commands})
        | st.dictionaries(st.text(max_size=10), json_values, max_size=3)
        | json_values,
    },
    optional={
        "cwd": st.sampled_from(["/tmp", "/", "rel", ""]) | json_values,
        "session_id": json_values,
    },
)
stdin_bytes = (
    st.binary(max_size=300)
    | json_values.map(lambda v: json.dumps(v).encode())
    | hook_inputs.map(lambda v: json.dumps(v).encode())
)


def check(code: int, stdout: bytes, raw: bytes) -> None:
    assert code in (0, 2)
    if code == 2:
        return
    data = json.loads(stdout)
    assert isinstance(data, dict)
    if not data:
        return  # no decision: an observed event, or a PermissionRequest left to the user
    event = data["hookSpecificOutput"]["hookEventName"]
    assert is_valid_output(event, data)
    decision = (
        data["hookSpecificOutput"].get("permissionDecision")
        or data["hookSpecificOutput"]["decision"]["behavior"]
    )
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        assert decision != "allow"  # input that is not even an object is never allowed


@pytest.fixture
def hook_args(hook_env: dict[str, str], tmp_path: Path) -> argparse.Namespace:
    return argparse.Namespace(
        rules=str(write_policy(tmp_path)),
        config=None,
        server=None,
        on_server_error="local",
        fail_mode=None,
    )


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=stdin_bytes)
def test_in_process_any_input_gets_a_valid_answer(
    hook_args: argparse.Namespace, raw: bytes
) -> None:
    outcome = handle(raw, hook_args)
    check(outcome.code, outcome.stdout, raw)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=stdin_bytes)
def test_real_process_any_input_gets_a_valid_answer(
    hook_env: dict[str, str], hook_args: argparse.Namespace, tmp_path: Path, raw: bytes
) -> None:
    assert SCRIPT is not None
    proc = subprocess.run(
        [SCRIPT, "hook", "--rules", hook_args.rules],
        input=raw,
        capture_output=True,
        env=hook_env,
        cwd=tmp_path,
        timeout=30,
        check=False,
    )
    assert b"Traceback" not in proc.stderr
    check(proc.returncode, proc.stdout, raw)
