"""The commands of task runners read from their TOML, JSON and YAML files (beyond
taskfiles.py's).

``pdm run X`` (``[tool.pdm.scripts]``), ``hatch run [ENV:]X``
(``[tool.hatch.envs.ENV.scripts]`` in pyproject.toml, ``[envs.ENV.scripts]`` in hatch.toml),
``rye run X`` (``[tool.rye.scripts]``), ``poe X`` (``[tool.poe.tasks]``), ``cargo X`` where X
is an ``[alias]`` of a ``.cargo/config.toml``, ``deno task X`` (deno.json / deno.jsonc),
composer scripts (composer.json), go-task's Taskfile.yml, taskipy's and mise's tasks. Each
runner's grammar is followed as the runner reads it (string and list values, ``{args}``
placeholders, tasks that run other tasks, pre/post hooks); what runs is returned as
:class:`~.taskfiles.Line` s with the file and line each was written on, for :mod:`.scripts`
to walk as shell.

Pure parsing: the files' text comes from :mod:`.scripts` (which bounds and notes every
read); ``tomllib`` (``yaml`` for a Taskfile) is imported only when such a command is judged.
A value only known when the runner runs (an environment variable, a matrix variable)
becomes :data:`~.taskfiles.UNKNOWN`, so the command is ``dynamic`` and no allow rule matches
it. Python a task calls (pdm/rye ``call``, poe ``script``) is returned as a :class:`PyCall`:
the caller judges it as running that module of the project.
"""

from __future__ import annotations

import re

from superego_mcp.lazyre import LazyPattern

from .taskfiles import UNKNOWN, Line, Unreadable, quote

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from typing import Any

_MAX_TASKS = 200  # tasks visited for one command
_MAX_TEMPLATES = 16  # hatch environments inheriting from each other

# `module.sub:function(args)`: what pdm/rye `call` and poe `script` name.
_CALLABLE = LazyPattern(r"^\s*([A-Za-z_][\w.]*)\s*(?::\s*([A-Za-z_]\w*)\s*(\(.*\))?)?\s*$", re.S)
# A hatch context field: `{args}`, `{args:default}`, `{root}`, `{env:NAME:default}`, ...
_FIELD = LazyPattern(r"\{\{|\}\}|\{([^{}]*)\}")


class PyCall(Line):
    """A task that calls Python code of a module (``pkg.mod:main``): not shell."""

    __slots__ = ("module",)

    def __init__(self, module: str, file: str, line: int) -> None:
        super().__init__("", file, line, shell=False)
        self.module = module


def load(text: str, path: str) -> dict[str, Any]:
    """The TOML document ``text`` (of ``path``), or :class:`Unreadable`."""
    import tomllib

    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:  # (nested past the stack)
        raise Unreadable(f"{path} is not valid TOML") from exc


def _table(data: object, keys: tuple[str, ...]) -> dict[str, Any]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def key_line(text: str, header: str, key: str) -> int:
    """The line ``key = ...`` is written on in the table whose dotted name is ``header``
    (``tool.pdm.scripts``): under its ``[header]`` (or ``[header.key]``), else written as
    ``header.key = ...`` or ``key = ...`` anywhere; the header's line, else 1."""
    lines = text.split("\n")
    name = rf"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
    dotted = r"\s*\.\s*".join(
        rf"(?:{re.escape(p)}|\"{re.escape(p)}\"|'{re.escape(p)}')" for p in header.split(".")
    )
    own = re.compile(rf"^\s*\[\s*{dotted}\s*\.\s*{name}\s*\]")
    head = re.compile(rf"^\s*\[\s*{dotted}\s*\]")
    assign = re.compile(rf"^\s*(?:{dotted}\s*\.\s*)?{name}\s*(?:\.|=)")
    section = -1
    for i, ln in enumerate(lines):
        if own.match(ln):
            return i + 1
        if head.match(ln):
            section = i
        elif section >= 0 and ln.lstrip().startswith("["):
            section = -1
        elif section >= 0 and assign.match(ln):
            return i + 1
    full = re.compile(rf"^\s*{dotted}\s*\.\s*{name}\s*=")
    loose = re.compile(rf"^\s*{name}\s*=")
    for pattern in (full, loose):
        for i, ln in enumerate(lines):
            if pattern.match(ln):
                return i + 1
    for i, ln in enumerate(lines):
        if head.match(ln):
            return i + 1
    return 1


