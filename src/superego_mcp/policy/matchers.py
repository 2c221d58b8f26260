"""Compiled matchers the conditions are built from: names, values, path globs, JSONPath.

Everything here is compiled once when a policy is loaded (bad patterns raise ``ValueError``
with a message the loader turns into a ``PolicyError``) and is picklable: plain ``__slots__``
classes holding :class:`LazyRegex` holders, no closures.
"""

from __future__ import annotations

from superego_mcp.lazyre import LazyPattern


class LazyRegex:
    """A regular expression that pickles as its source and recompiles on first use.

    A pickled ``re.Pattern`` recompiles when it is *loaded*, so every hook call reading the
    cached policy would pay for every expression in it, used or not; this holder pays only
    for the ones a call reaches. Built from source, it compiles at once (a bad pattern raises
    ``re.error`` when the policy is loaded, never in the middle of a decision).
    """

    __slots__ = ("_compiled", "flags", "needles", "pattern", "prefix")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        import re

        self.pattern = pattern
        # A plain int: a re.RegexFlag pickles as one, and loading it imports re.
        self.flags = int(flags)
        self._compiled: re.Pattern[str] | None = re.compile(pattern, flags)
        # What every match starts with, and texts every match holds (see literal_needles):
        # a text without them is answered without compiling (a Read call need not compile
        # the rules' mcp__ tests, nor a path without "/.env" the .env globs).
        self.prefix = literal_prefix(pattern, flags)
        self.needles = literal_needles(pattern, flags)

    def __getstate__(self) -> tuple[str, int, str, Needles]:
        return self.pattern, self.flags, self.prefix, self.needles

    def __setstate__(self, state: tuple[str, int, str, Needles]) -> None:
        self.pattern, self.flags, self.prefix, self.needles = state
        self._compiled = None

    def _get(self) -> re.Pattern[str]:
        import re

        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self.pattern, self.flags)
        return compiled

    def _cannot_match(self, text: str) -> bool:
        if self.prefix and not text.startswith(self.prefix):
            return True
        lowered: str | None = None
        for exact, folded in self.needles:
            if any(n in text for n in exact):
                continue
            if folded:
                if not text.isascii():
                    continue  # another script's letters may fold to ASCII ones: no verdict
                if lowered is None:
                    lowered = text.lower()
                if any(n in lowered for n in folded):
                    continue
            return True
        return False

    def search(self, text: str) -> re.Match[str] | None:
        """``re.Pattern.search``."""
        return None if self._cannot_match(text) else self._get().search(text)

    def match(self, text: str) -> re.Match[str] | None:
        """``re.Pattern.match``."""
        return None if self._cannot_match(text) else self._get().match(text)


# Texts a match must hold: each entry is one necessary condition, "one of these exact texts
# or one of these texts in any case (lower case here, looked for in an ASCII text lowered)".
Needles = tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
# The most conditions kept per expression: each is tried before compiling, on every call.
_MAX_NEEDLE_SETS = 3


def literal_prefix(pattern: str, flags: int = 0) -> str:
    """The literal text every match of ``pattern`` starts with, at the start of the string:
    the characters after a leading ``^`` / ``\\A`` (into groups too) up to the first that is
    not a plain literal; ``""`` when nothing is certain (no anchor, an alternation,
    ``IGNORECASE`` or ``MULTILINE``, under which a literal or ``^`` means more)."""
    import re

    if not pattern.startswith(("^", "\\A")):
        return ""
    import importlib

    # The standard parser (private, so imported by name): the one exact reading of a
    # pattern. Only when a policy is compiled, never on the hook's warm path.
    sre = importlib.import_module("re._parser")
    try:
        parsed = sre.parse(pattern, flags)
    except re.error:
        return ""
    if parsed.state.flags & (re.IGNORECASE | re.MULTILINE):
        return ""
    items = list(parsed)
    if not items or items[0] not in ((sre.AT, sre.AT_BEGINNING), (sre.AT, sre.AT_BEGINNING_STRING)):
        return ""
    found: list[str] = []
    _literals(sre, items[1:], found)
    return "".join(found)


