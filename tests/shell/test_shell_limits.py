"""Limits fail closed, and analyze() never raises whatever the input."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shell_helpers import Analyze, kinds

from superego_mcp.shell import analyze
from superego_mcp.shell.model import TOO_COMPLEX, UNPARSEABLE, Analysis

# A few seconds in all: the analyzer is fast, the inputs are small.
_FAST = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Text made of shell syntax, so the fuzzing reaches deep into the walker.
_SHELL_BITS = st.sampled_from(
    [
        "rm",
        " -rf ",
        "/",
        "$(",
        ")",
        "`",
        "'",
        '"',
        "\\",
        "\n",
        ";",
        "&&",
        "||",
        "|",
        "&",
        "<(",
        ">(",
        "{",
        "}",
        "(",
        ")",
        "$",
        "${",
        "IFS",
        "x=",
        "<<EOF\n",
        "EOF\n",
        "<<<",
        ">",
        ">>",
        "2>&1",
        "sudo ",
        "bash -c ",
        "eval ",
        "f(){ ",
        "; }",
        "f ",
        "alias a=",
        "xargs ",
        "find . -exec ",
        r" \; ",
        "-delete",
        "$'\\x72'",
        "{a,b}",
        "~",
        "*",
        "#",
        "if ",
        "then ",
        "fi",
        "for i in ",
        "do ",
        "done",
        "case x in ",
        "esac",
        "curl x",
        "base64 -d",
        "python3 -c ",
        "/dev/tcp/h/1",
        ":(){ :|:& };:",
        "\t",
        " ",
    ]
)


def _check(result: object) -> None:
    assert isinstance(result, Analysis)
    for cmd in result.commands:
        assert isinstance(cmd.program, str)
        assert all(isinstance(p, str) and p.startswith("/") for p in cmd.paths)
    if result.failed:
        assert kinds(result) & {TOO_COMPLEX, UNPARSEABLE}
    # An internal error would still fail closed, but it is a bug: none may happen.
    assert not any(f.detail.startswith("analysis failed") for f in result.findings)


@_FAST
@given(st.text(max_size=300))
def test_never_raises_on_text(source: str) -> None:
    _check(analyze(source, cwd="/work", home="/home/u"))


@_FAST
@given(st.binary(max_size=300))
def test_never_raises_on_undecodable_bytes(raw: bytes) -> None:
    source = raw.decode("utf-8", "surrogateescape")
    _check(analyze(source, cwd="/work", home="/home/u"))


@_FAST
@given(st.lists(_SHELL_BITS, max_size=40).map("".join))
def test_never_raises_on_shell_like_text(source: str) -> None:
    _check(analyze(source, cwd="/work", home="/home/u", env={"X": "rm"}))


def test_not_text_is_unparseable() -> None:
    result = analyze(b"rm -rf /", cwd="/", home="/root")  # type: ignore[arg-type]
    assert result.failed
    assert kinds(result) == {UNPARSEABLE}


def test_too_long(run: Analyze) -> None:
    result = run("echo " + "a" * 200, max_length=100)
    assert kinds(result) == {TOO_COMPLEX}


def test_too_many_commands(run: Analyze) -> None:
    result = run("; ".join(["ls"] * 20), max_commands=10)
    assert TOO_COMPLEX in kinds(result)
    assert result.failed


def test_too_deep_substitutions(run: Analyze) -> None:
    shallow = "echo " + "$(" * 5 + "rm x" + ")" * 5
    assert not run(shallow, max_depth=8).failed
    deep = "echo " + "$(" * 10 + "rm x" + ")" * 10
    assert TOO_COMPLEX in kinds(run(deep, max_depth=8))


def test_too_deep_shell_c(run: Analyze) -> None:
    source = "rm -rf /"
    for _ in range(6):
        source = "sh -c " + "'" + source.replace("'", "'\\''") + "'"
    assert not run(source, max_depth=8).failed
    assert TOO_COMPLEX in kinds(run(source, max_depth=4))


def test_very_deep_nesting_is_rejected_quickly(run: Analyze) -> None:
    for source in (
        "echo " + "$(" * 10_000 + ")" * 10_000,
        "(" * 5_000 + "ls" + ")" * 5_000,
        "echo " + "`" * 3_000,
        "x=$((" * 3_000,
    ):
        started = time.monotonic()
        result = run(source)
        # Bounded, not timed: a generous ceiling that only a runaway walk would hit.
        assert time.monotonic() - started < 10
        assert result.failed


def test_exponential_function_fan_out_is_bounded(run: Analyze) -> None:
    source = "f0(){ x=1; }; "
    source += " ".join(f"f{i}(){{ f{i - 1};f{i - 1};f{i - 1}; }};" for i in range(1, 30))
    result = run(source + " f29")
    assert TOO_COMPLEX in kinds(result)


def test_exponential_alias_fan_out_is_bounded(run: Analyze) -> None:
    source = "alias a0=true; "
    source += " ".join(f'alias a{i}="a{i - 1};a{i - 1};a{i - 1}";' for i in range(1, 30))
    assert TOO_COMPLEX in kinds(run(source + " a29"))


def test_partial_results_are_kept_when_the_walk_hits_a_limit(run: Analyze) -> None:
    # Seven commands on the line, so it is walked; the calls fan out past the limit.
    result = run("f(){ ls;ls;ls;ls; }; f; f; f", max_commands=10)
    assert TOO_COMPLEX in kinds(result)
    assert len(result.commands) == 10


SEPARATORS = ["; ", " && ", " || ", " | ", " |& ", "\n", " & "]


@pytest.mark.parametrize("sep", SEPARATORS)
def test_a_line_over_the_command_limit_is_refused_before_it_is_walked(
    run: Analyze, sep: str
) -> None:
    # 20,000 commands (the character limit is raised so the command limit is what cuts).
    result = run(sep.join(["ls -la"] * 20_000), max_length=1_000_000)
    assert kinds(result) == {TOO_COMPLEX}
    assert result.commands == ()  # refused unread: nothing was walked
    [finding] = result.findings
    assert finding.detail.endswith(" commands, over the limit of 500")


def test_a_long_pipeline_is_refused_before_it_is_parsed(run: Analyze) -> None:
    # tree-sitter's time on such a pipeline grows with the square of its length.
    result = run(" | ".join(["grep -v x"] * 5_000))
    assert result.findings[0].detail == "5000 or more commands, over the limit of 500"


def test_pipes_that_are_not_operators_do_not_count(run: Analyze) -> None:
    table = "| a | b | c |\n" * 300  # 1,200 "|" in a heredoc body
    for source in (
        f"cat > t.md <<'EOF'\n{table}EOF\necho done",
        f"cat > t.md <<-EOF\n{table}\tEOF\necho done",
        "echo '" + "|" * 2_000 + "' \"" + "|" * 2_000 + '" ' + "\\|" * 600,
        "ls # " + "|" * 2_000,
    ):
        result = run(source)
        assert not result.failed, result.findings
        assert result.commands[0].program in ("cat", "echo", "ls")


def test_a_nested_source_counts_against_what_is_left(run: Analyze) -> None:
    inner = " | ".join(["cat"] * 600)
    assert TOO_COMPLEX in kinds(run(f"bash -c '{inner}'"))
    assert not run("bash -c '" + " | ".join(["cat"] * 100) + "'").failed


def test_too_many_words_after_brace_expansion(run: Analyze) -> None:
    result = run(("echo " + "{a,b}" * 8 + " ") * 200)
    assert TOO_COMPLEX in kinds(result)
