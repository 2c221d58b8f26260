"""Static expansion of one shell word: quotes, escapes, variables, braces, tilde, splitting.

A word is first flattened into *tokens* ``(text, cls)``. The class says how bash treats the
text in the later expansion steps:

- ``LIT``: unquoted literal text; brace and tilde syntax are live (one token per character).
- ``QUO``: quoted or escaped text; inert.
- ``EXP``: the known value of an unquoted expansion; split on whitespace (``$IFS``).
- ``DYN``: an unknown value inside quotes: one field, content unknown.
- ``UDYN``: an unknown unquoted value: unknown content *and* unknown number of fields.

Then, in bash's order: brace expansion, tilde expansion, field splitting. Unknown values keep
their source text (``$x``) so explanations stay readable; the field is marked dynamic.
"""

from __future__ import annotations

import itertools
import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Callable

    from tree_sitter import Node

LIT, QUO, EXP, DYN, UDYN = 0, 1, 2, 3, 4

# Brace expansion past these sizes is treated as unknown rather than computed.
_MAX_BRACES = 64
_MAX_FIELDS = 256
IFS_DEFAULT = " \t\n"

Token = tuple[str, int]
# A field: its text, and whether any part of it is unknown until run time.
Field = tuple[str, bool]


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (an ellipsis marks the cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def node_text(node: Node) -> str:
    """The source text of ``node`` (undecodable bytes kept as surrogate escapes)."""
    raw = node.text
    return raw.decode("utf-8", "surrogateescape") if raw else ""


class WordScope:
    """What expansion needs from the analyzer: variables and home; it collects the
    substitutions met (with their label: ``$()``, ``<()``, ...) in the order bash runs them,
    for the analyzer to walk (their commands are recorded there; their output is unknown)."""

    __slots__ = ("home", "lookup", "substitutions")

    def __init__(self, lookup: Callable[[str], str | None], home: str) -> None:
        self.lookup = lookup
        self.home = home
        self.substitutions: list[tuple[Node, str]] = []

    def substitute(self, node: Node, label: str) -> None:
        """Note a substitution to walk."""
        self.substitutions.append((node, label))


def unescape_unquoted(text: str) -> list[Token]:
    """Tokens of an unquoted literal: ``\\x`` is a quoted ``x``, backslash-newline vanishes."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            if text[i + 1] != "\n":
                out.append((text[i + 1], QUO))
            i += 2
            continue
        out.append((ch, LIT))
        i += 1
    return out


def unescape_double(text: str) -> str:
    """Text inside double quotes: only ``\\$ \\` \\" \\\\`` and backslash-newline are escapes."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


def _take(text: str, i: int, digits: str, limit: int) -> tuple[str, int]:
    j = i
    while j < len(text) and j - i < limit and text[j] in digits:
        j += 1
    return text[i:j], j


def decode_ansi_c(body: str) -> str:
    """Decode the inside of ``$'...'`` (``\\xHH``, ``\\NNN`` octal, ``\\uHHHH``, ``\\cX``, ...)."""
    out: list[str] = []
    i, n = 0, len(body)
    hexd, octd = "0123456789abcdefABCDEF", "01234567"
    while i < n:
        ch = body[i]
        if ch != "\\" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1]
        i += 2
        if esc in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[esc])
        elif esc in octd:
            digits, i = _take(body, i - 1, octd, 3)
            out.append(chr(int(digits, 8) & 0xFF))
        elif esc in "xuU":
            digits, j = _take(body, i, hexd, {"x": 2, "u": 4, "U": 8}[esc])
            if not digits:
                out.append("\\" + esc)
                continue
            i = j
            code = int(digits, 16)
            out.append(chr(code) if code <= 0x10FFFF else "\ufffd")
        elif esc == "c" and i < n:
            out.append(chr(ord(body[i]) & 0x1F))
            i += 1
        else:
            out.append("\\" + esc)
    return "".join(out)


def _anon_types(node: Node) -> list[str]:
    return [c.type for c in node.children if not c.is_named]


def _walk_substitutions(node: Node, scope: WordScope) -> None:
    """Record every substitution nested anywhere under ``node`` (iteratively)."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if cur.type in ("command_substitution", "process_substitution"):
            scope.substitute(cur, _subst_label(cur))
            continue
        stack.extend(reversed(cur.children))


def _subst_label(node: Node) -> str:
    if node.type == "process_substitution":
        first = node.children[0].type if node.children else "<("
        return first + ")"
    text = node_text(node)
    return "``" if text.startswith("`") else "$()"


def _param(node: Node, scope: WordScope, quoted: bool, out: list[Token]) -> None:
    """``$x`` / ``${x}`` / ``${x:-default}``."""
    raw = node_text(node)
    unknown = (raw, DYN if quoted else UDYN)
    names = [c for c in node.named_children if c.type in ("variable_name", "special_variable_name")]
    ops = [t for t in _anon_types(node) if t not in ("$", "${", "}")]
    if not names or len(names) != 1:
        _walk_substitutions(node, scope)
        out.append(unknown)
        return
    name = node_text(names[0])
    value = scope.lookup(name)
    rest = [c for c in node.named_children if c is not names[0]]
    if not ops and not rest:
        if value is None:
            out.append(unknown)
        else:
            # "$@" is one word per parameter (approximated by splitting their join).
            out.append((value, QUO if quoted and name != "@" else EXP))
        return
    if ops and ops[0] in (":+", "+") and len(ops) == 1:
        # ${x:+word}: word when x is set (non-empty for ":+"), else nothing.
        if value is None:
            for c in rest:
                _walk_substitutions(c, scope)
            out.append(unknown)
        elif value or ops[0] == "+":
            for c in rest:
                _flatten(c, scope, quoted, out)
        return
    if ops and ops[0] in (":-", "-", ":=", "=") and len(ops) == 1:
        use_default = value is None or (value == "" and ops[0].startswith(":"))
        if value is not None and not use_default:
            out.append((value, QUO if quoted else EXP))
            return
        if value is None:
            # Unknown variable: either its value or the default; the default's
            # substitutions still run. A literal default is kept unquoted in the text
            # (`${X:=.e"nv"}` reads `${X:=.env}`), so rules can test what it names.
            for c in rest:
                _walk_substitutions(c, scope)
            default = _literal_default(rest)
            if default is not None:
                unknown = (f"${{{name}{ops[0]}{default}}}", unknown[1])
            out.append(unknown)
            return
        for c in rest:
            _flatten(c, scope, quoted, out)
        return
    _walk_substitutions(node, scope)
    out.append(unknown)


def _literal_default(nodes: list[Node]) -> str | None:
    """The text of a parameter's default when it is literal (words and quotes, no
    expansions), quotes removed; else ``None``."""
    parts: list[str] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        kind = node.type
        if kind == "word":
            parts.append("".join(t for t, _ in unescape_unquoted(node_text(node))))
        elif kind == "raw_string":
            parts.append(node_text(node)[1:-1])
        elif kind == "string_content":
            parts.append(unescape_double(node_text(node)))
        elif kind in ("string", "concatenation"):
            if kind == "string" and any(
                not c.is_named and c.type not in ('"', '$"') for c in node.children
            ):
                return None
            stack.extend(reversed([c for c in node.children if c.is_named]))
        else:
            return None
    return "".join(parts)


def _flatten(node: Node, scope: WordScope, quoted: bool, out: list[Token]) -> None:
    """Append the tokens of ``node`` (a word-like node) to ``out``."""
    kind = node.type
    if kind in ("word", "number", "special_variable_name", "variable_name"):
        text = node_text(node)
        if quoted:
            out.append((text, QUO))
        else:
            out.extend(unescape_unquoted(text))
    elif kind == "raw_string":
        out.append((node_text(node)[1:-1], QUO))
    elif kind == "ansi_c_string":
        out.append((decode_ansi_c(node_text(node)[2:-1]), QUO))
    elif kind in ("string", "translated_string"):
        out.append(("", QUO))  # "" still makes a field
        for c in node.children:
            if c.is_named:
                _flatten(c, scope, True, out)
            elif c.type not in ('"', '$"'):
                out.append((node_text(c), QUO))
    elif kind in ("string_content", "heredoc_content"):
        out.append((unescape_double(node_text(node)), QUO))
    elif kind == "concatenation":
        for c in node.children:
            if c.is_named:
                _flatten(c, scope, quoted, out)
            else:
                out.extend(unescape_unquoted(node_text(c)))
    elif kind in ("simple_expansion", "expansion"):
        _param(node, scope, quoted, out)
    elif kind in ("command_substitution", "process_substitution"):
        scope.substitute(node, _subst_label(node))
        if kind == "process_substitution":
            out.append(("/dev/fd/63", QUO))
        elif _cpu_count_query(node_text(node)):
            # `make -j$(nproc)`: the output is a number of CPUs, never a path or an option;
            # the query itself is still a command of the line.
            out.append(("2", QUO))
        elif (printed := _literal_print(node_text(node))) is not None:
            # `find . -name $(printf pattern)`: the output is that word, whatever runs it
            out.append((printed, QUO))
        else:
            out.append((node_text(node), DYN if quoted else UDYN))
    elif kind == "brace_expression":
        out.extend(unescape_unquoted(node_text(node)))
    else:
        # Arithmetic, arrays, anything unforeseen: unknown value, but run what it contains.
        _walk_substitutions(node, scope)
        out.append((node_text(node), DYN if quoted else UDYN))


# Command substitutions whose output is only a count of CPUs (``$(nproc)``, ...).
_CPU_COUNT_QUERIES = frozenset(
    {
        "nproc",
        "nproc --all",
        "getconf _NPROCESSORS_ONLN",
        "getconf NPROCESSORS_ONLN",
        "sysctl -n hw.ncpu",
        "sysctl -n hw.logicalcpu",
        "sysctl -n hw.physicalcpu",
    }
)


# One plain word: nothing for printf to format, echo to take as an option, or the shell to
# split or glob when the substitution is unquoted.
_PLAIN_WORD = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_./:,=+@-]*")


