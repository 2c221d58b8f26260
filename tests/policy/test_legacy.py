"""superego-mcp 0.0.0 rule files (real examples shipped with 0.0.0) load into the same engine."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from policy_helpers import HOME, call

from superego_mcp.decide import decide
from superego_mcp.policy import Policy, PolicyError, load_policy

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
OFFICE = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
NIGHT = datetime(2025, 6, 2, 20, 0, tzinfo=UTC)


def _load(name: str) -> Policy:
    return load_policy(os.path.join(FIXTURES, name))


def _rule(
    p: Policy, tool: str, now: datetime = NIGHT, cwd: str = "/srv/app", **inp: object
) -> tuple[str, str | None]:
    d = p.evaluate(call(tool, cwd=cwd, **inp), now=now, home=HOME)
    return d.action, d.rule_id


def test_advanced_rules_file() -> None:
    p = _load("legacy_rules.yaml")
    assert p.legacy
    assert len(p.rules) == 13
    assert _rule(p, "rm") == ("deny", "deny_dangerous_commands")  # list: exact names
    assert _rule(p, "Delete_file") == ("deny", "block_destructive_commands")  # regex, no case
    assert _rule(p, "read_file", path="/etc/passwd") == ("deny", "protect_system_files")
    assert _rule(p, "upload", size=10) == ("review", "limit_large_requests")  # sample = review
    assert _rule(p, "Write", cwd="/home/u/.ssh/keys") == ("deny", "restrict_sensitive_operations")
    assert _rule(p, "deploy_app", now=OFFICE) == ("review", "business_hours_restrictions")
    assert _rule(p, "deploy_app", now=NIGHT) != ("review", "business_hours_restrictions")
    assert _rule(p, "curl", url="http://x.example/a.exe") == ("deny", "monitor_network_requests")
    assert _rule(p, "x", path="/srv/app.conf") == ("review", "protect_config_files")
    assert _rule(p, "edit", path="/home/x/a.py") == ("review", "sample_file_operations")
    assert _rule(p, "edit", path="/tmp/a.py") == ("ask", None)
    assert _rule(p, "fetch", url="https://x") == ("review", "sample_network_operations")
    assert _rule(p, "tool", command="eval $x") == ("review", "sample_code_execution")
    assert _rule(p, "Read", file_path="README.md") == ("allow", "allow_safe_commands")
    # Disabled rules stay disabled; what no rule covers is asked about (0.0.0 allowed it).
    assert _rule(p, "old_command") == ("ask", None)
    guidance = {r.id: r.metadata.get("guidance") for r in p.rules}
    assert guidance["limit_large_requests"] == (
        "Evaluate if this file operation is legitimate and safe"
    )


def test_nested_or_is_honoured() -> None:
    # 0.0.0 ignored an OR nested in an AND, so this rule matched any tool in office hours.
    p = _load("legacy_rules.yaml")
    assert _rule(p, "unrelated", now=OFFICE) == ("ask", None)
    assert _rule(p, "systemctl", now=OFFICE) == ("review", "business_hours_restrictions")


def test_inference_example_file() -> None:
    p = _load("legacy_rules_inference.yaml")
    assert _rule(p, "bash", command="sudo ls") == ("deny", "deny-system-commands")
    assert _rule(p, "file_operations") == ("review", "sample-file-operations")
    assert _rule(p, "wget") == ("review", "sample-network-operations")
    # 'string' patterns are exact; case_sensitive: false is honoured.
    assert _rule(p, "shell_exec", command="PYTHON") == ("review", "sample-complex-operations")
    assert _rule(p, "shell_exec", command="python3") == ("review", "default-sampling")
    assert _rule(p, "git", now=OFFICE) == ("allow", "allow-dev-tools-business-hours")
    assert _rule(p, "git", now=NIGHT) == ("review", "default-sampling")
    meta = {r.id: r.metadata for r in p.rules}
    assert meta["sample-file-operations"]["inference_provider"] == "claude_cli"
    # review resolves through decide() like any rule.
    d = decide(p, call("wget"), home=HOME)
    assert d.action == "ask"
    assert d.rule_id == "sample-network-operations"


def test_demo_rules_file_on_claude_code_tools() -> None:
    p = _load("legacy_demo_rules.yaml")
    # A typed pattern straight under 'parameters' tests every value of the input.
    assert _rule(p, "Bash", command="sudo rm -rf /") == ("deny", "block_dangerous_system")
    assert _rule(p, "Read", file_path="/etc/shadow") == ("deny", "block_dangerous_system")
    assert _rule(p, "Read", file_path="README.md") == ("allow", "allow_safe_reads")
    assert _rule(p, "Write", file_path="a.py", content="x") == ("review", "evaluate_complex_ops")


@pytest.mark.parametrize(
    ("name", "line", "rule", "fragment"),
    [
        ("legacy_minimal_rules.yaml", 13, "protect_system_files", "rule has no 'priority'"),
        ("legacy_cli_demo_rules.yaml", 16, "block_system_damage", "'parameters' must be a mapping"),
    ],
)
def test_files_0_0_0_could_not_use_either(name: str, line: int, rule: str, fragment: str) -> None:
    with pytest.raises(PolicyError) as info:
        _load(name)
    err = info.value
    assert (err.line, err.rule_id) == (line, rule)
    assert fragment in err.message
    assert str(err).startswith(os.path.join(FIXTURES, name) + f":{line}: rule {rule}: ")


def test_legacy_errors_name_line_and_rule(tmp_path: object) -> None:
    from superego_mcp.policy import compile_policy

    base = "rules:\n  - id: r\n    priority: 1\n    action: deny\n    conditions:\n"
    cases = {
        "      tool_nme: x\n": (6, "unknown superego-mcp 0.0.0 condition 'tool_nme'"),
        "      tool_name: {type: regex, pattern: '(x'}\n": (6, "bad regular expression"),
        "      tool_name: {type: shell, pattern: x}\n": (6, "unknown pattern type 'shell'"),
        "      parameters: {a: {type: jsonpath, pattern: '$.a[?(@.x)]'}}\n": (
            6,
            "unsupported JSONPath",
        ),
        "      time_range: {start: '9'}\n": (6, "bad time '9'"),
    }
    for cond, (line, fragment) in cases.items():
        with pytest.raises(PolicyError) as info:
            compile_policy(base + cond, "old.yaml")
        assert info.value.line == line, cond
        assert info.value.rule_id == "r", cond
        assert fragment in info.value.message, cond
    with pytest.raises(PolicyError, match="unknown action 'block'"):
        compile_policy(base.replace("deny", "block") + "      tool_name: x\n", "old.yaml")
    with pytest.raises(PolicyError, match="'priority' must be 0-999"):
        compile_policy(base.replace("1", "1000") + "      tool_name: x\n", "old.yaml")
