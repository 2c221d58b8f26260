"""Perl and Ruby one-liners that only print constants (superego_mcp.lang.printing), and
their siblings that run, read or load something, which stay code execution."""

from __future__ import annotations

import pytest

from superego_mcp.lang.printing import prints_only
from superego_mcp.shell import analyze

PRINTS: list[tuple[str, tuple[str, ...], str]] = [
    ("perl", ("-e", "print 1"), "print 1"),
    ("perl", ("-Mstrict", "-e", "print 1"), "print 1"),
    ("perl", ("-E", "say 1"), "say 1"),
    ("perl", ("-le", 'print "a", 2'), 'print "a", 2'),
    ("perl", ("-w", "-e", "print('ok');"), "print('ok');"),
    ("ruby", ("-e", "puts 'ok'"), "puts 'ok'"),
    ("ruby", ("-rjson", "-e", "puts 1"), "puts 1"),
    ("ruby", ("-r", "json", "-e", "p 1"), "p 1"),
    ("ruby", ("-e", "puts 1", "--", "ignored"), "puts 1"),
]

NOT_ONLY_PRINTS: list[tuple[str, tuple[str, ...], str]] = [
    ("perl", ("-e", 'print "$x"'), 'print "$x"'),  # interpolation
    ("perl", ("-e", "print `id`"), "print `id`"),  # a command
    ("perl", ("-e", 'system "id"'), 'system "id"'),
    ("perl", ("-MFoo", "-e", "print 1"), "print 1"),  # loads a module
    ("perl", ("-e", "print 1; unlink 'x'"), "print 1; unlink 'x'"),
    ("perl", ("-e", "print STDERR 1"), "print STDERR 1"),  # a file handle
    ("perl", ("-n", "-e", "print 1"), "print 1"),  # reads its input files
    ("perl", ("-e", "print 1", "-e", "unlink 1"), "print 1"),  # a second -e
    ("perl", ("-e", "print"), "print"),  # prints $_
    ("perl", ("-e", "printf 1"), "printf 1"),
    ("perl", ("-e", "print 'a"), "print 'a"),  # an open quote
    ("ruby", ("-rfoo", "-e", "puts 1"), "puts 1"),
    ("ruby", ("-e", 'puts "#{`id`}"'), 'puts "#{`id`}"'),
    ("ruby", ("-e", "puts(File.read('x'))"), "puts(File.read('x'))"),
    ("ruby", ("-e", "puts 1+1"), "puts 1+1"),
    ("python", ("-c", "print(1)"), "print(1)"),  # read by lang.python instead
]


@pytest.mark.parametrize(("family", "argv", "code"), PRINTS)
def test_constant_prints(family: str, argv: tuple[str, ...], code: str) -> None:
    assert prints_only(family, argv, code)


@pytest.mark.parametrize(("family", "argv", "code"), NOT_ONLY_PRINTS)
def test_anything_else_is_code(family: str, argv: tuple[str, ...], code: str) -> None:
    assert not prints_only(family, argv, code)


def test_code_from_stdin_has_no_code_option() -> None:
    assert prints_only("ruby", (), 'puts "hello"\n', stdin=True)
    assert not prints_only("ruby", ("-e", "x"), 'puts "hello"\n', stdin=True)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("perl -e 'print 1'", "code_read"),
        ("ruby <<'EOF'\nputs \"hello\"\nEOF", "code_read"),
        ("perl -e 'print `id`'", "code_execution"),
        ('ruby <<EOF\nputs "$(id)"\nEOF', "code_execution"),  # the shell fills it in
    ],
)
def test_analyzer_findings(line: str, kind: str) -> None:
    kinds = {f.kind for f in analyze(line, cwd="/home/user/project", home="/home/user").findings}
    assert kind in kinds
