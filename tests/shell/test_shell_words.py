"""Quoting, escaping, expansion tricks: the program and arguments bash would really see."""

from __future__ import annotations

import pytest
from shell_helpers import Analyze, kinds, only, programs

from superego_mcp.shell.model import DYNAMIC_PROGRAM


@pytest.mark.parametrize(
    "source",
    [
        "'rm' -rf /",
        "r''m -rf /",
        '"r"m -rf /',
        "\\rm -rf /",
        "r\\m -rf /",
        "$'\\x72\\x6d' -rf /",
        "$'\\162\\155' -rf /",
        "$'\\x72\\155' -rf /",
        "$'\\u0072\\u006d' -rf /",
        "$'\\U00000072m' -rf /",
        "rm${IFS}-rf${IFS}/",
        "rm$IFS-rf$IFS/",
        "{rm,-rf,/}",
        "x=rm; $x -rf /",
        "x=rm; ${x} -rf /",
        "x=r; y=m; $x$y -rf /",
        'x="rm -rf"; $x /',
        "x=rm; x+=''; $x -rf /",
        "export x=rm; $x -rf /",
        "alias r=rm; r -rf /",
        "alias r='rm -rf'; r /",
        'f(){ rm -rf "$1"; }; f /',
        "function f { rm -rf $@; }; f /",
        "f() ( rm -rf / ); f",
        "/bin/rm -rf /",
        "/usr/bin/../bin/rm -rf /",
        "r\\\nm -rf /",
        "x=; ${x:-rm} -rf /",
        "${HOME:+rm} -rf /",
        "rm -rf $'/'",
        "rm -r -f /",
        "rm -R --force /",
        "rm --recursive --force /",
        "rm --rec --fo /",
        "rm / -rf",
        "IFS=,; x=rm,-rf,/; $x",
        'f(){ "$@"; }; f rm -rf /',
        'set -- rm -rf /; "$@"',
        "busybox rm -rf /",
        "for c in rm; do $c -rf /; done",
        "RM -rf /",  # case-insensitive file systems (macOS) run rm
        "/BIN/Rm -rf /",
    ],
)
def test_rm_rf_root_is_seen(run: Analyze, source: str) -> None:
    result = run(source)
    assert not result.failed, result.findings
    rm = only(result, "rm")
    assert {"recursive", "force"} <= rm.flags, rm.flags
    assert "/" in rm.paths
    assert not rm.dynamic


@pytest.mark.parametrize(
    "source",
    [
        "echo 'rm'",
        "echo r''m",
        "echo $'\\x72\\x6d'",
        "x=rm; echo $x -rf /",
        "alias r=rm",
        "f(){ echo rm; }; f",
        "echo {rm,-rf,/}",
        "rmdir x",
        "echo rm${IFS}-rf",
        "printf rm",
        "$'\\0162\\0155' x",  # bash reads \016 then "2": not rm
    ],
)
def test_look_alikes_run_no_rm(run: Analyze, source: str) -> None:
    result = run(source)
    assert not result.failed, result.findings
    assert "rm" not in programs(result)


def test_absolute_program_path(run: Analyze) -> None:
    rm = only(run("/usr/bin/rm x"), "rm")
    assert rm.program_path == "/usr/bin/rm"


