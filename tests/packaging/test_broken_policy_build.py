"""A broken bundled policy fails the wheel build, and the error names the file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging_helpers import build_wheel, snapshot_source

POLICY = Path("src/superego_mcp/data/default_policy.yaml")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return snapshot_source(tmp_path / "src-copy")


def _break(tree: Path, text: str) -> None:
    (tree / POLICY).write_text(text, encoding="utf-8")


def _assert_build_fails_at(tree: Path, out: Path, line: int) -> str:
    result = build_wheel(tree, out)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert re.search(rf"default_policy\.yaml:{line}\b", output), output
    assert not list(out.glob("*.whl"))
    return output


def test_yaml_syntax_error_fails_with_file_and_line(tree: Path, tmp_path: Path) -> None:
    _break(tree, "version: 1\nrules:\n  - id: a\n    action: [allow\n")
    _assert_build_fails_at(tree, tmp_path / "dist", 5)


def test_duplicate_key_fails_with_file_and_line(tree: Path, tmp_path: Path) -> None:
    _break(tree, "version: 1\nrules: []\nrules: []\n")
    output = _assert_build_fails_at(tree, tmp_path / "dist", 3)
    assert "duplicate key 'rules'" in output


def test_invalid_rule_fails_with_the_loaders_file_and_line(tree: Path, tmp_path: Path) -> None:
    # Valid YAML, a well-formed outline, but an action the rules language does not have:
    # only the policy loader's compile step, run at build time, can catch it.
    _break(
        tree,
        "version: 1\n"
        "rules:\n"
        "  - id: ok\n"
        "    action: allow\n"
        "    reason: reading is fine\n"
        "    conditions: {tool: Read}\n"
        "  - id: bad\n"
        "    action: maybe\n"
        "    reason: unsure\n"
        "    conditions: {tool: Read}\n",
    )
    output = _assert_build_fails_at(tree, tmp_path / "dist", 8)
    assert "maybe" in output


def test_missing_policy_fails_the_wheel_build(tree: Path, tmp_path: Path) -> None:
    (tree / POLICY).unlink(missing_ok=True)
    result = build_wheel(tree, tmp_path / "dist")
    assert result.returncode != 0
    assert "default_policy.yaml: bundled policy missing" in result.stdout + result.stderr
