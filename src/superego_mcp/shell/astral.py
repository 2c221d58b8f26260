"""Keep characters outside the Basic Multilingual Plane away from the parser.

tree-sitter-bash 0.25 can crash the process (SIGSEGV) on input holding a ``{`` and, anywhere
later, a 4-byte UTF-8 character (tree-sitter/tree-sitter-bash#337). A crashed hook process
must not become an allow, so such characters never reach the parser: each one is replaced by
two private-use characters (an ordinary word character to bash, like the original) before
analysis, and every string of the result is mapped back afterwards.
"""

from __future__ import annotations

_HIGH = 0xE000  # private-use U+E000..U+E3FF: high 10 bits
_LOW = 0xE400  # private-use U+E400..U+E7FF: low 10 bits
_FIRST, _LAST = chr(_HIGH), chr(_LOW + 0x3FF)


def needs_encoding(text: str) -> bool:
    """Does ``text`` hold a character the parser must not see?"""
    return any(ord(c) > 0xFFFF for c in text)


def ambiguous(text: str) -> bool:
    """Does ``text`` already use the private-use characters of the encoding?"""
    return any(_FIRST <= c <= _LAST for c in text)


def encode(text: str) -> str:
    """Replace each character above U+FFFF by two private-use characters."""
    out: list[str] = []
    for c in text:
        code = ord(c)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(chr(_HIGH + (code >> 10)) + chr(_LOW + (code & 0x3FF)))
        else:
            out.append(c)
    return "".join(out)


def decode(text: str) -> str:
    """Undo :func:`encode`."""
    if not any(_FIRST <= c <= _LAST for c in text):
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if _HIGH <= ord(c) < _LOW and nxt and _LOW <= ord(nxt) <= _LOW + 0x3FF:
            out.append(chr(0x10000 + ((ord(c) - _HIGH) << 10) + (ord(nxt) - _LOW)))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)