def literal_needles(pattern: str, flags: int = 0) -> Needles:
    """Texts every match of ``pattern`` holds (see :data:`Needles`): the longest sets of
    alternatives found in runs of plain literals, in groups that must match, in repeats that
    match at least once and in alternations whose every branch holds one. Case-insensitive
    literals count only where they are ASCII: only then is lowering an ASCII text the same
    as the expression's case folding (the Kelvin sign matches ``k``). ``()`` when nothing is
    certain."""
    import importlib
    import re

    sre = importlib.import_module("re._parser")  # as in literal_prefix
    try:
        parsed = sre.parse(pattern, flags)
    except re.error:
        return ()
    found = _needle_sets(sre, list(parsed), bool(parsed.state.flags & re.IGNORECASE))
    # The most selective first: the longest shortest alternative, then the fewest.
    found.sort(key=lambda s: (-min(len(n) for n, _ in s), len(s)))
    return tuple((_fewest(s, False), _fewest(s, True)) for s in found[:_MAX_NEEDLE_SETS])


def _fewest(alternatives: set[tuple[str, bool]], folded: bool) -> tuple[str, ...]:
    """The texts of ``alternatives`` of this kind, without those that hold another (a text
    that holds ``/.env`` holds ``.env``: looking for ``.env`` alone is the same test)."""
    texts = sorted({n for n, f in alternatives if f is folded}, key=len)
    kept: list[str] = []
    for text in texts:
        if not any(k in text for k in kept):
            kept.append(text)
    return tuple(sorted(kept))


