"""What a person sees: `explain` shows characters that hide or reorder text (direction
overrides, zero-width characters, terminal controls) escaped, with a warning, and lists them
in its JSON; ordinary text is untouched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from superego_mcp import visible


@pytest.mark.parametrize(
    ("text", "shown", "kind"),
    [
        ("a\u202eb", "a\\u202eb", "bidi"),
        ("a\u2066b\u2069", "a\\u2066b\\u2069", "bidi"),
        ("a\u200bb", "a\\u200bb", "invisible"),
        ("a\ufeffb", "a\\ufeffb", "invisible"),
        ("a\x1b[2Kb", "a\\u001b[2Kb", "control"),
        ("a\rb", "a\\u000db", "control"),
        ("a\U000e0041b", "a\\U000e0041b", "invisible"),
        ("a\ud800b", "a\\ud800b", "control"),
    ],
)
def test_hiding_characters_are_escaped_and_named(text: str, shown: str, kind: str) -> None:
    assert visible.escape(text) == shown
    lines = visible.hidden(text)
    assert lines
    assert all(line.endswith(f"({kind}) x1") for line in lines)


def test_ordinary_text_is_unchanged() -> None:
    for text in ("ls -la", "echo 'héllo wörld' \\n", "a\tb\nc", "日本語", ""):
        assert visible.escape(text) == text
        assert visible.hidden(text) == []


def test_backslashes_are_doubled_only_when_something_is_escaped() -> None:
    # Otherwise "\\u202e" typed literally would look like an escaped override.
    assert visible.escape("x\\u202e \u202e") == "x\\\\u202e \\u202e"
    assert visible.escape("x\\u202e") == "x\\u202e"


def test_hidden_in_looks_through_nested_input_and_keys() -> None:
    found = visible.hidden_in({"command": "ls", "nested": [{"k\u2066": "v\u200d"}]})
    assert found == [
        "U+200D ZERO WIDTH JOINER (invisible)",
        "U+2066 LEFT-TO-RIGHT ISOLATE (bidi)",
    ]


def _explain(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "superego_mcp", "explain", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


def test_explain_warns_and_escapes(tmp_path: Path) -> None:
    # Reads as `cat notes.txt` in a terminal that honours the override; runs `cat` on
    # "notes\u202etxt.sh".
    proc = _explain("--", "cat notes\u202etxt.sh", cwd=tmp_path)
    first, *rest = proc.stdout.splitlines()
    assert first.startswith("warning: this call contains characters that hide or reorder text")
    assert "U+202E RIGHT-TO-LEFT OVERRIDE (bidi)" in first
    assert "\u202e" not in proc.stdout
    assert any("cat notes\\u202etxt.sh" in line for line in rest)


def test_explain_json_lists_the_characters(tmp_path: Path) -> None:
    proc = _explain("--json", "--", "echo ok\u200b", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert data["hidden_characters"] == ["U+200B ZERO WIDTH SPACE (invisible)"]
    assert data["call"]["tool_input"]["command"] == "echo ok\u200b"  # the data stays exact
    clean = json.loads(_explain("--json", "--", "echo ok", cwd=tmp_path).stdout)
    assert clean["hidden_characters"] == []
    assert "warning:" not in _explain("--", "echo ok", cwd=tmp_path).stdout