def _args(extra: list[str]) -> str:
    return " ".join(quote(a) for a in extra)


def _with_args(command: str, extra: list[str] | None, *, pdm: bool = False) -> str:
    """``command`` with the runner's extra arguments: where ``{args}`` / ``{args:DEFAULT}``
    is (the default when there are none), else after the command (the widest reading)."""
    given = extra or []
    found = False

    def field(m: re.Match[str]) -> str:
        nonlocal found
        inner = m.group(1)
        if inner is None or not (inner == "args" or inner.startswith("args:")):
            return m.group(0)
        found = True
        if given:
            return _args(given)
        return inner[5:] if inner.startswith("args:") else ""

    text = _FIELD().sub(field, command)
    if pdm:
        text = text.replace("{pdm}", "pdm")
    if not found and given:
        text += " " + _args(given)
    return text


def _env_prefix(env: object) -> str:
    """``export NAME='value'`` lines for a task's environment table: the task's commands
    are walked with the environment they run in (each export is a unit of its own)."""
    if not isinstance(env, dict):
        return ""
    out = []
    for name, value in env.items():
        if isinstance(name, str) and re.fullmatch(r"[A-Za-z_]\w*", name):
            text = str(value)
            # a value with a field or template ({root}, {env:X}) is only known at run time
            shown = UNKNOWN if "{" in text else quote(text)
            out.append(f"export {name}={shown}\n")
    return "".join(out)


def python_call(value: object, file: str, line: int) -> PyCall | None:
    """The module a ``call`` / ``script`` value (``pkg.mod:main``) runs; None when it is no
    such reference (the caller then reports the task as not read)."""
    if not isinstance(value, str):
        return None
    m = _CALLABLE().match(value)
    return PyCall(m.group(1), file, line) if m else None


# ---------------------------------------------------------------- pdm, rye, poe

_TABLES: dict[str, tuple[str, ...]] = {
    "pdm": ("tool", "pdm", "scripts"),
    "rye": ("tool", "rye", "scripts"),
    "poe": ("tool", "poe", "tasks"),
    "taskipy": ("tool", "taskipy", "tasks"),
}
# Runners that run `pre_X` before and `post_X` after task X.
_HOOKED = frozenset({"pdm", "taskipy"})


