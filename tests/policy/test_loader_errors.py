"""Bad policy files: every class of mistake is a PolicyError naming file, line and rule."""

from __future__ import annotations

import pickle
import textwrap

import pytest

from superego_mcp.policy import PolicyError, compile_policy, load_policy

RULE = """\
version: 1
rules:
  - id: r1
    action: deny
    reason: because
    conditions:
{conditions}
"""


def _error(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        compile_policy(text, "bad.yaml")
    return info.value


def _cond_error(conditions: str) -> PolicyError:
    body = textwrap.indent(textwrap.dedent(conditions), "      ")
    return _error(RULE.format(conditions=body))


def test_str_is_file_line_rule_message() -> None:
    err = _cond_error("tol: Bash")
    assert (err.file, err.line, err.rule_id) == ("bad.yaml", 7, "r1")
    assert err.message == "unknown condition 'tol' (did you mean 'tool'?)"
    assert str(err) == "bad.yaml:7: rule r1: unknown condition 'tol' (did you mean 'tool'?)"


def test_yaml_syntax_error_has_line() -> None:
    err = _error("version: 1\nrules:\n  - id: x\n    action: [deny\n")
    assert err.file == "bad.yaml"
    assert err.line is not None
    assert err.line >= 4
    assert "YAML syntax error" in str(err)


@pytest.mark.parametrize(
    ("conditions", "line", "fragment"),
    [
        ("shell: {progam: rm}", 7, "unknown shell test 'progam' (did you mean 'program'?)"),
        ("path: {any: ['~/.ssh/**'], nope: []}", 7, "unknown key in 'path' 'nope'"),
        ("param: {command: {regx: x}}", 7, "unknown value test 'regx' (did you mean 'regex'?)"),
        ("param: {command: {regex: '(unclosed'}}", 7, "bad regular expression"),
        ("tool: 're:(bad'", 7, "bad regular expression"),
        ("path: ['/etc/[abc']", 7, "unclosed '['"),
        ("path: ['/etc/${nope}/x']", 7, "only ~, ${home}, ${project}, ${tmp} or ${superego}"),
        ("time: {start: '25:00', end: '17:00'}", 7, "bad time '25:00'"),
        ("time: {start: '9am'}", 7, "bad time '9am'"),
        ("time: {timezone: Mars/Olympus}", 7, "unknown timezone 'Mars/Olympus'"),
        ("time: {days: [mon, funday]}", 7, "bad day 'funday'"),
        ("shell: {finding: fork_bom}", 7, "unknown finding 'fork_bom' (did you mean 'fork_bomb'?)"),
        ("shell: {flags: [-r]}", 7, "spelled with a dash, so 'program' must name"),
        (
            "shell: {moves_above: ['/srv']}",
            7,
            "'moves_above' takes ${project}, ${home}, not '/srv'",
        ),
        ("param: {'$.a[': x}", 7, "unsupported JSONPath"),
        ("param: {x: {gt: many}}", 7, "'gt' needs a number"),
        ("tool: [Read, 3]", 7, "'tool' must be a string, not 3"),
        ("any: []", 7, "'any' needs at least one conditions mapping"),
        ("not: [tool: Read]", 7, "conditions must be a mapping"),
    ],
)
def test_condition_errors(conditions: str, line: int, fragment: str) -> None:
    err = _cond_error(conditions)
    assert err.rule_id == "r1"
    assert err.line == line
    assert fragment in err.message


def test_wrong_types_and_missing_keys() -> None:
    base = "version: 1\nrules:\n  - id: r1\n"
    err = _error(base + "    action: block\n    reason: x\n    conditions: {}\n")
    assert (err.line, err.rule_id) == (4, "r1")
    assert "unknown action 'block'" in err.message
    err = _error(base + "    action: deny\n    reason: x\n    priority: high\n    conditions: {}\n")
    assert err.line == 6
    assert "'priority' must be a whole number" in err.message
    err = _error(base + "    action: deny\n    conditions: {}\n")
    assert err.line == 3
    assert "no 'reason'" in err.message
    err = _error(base + "    action: deny\n    reason: x\n")
    assert "no 'conditions'" in err.message
    err = _error(base + "    action: deny\n    reason: x\n    enabled: maybe\n    conditions: {}\n")
    assert "'enabled' must be true or false" in err.message
    err = _error(base + "    action: deny\n    reson: x\n    conditions: {}\n")
    assert "unknown rule key 'reson' (did you mean 'reason'?)" in err.message


def test_duplicate_rule_id_names_both_lines() -> None:
    text = textwrap.dedent("""\
        version: 1
        rules:
          - {id: a, action: deny, reason: x, conditions: {}}
          - {id: a, action: allow, reason: y, conditions: {}}
        """)
    err = _error(text)
    assert (err.line, err.rule_id) == (4, "a")
    assert "duplicate rule id 'a' (first defined on line 3)" in err.message


def test_duplicate_yaml_key() -> None:
    err = _error(
        "version: 1\nrules:\n  - id: a\n    action: deny\n    action: allow\n"
        "    reason: x\n    conditions: {}\n"
    )
    assert err.line == 5
    assert "duplicate key 'action'" in err.message


def test_top_level_errors() -> None:
    assert "unsupported policy version 2" in _error("version: 2\nrules: []\n").message
    assert "the policy file is empty" in _error("").message
    assert "must be a mapping" in _error("- just\n- a list\n").message
    err = _error("version: 1\nrulez: []\n")
    assert err.line == 2
    assert "(did you mean 'rules'?)" in err.message
    assert err.rule_id is None
    assert str(err).startswith("bad.yaml:2: unknown")


def test_bad_examples_are_errors() -> None:
    text = RULE.format(conditions="      tool: Read") + "    examples: {match: [{input: {}}]}\n"
    assert "example has no 'tool'" in _error(text).message
    text = RULE.format(conditions="      tool: Read") + "    examples: {matches: []}\n"
    assert "did you mean 'match'" in _error(text).message


def test_load_policy_file_errors(tmp_path: pytest.TempPathFactory) -> None:
    missing = f"{tmp_path}/missing.yaml"
    with pytest.raises(PolicyError) as info:
        load_policy(missing)
    assert info.value.file == missing
    assert "cannot read policy file" in str(info.value)
    binary = f"{tmp_path}/bin.yaml"
    with open(binary, "wb") as fh:
        fh.write(b"version: 1\n\xff\xfe")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(binary)
    typo = f"{tmp_path}/typo.yaml"
    with open(typo, "w") as fh:
        fh.write(RULE.format(conditions="      tol: Bash"))
    with pytest.raises(PolicyError) as info:
        load_policy(typo)
    assert str(info.value).startswith(f"{typo}:7: rule r1: unknown condition 'tol'")


def test_policy_error_pickles() -> None:
    err = _cond_error("tol: Bash")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err)
    assert again.rule_id == "r1"