def _needle_sets(
    sre: Any, items: list[tuple[Any, Any]], icase: bool
) -> list[set[tuple[str, bool]]]:
    """The necessary conditions of the sequence ``items`` (each a set of (text, folded)
    alternatives, one of which every match holds), ``icase`` when its literals ignore case."""
    import re

    sets: list[set[tuple[str, bool]]] = []
    run: list[str] = []

    def end_run() -> None:
        if run:
            sets.append({("".join(run), icase)})
            run.clear()

    repeats = tuple(
        getattr(sre, name)
        for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
        if hasattr(sre, name)
    )
    for op, arg in items:
        if op is sre.LITERAL and not (icase and arg > 127):
            run.append(chr(arg).lower() if icase else chr(arg))
            continue
        end_run()
        inner: list[set[tuple[str, bool]]] = []
        if op is sre.SUBPATTERN:
            _, add, remove, sub = arg
            folded = (icase or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
            inner = _needle_sets(sre, list(sub), folded)
        elif op in repeats and arg[0] >= 1:
            inner = _needle_sets(sre, list(arg[2]), icase)
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            inner = _needle_sets(sre, list(arg), icase)
        elif op is sre.BRANCH:
            union: set[tuple[str, bool]] = set()
            for branch in arg[1]:
                options = _needle_sets(sre, list(branch), icase)
                if not options:
                    break  # a branch that needs no text: the alternation needs none
                union |= max(options, key=lambda s: min(len(n) for n, _ in s))
            else:
                inner = [union]
        sets.extend(inner)
    end_run()
    return sets


def _literals(sre: Any, items: list[tuple[Any, Any]], found: list[str]) -> bool:
    """Append the leading plain literals of ``items`` to ``found``; True when all were."""
    import re

    for op, arg in items:
        if op is sre.LITERAL:
            found.append(chr(arg))
        elif op is sre.SUBPATTERN and not arg[1] & (re.IGNORECASE | re.MULTILINE):
            if not _literals(sre, list(arg[3]), found):
                return False
        else:
            return False
    return True


# --- names: tool names, programs, subcommands, wrappers ---------------------------------


class NameMatcher:
    """Matches a name against exact names, globs (``mcp__*``, full match) and ``re:`` regular
    expressions (searched: anchor them with ``^``/``$``). Case-sensitive."""

    __slots__ = ("exact", "patterns", "text")

    def __init__(self, entries: list[str]) -> None:
        exact: set[str] = set()
        patterns: list[str] = []
        for entry in entries:
            if entry.startswith("re:"):
                patterns.append(_checked_regex(entry[3:]))
            elif any(c in entry for c in "*?["):
                patterns.append(glob_to_regex(entry))
            else:
                exact.add(entry)
        self.exact = frozenset(exact)
        # Compiled one by one: a pattern may carry its own inline flags, e.g. (?i).
        self.patterns = tuple(LazyRegex(p) for p in patterns)
        self.text = ", ".join(entries)

    @property
    def names_only(self) -> bool:
        """True when only exact names are listed (the engine can index the rule by them)."""
        return not self.patterns

    def match(self, name: str) -> bool:
        """True when ``name`` is one of the names or matches one of the patterns."""
        if name in self.exact:
            return True
        return any(p.search(name) is not None for p in self.patterns)

    def match_any(self, names: tuple[str, ...]) -> bool:
        """True when some element of ``names`` matches."""
        return any(self.match(n) for n in names)


def _checked_regex(pattern: str, flags: int = 0) -> str:
    import re

    try:
        re.compile(pattern, flags)
    except re.error as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
    return pattern


def glob_to_regex(glob: str) -> str:
    """A plain string glob (``*`` and ``?`` match any character, ``[...]`` a class) as an
    anchored regular expression."""
    import fnmatch

    _check_brackets(glob)
    return "^" + fnmatch.translate(glob)


def _check_brackets(glob: str) -> None:
    depth = 0
    for c in glob:
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
    if depth:
        raise ValueError(f"bad glob {glob!r}: unclosed '['")


# --- values: tool_input fields, shell arguments ------------------------------------------

VALUE_OPS = (
    "equals",
    "regex",
    "glob",
    "contains",
    "gt",
    "ge",
    "lt",
    "le",
    "len_gt",
    "len_lt",
    "ignore_case",
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)

if TYPE_CHECKING:
    import re
    from typing import Any


def _text(value: Any) -> str | None:
    """The text a string test sees: strings as they are, numbers as written, else none."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


class ValueMatcher:
    """Tests one JSON value. Every given test must hold (AND):

    ``equals`` (exact, strings compared as text), ``regex`` (searched), ``glob`` (full match,
    ``*`` crosses ``/``), ``contains`` (substring of a string or element of a list), ``gt`` /
    ``ge`` / ``lt`` / ``le`` (numeric), ``len_gt`` / ``len_lt`` (length of a string, list or
    mapping); ``ignore_case: true`` applies to the text tests.
    """

    __slots__ = ("contains", "equals", "has_equals", "length", "numeric", "regex")

    def __init__(self, spec: dict[str, Any]) -> None:
        import re

        unknown = [k for k in spec if k not in VALUE_OPS]
        if unknown:
            raise ValueError(f"unknown value test {unknown[0]!r}{suggest(unknown[0], VALUE_OPS)}")
        ignore_case = spec.get("ignore_case", False)
        if not isinstance(ignore_case, bool):
            raise ValueError("'ignore_case' must be true or false")
        flags = re.IGNORECASE if ignore_case else 0
        self.has_equals = "equals" in spec
        self.equals: Any = spec.get("equals")
        patterns: list[LazyRegex] = []
        if ignore_case and isinstance(self.equals, str):
            # Equality without case is a full-match regex: one code path for text tests.
            patterns.append(LazyRegex("^" + re.escape(self.equals) + r"\Z", flags))
            self.has_equals, self.equals = False, None
        if "regex" in spec:
            if not isinstance(spec["regex"], str):
                raise ValueError("'regex' must be a string")
            patterns.append(LazyRegex(_checked_regex(spec["regex"], flags), flags))
        if "glob" in spec:
            if not isinstance(spec["glob"], str):
                raise ValueError("'glob' must be a string")
            patterns.append(LazyRegex(glob_to_regex(spec["glob"]), flags))
        self.regex = tuple(patterns)
        self.contains: tuple[Any, bool] | None = None
        if "contains" in spec:
            needle = spec["contains"]
            if not isinstance(needle, str | int | float | bool):
                raise ValueError("'contains' must be a string or a number")
            self.contains = (
                needle.lower() if ignore_case and isinstance(needle, str) else needle,
                ignore_case,
            )
        numeric: list[tuple[str, float]] = []
        length: list[tuple[str, int]] = []
        for op in ("gt", "ge", "lt", "le"):
            if op in spec:
                n = _number(spec[op])
                if n is None or isinstance(spec[op], str):
                    raise ValueError(f"'{op}' needs a number, not {spec[op]!r}")
                numeric.append((op, n))
        for op in ("len_gt", "len_lt"):
            if op in spec:
                if not isinstance(spec[op], int) or isinstance(spec[op], bool):
                    raise ValueError(f"'{op}' needs a whole number, not {spec[op]!r}")
                length.append((op, spec[op]))
        self.numeric = tuple(numeric)
        self.length = tuple(length)
        if not (self.has_equals or self.regex or self.contains or numeric or length):
            raise ValueError("a value test needs at least one of: " + ", ".join(VALUE_OPS[:-1]))

    @classmethod
    def exact(cls, value: Any) -> ValueMatcher:
        """A matcher for one exact value (what a bare scalar in a rule means)."""
        return cls({"equals": value})

    def match(self, value: Any) -> bool:
        """True when ``value`` passes every test."""
        if self.has_equals and not _equal(value, self.equals):
            return False
        if self.regex:
            text = _text(value)
            if text is None or not all(p.search(text) for p in self.regex):
                return False
        if self.contains is not None and not _contains(value, *self.contains):
            return False
        for op, bound in self.numeric:
            n = _number(value)
            if n is None or not _compare(op, n, bound):
                return False
        for op, size in self.length:
            if not isinstance(value, str | list | dict):
                return False
            if not (len(value) > size if op == "len_gt" else len(value) < size):
                return False
        return True


def _equal(value: Any, expected: Any) -> bool:
    if isinstance(expected, str) or isinstance(value, str):
        return _text(value) == _text(expected)
    return bool(value == expected and type(value) is type(expected)) or (
        _number(value) is not None and _number(value) == _number(expected)
    )


def _contains(value: Any, needle: Any, ignore_case: bool) -> bool:
    if isinstance(value, str):
        text = _text(needle) or ""
        return text in (value.lower() if ignore_case else value)
    if isinstance(value, list):
        return any(_equal(v, needle) for v in value)
    return False


def _compare(op: str, n: float, bound: float) -> bool:
    if op == "gt":
        return n > bound
    if op == "ge":
        return n >= bound
    if op == "lt":
        return n < bound
    return n <= bound


# --- path globs --------------------------------------------------------------------------

# Roots a path glob may start with; anything else is absolute ('/...') or relative
# (matched at any depth, like a .gitignore name).
# '~' is every user's home (credentials are credentials whoever owns them, and the server may
# run as another user than the agent); '${home}' is the home of the user the call runs as.
_ROOTS = {
    "~": "anyhome",
    "${home}": "home",
    "${project}": "project",
    "${tmp}": "tmp",
    # Superego's own files in effect (policy layers, settings, cache, state): filled from the
    # loaded configuration, see docs/rules.md "Self-protection".
    "${superego}": "superego",
}
# Where homes live: /home/NAME, /Users/NAME (macOS), /var/lib/NAME (service accounts).
_HOME_PARENTS = ("/home/", "/Users/", "/var/lib/")
_ROOT_HOMES = ("/root", "/var/root")


def home_of(path: str) -> str | None:
    """The home directory ``path`` lies in (or is) by where homes live on Unix systems:
    ``/home/*``, ``/Users/*``, ``/var/lib/*``, ``/root``, ``/var/root``; else ``None``."""
    for top in _ROOT_HOMES:
        if path == top or path.startswith(top + "/"):
            return top
    for parent in _HOME_PARENTS:
        if path.startswith(parent):
            end = path.find("/", len(parent))
            name = path[len(parent) : end] if end >= 0 else path[len(parent) :]
            if name:
                return parent + name
    return None


class PathGlob:
    """A glob over normalized absolute paths.

    ``*`` stays within one path segment, ``**`` spans any number of segments (including none),
    ``?`` is one character, ``[...]`` a class, ``{a,b}`` alternatives. ``~`` (every user's
    home: the call's and any under ``/home``, ``/Users``, ``/var/lib``, ``/root``),
    ``${home}`` (the call's home only), ``${project}`` (the project root, see
    ``superego_mcp.project``) and ``${tmp}`` (the temp directories, less a project or home
    inside them) may start a glob. A glob ending in ``/**``
    also matches the directory itself. A relative glob (``*.pem``, ``.git/hooks/**``) matches
    at any depth. A glob written after ``(?i)`` ignores case (only in the part after its
    variable: ``~`` and ``${project}`` are the paths they are).
    """

    __slots__ = ("regex", "root", "text")

    def __init__(self, glob: str) -> None:
        import re

        if not glob:
            raise ValueError("empty path glob")
        self.text = glob
        # "(?i)" first: the glob ignores case (`(?i).env.*` matches `.ENV.Local`), as a
        # case-insensitive file system (macOS, Windows) opens such names.
        nocase = glob.startswith("(?i)")
        if nocase:
            glob = glob[4:]
            if not glob:
                raise ValueError("empty path glob after (?i)")
        root = "abs"
        rest = glob
        for prefix, name in _ROOTS.items():
            if glob == prefix or glob.startswith(prefix + "/"):
                root, rest = name, glob[len(prefix) :]
                break
        else:
            if "${" in glob:
                raise ValueError(
                    f"bad path glob {glob!r}: only ~, ${{home}}, ${{project}}, ${{tmp}} or "
                    "${superego} may start a glob"
                )
            if not glob.startswith("/"):
                root, rest = "any", "/" + glob.removeprefix("**/")
        if "${" in rest:
            raise ValueError(f"bad path glob {glob!r}: a variable may only start a glob")
        body = _path_glob_body(rest, glob)
        if nocase:
            body = "(?i:" + body + ")"
        if root == "any":
            body = "(?:.*)?" + body
        self.root = root
        self.regex = re.compile(body + r"\Z", re.DOTALL)


# What a glob of a root's whole tree (`${project}/**`, `/**`) becomes: the root itself or
# anything below it (see _path_glob_body).
_WHOLE_TREE = r"(?:/.*)?\Z"


class PathSet:
    """Several path globs matched together: one combined regular expression per root kind, so
    a rule listing twenty globs costs a few regex calls per path, not twenty."""

    __slots__ = ("by_root", "text")

    def __init__(self, globs: list[PathGlob]) -> None:
        import re

        grouped: dict[str, list[str]] = {}
        for g in globs:
            grouped.setdefault(g.root, []).append(g.regex.pattern)
        # None: a glob of the root's whole tree (`${project}/**`) is among them, so every path
        # under the root matches, without an expression.
        self.by_root = tuple(
            (
                root,
                None
                if _WHOLE_TREE in patterns
                else LazyRegex("|".join(f"(?:{p})" for p in patterns), re.DOTALL),
            )
            for root, patterns in grouped.items()
        )
        self.text = ", ".join(g.text for g in globs)

    def match(self, path: str, roots: dict[str, tuple[str, ...]]) -> bool:
        """True when some glob matches the absolute ``path`` (see :class:`PathGlob`)."""
        for root, regex in self.by_root:
            if root in ("abs", "any"):
                if regex is None or regex.match(path) is not None:
                    return True
                continue
            bases = roots["home"] if root == "anyhome" else roots.get(root, ())
            for base in bases:
                base = base.rstrip("/")
                if path == base:
                    rest = ""
                elif path.startswith(base + "/"):
                    rest = path[len(base) :]
                else:
                    continue
                # A home or project inside a temp dir, a home inside the project: carved out.
                if root in ("tmp", "project") and _within(path, roots.get("not-" + root, ())):
                    continue
                if regex is None or regex.match(rest) is not None:
                    return True
            if root == "anyhome":
                other = home_of(path)
                if other is not None and (regex is None or regex.match(path[len(other) :])):
                    return True
        return False


def _within(path: str, dirs: tuple[str, ...]) -> bool:
    return any(path == d or path.startswith(d + "/") for d in dirs)


def _path_glob_body(rest: str, whole: str) -> str:
    """Translate the part of a path glob after its root (``''`` or starting with ``/``)."""
    import re

    out: list[str] = []
    i, n = 0, len(rest)
    while i < n:
        if rest.startswith("/**", i) and (i + 3 == n or rest[i + 3] == "/"):
            # '/**' at the end: the directory itself or anything below; '/**/' in the middle:
            # zero or more whole segments.
            out.append("(?:/.*)?")
            i += 3
            continue
        c = rest[i]
        if c == "*":
            if rest.startswith("**", i):
                out.append(".*")
                i += 2
            else:
                out.append("[^/]*")
                i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = rest.find("]", i + 2)
            if end < 0:
                raise ValueError(f"bad path glob {whole!r}: unclosed '['")
            inner = rest[i + 1 : end]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            i = end + 1
        elif c == "{":
            end = rest.find("}", i)
            if end < 0:
                raise ValueError(f"bad path glob {whole!r}: unclosed '{{'")
            options = rest[i + 1 : end].split(",")
            out.append("(?:" + "|".join(_path_glob_body(o, whole) for o in options) + ")")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    pattern = "".join(out)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad path glob {whole!r}: {exc}") from None
    return pattern


# --- a small JSONPath ---------------------------------------------------------------------


class JsonPath:
    """A JSONPath subset: ``$``, ``.name``, ``['name']``, ``[n]``, ``[*]``, ``.*``, ``..name``
    and ``..*`` (every scalar anywhere). A bare name (``file_path``) is ``$.file_path``."""

    __slots__ = ("steps", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.steps = _parse_jsonpath(text if text.startswith("$") else "$." + text, text)

    @classmethod
    def field(cls, name: str) -> JsonPath:
        """The path of one top-level field, whatever characters its name has."""
        path = cls("$")
        path.text, path.steps = name, (("key", name),)
        return path

    def find(self, data: Any) -> list[Any]:
        """Every value the path selects in ``data``."""
        values = [data]
        for kind, arg in self.steps:
            nxt: list[Any] = []
            for v in values:
                _step(kind, arg, v, nxt)
            values = nxt
            if not values:
                break
        return values


def _step(kind: str, arg: Any, v: Any, out: list[Any]) -> None:
    if kind == "key":
        if isinstance(v, dict) and arg in v:
            out.append(v[arg])
    elif kind == "index":
        if isinstance(v, list) and -len(v) <= arg < len(v):
            out.append(v[arg])
    elif kind == "wild":
        if isinstance(v, dict):
            out.extend(v.values())
        elif isinstance(v, list):
            out.extend(v)
    elif kind == "desc":
        _descend(v, arg, out)


def _descend(v: Any, name: str | None, out: list[Any], depth: int = 0) -> None:
    if depth > 64:  # tool input nested this deep is not something a rule should walk
        return
    if isinstance(v, dict):
        for key, child in v.items():
            if name is None:
                if not isinstance(child, dict | list):
                    out.append(child)
            elif key == name:
                out.append(child)
            _descend(child, name, out, depth + 1)
    elif isinstance(v, list):
        for child in v:
            if name is None and not isinstance(child, dict | list):
                out.append(child)
            _descend(child, name, out, depth + 1)


_TOKEN = LazyPattern(
    r"""\.\.(?P<desc>[A-Za-z_][\w-]*|\*)"""
    r"""|\.(?P<name>[A-Za-z_][\w-]*|\*)"""
    r"""|\[\s*(?:'(?P<q1>[^']*)'|"(?P<q2>[^"]*)"|(?P<idx>-?\d+)|(?P<star>\*))\s*\]"""
)


def _parse_jsonpath(path: str, original: str) -> tuple[tuple[str, Any], ...]:
    steps: list[tuple[str, Any]] = []
    i = 1
    while i < len(path):
        m = _TOKEN().match(path, i)
        if m is None:
            raise ValueError(
                f"unsupported JSONPath {original!r} at {path[i:]!r} (supported: $, .name, "
                "['name'], [n], [*], ..name, ..*)"
            )
        if m.group("desc") is not None:
            d = m.group("desc")
            steps.append(("desc", None if d == "*" else d))
        elif m.group("name") is not None:
            nm = m.group("name")
            steps.append(("wild", None) if nm == "*" else ("key", nm))
        elif m.group("idx") is not None:
            steps.append(("index", int(m.group("idx"))))
        elif m.group("star") is not None:
            steps.append(("wild", None))
        else:
            q = m.group("q1") if m.group("q1") is not None else m.group("q2")
            steps.append(("key", q))
        i = m.end()
    return tuple(steps)


# --- typo help ----------------------------------------------------------------------------


def suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """`` (did you mean 'x'?)`` for a near miss, else a list of what is allowed."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (expected one of: {', '.join(choices)})"