def pyproject_task(
    text: str, path: str, runner: str, name: str, args: list[str]
) -> list[Line] | None:
    """What ``pdm run NAME ARGS``, ``rye run NAME ARGS``, ``poe NAME ARGS`` or taskipy's
    ``task NAME ARGS`` runs from pyproject.toml, tasks it runs first included; None when
    NAME is no task. A line that is not shell code and not a :class:`PyCall` (a poe
    ``expr``, a shell task of another interpreter) has ``shell`` False: the caller reports
    it as not read."""
    if name not in text and not (runner == "poe" and "include" in text):
        return None  # most `pdm run X` run a program: skip the TOML parse
    data = load(text, path)
    keys = _TABLES[runner]
    table = _table(data, keys)
    poe = _table(data, ("tool", "poe")) if runner == "poe" else {}
    if name not in table and any(k.startswith("include") for k in poe):
        raise Unreadable(f"poe task {name} may be in a file {path} includes")
    if name not in table or name.startswith("_"):
        return None
    header = ".".join(keys)
    out: list[Line] = []
    seen: set[str] = set()

    def shell(code: str, at: int, env: str = "") -> None:
        out.append(Line(env + code, path, at))

    def command(value: object, at: int, extra: list[str] | None, env: str) -> None:
        if isinstance(value, list):  # an argv (rye, pdm `cmd = [...]`)
            words = [v for v in value if isinstance(v, str)]
            value = " ".join(quote(v) if "{args" not in v else v for v in words)
        if isinstance(value, str):
            shell(_with_args(value, extra, pdm=runner == "pdm"), at, env)

    def sequence(items: object, at: int, extra: list[str] | None, env: str) -> None:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                task(item, at, extra, env)
                continue
            if not isinstance(item, str):
                continue
            first, _, rest = _with_args(item, extra).partition(" ")
            if first in table:
                visit(first, rest.split() if rest else [])
            else:
                shell(_with_args(item, extra, pdm=runner == "pdm"), at, env)

    def task(value: object, at: int, extra: list[str] | None, env: str) -> None:
        if isinstance(value, str):
            command(value, at, extra, env)
        elif isinstance(value, list):
            if runner == "poe":  # poe: a list is a sequence of tasks (refs)
                sequence(value, at, None, env)
            else:
                command(value, at, extra, env)
        elif isinstance(value, dict):
            env = env + _env_prefix(value.get("env"))
            for dep in value.get("deps", []) if runner == "poe" else []:
                if isinstance(dep, str) and dep.split(" ", 1)[0] in table:
                    visit(dep.split(" ", 1)[0], dep.split()[1:])
            interpreter = value.get("interpreter")
            if "shell" in value and interpreter not in (None, "sh", "bash", "posix", "zsh"):
                out.append(Line("", path, at, shell=False))
            elif "shell" in value:
                command(value["shell"], at, extra, env)
            if "cmd" in value:
                command(value["cmd"], at, extra, env)
            for key in ("composite", "chain", "sequence"):
                sequence(value.get(key), at, extra if key == "composite" else None, env)
            if isinstance(value.get("ref"), str):
                first, _, rest = value["ref"].partition(" ")
                visit(first, rest.split() if rest else list(extra or []))
            if isinstance(value.get("switch"), list):
                for case in value["switch"]:
                    task(case, at, None, env)
            for key in ("call", "script"):
                if key in value:
                    found = python_call(value[key], path, at)
                    out.append(found or Line("", path, at, shell=False))
            if "expr" in value:
                out.append(Line("", path, at, shell=False))

    def visit(task_name: str, extra: list[str] | None) -> None:
        if task_name in seen or len(seen) > _MAX_TASKS:
            return
        seen.add(task_name)
        at = key_line(text, header, task_name)
        if runner in _HOOKED and f"pre_{task_name}" in table:
            visit(f"pre_{task_name}", None)
        task(table[task_name], at, extra, "")
        if runner in _HOOKED and f"post_{task_name}" in table:
            visit(f"post_{task_name}", None)

    visit(name, args)
    return out


# ---------------------------------------------------------------- hatch


def hatch_script(
    sources: list[tuple[str, str]], target: str, args: list[str], root: str, home: str
) -> list[Line] | None:
    """What ``hatch run [ENV:]NAME ARGS`` runs: the script NAME of environment ENV
    (``default`` when none is named; a matrix environment ``test.py3.12`` is ``test``'s),
    with the scripts and ``env-vars`` (as exports) of the environments it inherits from
    (``template``), scripts that run
    other scripts expanded as hatch does. ``sources``: (path, text) of pyproject.toml
    (``[tool.hatch]``) and hatch.toml (which replaces pyproject's top-level keys). None
    when NAME is no script of the environment."""
    env, _, name = target.rpartition(":")
    env = env or "default"
    if not any(name in text for _, text in sources):
        return None
    envs: dict[
        str, tuple[dict[str, Any], str, str, str]
    ] = {}  # name -> (config, path, text, header)
    for path, text in sources:
        hatch_toml = path.endswith("hatch.toml")
        data = load(text, path)
        table = _table(data, () if hatch_toml else ("tool", "hatch"))
        if "envs" in table:
            prefix = "envs" if hatch_toml else "tool.hatch.envs"
            envs = {
                k: (v, path, text, f"{prefix}.{k}.scripts")
                for k, v in _table(table, ("envs",)).items()
                if isinstance(v, dict)
            }
    if env not in envs and "." in env and env.split(".", 1)[0] in envs:
        env = env.split(".", 1)[0]  # a matrix environment: test.py3.12 of [envs.test]
    # The scripts of env and its templates, nearest last: (command list, path, line).
    scripts: dict[str, tuple[list[str], str, int]] = {}
    chain: list[str] = []
    current = env
    while current not in chain and len(chain) < _MAX_TEMPLATES:
        chain.append(current)
        config = envs.get(current, ({}, "", "", ""))[0]
        if config.get("detached") is True:
            break
        template = config.get("template", "default")
        if not isinstance(template, str) or template == current:
            break
        current = template
    env_vars: dict[str, Any] = {}
    for env_name in reversed(chain):
        if env_name not in envs:
            continue
        config, path, text, header = envs[env_name]
        env_vars.update(_table(config, ("env-vars",)))
        for key, value in _table(config, ("scripts",)).items():
            commands = [value] if isinstance(value, str) else value
            if isinstance(commands, list) and all(isinstance(c, str) for c in commands):
                scripts[key] = (commands, path, key_line(text, header, key))
    if name not in scripts:
        return None
    expanded: dict[str, list[tuple[str, str, int]]] = {}

    def expand(script: str, active: tuple[str, ...]) -> list[tuple[str, str, int]]:
        if script in expanded:
            return expanded[script]
        if script in active or len(active) > _MAX_TASKS:
            raise Unreadable(f"hatch script {script} runs itself")
        commands, path, line = scripts[script]
        out: list[tuple[str, str, int]] = []
        for command in commands:
            text = command[2:] if command.startswith("- ") else command
            first, _, rest = text.strip().partition(" ")
            if first in scripts:
                for inner, inner_path, inner_line in expand(first, (*active, script)):
                    out.append((f"{inner} {rest}" if rest else inner, inner_path, inner_line))
            else:
                out.append((text, path, line))
        expanded[script] = out
        return out

    lines = []
    exports = _env_prefix(env_vars)  # the environment's env-vars, set for every command
    for command, path, line in expand(name, ()):
        text = command[2:] if command.startswith("- ") else command
        code = _hatch_format(_with_args(text, args), root, home)
        lines.append(Line(exports + code, path, line))
    return lines