def test_quoted_tilde_is_not_home(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, home = dirs
    assert only(run("rm ~/x"), "rm").paths == (f"{home}/x",)
    assert only(run("rm '~/x'"), "rm").paths == (f"{cwd}/~/x",)
    assert only(run('rm "$HOME/x"'), "rm").paths == (f"{home}/x",)
    assert only(run("rm ${HOME}/a/../x"), "rm").paths == (f"{home}/x",)


def test_brace_expansion_of_arguments(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    rm = only(run("rm file.{a,b} {1..3}.log"), "rm")
    assert rm.argv == ("file.a", "file.b", "1.log", "2.log", "3.log")
    assert f"{cwd}/file.b" in rm.paths
    # Quoted braces do not expand.
    assert only(run("rm 'file.{a,b}'"), "rm").argv == ("file.{a,b}",)


def test_unknown_variable_makes_words_dynamic(run: Analyze) -> None:
    rm = only(run("rm -rf $TARGET"), "rm")
    assert rm.dynamic
    assert rm.paths == ()


@pytest.mark.parametrize(
    ("source", "word"),
    [
        ('cat "${X:=.env}"', "${X:=.env}"),
        ('cat ${X:=.e"nv"}', "${X:=.env}"),
        ("cat ${X-'.env'.local}", "${X-.env.local}"),
        ("cat ${X:-a\\ b}", "${X:-a b}"),
        # a default that is not literal keeps its source text
        ("cat ${X:-$HOME/.env}", "${X:-$HOME/.env}"),
        ('cat ${X:-"$(echo .env)"}', '${X:-"$(echo .env)"}'),
    ],
)
def test_unknown_variable_default_is_read_unquoted(run: Analyze, source: str, word: str) -> None:
    # The word stays unknown (the variable may be set), but a literal default is spelled
    # without its quotes so that rules see what it names (ask-secret-named-by-default).
    cat = only(run(source), "cat")
    assert cat.dynamic
    assert cat.paths == ()
    assert cat.argv == (word,)


def test_unknown_program_is_a_finding(run: Analyze) -> None:
    result = run("$CMD -rf /")
    assert DYNAMIC_PROGRAM in kinds(result)
    assert result.commands[0].program == ""
    result = run("$(cat name.txt) -rf /")
    assert DYNAMIC_PROGRAM in kinds(result)


@pytest.mark.parametrize(
    ("source", "program", "argv"),
    [
        # a substitution that prints one plain word outputs that word
        ("$(echo rm) -rf /", "rm", ("-rf", "/")),
        ("find . -name $(printf pattern)", "find", (".", "-name", "pattern")),
        ('find "$(printf src)" -type f', "find", ("src", "-type", "f")),
        ("find . -name `echo foo`", "find", (".", "-name", "foo")),
    ],
)
def test_a_printed_word_is_known(
    run: Analyze, source: str, program: str, argv: tuple[str, ...]
) -> None:
    cmd = only(run(source), program)
    assert not cmd.dynamic
    assert cmd.argv == argv


@pytest.mark.parametrize(
    "source",
    [
        "cat $(printf '%s' .env)",  # a format
        "cat $(echo -n x)",  # an option
        "cat $(echo a b)",  # two words
        "cat $(printf 'x*')",  # quoted: not read
        "cat $(echo *)",  # a glob
        "cat $(echo $HOME)",  # an expansion
        "cat $(ls)",
    ],
)
def test_other_substitutions_stay_unknown(run: Analyze, source: str) -> None:
    assert only(run(source), "cat").dynamic


def test_known_environment_variables(run: Analyze) -> None:
    result = run("$EDITOR ~/.bashrc", env={"EDITOR": "vim"})
    assert programs(result) == ["vim"]


def test_variable_set_in_a_branch_becomes_unknown(run: Analyze) -> None:
    result = run("x=ls; if test -f y; then x=rm; fi; $x -rf /")
    assert DYNAMIC_PROGRAM in kinds(result)


def test_cd_moves_relative_paths(run: Analyze) -> None:
    assert only(run("cd /tmp && rm -rf build"), "rm").paths == ("/tmp/build",)
    assert only(run("cd /tmp; cd ..; rm x"), "rm").paths == ("/x",)
    rm = only(run("cd $(mktemp -d) && rm -rf build"), "rm")
    assert rm.dynamic
    assert rm.paths == ()
    # A subshell's cd does not leak.
    assert only(run("(cd /tmp); rm x"), "rm").paths != ("/tmp/x",)


def test_function_defined_but_not_called_is_still_listed(run: Analyze) -> None:
    result = run("cleanup() { rm -rf /; }; trap cleanup EXIT")
    assert only(result, "rm").paths == ("/",)


def test_trap_text_is_analyzed(run: Analyze) -> None:
    assert only(run("trap 'rm -rf /' EXIT"), "rm").via == ("trap",)


def test_function_arguments_and_recursion(run: Analyze) -> None:
    result = run('f(){ rm "$@"; f "$@"; }; f -rf /')
    rm = only(result, "rm")
    assert rm.flags >= {"recursive", "force"}


def test_brace_expansion_is_bounded(run: Analyze) -> None:
    result = run("echo " + "{a,b}" * 20)
    assert not result.failed
    assert result.commands[0].dynamic  # 2**20 words: not computed


def test_backslash_newline_joins_words(run: Analyze) -> None:
    rm = only(run("rm -r\\\nf /"), "rm")
    assert rm.flags >= {"recursive", "force"}


def test_unknown_ifs_makes_split_words_unknown(run: Analyze) -> None:
    result = run('IFS=$(cat f); x="rm -rf"; $x /')
    assert DYNAMIC_PROGRAM in kinds(result)
    assert "rm" not in programs(result)


def test_for_loop_over_known_values(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    result = run("for f in a b; do rm $f; done")
    assert [c.paths for c in result.commands] == [(f"{cwd}/a",), (f"{cwd}/b",)]
    result = run("for f in $(ls); do rm $f; done")
    assert programs(result) == ["ls", "rm"]
    assert only(result, "rm").dynamic


def test_function_defined_in_a_subshell_is_listed(run: Analyze) -> None:
    assert only(run("( g(){ rm -rf /; } )"), "rm").via == ("g() (defined)",)


def test_branches_do_not_see_each_other(run: Analyze) -> None:
    result = run("x=ls; if test -f y; then x=rm; else $x -la; fi")
    assert programs(result) == ["test", "ls"]
    result = run("x=ls; case $1 in a) x=rm;; b) $x -la;; esac; $x")
    assert programs(result)[:1] == ["ls"]
    assert DYNAMIC_PROGRAM in kinds(result)  # after the case, x is rm or ls


def test_case_of_unknown_programs_is_kept(run: Analyze) -> None:
    assert programs(run("Rscript x.R")) == ["Rscript"]


def test_globbed_program_is_dynamic(run: Analyze) -> None:
    result = run("/???/r? -rf /")
    assert DYNAMIC_PROGRAM in kinds(result)
    assert result.commands[0].program == ""


def test_other_users_home_is_dynamic(run: Analyze) -> None:
    cat = only(run("cat ~root/.ssh/id_rsa"), "cat")
    assert cat.dynamic
    assert cat.paths == ()


def test_popd_forgets_the_directory(run: Analyze) -> None:
    rm = only(run("cd /tmp; pushd /a; popd; rm x"), "rm")
    assert rm.dynamic
    assert rm.paths == ()
