"""Every agent's file tools are judged on their path whatever name a release gave it (Gemini
CLI's read_file took ``absolute_path``), and a path-like argument no release used is judged
as a path, never passed over: through the real hook process. Under the test policy a read
is allowed unless its path is under ~/.ssh (deny-ssh), so a path that is not seen allows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from agent_helpers import fixture, reason, verdict, warmed

from superego_mcp.hook.agents import adapter_for
from support.hook import Result

RunHook = Callable[..., Result]
KEY = "~/.ssh/id_ed25519"


def _gemini(name: str) -> dict[str, object]:
    data = fixture("gemini_before_tool_read")
    data["tool_input"] = {name: KEY}
    return data


def _opencode(name: str) -> dict[str, object]:
    data = fixture("opencode_read")
    data["args"] = {name: KEY}
    return data


def _cursor(name: str) -> dict[str, object]:
    data = fixture("cursor_pre_tool_use_read")
    data["tool_input"] = {name: KEY}
    return data


def _copilot(name: str) -> dict[str, object]:
    data = fixture("copilot_pre_tool_use_edit")
    data["toolName"] = "view"
    data["toolArgs"] = {name: KEY}
    return data


CASES = [
    ("gemini", _gemini, "absolute_path"),  # read_file before file_path
    ("gemini", _gemini, "file_path"),
    ("gemini", _gemini, "path"),
    ("opencode", _opencode, "filePath"),
    ("opencode", _opencode, "file_path"),
    ("cursor", _cursor, "target_file"),
    ("cursor", _cursor, "file_path"),
    ("copilot", _copilot, "path"),
    ("copilot", _copilot, "absolute_path"),
    ("gemini", _gemini, "source_file_location"),  # no release's name: path-like, judged
]


@pytest.mark.parametrize(("agent", "build", "name"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_the_path_argument_is_judged_whatever_its_name(
    run_hook: RunHook,
    tmp_path: Path,
    agent: str,
    build: Callable[[str], dict[str, object]],
    name: str,
) -> None:
    rules = warmed(tmp_path)
    result = run_hook(build(name), "--agent", agent, "--rules", str(rules))
    assert verdict(agent, result.code, result.stdout) == "block", reason(result.stdout)
    assert "(rule deny-ssh)" in reason(result.stdout)


def test_the_adapters_name_our_field() -> None:
    request = adapter_for("gemini").parse_hook_input(_gemini("absolute_path"))
    assert request.call is not None
    assert request.call.tool_input["file_path"] == KEY