def _hatch_format(command: str, root: str, home: str) -> str:
    """Hatch's context fields other than ``{args}`` (already filled): ``{root}``, ``{home}``,
    ``{/}``, ``{;}``; any other (an environment variable, a matrix value) is only known
    when hatch runs."""

    def field(m: re.Match[str]) -> str:
        whole, inner = m.group(0), m.group(1)
        if inner is None:
            return whole[0]  # {{ or }}
        known = {"root": quote(root), "home": quote(home), "/": "/", ";": ":"}
        return known.get(inner, UNKNOWN)

    return _FIELD().sub(field, command)


# ---------------------------------------------------------------- cargo aliases


def cargo_alias(sources: list[tuple[str, str]], name: str) -> tuple[list[str], str, int] | None:
    """The words ``cargo NAME`` stands for, from the first of ``sources`` ((path, text) of
    the .cargo/config.toml files, nearest first) whose ``[alias]`` defines NAME, with that
    file and line; None when none does. A string value is split on whitespace, as cargo
    does; a list is the words themselves."""
    for path, text in sources:
        if name not in text:
            continue
        value = _table(load(text, path), ("alias",)).get(name)
        if isinstance(value, str):
            words = value.split()
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            words = list(value)
        else:
            continue
        return words, path, key_line(text, "alias", name)
    return None


# cargo settings whose value is a program cargo runs (`--config KEY=VALUE`, config files).
_CARGO_PROGRAM_KEY = LazyPattern(
    r"(^|\.)(runner|rustc|rustc-wrapper|rustc-workspace-wrapper|rustdoc|linker|"
    r"credential-provider|global-credential-providers|cargo-new|editor|pager)$"
)


def cargo_config(value: str) -> tuple[list[list[str]], list[str]]:
    """What an inline ``cargo --config KEY=VALUE`` makes cargo run: the programs it names
    (a runner, a rustc wrapper, a linker: their argv), and the keys Superego does not
    follow that change what runs (environment, flags, aliases, sources); both empty for
    a harmless setting. :class:`Unreadable` when it is not TOML."""
    import tomllib

    try:
        data = tomllib.loads(value)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise Unreadable("a --config value is not TOML") from exc
    programs: list[list[str]] = []
    unfollowed: list[str] = []

    def visit(node: object, dotted: str) -> None:
        if isinstance(node, dict):
            for key, inner in node.items():
                visit(inner, f"{dotted}.{key}" if dotted else str(key))
            return
        if _CARGO_PROGRAM_KEY().search(dotted):
            if isinstance(node, str):
                programs.append(node.split())
            elif isinstance(node, list):
                programs.append([str(v) for v in node])
        elif re.match(r"(env|alias|source|registries|registry|patch|paths)(\.|$)", dotted) or (
            dotted.endswith(("rustflags", "rustdocflags"))
        ):
            unfollowed.append(dotted)

    visit(data, "")
    return programs, unfollowed


