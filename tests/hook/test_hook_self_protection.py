"""Self-protection through the real hook process: whatever files are in effect (policy layers,
settings, cache, state), whatever their names, and the agent's hooks themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from hook_helpers import bash, call


@pytest.fixture
def setup(hook_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Files with names that say nothing about Superego: a settings file, a rules file,
    a state dir; the user policy is not created."""
    rules = tmp_path / "team" / "rules.yaml"
    rules.parent.mkdir()
    rules.write_text("version: 1\nextends: bundled\n")
    settings = tmp_path / "team" / "settings.yml"
    settings.write_text(f"rules: {rules}\n")
    state = tmp_path / "state"
    return {
        "rules": str(rules),
        "settings": str(settings),
        "cache": hook_env["SUPEREGO_CACHE_DIR"],
        "state": str(state),
        "user": str(Path(hook_env["HOME"]) / ".config" / "superego" / "policy.yaml"),
        "project": str(tmp_path / ".superego" / "policy.yaml"),
    }


WRITES = [
    ("Write", {"file_path": "{user}", "content": "version: 1\nextends: none\n"}),
    ("Edit", {"file_path": "{settings}", "old_string": "rules", "new_string": "xrules"}),
    ("Write", {"file_path": "{project}", "content": "version: 1\n"}),
    ("mcp__filesystem__write_file", {"path": "{rules}", "content": "x"}),
    ("Bash", {"command": "sed -i s/bundled/none/ {rules}"}),
    ("Bash", {"command": "echo 'default: {{action: allow}}' >> {project}"}),
    ("Bash", {"command": "ls && rm -rf {cache}"}),
    ("Bash", {"command": "cp /tmp/mine.json {state}/exceptions.json"}),
    ("Bash", {"command": "ln -sf /dev/null {user}"}),
    ("Bash", {"command": "bash -c 'cat /tmp/x | tee {settings}'"}),
    ("Bash", {"command": "mv .superego .superego-off"}),
]


@pytest.mark.parametrize(("tool", "template"), WRITES)
def test_writes_to_superego_files_in_effect_are_denied(
    run_hook, setup: dict[str, str], tool: str, template: dict[str, str], tmp_path: Path
) -> None:
    tool_input = {k: v.format(**setup) for k, v in template.items()}
    env = {"SUPEREGO_STATE_DIR": setup["state"]}
    # The call runs in the project (the hook's own cwd here), where .superego/ would be.
    r = run_hook(call(tool, tool_input, cwd=str(tmp_path)), "--config", setup["settings"], env=env)
    decision, reason = r.pre_tool_use()
    assert decision == "deny", (tool_input, reason)
    assert "Superego's own configuration" in reason


def test_reading_superego_files_and_other_files_stay_allowed(
    run_hook, setup: dict[str, str], tmp_path: Path
) -> None:
    cfg = ("--config", setup["settings"])
    assert run_hook(bash(f"cat {setup['rules']}"), *cfg).pre_tool_use()[0] == "allow"
    assert run_hook(call("Read", {"file_path": setup["settings"]}), *cfg).pre_tool_use()[0] == (
        "allow"
    )
    # A file whose name mentions Superego but is not in effect is an ordinary project file.
    other = str(tmp_path / "docs" / "superego-notes.yaml")
    write = call("Write", {"file_path": other, "content": "x"}, cwd=str(tmp_path))
    assert run_hook(write, *cfg).pre_tool_use()[0] == "allow"


def test_the_agent_cannot_switch_its_hooks_off(run_hook, hook_env: dict[str, str]) -> None:
    settings = str(Path(hook_env["HOME"]) / ".claude" / "settings.json")
    for c in (
        bash("superego-mcp hooks uninstall --scope project"),
        bash("python3 -m superego_mcp hooks uninstall"),
        call(
            "Edit",
            {"file_path": settings, "old_string": "{", "new_string": '{"disableAllHooks": true,'},
        ),
        bash(f"jq 'del(.hooks)' {settings} > /tmp/s.json"),
    ):
        decision, reason = run_hook(c).pre_tool_use()
        assert decision == "deny", c
        assert "switch off the agent's hooks" in reason
    # Other changes to the agent's settings are asked about, not refused.
    edit = call("Edit", {"file_path": settings, "old_string": "[", "new_string": '["Bash(ls)",'})
    assert run_hook(edit).pre_tool_use()[0] == "ask"
