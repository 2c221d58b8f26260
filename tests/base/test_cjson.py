"""superego_mcp.cjson answers exactly as json does, without importing json (or re)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from superego_mcp import cjson

TEXTS = [
    '{"tool_name": "Bash", "tool_input": {"command": "ls -la | head -5"}, "cwd": "/p"}',
    ' \t\n[1, -0, 2.5, -3e10, 1E+2, true, false, null, "", "\\u00e9\\ud800\\n"] \r\n',
    '"just a string"',
    "12345678901234567890123",
    "[NaN, Infinity, -Infinity]",
    '{"a": {"b": {"c": [[], {}]}}, "\\u0000k": "\\/"}',
    '{"emoji": "\\ud83d\\ude00", "raw": "\u00e9\u4e2d"}',
]
BAD = ["", "   ", "{", "[1,]", '{"a": 1} x', "\ufeff{}", "nul", '{"a" 1}', "[1] [2]", '"\x01"']
VALUES: list[object] = [
    {"b": 1, "a": [1.5, None, True, "\u00e9\ud800", {"z": -0.0}], "c": 10**30},
    "line\u2028sep",
    [float("inf"), float("nan"), -float("inf")],
    {1: 2, None: 3, 2.5: "x", False: 1, "k": '\x00\x1f"\\'},
    [],
    {},
    7,
    None,
]


@pytest.mark.parametrize("text", TEXTS)
def test_loads_gives_what_json_gives(text: str) -> None:
    want = json.loads(text)
    for data in (text, text.encode("utf-8")):
        assert repr(cjson.loads(data)) == repr(want)


@pytest.mark.parametrize("text", BAD)
def test_loads_refuses_with_jsons_own_error(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as ours:
        cjson.loads(text)
    assert str(ours.value) == str(theirs.value)
    assert cjson.DecodeError is json.JSONDecodeError


def test_loads_detects_other_encodings_as_json_does() -> None:
    for data in ('{"a": "\u00e9"}'.encode("utf-16"), '{"a": 1}'.encode("utf-16-le")):
        assert cjson.loads(data) == json.loads(data)
    assert cjson.loads(b'\xef\xbb\xbf{"a": 1}') == json.loads(b'\xef\xbb\xbf{"a": 1}')


def test_a_pairs_hooks_refusal_is_raised_as_is() -> None:
    class Repeated(ValueError):
        pass

    def refuse(pairs: list[tuple[str, object]]) -> dict[str, object]:
        if len({k for k, _ in pairs}) < len(pairs):
            raise Repeated(pairs[0][0])
        return dict(pairs)

    with pytest.raises(Repeated):
        cjson.loads('{"command": "ls", "command": "rm -rf ~"}', object_pairs_hook=refuse)
    assert cjson.loads('{"a": {"b": 1}}', object_pairs_hook=refuse) == {"a": {"b": 1}}


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_dumps_gives_what_json_gives(value: object) -> None:
    for kw in (
        {},
        {"ensure_ascii": False},
        {"ensure_ascii": False, "sort_keys": True},
        {"ensure_ascii": True, "separators": (",", ":")},
    ):
        try:
            want = json.dumps(value, **kw)  # type: ignore[arg-type]
        except TypeError:  # sort_keys over keys of mixed types
            with pytest.raises(TypeError):
                cjson.dumps(value, **kw)  # type: ignore[arg-type]
            continue
        assert cjson.dumps(value, **kw) == want  # type: ignore[arg-type]


def test_dumps_refuses_with_jsons_own_error() -> None:
    for value in ({"a": object()}, {(1, 2): 1}):
        with pytest.raises(TypeError) as theirs:
            json.dumps(value)
        with pytest.raises(TypeError) as ours:
            cjson.dumps(value)
        assert str(ours.value) == str(theirs.value)
    circular: list[object] = []
    circular.append(circular)
    with pytest.raises(ValueError, match="Circular reference"):
        cjson.dumps(circular)


def test_errors_are_jsons_before_json_is_imported() -> None:
    # The C scanner reports an error through json.decoder, and only once it is loaded.
    code = (
        "import sys, json as j0; del sys.modules['json'], sys.modules['json.decoder']\n"
        "from superego_mcp import cjson\n"
        "for text in ('{\"a\": 1', '[1,', '{\"a\" 1}', 'nul', '{\"a\": 1} x'):\n"
        "    try:\n"
        "        cjson.loads(text)\n"
        "    except ValueError as exc:\n"
        "        print(type(exc).__name__, exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    want = []
    for text in ('{"a": 1', "[1,", '{"a" 1}', "nul", '{"a": 1} x'):
        with pytest.raises(json.JSONDecodeError) as exc:
            json.loads(text)
        want.append(f"JSONDecodeError {exc.value}")
    assert out.stdout.splitlines() == want


def test_neither_json_nor_re_is_imported() -> None:
    code = (
        "import sys\n"
        "from superego_mcp import cjson\n"
        'v = cjson.loads(b\'{"a": [1, 2.5, "x"]}\')\n'
        "cjson.dumps(v, separators=(',', ':')); cjson.dumps(v, ensure_ascii=False)\n"
        "print(sorted(m for m in ('json', 're', 'enum') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