# ---------------------------------------------------------------- deno, composer (JSON)


def load_json(text: str, path: str, *, comments: bool = False) -> object:
    """The JSON document ``text`` (of ``path``; with ``comments``: JSONC, as deno.jsonc is:
    ``//`` and ``/* */`` comments and trailing commas allowed), or :class:`Unreadable`."""
    import json

    try:
        return json.loads(_strip_jsonc(text) if comments else text)
    except (ValueError, RecursionError) as exc:
        raise Unreadable(f"{path} is not valid JSON") from exc


def _strip_jsonc(text: str) -> str:
    """``text`` without comments and trailing commas (outside strings)."""
    out: list[str] = []
    i, n = 0, len(text)
    pending_comma = False
    while i < n:
        c = text[i]
        if c == '"':
            if pending_comma:
                out.append(",")
                pending_comma = False
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c == ",":
            if pending_comma:
                out.append(",")
            pending_comma = True
            i += 1
        elif c in " \t\r\n":
            out.append(c)
            i += 1
        else:
            if pending_comma and c not in "}]":
                out.append(",")
            pending_comma = False
            out.append(c)
            i += 1
    return "".join(out)


def json_key_line(text: str, section: str, key: str) -> int:
    """The line of ``"key":`` after the ``"section"`` key (the section's line, else 1)."""
    import json

    lines = text.split("\n")
    quoted = json.dumps(key)
    start = next((i for i, ln in enumerate(lines) if f'"{section}"' in ln), 0)
    for i in range(start, len(lines)):
        if quoted in lines[i] and re.search(re.escape(quoted) + r"\s*:", lines[i]):
            return i + 1
    return start + 1


def deno_task(text: str, path: str, name: str, args: list[str]) -> list[Line] | None:
    """What ``deno task NAME ARGS`` runs from deno.json(c): the tasks it depends on first,
    then its command with the arguments appended; None when NAME is no task."""
    data = load_json(text, path, comments=True)
    tasks = data.get("tasks") if isinstance(data, dict) else None
    if not isinstance(tasks, dict) or name not in tasks:
        return None
    out: list[Line] = []
    seen: set[str] = set()

    def visit(task: str, extra: list[str]) -> None:
        if task in seen or task not in tasks or len(seen) > _MAX_TASKS:
            return
        seen.add(task)
        value = tasks[task]
        command = value.get("command") if isinstance(value, dict) else value
        for dep in value.get("dependencies", []) if isinstance(value, dict) else []:
            if isinstance(dep, str):
                visit(dep, [])
        if isinstance(command, str) and command.strip():
            out.append(Line(_with_args(command, extra), path, json_key_line(text, "tasks", task)))

    visit(name, args)
    return out


# composer's own commands: `composer NAME` runs a script only when NAME is none of them.
COMPOSER_COMMANDS = frozenset(
    [
        "about", "archive", "audit", "browse", "home", "bump", "check-platform-reqs",
        "clear-cache", "clearcache", "config", "create-project", "depends", "why", "diagnose",
        "dump-autoload", "dumpautoload", "exec", "fund", "global", "help", "init", "install",
        "i", "info", "licenses", "list", "outdated", "prohibits", "why-not", "reinstall",
        "remove", "rm", "require", "r", "req", "run-script", "run", "search", "self-update",
        "selfupdate", "show", "status", "suggests", "update", "u", "upgrade", "validate",
    ]
)  # fmt: skip
# A PHP callback (`Vendor\\Package\\Class::method`): PHP code Superego does not read.
_PHP_CALLBACK = LazyPattern(r"^\\?[A-Za-z_][\w\\]*::[A-Za-z_]\w*$")