def _substituted(text: str) -> str | None:
    """The command inside ``$(...)`` or backquotes, else None."""
    if text.startswith("$(") and text.endswith(")"):
        return text[2:-1]
    if text.startswith("`") and text.endswith("`"):
        return text[1:-1]
    return None


def _literal_print(text: str) -> str | None:
    """What ``$(printf WORD)`` / ``$(echo WORD)`` (or backquoted) outputs when WORD is one
    plain word: the word itself (the trailing newline is stripped); else None."""
    inner = _substituted(text)
    if inner is None:
        return None
    words = inner.split()
    if len(words) != 2 or words[0] not in ("printf", "echo") or inner != inner.strip():
        return None
    return words[1] if _PLAIN_WORD.fullmatch(words[1]) else None


def _cpu_count_query(text: str) -> bool:
    """Whether ``$(...)`` / backquoted ``text`` only asks how many CPUs there are."""
    inner = _substituted(text)
    return inner is not None and " ".join(inner.split()) in _CPU_COUNT_QUERIES


def tokens_of(nodes: list[Node], scope: WordScope) -> list[Token]:
    """Tokens of one word written as one or more adjacent nodes."""
    out: list[Token] = []
    for node in nodes:
        _flatten(node, scope, False, out)
    return _stray_dollars(out, scope)


