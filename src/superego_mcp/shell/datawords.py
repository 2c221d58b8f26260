"""Words only known at run time that are data: a pattern, a message, a define.

A command with a word only known at run time (``grep -q "$(sed -n 1p Cargo.toml)"
README.md``) is ``dynamic``: what it touches is not fully seen. That holds when the word can
be a file, the program, an option or an option's file, not when it can only be text the
program matches, records or passes to a compiler: grep's pattern, a commit message, a
``-DNAME=VALUE`` define. Such a command is judged as if the word were written out; the
substitution's own commands are judged on their own as always.

The place of each unknown word is found by parsing the command with a mark in its place
(after the known text before it: ``-DNAME=`` stays visible). A word the mark puts in a
flag, an operand other than grep's pattern, or another option's value keeps the command
``dynamic``; so does a word that splits into an unknown number of words (an unquoted
``$(...)``), which the caller never offers. Imported only for a command with such a word.
"""

from __future__ import annotations

import re

from . import flags

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from .words import Field

# The mark put in place of an unknown part (a NUL never appears in a shell word).
_MARK = "\x00"
# grep's first operand is its pattern unless an option gives it; with any value, even one
# that turns out to be an option, grep reads and prints and never writes or runs anything.
_PATTERN_FIRST = frozenset({"grep", "egrep", "fgrep"})
_GIVES_PATTERN = frozenset({"-e", "--regexp", "-f", "--file"})
_COMPILERS = frozenset({"gcc", "g++", "cc", "c++", "clang", "clang++"})
# Options whose value is text the program matches, records or defines (by program, or
# "program subcommand"): never a file, a program, a destination or code. A define must
# name its variable before the unknown part (`-DNAME=$(x)`): some names are files.
_DATA_OPTIONS: dict[str, frozenset[str]] = {
    **dict.fromkeys(_PATTERN_FIRST, frozenset({"-e", "--regexp"})),
    **dict.fromkeys(_COMPILERS, frozenset({"-D", "-U"})),
    **dict.fromkeys(
        ("git commit", "git tag", "git merge", "git notes", "git stash"),
        frozenset({"-m", "--message"}),
    ),
    **dict.fromkeys(
        ("git log", "git show", "git shortlog", "git rev-list", "git whatchanged"),
        frozenset({"--format", "--pretty", "--grep", "--author", "--committer", "--since"})
        | frozenset({"--until", "--after", "--before", "--date"}),
    ),
}
# Defines whose variable is named before the unknown part (`cmake -DNAME=$(uname -m)`).
_DEFINES: dict[str, frozenset[str]] = {
    "cmake": frozenset({"-D"}),
    "meson": frozenset({"-D"}),
    **dict.fromkeys(_COMPILERS, frozenset({"-D"})),
}
# Build settings named for a file, a directory or a program the build reads or runs
# (CMAKE_TOOLCHAIN_FILE, CMAKE_C_COMPILER, OPENSSL_ROOT_DIR, CMAKE_CXX_COMPILER_LAUNCHER,
# Python3_EXECUTABLE, CMAKE_MODULE_PATH): their value is no data. (A compiler's macro is.)
_NAMES_A_FILE = re.compile(
    r"(?i)(^|_)(files?|paths?|dirs?|directory|prefix|root|home|compiler|launcher|executable|"
    r"program|command|include|linker|tool|toolchain|script|location|library|libraries|ar|"
    r"ranlib|emulator|module)$"
)


def only_data(
    program: str, subcommand: str | None, args: list[Field], leads: dict[int, str]
) -> bool:
    """Whether every word of ``args`` only known at run time is data for ``program`` (see
    the module docstring). ``leads``: argument index -> the known text before the unknown
    part, for each such word that is one field."""
    argv: list[str] = []
    for i, (text, dynamic) in enumerate(args):
        if not dynamic:
            argv.append(text)
        elif i in leads:
            argv.append(leads[i] + _MARK)
        else:
            return False
    parsed = flags.parse_args(program, argv)
    if any(_MARK in f for f in parsed.flags):
        return False  # `-$(x)`, `--$(x)`: an option only known at run time
    marked = sum(1 for word in argv if _MARK in word)
    placed = 0
    if program in _PATTERN_FIRST and parsed.positionals and not _GIVES_PATTERN & parsed.flags:
        placed += _MARK in parsed.positionals[0]
    if any(_MARK in p for p in parsed.positionals[placed:]):
        return False  # a file operand (or anything else) only known at run time
    allowed = _DATA_OPTIONS.get(f"{program} {subcommand}", _DATA_OPTIONS.get(program, frozenset()))
    defines = _DEFINES.get(program, frozenset())
    for name, value in parsed.option_values:
        if _MARK not in value:
            continue
        variable, eq, _ = value.split(_MARK, 1)[0].partition("=")
        variable = variable.split(":", 1)[0]  # cmake's -DNAME:TYPE=VALUE
        if name in defines and eq and (program in _COMPILERS or not _NAMES_A_FILE.search(variable)):
            placed += 1  # -DNAME=...: the variable is named, its value is text
        elif name in allowed:
            placed += 1
        else:
            return False
    return placed == marked
