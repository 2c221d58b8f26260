"""Perl and Ruby one-liners that only print constants or exit: ``perl -e 'print "ok\\n"'``,
``perl -E 'say 1'``, ``ruby -e 'puts "hello"'``, ``ruby -rjson -e 'p 1'``, ``perl -Ilib
-MApp -e 1``, ``ruby -I lib -r bundler/setup -r rubocop -e 'exit 0'``.

Perl and Ruby are not read in general (docs/shell-analysis.md); this recognises one
shape strictly, so that a greeting is not taken for code execution: every statement is a
print (perl's ``print``/``say``, ruby's ``puts``/``print``/``p``) of literal strings and
numbers, an ``exit`` with a literal status, or a literal alone (``1``), with no
interpolation (no ``$``/``@`` in perl's double quotes, no ``#`` in ruby's), no file
handles, no operators. Options may add library directories (``-I DIR``) and load libraries
by name from the load path (ruby's ``-r LIB``, perl's ``-MModule``/``-mModule``): the
project's or installed code, run as ``ruby -Ilib test/x.rb`` or ``bundle exec rubocop``
run it; a library given as a path (``-r ./x.rb``) is a file the command runs
(:func:`loaded`), and a perl module name that is not a plain name (``-M'X;system 1'``:
perl pastes it into code) stays code execution. Anything else stays code execution.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_PRINTS = {"perl": ("print", "say"), "ruby": ("puts", "print", "p")}
# Options that take no code: warnings and line endings (perl), warnings (ruby).
_PERL_LETTERS = frozenset("lwWX")
_RUBY_LETTERS = frozenset("wW0123456789")
# A module loaded by name (``-MFoo::Bar``, ``-mFoo``, ``-M-warnings``, ``-MFoo=a,b``): perl
# writes ``use Foo::Bar split(/,/, q{a,b})``, so only names and plain import lists.
_PERL_MODULE = re.compile(r"-[mM]-?[A-Za-z_]\w*(?:::\w+)*(?:=[\w:,.+-]*)?")
# A library ruby requires by name or path (a string: nothing is pasted into code).
_RUBY_LIB = re.compile(r"[\w@+./~-][\w@+./-]*")
_EXITS = re.compile(r"exit(?:\s*\(\s*(?:-?\d+|true|false)?\s*\)|\s+(?:-?\d+|true|false))?")


def prints_only(family: str, argv: tuple[str, ...], code: str, *, stdin: bool = False) -> bool:
    """Whether ``FAMILY ARGV`` (the words after the program) runs ``code`` as its one
    ``-e`` (with ``stdin``: reads it from its input, given no ``-e``) and ``code`` only
    prints literal strings and numbers."""
    if family not in _PRINTS or not _options_ok(family, argv, code, 0 if stdin else 1):
        return False
    statements = _statements(code)
    return (
        statements is not None
        and any(statements)
        and all(not s or _constant_statement(family, s) for s in statements)
    )


def loaded(family: str, argv: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The files ``FAMILY ARGV`` loads by path (ruby's ``-r ./x.rb``) and the library
    directories it adds (``-I DIR``), for the command's paths: (files, directories)."""
    files: list[str] = []
    dirs: list[str] = []
    k = 0
    while k < len(argv):
        word = argv[k]
        k += 1
        if word == "--" or not word.startswith("-") or word == "-":
            break
        if word.startswith("-I") or (family == "ruby" and word.startswith("-r")):
            value = word[2:] or (argv[k] if k < len(argv) else "")
            k += 0 if word[2:] else 1
            if word.startswith("-I"):
                dirs.append(value)
            elif value.startswith(("./", "../", "/", "~")):
                files.append(value)  # ruby requires a path as written, else by name
    return files, dirs


def _constant_statement(family: str, statement: str) -> bool:
    """A print of literals, an ``exit`` with a literal status, or a literal alone."""
    return (
        _print_of_literals(family, statement)
        or _EXITS.fullmatch(statement) is not None
        or _literal(family, statement)
    )


def _options_ok(family: str, argv: tuple[str, ...], code: str, wanted: int) -> bool:
    """Every option before the code loads nothing; ``wanted`` -e/-E carry ``code``."""
    letters = _PERL_LETTERS if family == "perl" else _RUBY_LETTERS
    k, codes = 0, 0
    while k < len(argv):
        word = argv[k]
        k += 1
        if word == "--" or not word.startswith("-") or word == "-":
            break  # the rest are the code's arguments, which a constant print ignores
        if family == "perl" and _PERL_MODULE.fullmatch(word):
            continue
        if word.startswith("-I") or (family == "ruby" and word.startswith("-r")):
            value = word[2:] or (argv[k] if k < len(argv) else "")
            k += 0 if word[2:] else 1
            if not value or (word.startswith("-r") and not _RUBY_LIB.fullmatch(value)):
                return False
            continue
        body = word[1:]
        pos = next((i for i, c in enumerate(body) if c in ("eE" if family == "perl" else "e")), -1)
        if not set(body if pos < 0 else body[:pos]) <= letters:
            return False
        if pos < 0:
            continue  # only plain letters
        codes += 1
        if body[pos + 1 :]:
            given = body[pos + 1 :]
        elif k < len(argv):
            given, k = argv[k], k + 1
        else:
            return False
        if given != code:
            return False
    return codes == wanted


def _statements(code: str) -> list[str] | None:
    """``code`` split at ``;`` and newlines outside quotes, or None when a quote is open."""
    out: list[str] = []
    start, i, n = 0, 0, len(code)
    while i < n:
        c = code[i]
        if c in "'\"":
            end = _quote_end(code, i)
            if end < 0:
                return None
            i = end + 1
            continue
        if c in ";\n":
            out.append(code[start:i].strip())
            start = i + 1
        i += 1
    out.append(code[start:].strip())
    return out


def _quote_end(code: str, i: int) -> int:
    """The index of the quote closing the one at ``i`` (backslash escapes skipped), or -1."""
    quote, j = code[i], i + 1
    while j < len(code):
        if code[j] == "\\":
            j += 2
            continue
        if code[j] == quote:
            return j
        j += 1
    return -1


def _print_of_literals(family: str, statement: str) -> bool:
    """``print "a", 1`` / ``say(1)`` / ``puts 'x'``: a print of literals only."""
    name = re.match(r"[a-z]+", statement)
    if name is None or name.group() not in _PRINTS[family]:
        return False
    rest = statement[name.end() :].strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    elif rest and not statement[name.end()].isspace():
        return False  # `printf`, `p2`, `print$x`: another name
    if not rest:
        return family == "ruby"  # perl's bare print prints $_, ruby's an empty line
    return all(_literal(family, part.strip()) for part in _split_commas(rest))


def _split_commas(text: str) -> list[str]:
    """``text`` split at commas outside quotes."""
    parts: list[str] = []
    start, i = 0, 0
    while i < len(text):
        if text[i] in "'\"":
            end = _quote_end(text, i)
            i = len(text) if end < 0 else end + 1
            continue
        if text[i] == ",":
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def _literal(family: str, word: str) -> bool:
    """A number, a single-quoted string, or a double-quoted one without interpolation."""
    if _NUMBER.fullmatch(word):
        return True
    if len(word) < 2 or word[0] not in "'\"" or _quote_end(word, 0) != len(word) - 1:
        return False
    if word[0] == "'":
        return True
    inner = word[1:-1]
    return not any(c in inner for c in ("$@" if family == "perl" else "#"))
