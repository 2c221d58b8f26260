"""A word only known at run time that can only be data (grep's pattern, a commit message, a
``-DNAME=VALUE`` define) leaves the command known (shell.datawords); one that can be a
file, the program, an option or another option's value keeps it ``dynamic``."""

from __future__ import annotations

import pytest
from shell_helpers import Analyze

from superego_mcp.shell.flags import parse_args


def _last(run: Analyze, source: str) -> object:
    return run(source).commands[-1]


@pytest.mark.parametrize(
    "source",
    [
        "grep -q \"$(sed '/^version = /!d' Cargo.toml | head -n1)\" README.md",
        'grep -rn "$X" src',
        'grep -e "v$(cat VERSION)" CHANGELOG.md',
        'fgrep "$(git rev-parse HEAD)" log.txt',
        "cmake -B bld -DCMAKE_C_COMPILER_TARGET=\"$(uname -m | sed 's/arm64/aarch64/')-apple\"",
        'cmake -B bld -DVERSION:STRING="$(git describe)"',
        'meson setup build -Dversion="$(git describe)"',
        'gcc -DVERSION="$(git describe)" -o app main.c',
        'cc -D"$(echo X)=1" -c a.c',
        'git commit -m "$(cat msg.txt)"',
        'git tag -a v1 -m "release $(date)"',
        'git log --format="$(cat fmt)" -n 3',
    ],
)
def test_data_words_leave_the_command_known(run: Analyze, source: str) -> None:
    cmd = _last(run, source)
    assert not cmd.dynamic, source  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "source",
    [
        'grep x "$(cat list)"',  # a file operand
        "grep -q $(git rev-parse HEAD) README.md",  # unquoted: any number of words
        'grep "-$(x)" f',  # an option only known at run time
        'grep -f "$(x)" f',  # -f's value is a file
        'rg "$(x)" src',  # rg's options run programs (--pre)
        'cat "$(git rev-parse --show-toplevel)/README.md"',
        'git push origin "$(git branch --show-current)"',  # where it pushes
        'git branch -m "$(x)" new',  # -m renames here: its operand is a branch
        'cmake -B b -D"$(x)"',  # the variable itself is unknown
        'cmake -B b -DCMAKE_TOOLCHAIN_FILE="$(x)"',  # a file the build reads
        'cmake -B b -DCMAKE_C_COMPILER:FILEPATH="$(x)"',  # a program it runs
        'cmake -B "$(x)"',  # the build directory
        'git commit -m "$(x)" "$(y)"',  # a pathspec
        'grep "$(x)" README.md > "$OUT"',  # a write only known at run time
    ],
)
def test_other_unknown_words_keep_it_dynamic(run: Analyze, source: str) -> None:
    cmd = _last(run, source)
    assert cmd.dynamic, source  # type: ignore[attr-defined]


def test_compiler_defines_are_not_paths(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    assert parse_args("gcc", ["-DVERSION=1", "-UNDEBUG"]).option_values == [
        ("-D", "VERSION=1"),
        ("-U", "NDEBUG"),
    ]
    gcc = _last(run, "gcc -DVERSION=1 -o app main.c")
    assert f"{cwd}/1" not in gcc.paths  # type: ignore[attr-defined]


def test_git_diff_filter_is_no_file(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    git = _last(run, "git diff --name-only --diff-filter=d -z")
    assert f"{cwd}/d" not in git.paths  # type: ignore[attr-defined]


def test_bat_pager_is_a_command_it_runs(run: Analyze) -> None:
    result = run("bat --paging=always --pager='rm -rf ~' README.md")
    rm = [c for c in result.commands if c.program == "rm"]
    assert rm
    assert rm[0].via == ("bat --pager",)