_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")


def _stray_dollars(toks: list[Token], scope: WordScope) -> list[Token]:
    """An unquoted ``$`` followed by a name is an expansion, even where the parser split it
    off (``rm$IFS-rf$IFS/`` parses as ``...$`` + ``IFS/``)."""
    if not any(t == ("$", LIT) for t in toks):
        return toks
    out: list[Token] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        j = i + 1
        if tok == ("$", LIT) and j < len(toks) and toks[j][1] == LIT and toks[j][0] in _NAME_START:
            while j < len(toks) and toks[j][1] == LIT and toks[j][0] in _NAME_CHARS:
                j += 1
            name = "".join(t[0] for t in toks[i + 1 : j])
            value = scope.lookup(name)
            out.append(("$" + name, UDYN) if value is None else (value, EXP))
            i = j
            continue
        out.append(tok)
        i += 1
    return out


def _is(tok: Token, ch: str) -> bool:
    return tok[1] == LIT and tok[0] == ch


def _match_brace(toks: list[Token], start: int) -> tuple[int, list[int]] | None:
    """Index of the ``}`` closing ``toks[start]`` and the top-level comma positions."""
    depth = 0
    commas: list[int] = []
    for i in range(start, len(toks)):
        if _is(toks[i], "{"):
            depth += 1
        elif _is(toks[i], "}"):
            depth -= 1
            if depth == 0:
                return i, commas
        elif depth == 1 and _is(toks[i], ","):
            commas.append(i)
    return None


def _sequence(inner: list[Token]) -> list[list[Token]] | None:
    """``{1..5}`` / ``{a..e}`` / ``{1..10..2}``; None when not a valid sequence."""
    if any(t[1] != LIT for t in inner):
        return None
    parts = "".join(t[0] for t in inner).split("..")
    if len(parts) not in (2, 3):
        return None
    try:
        step = abs(int(parts[2])) if len(parts) == 3 else 1
        lo, hi = int(parts[0]), int(parts[1])
        values = [str(v) for v in range(lo, hi + (1 if hi >= lo else -1), step or 1)]
        if hi < lo:
            values = [str(v) for v in range(lo, hi - 1, -(step or 1))]
    except ValueError:
        a, b = parts[0], parts[1]
        if len(a) != 1 or len(b) != 1:
            return None
        lo_c, hi_c = ord(a), ord(b)
        rng = range(lo_c, hi_c + 1) if hi_c >= lo_c else range(lo_c, hi_c - 1, -1)
        values = [chr(c) for c in rng]
    if len(values) > _MAX_FIELDS:
        raise _TooMany
    return [[(v, QUO)] for v in values]


