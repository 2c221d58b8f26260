"""The shell lines a task runner would run, read from its file: a Makefile target's recipe
(with its prerequisites'), a package.json script (with its pre/post scripts), a justfile
recipe (with its dependencies), a pyproject.toml entry point.

Pure parsing: no file system access except through the ``read`` callback :mod:`.scripts`
passes in (it counts and bounds what is read). A value only known when the tool runs
(``$(shell ...)``, a make function, a variable set in two branches of a conditional) is
replaced by :data:`UNKNOWN`, a shell variable the analyzer never knows, so the command
becomes ``dynamic`` (or ``dynamic_program``) and cannot match an allow rule.
"""

from __future__ import annotations

import re

from superego_mcp.lazyre import LazyPattern

from .detect import SH_FAMILY

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Callable

# A shell variable no scope defines: expands to "only known at run time".
UNKNOWN = "${__superego_unknown}"
# Bounds on one file's parse (the file's size is bounded by the reader).
_MAX_EXPANSION_DEPTH = 30
_MAX_TARGETS = 200
_MAX_TEXT = 100_000


class Line:
    """One piece of shell code a tool runs: the code, and where it was written."""

    __slots__ = ("file", "line", "shell", "text")

    def __init__(self, text: str, file: str, line: int, *, shell: bool = True) -> None:
        self.text = text
        self.file = file
        self.line = line  # 1-based line of the code's first line
        self.shell = shell  # False: run by another interpreter (a just shebang recipe)

    def __repr__(self) -> str:
        return f"Line({self.file}:{self.line} {self.text!r})"


class Unreadable(Exception):
    """The file cannot be followed (its message says why): the caller reports it."""


# ---------------------------------------------------------------- make

