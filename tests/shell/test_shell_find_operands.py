"""find -exec's ``{}`` given to a program whose operands are files (rm, chmod, mv, cp, ln,
install): a file under find's start paths, so the command is that program on those files,
not a command with words only known at run time (shell.simple_command.file_operands)."""

from __future__ import annotations

import pytest
from shell_helpers import Analyze, only


def test_ln_of_found_files_writes_only_its_destination(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    ln = only(
        run(
            "find q/target \\( -name libcrypto.a -o -name libssl.a \\) "
            "-exec ln -vnf -- '{}' q/boringssl/lib \\;"
        ),
        "ln",
    )
    assert not ln.dynamic
    assert f"{cwd}/q/boringssl/lib" in ln.writes
    assert all(w.startswith(f"{cwd}/q/boringssl/lib") for w in ln.writes), ln.writes
    # the linked files: the start path and the files -name names under it
    assert f"{cwd}/q/target" in ln.paths
    assert f"{cwd}/q/target/libssl.a" in ln.paths


def test_symbolic_link_text_around_the_name(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    ln = only(run("find src -maxdepth 1 -name include -exec ln -vsf -- '../../{}' out \\;"), "ln")
    assert not ln.dynamic  # ../../{} is the link's text, not a file read
    assert all(w.startswith(f"{cwd}/out") for w in ln.writes), ln.writes
    # a hard link's source is a file: ../../{} is no file under the start path
    assert only(run("find src -name x -exec ln -f '../../{}' out \\;"), "ln").dynamic


def test_rm_of_named_files_under_the_start(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    rm = only(run("find . -name 'sbom*.json' -exec rm {} \\;"), "rm")
    assert not rm.dynamic
    assert rm.paths == (cwd,)
    assert "recursive" not in rm.flags  # only files of that name


@pytest.mark.parametrize(
    "source",
    [
        "find . -exec rm {} +",
        "find build -type f -exec rm -f {} \\;",
        "find . -maxdepth 2 -exec rm {} +",
    ],
)
def test_rm_of_every_file_is_recursive(run: Analyze, source: str) -> None:
    # no test choosing files (-name, -newer, -size, ...): every file under the start paths
    assert "recursive" in only(run(source), "rm").flags


@pytest.mark.parametrize(
    "source",
    [
        "find . -name x -exec rm {} $F \\;",  # a run-time word beside {}
        "find . -name x -exec cp {} {}.bak \\;",  # a name beside the file, not under START
        "find . -name x -exec chmod {} f \\;",  # {} as the mode
        "find . -name x -exec cp -t {} a \\;",  # {} as an option's value
        "find .. -name x -exec rm {} \\;",  # {} is `..` itself
        "find / -name x -exec rm {} \\;",  # {} is the root itself
        "find . -name x -execdir rm {} \\;",  # runs in each file's directory
        "find . -name x -ok rm {} \\;",  # asks on the terminal
        "find . -name x -exec ./rm {} \\;",  # the project's own program named rm
    ],
)
def test_what_stays_unknown(run: Analyze, source: str) -> None:
    cmd = next(c for c in run(source).commands if c.via)
    assert cmd.dynamic, source


def test_copy_onto_found_files_writes_them(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    cp = only(run("find conf -name '*.ini' -exec cp template.ini {} \\;"), "cp")
    assert not cp.dynamic
    assert cp.writes == (f"{cwd}/conf",)


def test_copier_names_the_files_of_a_name(run: Analyze, dirs: tuple[str, str]) -> None:
    _, home = dirs
    cp = only(run("find ~ -name id_rsa -exec cp {} /tmp \\;"), "cp")
    assert f"{home}/id_rsa" in cp.paths  # credential rules judge the key by its name


def test_without_braces_every_word_is_known(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    rm = only(run("find . -name stale -exec rm -rf build \\;"), "rm")
    assert not rm.dynamic  # run once per file found, the same command each time
    assert rm.paths == (f"{cwd}/build",)
    # -execdir runs it in each file's directory: its relative words are not known
    assert only(run("find . -name '*.c' -execdir make \\;"), "make").dynamic
