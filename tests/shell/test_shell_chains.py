"""Every command in chains, substitutions, subshells, groups, compound statements."""

from __future__ import annotations

import pytest
from shell_helpers import Analyze, only, programs

from superego_mcp.shell.model import UNPARSEABLE


@pytest.mark.parametrize(
    "source",
    [
        "ls; rm -rf /",
        "ls && rm -rf /",
        "ls || rm -rf /",
        "ls | rm -rf /",
        "ls |& rm -rf /",
        "ls & rm -rf /",
        "ls\nrm -rf /",
        "echo $(rm -rf /)",
        "echo `rm -rf /`",
        'echo "x $(rm -rf /) y"',
        "x=$(rm -rf /)",
        "cat <(rm -rf /)",
        "tee >(rm -rf /)",
        "(rm -rf /)",
        "{ rm -rf /; }",
        "if true; then rm -rf /; fi",
        "if rm -rf /; then :; fi",
        "while false; do rm -rf /; done",
        "for i in 1 2; do rm -rf /; done",
        "for i in $(rm -rf /); do :; done",
        "case x in x) rm -rf /;; esac",
        "! rm -rf /",
        "[[ -n $(rm -rf /) ]]",
        "echo ${x:-$(rm -rf /)}",
        "a && b && c && d && rm -rf /",
    ],
)
def test_rm_is_seen(run: Analyze, source: str) -> None:
    result = run(source)
    assert not result.failed, result.findings
    rm = only(result, "rm")
    assert {"recursive", "force"} <= rm.flags
    assert "/" in rm.paths


@pytest.mark.parametrize(
    "source",
    [
        'grep -r "rm -rf" docs/',
        'echo "rm -rf /"',
        "echo 'rm -rf /'",
        'git commit -m "rm -rf /"',
        "cat > notes.md <<'EOF'\nrm -rf /\nEOF",
        "cat > notes.md <<EOF\nrm -rf /\nEOF",
        "printf '%s\\n' 'rm -rf /' > script.txt",
        "# rm -rf /\nls",
        "echo rm -rf / # comment",
        "eval 'echo rm -rf /'",
        "bash -c 'echo rm -rf /'",
        "sudo echo rm -rf /",
        "ls | xargs echo rm -rf",
        r"find . -exec echo rm {} \;",
        "alias x='echo rm -rf /'; x",
        "trap 'echo rm -rf /' EXIT",
        "f(){ echo rm -rf /; }; f",
        "bash <<'EOF'\necho rm -rf /\nEOF",
        "python3 -c 'print(\"rm -rf /\")'",
        "cat <<EOF\nrm -rf /\nEOF",
        "echo 'rm -rf /' | grep rm",
        'sh -c \'printf "%s" "rm -rf /"\'',
    ],
)
def test_data_that_looks_dangerous_is_data(run: Analyze, source: str) -> None:
    result = run(source)
    assert not result.failed, result.findings
    assert "rm" not in programs(result)


def test_order_and_piping(run: Analyze) -> None:
    result = run("cat a | grep b | wc -l > out.txt")
    assert programs(result) == ["cat", "grep", "wc"]
    cat, grep, wc = result.commands
    assert cat.piped_to == ("grep", "wc")
    assert grep.piped_from == ("cat",)
    assert grep.piped_to == ("wc",)
    assert wc.piped_from == ("cat", "grep")
    assert wc.redirects[0].writes


def test_long_chain_is_walked_without_deep_recursion(run: Analyze) -> None:
    result = run(" && ".join(["true"] * 300) + " && rm x", max_commands=1000)
    assert not result.failed, result.findings
    assert programs(result)[-1] == "rm"


def test_syntax_error_fails_closed(run: Analyze) -> None:
    result = run("echo (")
    assert result.failed
    assert result.findings[0].kind == UNPARSEABLE


def test_text_is_kept_for_explanations(run: Analyze) -> None:
    result = run("ls -la && rm -rf build")
    assert only(result, "rm").text == "rm -rf build"