def composer_script(text: str, path: str, name: str, args: list[str]) -> list[Line] | None:
    """What ``composer run-script NAME ARGS`` (or ``composer NAME``) runs from
    composer.json: each command of the script (a string or a list), ``@other`` scripts in
    turn, ``@php``/``@composer`` as those programs, ``@putenv`` as an export; a PHP
    callback (``App\\Tools::fix``: PHP, not read) is judged as the command alone, as
    ``php FILE`` of the project is. None when NAME is no script."""
    data = load_json(text, path)
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict) or name not in scripts:
        return None
    out: list[Line] = []
    seen: set[str] = set()

    def visit(script: str, extra: list[str]) -> None:
        if script in seen or script not in scripts or len(seen) > _MAX_TASKS:
            return
        seen.add(script)
        at = json_key_line(text, "scripts", script)
        value = scripts[script]
        for command in [value] if isinstance(value, str) else value:
            if not isinstance(command, str):
                continue
            command = command.strip()
            if command in ("@no_additional_args", "@additional_args"):
                continue
            if command.startswith("@"):
                first, _, rest = command[1:].partition(" ")
                if first == "putenv":
                    out.append(Line(f"export {rest}", path, at))
                elif first in ("php", "composer"):
                    out.append(Line(_with_args(f"{first} {rest}".strip(), extra), path, at))
                elif first in scripts:
                    visit(first, rest.split() if rest else extra)
                # (any other @reference: composer stops with an error, running nothing)
            elif _PHP_CALLBACK().match(command):
                continue  # PHP of the project or its packages, as `php FILE` runs it
            else:
                out.append(Line(_with_args(command, extra), path, at))

    visit(name, args)
    return out


# ---------------------------------------------------------------- go-task (Taskfile.yml)

_GO_TEMPLATE = LazyPattern(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)