_MAKE_DEFAULTS = {
    "MAKE": "make",
    "CC": "cc",
    "CXX": "g++",
    "CPP": "$(CC) -E",
    "RM": "rm -f",
    "AR": "ar",
    "AS": "as",
    "LD": "ld",
    "FC": "f77",
    "LEX": "lex",
    "YACC": "yacc",
    "ARFLAGS": "rv",
    "SHELL": "/bin/sh",
}
_MAKE_FUNCTIONS = frozenset(
    [
        "subst",
        "patsubst",
        "strip",
        "findstring",
        "filter",
        "filter-out",
        "sort",
        "word",
        "wordlist",
        "words",
        "firstword",
        "lastword",
        "dir",
        "notdir",
        "suffix",
        "basename",
        "addsuffix",
        "addprefix",
        "join",
        "wildcard",
        "realpath",
        "abspath",
        "error",
        "warning",
        "info",
        "shell",
        "origin",
        "flavor",
        "foreach",
        "if",
        "or",
        "and",
        "call",
        "eval",
        "file",
        "value",
        "let",
        "intcmp",
        "guile",
    ]
)
_NAME = LazyPattern(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ASSIGN = LazyPattern(r"^([^:#=\s]+)\s*(::?:?=|\?=|\+=|!=|=)\s*(.*)$", re.DOTALL)
_DIRECTIVE = LazyPattern(r"^(ifeq|ifneq|ifdef|ifndef|else|endif)\b")


class _Rule:
    __slots__ = ("prereqs", "recipe")

    def __init__(self) -> None:
        self.prereqs: list[str] = []
        self.recipe: list[tuple[str, int, str]] = []  # (file, line, text)


class Makefile:
    """A parsed Makefile: variables, explicit rules, the default goal, and the shell
    commands make runs while reading it (``$(shell ...)`` in immediate assignments)."""

    def __init__(
        self,
        overrides: dict[str, str],
        lookup: Callable[[str], str | bool | None],
        read: Callable[[str], tuple[str, str] | None],
        environ: Callable[[str], bool] | None = None,
    ) -> None:
        # name -> (value, recursive); a value of None is unknown
        self.vars: dict[str, tuple[str | None, bool]] = {
            k: (v, True) for k, v in _MAKE_DEFAULTS.items()
        }
        self.overrides = set(overrides)
        for name, value in overrides.items():
            self.vars[name] = (value, False)
        self.lookup = lookup  # the calling shell's variables: str, None unknown, False unset
        self.read = read  # an included file's (path, text), or None
        # Whether make's environment holds a variable: make passes such a variable, when
        # the Makefile sets it, to every recipe, as it does one it exports by name.
        self.environ = environ
        # Variables the Makefile sets (where), and whether it exports every one (a bare
        # `export`, `.EXPORT_ALL_VARIABLES:`).
        self.assigned: dict[str, tuple[str, int]] = {}
        self.export_all = False
        self.rules: dict[str, _Rule] = {}
        self.first: str | None = None
        self.shell_lines: list[Line] = []
        self.where = ("", 0)

    # -- expansion
    def expand(self, text: str, auto: dict[str, str] | None = None, depth: int = 0) -> str:
        """``text`` with make's references expanded (``$$`` becomes ``$``)."""
        if depth > _MAX_EXPANSION_DEPTH or len(text) > _MAX_TEXT:
            return UNKNOWN
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c != "$":
                j = text.find("$", i)
                j = n if j < 0 else j
                out.append(text[i:j])
                i = j
                continue
            if i + 1 >= n:
                out.append("$")
                break
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
            elif nxt in "({":
                close = ")" if nxt == "(" else "}"
                j = _matching(text, i + 2, nxt, close)
                if j < 0:
                    out.append(UNKNOWN)
                    break
                out.append(self._reference(text[i + 2 : j], auto, depth))
                i = j + 1
            else:
                out.append(self._reference(nxt, auto, depth))
                i += 2
        return "".join(out)

    def _reference(self, inner: str, auto: dict[str, str] | None, depth: int) -> str:
        m = re.match(r"([a-z-]+)[ \t]", inner)
        if m and m.group(1) in _MAKE_FUNCTIONS:
            args = self.expand(inner[m.end() :], auto, depth + 1)  # records nested $(shell)
            if m.group(1) == "shell":
                self.shell_lines.append(Line(args, *self.where))
            return UNKNOWN
        if ":" in inner or "=" in inner:
            return UNKNOWN  # a substitution reference $(VAR:.c=.o)
        name = self.expand(inner, auto, depth + 1) if "$" in inner else inner
        if auto is not None and name[:1] in "@<^+*?%|" and len(name) <= 2:
            value = auto.get(name[:1])
            if value is None or len(name) == 2:
                return UNKNOWN  # $(@D), $*, ...: not worth modelling
            return value
        got = self.vars.get(name)
        if got is None:
            from_shell = self.lookup(name)
            if from_shell is False:
                return ""  # make expands an undefined variable to nothing
            return UNKNOWN if from_shell is None or from_shell is True else from_shell
        value, recursive = got
        if value is None:
            return UNKNOWN
        return self.expand(value, auto, depth + 1) if recursive else value

    # -- parsing
    def parse(self, path: str, text: str, included: int = 0) -> None:
        """Read one file's variables and rules (``include``\\ d files too, bounded)."""
        current: list[str] | None = None  # targets whose recipe lines follow
        conditional = 0
        define = False
        for lineno, line in _logical_lines(text):
            self.where = (path, lineno)
            if define:
                define = not line.strip().startswith("endef")
                continue
            if line.startswith("\t") and current is not None:
                for t in current:
                    self.rules[t].recipe.append((path, lineno, line[1:]))
                continue
            stripped = _strip_comment(line).strip()
            if not stripped:
                continue
            d = _DIRECTIVE().match(stripped)
            if d:
                conditional += (
                    1 if d.group(1).startswith("if") else (-1 if d.group(1) == "endif" else 0)
                )
                current = None
                continue
            word = stripped.split(None, 1)[0]
            if word in ("define", "undefine"):
                name = stripped.split(None, 2)[1] if len(stripped.split()) > 1 else ""
                self.vars[name] = (None, False)
                define = word == "define"
                current = None
                continue
            if word in ("include", "-include", "sinclude"):
                self._include(stripped, word != "include", included)
                current = None
                continue
            exported = False
            for prefix in ("export ", "override ", "private ", "unexport "):
                if stripped.startswith(prefix):
                    stripped = stripped[len(prefix) :].lstrip()
                    exported = exported or prefix == "export "
            if stripped == "export" or stripped.startswith(".EXPORT_ALL_VARIABLES"):
                self._export_all()
            if stripped in ("export", "unexport") or not stripped:
                continue
            a = _ASSIGN().match(stripped)
            if a:
                self._assign(a.group(1), a.group(2), a.group(3), conditional > 0)
                self.assigned.setdefault(a.group(1), self.where)
                self._passed(a.group(1), exported or self.export_all)
                current = None
                continue
            if exported and ":" not in stripped:
                for name in stripped.split():  # `export NAME...`: set earlier
                    self._passed(name, exported)
                continue
            current = self._rule(stripped, path, lineno)

    def _passed(self, name: str, exported: bool) -> None:
        """A variable the recipes' environment gets (exported by name, or one make's
        environment holds) is listed as ``export NAME=VALUE`` at its line, so that rules
        see what a recipe runs with (LD_PRELOAD, PATH); a value only known when make runs
        is unknown, a recursive one is shown as written."""
        if not exported and (self.environ is None or not self.environ(name)):
            return
        got = self.vars.get(name)
        if got is None or not _NAME().match(name):
            return
        self.shell_lines.append(Line(f"export {name}={_env_value(got[0])}", *self.where))

    def _export_all(self) -> None:
        """Every variable goes to the recipes: those set so far are listed at their lines."""
        if not self.export_all:
            self.export_all = True
            where = self.where
            for name, at in self.assigned.items():
                self.where = at
                self._passed(name, exported=True)
            self.where = where

    def _include(self, stripped: str, optional: bool, included: int) -> None:
        names = self.expand(stripped.split(None, 1)[1] if " " in stripped else "").split()
        for name in names:
            if UNKNOWN in name or any(c in name for c in "*?["):
                if not optional:
                    raise Unreadable(f"includes a file only known when make runs: {name}")
                continue
            got = self.read(name) if included < 8 else None
            if got is None:
                if not optional:
                    raise Unreadable(f"includes {name}, which could not be read")
                continue
            self.parse(got[0], got[1], included + 1)

    def _assign(self, name: str, op: str, value: str, conditional: bool) -> None:
        if name in self.overrides:
            return
        if op == "!=":
            self.shell_lines.append(Line(self.expand(value), *self.where))
            self.vars[name] = (None, False)
        elif op in (":=", "::=", ":::="):
            self.vars[name] = (self.expand(value), False)
        elif op == "?=":
            if name not in self.vars or name in _MAKE_DEFAULTS:
                self.vars[name] = (value, True)
        elif op == "+=":
            old = self.vars.get(name, ("", True))
            if old[0] is None:
                return
            joined = (old[0] + " " + value).strip()
            self.vars[name] = (joined if old[1] else old[0] + " " + self.expand(value), old[1])
        else:
            self.vars[name] = (value, True)
        if conditional:
            self.vars[name] = (None, False)  # which branch applies is only known at run time

    def _rule(self, stripped: str, path: str, lineno: int) -> list[str] | None:
        colon = stripped.find(":")
        if colon <= 0:
            return None
        targets = self.expand(stripped[:colon]).split()
        rest = stripped[colon + 1 :].lstrip(":")
        recipe = None
        if ";" in rest:
            rest, recipe = rest.split(";", 1)
        if "=" in rest.split("#", 1)[0] and recipe is None:
            return None  # a target-specific variable
        prereqs = [p for p in self.expand(rest).split() if p != "|"]
        for t in targets:
            rule = self.rules.setdefault(t, _Rule())
            rule.prereqs.extend(prereqs)
            if recipe is not None and recipe.strip():
                rule.recipe.append((path, lineno, recipe.strip()))
            if self.first is None and not t.startswith(".") and "%" not in t:
                self.first = t
        return targets

    # -- what runs
    def goal_lines(self, goals: list[str]) -> list[Line]:
        """The recipe lines make runs for ``goals`` (default goal when empty): each target's
        prerequisites first, each target once."""
        if not goals:
            default = self.vars.get(".DEFAULT_GOAL", (None, False))[0]
            goal = self.expand(default).strip() if default else self.first
            goals = [goal] if goal else []
        shell = self.vars.get("SHELL", ("/bin/sh", True))[0]
        shell_name = self.expand(shell).strip().rsplit("/", 1)[-1] if shell is not None else ""
        if shell_name not in SH_FAMILY:
            raise Unreadable(f"its SHELL is {shell_name or 'only known when make runs'}")
        out: list[Line] = []
        seen: set[str] = set()
        stack: list[tuple[str, bool]] = [(g, False) for g in reversed(goals)]
        while stack:
            target, expanded = stack.pop()
            rule = self.rules.get(target)
            if expanded:
                if rule is not None:
                    out.extend(self._recipe(target, rule))
                continue
            if target in seen:
                continue
            seen.add(target)
            if len(seen) > _MAX_TARGETS:
                raise Unreadable(f"more than {_MAX_TARGETS} targets to follow")
            stack.append((target, True))
            if rule is not None:
                stack.extend((p, False) for p in reversed(rule.prereqs))
        return out

    def _recipe(self, target: str, rule: _Rule) -> list[Line]:
        auto = {
            "@": target,
            "<": rule.prereqs[0] if rule.prereqs else "",
            "^": " ".join(dict.fromkeys(rule.prereqs)),
            "+": " ".join(rule.prereqs),
            "?": " ".join(dict.fromkeys(rule.prereqs)),
        }
        out = []
        for path, lineno, text in rule.recipe:
            self.where = (path, lineno)
            code = text.lstrip()
            while code[:1] in ("@", "-", "+"):
                code = code[1:].lstrip()
            out.append(Line(self.expand(code, auto), path, lineno))
        return out


def _matching(text: str, start: int, open_: str, close: str) -> int:
    depth = 1
    for i in range(start, len(text)):
        if text[i] == open_:
            depth += 1
        elif text[i] == close:
            depth -= 1
            if depth == 0:
                return i
    return -1


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Physical lines joined at backslash-newline, each with its first line's number."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if not pending:
            start = number
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2:
            pending.append(line[:-1] + " " if not pending else line[:-1].lstrip() + " ")
            continue
        pending.append(line if len(pending) == 0 else line.lstrip())
        out.append((start, "".join(pending)))
        pending = []
    if pending:
        out.append((start, "".join(pending)))
    return out


def _strip_comment(line: str) -> str:
    i = line.find("#")
    while i > 0 and line[i - 1] == "\\":
        i = line.find("#", i + 1)
    return line if i < 0 else line[:i]


def make_goals(argv: tuple[str, ...]) -> tuple[list[str], str | None, str | None, dict[str, str]]:
    """make's goals, ``-f`` file, ``-C`` directory and ``VAR=value`` overrides."""
    goals: list[str] = []
    makefile = directory = None
    overrides: dict[str, str] = {}
    valued = {"-f", "--file", "--makefile", "-C", "--directory", "-I", "--include-dir",
              "-o", "--old-file", "--assume-old", "-W", "--what-if", "--new-file",
              "--assume-new"}  # fmt: skip
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if word == "--":
            goals.extend(a for a in argv[i:] if "=" not in a)
            break
        if word.startswith("--"):
            name, eq, value = word.partition("=")
            if not eq and name in valued and i < len(argv):
                value = argv[i]
                i += 1
            if name in ("--file", "--makefile"):
                makefile = value
            elif name == "--directory":
                directory = value if directory is None else directory + "/" + value
            continue
        if word.startswith("-") and len(word) > 1:
            for pos in range(1, len(word)):
                letter = "-" + word[pos]
                if letter in valued:
                    value = word[pos + 1 :]
                    if not value and i < len(argv):
                        value = argv[i]
                        i += 1
                    if letter == "-f":
                        makefile = value
                    elif letter == "-C":
                        directory = value if directory is None else directory + "/" + value
                    break
            continue
        name, eq, value = word.partition("=")
        if eq and name and not name.startswith("="):
            overrides[name.rstrip(":+?")] = value
        else:
            goals.append(word)
    return goals, makefile, directory, overrides


# ---------------------------------------------------------------- package.json


def package_script(text: str, path: str, name: str, extra: list[str]) -> list[Line]:
    """``pre<name>``, ``<name>`` (with ``extra`` arguments) and ``post<name>`` scripts of a
    package.json; empty when it has no such script."""
    import json

    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Unreadable(f"{path} is not valid JSON") from exc
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict) or not isinstance(scripts.get(name), str):
        return []
    lines = text.split("\n")
    out = []
    for key in (f"pre{name}", name, f"post{name}"):
        body = scripts.get(key)
        if not isinstance(body, str):
            continue
        if key == name and extra:
            body += " " + " ".join(quote(a) for a in extra)
        out.append(Line(body, path, _key_line(lines, key)))
    return out


