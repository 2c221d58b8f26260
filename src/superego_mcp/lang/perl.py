"""Perl used as sed: ``perl -pe 's/a/b/g' f``, ``perl -0 -i -pe 's/x/y/s' Cargo.toml``.

A one-liner whose code is only substitutions and transliterations (``s///``, ``tr///``,
``y///``) runs no code of its own: it edits the text stream, as ``sed`` does. This
recognises that shape strictly; anything else is left as code execution: other statements,
the ``e`` modifier (the replacement is evaluated as code), code inside a pattern
(``(?{...})``), expressions in an interpolation (``@{[...]}``, ``${\\...}``, ``$x[EXPR]``,
``$h{EXPR}``, ``$r->...``), and options that load modules or read a script (``-M``, ``-I``,
``-x``, ``-d``, ``-F``, ...). The files it names are judged by the rules, like sed's.
"""

from __future__ import annotations

import re

# Options that run no other code: print/loop (-p, -n), warnings (-w), autosplit (-a);
# -0/-l take an optional number, -i a backup suffix, -e/-E the code.
_PLAIN = frozenset("pnwa")
_PAIRS = {"{": "}", "(": ")", "[": "]", "<": ">"}
# Delimiters a substitution may use here (no word characters, no whitespace).
_DELIMITERS = frozenset("/#|!,:%~^+'\"@") | frozenset(_PAIRS)
_SUB_FLAGS = frozenset("msixpodualngcr")
_TR_FLAGS = frozenset("cdsr")
_REGEX_CODE = ("(?{", "(??{", "(*{")
_NAME = re.compile(r"(?:::)?\w+(?:::\w+)*")
_BRACED_NAME = re.compile(r"\{\^?\w+\}")


def substitutions_only(argv: tuple[str, ...], code: str) -> bool:
    """Whether ``perl ARGV`` (the words after ``perl``) runs ``code`` as its one ``-e`` and
    ``code`` is only ``s///``, ``tr///`` or ``y///`` statements that run nothing."""
    if not _options_ok(argv, code):
        return False
    i, n, seen = 0, len(code), False
    while True:
        i = _skip_space(code, i)
        if i >= n:
            return seen
        op = "tr" if code.startswith("tr", i) else code[i]
        if op not in ("s", "y", "tr"):
            return False
        end = _statement(code, i + len(op), op)
        if end < 0:
            return False
        seen = True
        i = _skip_space(code, end)
        if i < n:
            if code[i] != ";":
                return False
            i += 1


def _options_ok(argv: tuple[str, ...], code: str) -> bool:
    """Every option is a plain one, and exactly one -e/-E carries ``code``."""
    codes, k = 0, 0
    while k < len(argv):
        word = argv[k]
        k += 1
        if word == "--":
            break
        if not word.startswith("-") or word == "-":
            continue
        pos = 1
        while pos < len(word):
            c = word[pos]
            pos += 1
            if c == "0" and word[pos : pos + 1] == "x":
                pos += 1
                while pos < len(word) and word[pos] in "0123456789abcdefABCDEF":
                    pos += 1
            elif c in "0l":
                while pos < len(word) and word[pos] in "01234567":
                    pos += 1
            elif c == "i":
                break  # the rest of the word is the backup file's suffix
            elif c in "eE":
                codes += 1
                if pos < len(word):
                    value = word[pos:]
                elif k < len(argv):
                    value = argv[k]
                    k += 1
                else:
                    return False
                if value != code:
                    return False
                break
            elif c not in _PLAIN:
                return False
    return codes == 1


def _skip_space(code: str, i: int) -> int:
    while i < len(code) and code[i] in " \t\n\r":
        i += 1
    return i


def _part(code: str, i: int, close: str) -> int:
    """The index just past the delimiter ``close`` that ends a part starting at ``i``
    (backslash escapes skipped); -1 when there is none."""
    while i < len(code):
        if code[i] == "\\":
            i += 2
            continue
        if code[i] == close:
            return i + 1
        i += 1
    return -1


def _statement(code: str, i: int, op: str) -> int:
    """Parse ``PAT/REPL/FLAGS`` after the operator ``op``; the end index, or -1."""
    if i >= len(code) or code[i] not in _DELIMITERS:
        return -1
    opening = code[i]
    close = _PAIRS.get(opening, opening)
    end = _part(code, i + 1, close)
    if end < 0:
        return -1
    first = code[i + 1 : end - 1]
    if opening in _PAIRS:
        j = _skip_space(code, end)
        if j >= len(code) or code[j] not in _PAIRS:
            return -1
        end2 = _part(code, j + 1, _PAIRS[code[j]])
        if end2 < 0:
            return -1
        second = code[j + 1 : end2 - 1]
        if opening in first or code[j] in second:
            return -1  # nested brackets are not followed
    else:
        end2 = _part(code, end, close)
        if end2 < 0:
            return -1
        second = code[end : end2 - 1]
    k = end2
    while k < len(code) and code[k].isalpha():
        k += 1
    if not set(code[end2:k]) <= (_TR_FLAGS if op in ("tr", "y") else _SUB_FLAGS):
        return -1  # s///e evaluates the replacement as code
    if op == "s":
        if any(mark in first for mark in _REGEX_CODE):
            return -1
        if opening != "'" and (_runs_in_interpolation(first) or _runs_in_interpolation(second)):
            return -1
    return k


def _runs_in_interpolation(part: str) -> bool:
    """Whether interpolating ``part`` evaluates an expression: ``@{...}``, ``${...}``
    other than ``${name}``, ``$$x``, or a variable with a subscript or arrow."""
    i, n = 0, len(part)
    while i < n:
        c = part[i]
        if c == "\\":
            i += 2
            continue
        if c not in "$@":
            i += 1
            continue
        j = i + 1
        if j < n and part[j] == "{":
            braced = _BRACED_NAME.match(part, j)
            if c == "@" or braced is None:
                return True
            j = braced.end()
        elif j < n and part[j] == "$":
            return True
        else:
            name = _NAME.match(part, j)
            if name is not None:
                j = name.end()
        if j < n and (part[j] in "[{" or part.startswith("->", j)):
            return True
        i = j
    return False