class _TooMany(Exception):
    """Brace expansion would produce too many words."""


def _brace(toks: list[Token]) -> list[list[Token]]:
    for i, tok in enumerate(toks):
        if not _is(tok, "{"):
            continue
        found = _match_brace(toks, i)
        if found is None:
            continue
        end, commas = found
        inner = toks[i + 1 : end]
        if commas:
            bounds = [i, *commas, end]
            alts: list[list[Token]] = []
            for a, b in itertools.pairwise(bounds):
                alts.extend(_brace(toks[a + 1 : b]))
        else:
            seq = _sequence(inner)
            if seq is None:
                continue
            alts = seq
        tails = _brace(toks[end + 1 :])
        result = [toks[:i] + a + t for a in alts for t in tails]
        if len(result) > _MAX_FIELDS:
            raise _TooMany
        return result
    return [toks]


def _tilde(toks: list[Token], home: str) -> list[Token]:
    """``~`` and ``~/...`` are the home; ``~user``, ``~+``, ``~-`` are only known at run time."""
    if not toks or not _is(toks[0], "~"):
        return toks
    end = next((i for i, t in enumerate(toks) if _is(t, "/") or t[1] != LIT), len(toks))
    if end == 1:
        return [(home, QUO), *toks[1:]]
    prefix = "".join(t[0] for t in toks[:end])
    return [(prefix, DYN), *toks[end:]]


def _ifs_split(text: str, ifs: str) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch in ifs:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return pieces


def _split(toks: list[Token], ifs: str | None) -> tuple[list[Field], bool]:
    """Field splitting on ``ifs`` (None: unknown, so expansions split unpredictably).
    Returns the fields and whether their number is unknown."""
    fields: list[Field] = []
    parts: list[str] = []
    dynamic = started = arity_unknown = False
    for text, cls in toks:
        if cls == EXP and ifs is None:
            cls = UDYN
        if cls == EXP:
            for k, piece in enumerate(_ifs_split(text, ifs or "")):
                if k > 0 and started:
                    fields.append(("".join(parts), dynamic))
                    parts, dynamic, started = [], False, False
                if piece:
                    parts.append(piece)
                    started = True
            continue
        if cls == UDYN:
            arity_unknown = True
        parts.append(text)
        dynamic = dynamic or cls in (DYN, UDYN)
        started = True
    if started:
        fields.append(("".join(parts), dynamic))
    return fields, arity_unknown


def expand(toks: list[Token], home: str, ifs: str | None = IFS_DEFAULT) -> tuple[list[Field], bool]:
    """Brace expansion, tilde expansion and field splitting (on ``ifs``) of a flattened word.

    Returns the fields and whether the field count is unknown (an unquoted unknown value,
    or a brace expansion too large to compute).
    """
    if sum(1 for t in toks if _is(t, "{")) > _MAX_BRACES:
        return [("".join(t[0] for t in toks), True)], True
    try:
        words = _brace(toks)
    except (_TooMany, RecursionError):
        return [("".join(t[0] for t in toks), True)], True
    fields: list[Field] = []
    unknown = False
    for w in words:
        got, unk = _split(_tilde(w, home), ifs)
        fields.extend(got)
        unknown = unknown or unk
    return fields, unknown


def static_lead(toks: list[Token]) -> str | None:
    """The known text before the first unknown part of a word (``-DNAME=`` of
    ``-DNAME="$(cmd)"``), or None when the word has no unknown part or its lead could
    still change in expansion (brace or tilde syntax, a value that splits)."""
    out: list[str] = []
    for text, cls in toks:
        if cls in (DYN, UDYN):
            return "".join(out)
        if cls == LIT and text in ("{", "}", "~"):
            return None
        if cls == EXP and any(c.isspace() for c in text):
            return None
        out.append(text)
    return None


def literal_text(toks: list[Token]) -> tuple[str, bool]:
    """The text of a word without splitting or brace expansion (assignment values)."""
    dynamic = any(cls in (DYN, UDYN) for _, cls in toks)
    return "".join(t for t, _ in toks), dynamic