def lifecycle_scripts(text: str, path: str, names: tuple[str, ...]) -> list[Line]:
    """The scripts among ``names`` (in that order) a package.json defines: what a package
    manager's install runs of the project itself (``preinstall``, ``postinstall``,
    ``prepare``, ...)."""
    import json

    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Unreadable(f"{path} is not valid JSON") from exc
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return []
    lines = text.split("\n")
    return [
        Line(scripts[key], path, _key_line(lines, key))
        for key in names
        if isinstance(scripts.get(key), str) and scripts[key].strip()
    ]


def _key_line(lines: list[str], key: str) -> int:
    """The line of ``"key":`` after the ``"scripts"`` key (1 when not found)."""
    import json

    quoted = json.dumps(key)
    start = next((i for i, ln in enumerate(lines) if '"scripts"' in ln), 0)
    for i in range(start, len(lines)):
        if quoted in lines[i]:
            return i + 1
    return start + 1


def quote(word: str) -> str:
    """``word`` as one shell word: as it is when the shell would read it unchanged, else
    single-quoted."""
    if word and _PLAIN().fullmatch(word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


# ---------------------------------------------------------------- just

_PLAIN = LazyPattern(r"[A-Za-z0-9_@%+:,./-]+")
_JUST_RECIPE = LazyPattern(r"^@?([A-Za-z_][A-Za-z0-9_-]*)((?:\s+[^:]*?)?)\s*:(?!=)(.*)$")
_JUST_ASSIGN = LazyPattern(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*:=\s*(.*)$")
_JUST_INTERP = LazyPattern(r"\{\{(.*?)\}\}")


class _Recipe:
    __slots__ = ("body", "deps", "line", "params")

    def __init__(self, params: list[str], deps: list[str], line: int) -> None:
        self.params = params
        self.deps = deps
        self.line = line
        self.body: list[tuple[int, str]] = []


def just_lines(text: str, path: str, name: str | None, args: list[str]) -> list[Line]:
    """The lines ``just NAME ARGS`` runs: its dependencies' recipes first, then its own;
    the first recipe when ``name`` is None. Empty when there is no such recipe. Variables
    just passes to every recipe's environment (``export NAME := v``, every one under ``set
    export``) come first, as ``export NAME='v'`` at their lines."""
    recipes: dict[str, _Recipe] = {}
    variables: dict[str, str | None] = {}
    exported: list[tuple[int, str, bool]] = []  # (line, name, exported by name)
    export_all = False
    first: str | None = None
    current: _Recipe | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if current is not None and (line[:1] in (" ", "\t") or not line.strip()):
            if line.strip():
                current.body.append((number, line))
            continue
        current = None
        stripped = line.strip()
        if stripped.startswith("set ") and stripped.split(":=")[0].split() == ["set", "export"]:
            export_all = not stripped.endswith("false")
        if not stripped or stripped.startswith(("#", "[", "set ", "alias ", "import ", "mod ")):
            if stripped.startswith(("import ", "mod ")):
                raise Unreadable("it imports other justfiles")
            continue
        a = _JUST_ASSIGN().match(stripped)
        if a:
            value = a.group(2).strip()
            quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""
            variables[a.group(1)] = value[1:-1] if quoted and "{{" not in value else None
            exported.append((number, a.group(1), stripped.startswith("export")))
            continue
        r = _JUST_RECIPE().match(stripped)
        if r:
            params = [p.lstrip("+*$").split("=", 1)[0] for p in r.group(2).split()]
            deps = [d.split("(", 1)[0] for d in r.group(3).split("#", 1)[0].split()]
            current = _Recipe(params, [d for d in deps if d != "&&"], number)
            recipes[r.group(1)] = current
            first = first or r.group(1)
    name = name or first
    if name is None or name not in recipes:
        return []
    out: list[Line] = []
    seen: set[str] = set()

    def visit(recipe_name: str, values: list[str]) -> None:
        if recipe_name in seen or recipe_name not in recipes or len(seen) > _MAX_TARGETS:
            return
        seen.add(recipe_name)
        recipe = recipes[recipe_name]
        for dep in recipe.deps:
            visit(dep, [])
        known: dict[str, str | None] = dict(variables)
        for i, param in enumerate(recipe.params):
            known[param] = values[i] if i < len(values) else None

        def interpolate(m: re.Match[str]) -> str:
            value = known.get(m.group(1).strip())
            return UNKNOWN if value is None else value

        body = recipe.body
        if body and body[0][1].strip().startswith("#!"):
            interpreter = body[0][1].strip()[2:].split()
            words = [w for w in interpreter if "=" not in w and not w.startswith("-")]
            prog = words[0].rsplit("/", 1)[-1] if words else ""
            if prog == "env" and len(words) > 1:
                prog = words[1].rsplit("/", 1)[-1]
            code = "\n".join(_JUST_INTERP().sub(interpolate, ln.strip()) for _, ln in body[1:])
            out.append(Line(code, path, body[0][0] + 1, shell=prog in SH_FAMILY))
            return
        for number, raw in body:
            code = raw.strip()
            while code[:1] in ("@", "-"):
                code = code[1:].lstrip()
            out.append(Line(_JUST_INTERP().sub(interpolate, code), path, number))

    visit(name, args)
    passed = [
        Line(f"export {var}={_env_value(variables[var])}", path, number)
        for number, var, by_name in exported
        if (by_name or export_all) and "-" not in var
    ]
    return [*passed, *out] if out else out


def _env_value(value: str | None) -> str:
    """A value as a shell word for an ``export NAME=...`` line: quoted, or unknown."""
    return UNKNOWN if value is None else quote(value)


# ---------------------------------------------------------------- pyproject.toml


def pyproject_entry(text: str, name: str) -> tuple[str, int] | None:
    """``name``'s entry point (``pkg.mod:func``) in ``[project.scripts]`` or
    ``[tool.poetry.scripts]``, and the line it is written on."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    tables = [
        data.get("project", {}).get("scripts", {}),
        data.get("tool", {}).get("poetry", {}).get("scripts", {}),
    ]
    for table in tables:
        value = table.get(name) if isinstance(table, dict) else None
        if isinstance(value, dict):
            value = value.get("reference") or value.get("callable")
        if isinstance(value, str):
            lines = text.split("\n")
            line = next(
                (
                    i + 1
                    for i, ln in enumerate(lines)
                    if re.match(rf'\s*"?{re.escape(name)}"?\s*=', ln)
                ),
                1,
            )
            return value, line
    return None


def shebang_program(head: bytes) -> str:
    """The interpreter a ``#!`` line names (``env``'s operand; ``env -S`` too)."""
    first = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").split()
    words = [w for w in first if "=" not in w]
    prog = words[0].rsplit("/", 1)[-1] if words else ""
    if prog == "env":
        rest = [w for w in words[1:] if not w.startswith("-")]
        prog = rest[0].rsplit("/", 1)[-1] if rest else ""
    return prog
