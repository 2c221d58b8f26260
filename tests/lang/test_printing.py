"""Perl and Ruby one-liners that only print constants or exit (superego_mcp.lang.printing),
loading libraries by name from the load path (the project's or installed ones), and their
siblings that run or read something, which stay code execution."""

from __future__ import annotations

import pytest

from superego_mcp.lang.printing import loaded, prints_only
from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy
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
    # exits and bare constants; libraries by name, library directories
    ("ruby", ("-I", "lib", "-r", "bundler/setup", "-r", "rubocop", "-e", "exit 0"), "exit 0"),
    ("ruby", ("-Ilib", "-rapp", "-e", "exit"), "exit"),
    ("ruby", ("-rfoo", "-e", "puts 1"), "puts 1"),
    ("ruby", ("-r", "./lib/x.rb", "-e", "exit(1)"), "exit(1)"),
    ("perl", ("-Ilib", "-e", "1"), "1"),
    ("perl", ("-MFoo", "-e", "print 1"), "print 1"),
    ("perl", ("-MApp::Model=a,b", "-mData::Dumper", "-e", "1;"), "1;"),
    ("perl", ("-e", "exit 3"), "exit 3"),
]

NOT_ONLY_PRINTS: list[tuple[str, tuple[str, ...], str]] = [
    ("perl", ("-e", 'print "$x"'), 'print "$x"'),  # interpolation
    ("perl", ("-e", "print `id`"), "print `id`"),  # a command
    ("perl", ("-e", 'system "id"'), 'system "id"'),
    ("perl", ("-MFoo;system(1)", "-e", "1"), "1"),  # perl pastes -M's name into code
    ("perl", ("-MFoo=}system(1);{", "-e", "1"), "1"),  # and its import list into q{}
    ("perl", ("-e", "exit $x"), "exit $x"),
    ("ruby", ("-e", "exit 0; system('id')"), "exit 0; system('id')"),
    ("ruby", ("-r", "", "-e", "exit"), "exit"),
    ("perl", ("-e", "print 1; unlink 'x'"), "print 1; unlink 'x'"),
    ("perl", ("-e", "print STDERR 1"), "print STDERR 1"),  # a file handle
    ("perl", ("-n", "-e", "print 1"), "print 1"),  # reads its input files
    ("perl", ("-e", "print 1", "-e", "unlink 1"), "print 1"),  # a second -e
    ("perl", ("-e", "print"), "print"),  # prints $_
    ("perl", ("-e", "printf 1"), "printf 1"),
    ("perl", ("-e", "print 'a"), "print 'a"),  # an open quote
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


def test_libraries_given_by_path_and_directories() -> None:
    argv = ("-I", "lib", "-r", "bundler/setup", "-r", "./x.rb", "-r/opt/y.rb", "-e", "exit")
    assert loaded("ruby", argv) == (["./x.rb", "/opt/y.rb"], ["lib"])
    assert loaded("perl", ("-Ilib", "-MFoo", "-e", "1")) == ([], ["lib"])


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("ruby -I lib -r bundler/setup -r rubocop -e 'exit 0'", "allow"),
        ("perl -Ilib -e 1", "allow"),
        ("node -r ts-node/register -e 'console.log(1)'", "allow"),
        ("python -X importtime -c 'import app'", "allow"),
        ("node -r ./hook.js -e 'console.log(1)'", "allow"),  # the project's file
        # code from elsewhere in the home, and a write outside the project, are asked
        ("ruby -I ~/other/lib -r app -e 'exit'", "ask"),
        ("ruby -r ~/Downloads/x.rb -e 'exit 0'", "ask"),
        ("node -r ~/Downloads/x.js -e 'console.log(1)'", "ask"),
        ("python3 -c 'print(1)' > ~/notes.txt", "ask"),
        # code Superego does not read: a second opinion (ask without a reviewer)
        ("ruby -r socket -e 'TCPSocket.new(\"x.example\", 80)'", "review"),
        ("perl -M'Foo;system(\"id\")' -e 1", "review"),
    ],
)
def test_bundled_policy_on_loaded_libraries(bundled: Policy, command: str, expected: str) -> None:
    call = ToolCall("Bash", {"command": command}, "/home/user/project")
    assert bundled.evaluate(call, home="/home/user").action == expected, command
