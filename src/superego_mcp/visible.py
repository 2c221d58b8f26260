"""Text as a person will read it: characters that hide or reorder what is shown.

A command can display differently from what runs: a right-to-left override (U+202E) flips the
rest of a line on screen, a zero-width space splits a word invisibly, a carriage return or an
escape sequence rewrites a terminal line. `explain` and the dashboard show such text escaped
(``\\u202e``) and say why, so the command a person approves is the one that runs
(docs/dashboard.md, "What a person sees"). Standard library only: the base floor.
"""

from __future__ import annotations

import unicodedata

# Direction controls: embeddings, overrides, isolates, marks (the "Trojan Source" set).
BIDI = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Characters with no glyph that still change the text: zero-width space/joiners, word
# joiner, invisible operators, the byte-order mark, the Hangul and Mongolian fillers.
INVISIBLE = frozenset(
    [
        0x00AD,
        0x034F,
        0x115F,
        0x1160,
        0x180E,
        0x3164,
        0xFEFF,
        0xFFA0,
        *range(0x200B, 0x200E),
        *range(0x2060, 0x2065),
    ]
)
# Newline and tab are ordinary in commands and files; every other C0/C1 control and DEL
# can move the cursor, erase or recolour a terminal line.
_ORDINARY_CONTROLS = frozenset([0x09, 0x0A])


def kind(char: str) -> str | None:
    """``"bidi"``, ``"invisible"`` or ``"control"`` for a character that changes how text
    is shown without showing itself; None for an ordinary one."""
    code = ord(char)
    if code in BIDI:
        return "bidi"
    if code in INVISIBLE or 0xE0000 <= code <= 0xE007F:  # tag characters
        return "invisible"
    if (code < 0x20 or 0x7F <= code <= 0x9F) and code not in _ORDINARY_CONTROLS:
        return "control"
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate: not text at all
        return "control"
    return None


def escape(text: str) -> str:
    """``text`` with every hiding character written as ``\\uXXXX`` (or ``\\U000XXXXX``);
    ordinary text, newlines and tabs unchanged. When anything is escaped, backslashes are
    doubled too, so an escape in the output is never a backslash of the input."""
    if (text.isascii() and text.isprintable()) or not any(kind(c) for c in text):
        return text  # the common case: nothing to look at
    out: list[str] = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif kind(char) is None:
            out.append(char)
        elif ord(char) > 0xFFFF:
            out.append(f"\\U{ord(char):08x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


def hidden(text: str) -> list[str]:
    """One line per distinct hiding character in ``text``, e.g.
    ``U+202E RIGHT-TO-LEFT OVERRIDE (bidi) x1``; empty when there is none."""
    if text.isascii() and text.isprintable():
        return []
    counts: dict[str, int] = {}
    for char in text:
        if kind(char) is not None:
            counts[char] = counts.get(char, 0) + 1
    lines = []
    for char, count in counts.items():
        code = ord(char)
        name = unicodedata.name(char, "") or _CONTROL_NAMES.get(code, "")
        if not name:
            name = "LONE SURROGATE" if 0xD800 <= code <= 0xDFFF else "CONTROL CHARACTER"
        lines.append(f"U+{code:04X} {name} ({kind(char)}) x{count}")
    return lines


_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
}


def hidden_in(value: object) -> list[str]:
    """:func:`hidden` over every string inside ``value`` (dicts, lists, nested), deduplicated
    by character, keys included."""
    seen: dict[str, str] = {}
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            for line in hidden(item):
                seen.setdefault(line.split(" ", 1)[0], line.rsplit(" x", 1)[0])
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return sorted(seen.values())