def taskfile_lines(text: str, path: str, names: list[str], args: list[str]) -> list[Line] | None:
    """What ``task NAMES -- ARGS`` runs from a Taskfile.yml: each task's ``deps`` first,
    its ``preconditions`` and ``status`` checks, its ``cmds`` (``task:`` items in turn,
    ``defer:`` too), each a shell line; ``{{.CLI_ARGS}}`` is the arguments, a variable of
    plain text its value, any other template only known at run time. None when a task
    named is not in the file. A task of an included Taskfile (``ns:task``) is not followed
    (:class:`Unreadable`)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        raise Unreadable(f"{path} is not valid YAML") from exc
    tasks = data.get("tasks") if isinstance(data, dict) else None
    if not isinstance(tasks, dict):
        return None
    names = names or ["default"]
    for name in names:
        if name not in tasks:
            if ":" in name and isinstance(data.get("includes"), dict):
                raise Unreadable(f"task {name} is in a Taskfile {path} includes")
            return None
    top_vars = data.get("vars") if isinstance(data.get("vars"), dict) else {}
    top_env = data.get("env") if isinstance(data.get("env"), dict) else {}
    lines = text.split("\n")
    top_env_line = next((i + 1 for i, ln in enumerate(lines) if ln.startswith("env:")), 1)
    out: list[Line] = []
    seen: set[str] = set()

    def line_of(task: str, code: str) -> int:
        head = re.compile(rf"^\s+[\"']?{re.escape(task)}[\"']?\s*:")
        start = next((i for i, ln in enumerate(lines) if head.match(ln)), 0)
        first = code.strip().split("\n", 1)[0][:60]
        for i in range(start, len(lines)):
            if first and first in lines[i]:
                return i + 1
        return start + 1

    def fill(code: str, known: dict[str, object]) -> str:
        def field(m: re.Match[str]) -> str:
            expr = m.group(1)
            if expr == ".CLI_ARGS":
                return _args(args)
            value = known.get(expr[1:]) if expr.startswith(".") else None
            if isinstance(value, (str, int, float)) and "{{" not in str(value):
                return str(value)
            return UNKNOWN

        return _GO_TEMPLATE().sub(field, code)

    def shell(code: object, task: str, known: dict[str, object]) -> None:
        if isinstance(code, str) and code.strip():
            out.append(Line(fill(code, known), path, line_of(task, code)))

    def visit(task: str) -> None:
        if task in seen or task not in tasks or len(seen) > _MAX_TASKS:
            return
        seen.add(task)
        value = tasks[task]
        if isinstance(value, str):
            shell(value, task, top_vars)
            return
        if isinstance(value, list):
            value = {"cmds": value}
        if not isinstance(value, dict):
            return
        known = dict(top_vars)
        if isinstance(value.get("vars"), dict):
            known.update(value["vars"])
        # the environment the task's commands run in: the file's, then the task's own
        own = value["env"] if isinstance(value.get("env"), dict) else {}
        for env, at in ((top_env, top_env_line), (own, line_of(task, "env:"))):
            exports = _env_prefix({k: fill(str(v), known) for k, v in env.items()})
            if exports:
                out.append(Line(exports, path, at))
        for dep in value.get("deps", []) if isinstance(value.get("deps"), list) else []:
            if isinstance(dep, dict):
                dep = dep.get("task")
            if isinstance(dep, str):
                visit(dep)
        for key in ("preconditions", "status"):
            for item in value.get(key, []) if isinstance(value.get(key), list) else []:
                shell(item.get("sh") if isinstance(item, dict) else item, task, known)
        for item in value.get("cmds", []) if isinstance(value.get("cmds"), list) else []:
            if isinstance(item, dict):
                if isinstance(item.get("task"), str):
                    visit(item["task"])
                shell(item.get("cmd"), task, known)
                shell(item.get("defer"), task, known)
            else:
                shell(item, task, known)

    for name in names:
        visit(name)
    return out


# ---------------------------------------------------------------- mise tasks

_TERA = LazyPattern(r"\{\{\s*(.*?)\s*\}\}|\{%.*?%\}", re.S)


def mise_task(
    sources: list[tuple[str, str]], name: str, args: list[str], root: str
) -> tuple[list[Line], str] | None:
    """What ``mise run NAME ARGS`` runs from the mise config files ``sources`` ((path,
    text), nearest first, the first defining NAME wins): the tasks it ``depends`` on first,
    then its ``run`` commands (a string or a list; the arguments after the last), each a
    shell line; a ``file`` task is that file, run. ``{{config_root}}`` is the config's
    directory, any other template only known at run time. Returns the lines and the file
    the task is in; None when no config defines NAME."""
    tables: list[tuple[str, str, dict[str, Any]]] = []
    for path, text in sources:
        tasks = _table(load(text, path), ("tasks",))
        if tasks:
            tables.append((path, text, tasks))
    if not any(name in tasks for _, _, tasks in tables):
        return None
    out: list[Line] = []
    seen: set[str] = set()
    home_path = ""

    def visit(task: str, extra: list[str]) -> None:
        nonlocal home_path
        if task in seen or len(seen) > _MAX_TASKS:
            return
        seen.add(task)
        found = next(((p, t, tasks[task]) for p, t, tasks in tables if task in tasks), None)
        if found is None:
            return
        path, text, value = found
        home_path = home_path or path
        directory = path.rsplit("/", 1)[0]
        if directory.endswith(("/.config", "/mise", "/.mise", "/.config/mise")):
            directory = root
        at = key_line(text, "tasks", task)
        if isinstance(value, (str, list)):
            value = {"run": value}
        if not isinstance(value, dict):
            return
        env = {**_table(load(text, path), ("env",)), **_table(value, ("env",))}
        if isinstance(env.pop("_", None), dict):  # `_.path`, `_.file`, `_.source`: mise
            env["PATH"] = UNKNOWN  # directives; whatever they add is not read here
        if env:  # the config's [env] and the task's env: what its commands run with
            out.append(Line(_env_prefix(env), path, at))
        depends = value.get("depends", [])
        for dep in [depends] if isinstance(depends, str) else depends:
            if isinstance(dep, str):
                visit(dep.split(" ", 1)[0], dep.split()[1:])
        run = value.get("run", [])
        commands = [run] if isinstance(run, str) else [c for c in run if isinstance(c, str)]
        if isinstance(value.get("file"), str):
            commands.append(quote(value["file"]))
        for i, command in enumerate(commands):

            def field(m: re.Match[str]) -> str:
                return quote(directory) if m.group(1) == "config_root" else UNKNOWN

            code = _TERA().sub(field, command)
            if i == len(commands) - 1 and extra:
                code += " " + _args(extra)
            out.append(Line(code, path, at))

    visit(name, args)
    return out, home_path


# ---------------------------------------------------------------- tox (tox.ini)

_TOX_FIELD = LazyPattern(r"\{([^{}]*)\}")
_TOX_FACTORS = LazyPattern(r"^([\w!.,-]+):\s+(.*)$", re.S)
_BRACES = LazyPattern(r"\{([^{}]*)\}")


def tox_envs(spec: str) -> list[str]:
    """The environment names a tox env list names: ``py{311,312}-lint`` is ``py311-lint``
    and ``py312-lint``; names are separated by commas outside braces or by new lines."""
    names: list[str] = []
    for part in re.split(r",(?![^{]*\})|\n", spec):
        part = part.strip()
        if not part or part.startswith("#"):
            continue
        expanded = [part]
        while any(_BRACES().search(e) for e in expanded) and len(expanded) < _MAX_TASKS:
            nxt = []
            for e in expanded:
                m = _BRACES().search(e)
                if m is None:
                    nxt.append(e)
                    continue
                for choice in m.group(1).split(","):
                    nxt.append(e[: m.start()] + choice.strip() + e[m.end() :])
            expanded = nxt
        names.extend(expanded)
    return names


def tox_commands(
    text: str, path: str, envs: list[str], args: list[str], root: str
) -> list[Line] | None:
    """What ``tox -e ENVS -- ARGS`` runs from tox.ini (or pyproject's ``legacy_tox_ini``
    text): for each environment (``env_list`` when none is named), its ``commands_pre``,
    ``commands`` and ``commands_post`` (from ``[testenv:ENV]``, else ``[testenv]``),
    each line a shell command in the project directory; factor-conditional lines
    (``py311: pytest``) are all kept (the widest reading); ``{posargs}`` is ARGS,
    ``{toxinidir}`` the directory, any other substitution only known at run time. None when
    the file has no test environment."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except (configparser.Error, RecursionError) as exc:
        raise Unreadable(f"{path} is not valid INI") from exc
    if not parser.has_section("testenv") and not any(
        s.startswith("testenv:") for s in parser.sections()
    ):
        return None
    if not envs:
        for section in ("tox", "tox:tox"):
            for key in ("env_list", "envlist"):
                if parser.has_option(section, key):
                    envs = tox_envs(parser.get(section, key))
                    break
    if envs == ["ALL"]:
        envs = [s.split(":", 1)[1] for s in parser.sections() if s.startswith("testenv:")]
    lines = text.split("\n")
    out: list[Line] = []

    def field(m: re.Match[str]) -> str:
        inner = m.group(1)
        if inner == "posargs" or inner.startswith("posargs:"):
            return _args(args) if args else inner[8:]
        known = {"toxinidir": quote(root), "tox_root": quote(root), "/": "/", ":": ":"}
        return known.get(inner, UNKNOWN)

    for env in envs or ["py"]:
        section = f"testenv:{env}" if parser.has_section(f"testenv:{env}") else "testenv"
        where = section if parser.has_option(section, "setenv") else "testenv"
        if parser.has_option(where, "setenv"):  # the environment its commands run in
            head = next((i for i, ln in enumerate(lines) if ln.strip() == f"[{where}]"), 0)
            setenv = {}
            for raw in parser.get(where, "setenv").split("\n"):
                name, eq, value = raw.partition("=")
                if eq and name.strip():
                    setenv[name.strip()] = _TOX_FIELD().sub(
                        lambda m: root if m.group(1) in ("toxinidir", "tox_root") else UNKNOWN,
                        value.strip(),
                    )
            out.append(Line(_env_prefix(setenv), path, head + 1))
        for key in ("commands_pre", "commands", "commands_post"):
            where = section if parser.has_option(section, key) else "testenv"
            if not parser.has_option(where, key):
                continue
            value = parser.get(where, key).replace("\\\n", " ")
            head = next((i for i, ln in enumerate(lines) if ln.strip() == f"[{where}]"), 0)
            start = head
            for raw in value.split("\n"):
                code = raw.strip()
                m = _TOX_FACTORS().match(code)
                if m and not m.group(1)[0].isdigit():
                    code = m.group(2).strip()  # a factor condition: kept whatever the env
                code = code.lstrip("-! ").strip()
                if not code or code.startswith("#"):
                    continue
                first = raw.strip().split("  ", 1)[0][:50]  # (continuation lines joined)
                at = next(
                    (i + 1 for i in range(start, len(lines)) if first and first in lines[i]),
                    head + 1,
                )
                out.append(Line(_TOX_FIELD().sub(field, code), path, at))
    return out
