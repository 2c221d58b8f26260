"""Task runners beyond make, npm scripts and just, their files read from disk: hatch, pdm,
rye and poe tasks (pyproject.toml, hatch.toml), taskipy, cargo aliases and ``--config``
settings, deno tasks, composer scripts (and an install's event scripts), go-task's
Taskfile.yml, mise tasks, the project's entry points (``uv run X``). The files are parsed by
:mod:`.runnerfiles`; what a task runs is walked as shell with :func:`.scripts.walk`, so its
commands become units judged by the same rules, each with ``origin`` "FILE:LINE", within
the limits of :mod:`.scripts` (every read goes through :func:`.scripts.read`). A task found
makes the runner's command the project's program (its ``script`` is the file); a file that
is there but cannot be followed is a ``script_unread`` finding.
"""

from __future__ import annotations

import stat

from .. import observe
from ..files import read_regular
from . import astral, taskfiles
from .detect import CARGO_BUILTINS
from .model import SCRIPT_UNREAD
from .scripts import MAX_BYTES, exists, find_up, mark_read, new_shell, option, read, walk

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from .model import Command
    from .state import Ctx, Scope, Walker
    from .words import Field


def task_runner(w: Walker, k: int, scope: Scope, ctx: Ctx) -> None:
    """The task the command ``k`` runs (:data:`.detect.READ_BY_RUNNERS` programs)."""
    if not w.read_scripts:
        return
    cmd = w.commands[k]
    try:
        if cmd.program == "cargo":
            _cargo(w, k, cmd, scope, ctx)
        elif cmd.program in ("task", "go-task"):
            _go_task(w, k, cmd, scope, ctx)
        elif cmd.program == "mise":
            _mise(w, k, cmd, scope, ctx)
        elif cmd.program == "tox":
            _tox(w, k, cmd, scope, ctx)
        elif cmd.program in ("deno", "composer"):
            _json_tasks(w, k, cmd, cmd.program, scope, ctx)
        elif cmd.program == "poe" and cmd.positionals and not cmd.dynamic:
            name = cmd.positionals[0]
            args = list(cmd.argv[cmd.argv.index(name) + 1 :])
            pyproject_task(w, k, "poe", [(name, False), *((a, False) for a in args)], scope, ctx)
    except taskfiles.Unreadable as exc:
        w.finding(SCRIPT_UNREAD, f"{cmd.program}: {exc}", k)


# The root package's event scripts composer runs for each verb (not with --no-scripts).
_AUTOLOAD = ("pre-autoload-dump", "post-autoload-dump")
_UPDATE = ("pre-update-cmd", *_AUTOLOAD, "post-update-cmd")
_COMPOSER_EVENTS: dict[str, tuple[str, ...]] = {
    "install": ("pre-install-cmd", *_AUTOLOAD, "post-install-cmd"),
    "i": ("pre-install-cmd", *_AUTOLOAD, "post-install-cmd"),
    **dict.fromkeys(("update", "u", "upgrade", "require", "r", "req", "remove", "rm"), _UPDATE),
    "dump-autoload": _AUTOLOAD,
    "dumpautoload": _AUTOLOAD,
}
_JSON_TASK_FILES = {
    "deno": ("deno.json", "deno.jsonc"),
    "composer": ("composer.json",),
}


def _json_tasks(w: Walker, k: int, cmd: Command, runner: str, scope: Scope, ctx: Ctx) -> None:
    """``deno task NAME ARGS`` (deno.json / deno.jsonc ``tasks``), ``composer run-script
    NAME ARGS`` / ``composer NAME`` (composer.json ``scripts``): the task's commands, each a
    shell in the file's directory."""
    if cmd.dynamic or scope.cwd is None:
        return
    from . import runnerfiles

    argv = list(cmd.argv)
    sub = cmd.subcommand or ""
    rest = argv[argv.index(sub) + 1 :] if sub in argv else []
    words = [a for a in rest if not a.startswith("-") or a == "--"]
    names: tuple[str, ...] = ()
    name: str | None = None
    extra: list[str] = []
    if runner == "composer" and sub in _COMPOSER_EVENTS:
        if "--no-scripts" in argv:
            return
        names, name = _COMPOSER_EVENTS[sub], sub
    elif runner == "deno" or sub in ("run-script", "run"):
        name = words[0] if words and words[0] != "--" else None
        rest = rest[rest.index(name) + 1 :] if name in rest else []
    elif runner == "composer" and sub not in runnerfiles.COMPOSER_COMMANDS:
        name = sub
    else:
        return
    if name is None:
        return
    if not names:
        extra = rest[1:] if rest[:1] == ["--"] else rest
    where = option(argv, {"--config", "-c"} if runner == "deno" else {"--working-dir", "-d"})
    if runner == "deno" and where:
        manifest: str | None = w.place(where, scope.cwd)
    else:
        start = w.place(where, scope.cwd) if where else scope.cwd
        manifest = find_up(start, _JSON_TASK_FILES[runner])
    if manifest is None:
        return
    got = read(w, k, (manifest,), what=manifest.rsplit("/", 1)[-1], mark=False)
    if got is None:
        return
    path, text = got
    try:
        if runner == "deno":
            lines = runnerfiles.deno_task(text, path, name, extra)
        elif names:  # an install's event scripts, in the order composer runs them
            found = [runnerfiles.composer_script(text, path, event, []) for event in names]
            lines = [line for group in found if group for line in group]
        else:
            lines = runnerfiles.composer_script(text, path, name, extra)
    except taskfiles.Unreadable as exc:
        w.finding(SCRIPT_UNREAD, f"{runner}: {exc}", k)
        return
    if lines is None:
        return
    if not names:
        mark_read(w, k, path)
    directory = path.rsplit("/", 1)[0] or "/"
    label = f"{runner} {'task' if runner == 'deno' else 'run-script'} {name}"
    if names:
        label = f"composer {sub} (install scripts)"
    for line in lines:
        if not line.shell:
            w.finding(SCRIPT_UNREAD, f"{label}: {line.file}:{line.line} is not shell", k)
            continue
        walk(w, line, new_shell(w, directory, None, "sh"), ctx, f"{path}#{name}", label)


_TASKFILES = tuple(
    f"{a}askfile{b}.{c}" for b in ("", ".dist") for a in ("T", "t") for c in ("yml", "yaml")
)


def _go_task(w: Walker, k: int, cmd: Command, scope: Scope, ctx: Ctx) -> None:
    """``task NAMES [-- ARGS]``: go-task's Taskfile.yml tasks (``-t``, ``-d``), else
    taskipy's ``[tool.taskipy.tasks]`` of the nearest pyproject.toml."""
    if cmd.dynamic or scope.cwd is None:
        return
    argv = list(cmd.argv)
    dashes = argv.index("--") if "--" in argv else len(argv)
    valued = {"-t", "--taskfile", "-d", "--dir", "-o", "--output", "-C", "--concurrency"}
    names: list[str] = []
    i = 0
    while i < dashes:
        word = argv[i]
        i += 1
        if word.startswith("-"):
            i += 1 if word in valued else 0
        elif "=" not in word:
            names.append(word)
    extra = argv[dashes + 1 :]
    file_opt = option(argv, {"-t", "--taskfile"})
    dir_opt = option(argv, {"-d", "--dir"})
    start = w.place(dir_opt, scope.cwd) if dir_opt else scope.cwd
    if file_opt:
        taskfile: str | None = w.place(file_opt, scope.cwd)
    else:
        taskfile = find_up(start, _TASKFILES)
    if taskfile is None:
        if cmd.program == "task" and names and not dir_opt:  # taskipy
            rest = argv[argv.index(names[0]) + 1 :]
            fields = [(names[0], False), *((a, False) for a in rest)]
            pyproject_task(w, k, "taskipy", fields, scope, ctx)
        return
    got = read(w, k, (taskfile,), what="Taskfile", mark=False)
    if got is None:
        return
    path, text = got
    from . import runnerfiles

    try:
        lines = runnerfiles.taskfile_lines(text, path, names, extra)
    except taskfiles.Unreadable as exc:
        w.finding(SCRIPT_UNREAD, f"task: {exc}", k)
        return
    if lines is None:
        return  # no such task: task stops with an error
    mark_read(w, k, path)
    directory = start if dir_opt else path.rsplit("/", 1)[0] or "/"
    label = "task " + (" ".join(names) or "default")
    for line in lines:
        walk(w, line, new_shell(w, directory, None, "sh"), ctx, f"{path}:{line.line}", label)


_MISE_CONFIGS = ("mise.local.toml", ".mise.local.toml", "mise.toml", ".mise.toml",
                 "mise/config.toml", ".mise/config.toml", ".config/mise.toml",
                 ".config/mise/config.toml")  # fmt: skip
_MISE_TASK_DIRS = ("mise-tasks", ".mise-tasks", "mise/tasks", ".mise/tasks", ".config/mise/tasks")


def _mise(w: Walker, k: int, cmd: Command, scope: Scope, ctx: Ctx) -> None:
    """``mise run NAME ARGS`` (``mise r``, ``mise tasks run``): the task of the nearest mise
    config defining it (``[tasks]``), else a file task (``mise-tasks/NAME``, ...)."""
    argv = list(cmd.argv)
    words = [a for a in argv if not a.startswith("-")]
    if words[:1] in (["run"], ["r"]):
        words = words[1:]
    elif words[:2] == ["tasks", "run"]:
        words = words[2:]
    else:
        return
    if cmd.dynamic or scope.cwd is None or not words:
        return
    name = words[0]
    rest = argv[argv.index(name) + 1 :]
    extra = rest[1:] if rest[:1] == ["--"] else rest
    directories: list[str] = []
    current = scope.cwd
    for _ in range(64):
        directories.append(current)
        if current in ("/", ""):
            break
        current = current.rsplit("/", 1)[0] or "/"
    sources: list[tuple[str, str]] = []
    roots: dict[str, str] = {}
    for directory in directories:
        for config in _MISE_CONFIGS:
            candidate = directory.rstrip("/") + "/" + config
            if observe.kind(astral.decode(candidate)) == stat.S_IFREG:
                got = read(w, k, (candidate,), what="mise config", mark=False)
                if got is not None:
                    sources.append(got)
                    roots[got[0]] = directory
    from . import runnerfiles

    try:
        found = runnerfiles.mise_task(sources, name, extra, scope.cwd) if sources else None
    except taskfiles.Unreadable as exc:
        w.finding(SCRIPT_UNREAD, f"mise: {exc}", k)
        return
    if found is None:  # a file task: mise-tasks/NAME, ... (`a:b` is a/b), run as a program
        for directory in directories:
            for tasks_dir in _MISE_TASK_DIRS:
                candidate = f"{directory.rstrip('/')}/{tasks_dir}/{name.replace(':', '/')}"
                if observe.kind(astral.decode(candidate)) == stat.S_IFREG:
                    mark_read(w, k, candidate)
                    code = " ".join(taskfiles.quote(a) for a in (candidate, *extra))
                    inner = new_shell(w, directory, None, "sh")
                    line = taskfiles.Line(code, candidate, 1)
                    walk(w, line, inner, ctx, candidate + "#mise", f"mise run {name}")
                    return
        return
    lines, path = found
    mark_read(w, k, path)
    for line in lines:
        inner = new_shell(w, roots.get(line.file, scope.cwd), None, "sh")
        walk(w, line, inner, ctx, f"{line.file}#{name}", f"mise run {name}")


# tox's subcommands that run no environment's commands.
_TOX_QUIET = frozenset({"list", "l", "config", "c", "depends", "de", "quickstart", "q",
                        "legacy", "le", "devenv", "d"})  # fmt: skip


def _tox(w: Walker, k: int, cmd: Command, scope: Scope, ctx: Ctx) -> None:
    """``tox [run|r|p] [-e ENVS] [-- ARGS]``: each environment's commands from tox.ini (or
    pyproject.toml's ``legacy_tox_ini``; ``-c FILE``); ``tox exec -e ENV -- CMD``: CMD."""
    if cmd.dynamic or scope.cwd is None:
        return
    argv = list(cmd.argv)
    dashes = argv.index("--") if "--" in argv else len(argv)
    own = argv[:dashes]
    words = [a for a in own if not a.startswith("-")]
    if any(a in ("-l", "--listenvs", "-a", "--listenvs-all", "--help", "-h", "--version",
                 "--showconfig", "--help-ini") for a in own):  # fmt: skip
        return
    sub = words[0] if words and words[0] in (*_TOX_QUIET, "run", "r", "p", "run-parallel",
                                              "exec", "e") else None  # fmt: skip
    if sub in _TOX_QUIET:
        return
    if sub in ("exec", "e"):
        code = " ".join(taskfiles.quote(a) for a in argv[dashes + 1 :])
        if code:
            w.walk.source(w, code, new_shell(w, scope.cwd, None, "sh"), ctx.nested("tox exec"))
        return
    envs_opt = option(own, {"-e", "--env"})
    from . import runnerfiles

    envs = runnerfiles.tox_envs(envs_opt) if envs_opt else []
    config = option(own, {"-c", "--conf", "--configfile"})
    if config:
        manifest: str | None = w.place(config, scope.cwd)
    else:
        manifest = find_up(scope.cwd, ("tox.ini", "pyproject.toml"))
    if manifest is None:
        return
    got = read(w, k, (manifest,), what=manifest.rsplit("/", 1)[-1], mark=False)
    if got is None:
        return
    path, text = got
    root = path.rsplit("/", 1)[0] or "/"
    if path.endswith(".toml"):
        if "tool.tox" not in text and "[tool.tox" not in text:
            return  # no tox configuration here: tox looks elsewhere (setup.cfg)
        legacy = runnerfiles.load(text, path).get("tool", {}).get("tox", {})
        if not isinstance(legacy.get("legacy_tox_ini"), str):
            w.finding(SCRIPT_UNREAD, f"tox: {path}'s [tool.tox] (TOML) is not read", k)
            return
        text = legacy["legacy_tox_ini"]
    lines = runnerfiles.tox_commands(text, path, envs, argv[dashes + 1 :], root)
    if lines is None:
        return
    mark_read(w, k, path)
    label = "tox " + (",".join(envs) if envs else "(env_list)")
    for line in lines:
        walk(w, line, new_shell(w, root, None, "sh"), ctx, f"{path}:{line.line}", label)


def _cargo(w: Walker, k: int, cmd: Command, scope: Scope, ctx: Ctx) -> None:
    """``cargo --config KEY=VALUE ...``: the programs the setting makes cargo run; ``cargo
    X`` where X is an ``[alias]`` of a .cargo/config.toml (from the cwd up, then
    ``~/.cargo``): the cargo command it stands for, walked with the alias's file:line."""
    if cmd.dynamic or scope.cwd is None:
        return
    from . import runnerfiles

    argv = list(cmd.argv)
    for i, word in enumerate(argv):
        if word == "--":
            break
        value = word[9:] if word.startswith("--config=") else None
        if word == "--config" and i + 1 < len(argv):
            value = argv[i + 1]
        if value is None or "=" not in value:
            continue  # a config file: judged by its path
        try:
            programs, unfollowed = runnerfiles.cargo_config(value)
        except taskfiles.Unreadable as exc:
            w.finding(SCRIPT_UNREAD, f"cargo: {exc}", k)
            continue
        for key in unfollowed:
            w.finding(SCRIPT_UNREAD, f"cargo --config {key}: what it changes is not followed", k)
        for program in programs:
            code = " ".join(taskfiles.quote(p) for p in program)
            w.walk.source(
                w, code, new_shell(w, scope.cwd, None, "sh"), ctx.nested("cargo --config")
            )
    sub = cmd.subcommand
    if sub is None or sub in CARGO_BUILTINS or sub not in argv:
        return
    sources: list[tuple[str, str]] = []
    found = None
    for config in _cargo_configs(scope.cwd, w.home):
        got = read(w, k, (config,), what="cargo config", mark=False)
        if got is None:
            continue
        sources = [got]
        try:
            found = runnerfiles.cargo_alias(sources, sub)
        except taskfiles.Unreadable as exc:
            w.finding(SCRIPT_UNREAD, f"cargo: {exc}", k)
            return
        if found is not None:
            break
    if found is None:
        return
    words, path, line = found
    mark_read(w, k, path)
    at = argv.index(sub)
    expanded = [*argv[:at], *words, *argv[at + 1 :]]
    code = "cargo " + " ".join(taskfiles.quote(a) for a in expanded)
    inner = new_shell(w, scope.cwd, None, "sh")
    walk(w, taskfiles.Line(code, path, line), inner, ctx, f"{path}#alias.{sub}", f"cargo {sub}")


def _cargo_configs(cwd: str, home: str) -> list[str]:
    """cargo's configuration files, nearest first: ``.cargo/config`` (else
    ``.cargo/config.toml``) in the cwd and each directory above it, then ``~/.cargo``'s."""
    out: list[str] = []
    current = cwd
    dirs: list[str] = []
    for _ in range(64):
        dirs.append(current)
        if current in ("/", ""):
            break
        current = current.rsplit("/", 1)[0] or "/"
    if home.rstrip("/") not in dirs:
        dirs.append(home.rstrip("/") or "/")
    for directory in dirs:
        base = directory.rstrip("/") + "/.cargo/"
        for name in ("config", "config.toml"):
            if observe.kind(astral.decode(base + name)) == stat.S_IFREG:
                out.append(base + name)
                break
    return out


def pyproject_task(
    w: Walker,
    k: int,
    runner: str,
    argv: list[Field],
    scope: Scope,
    ctx: Ctx,
    *,
    env: str | None = None,
) -> bool:
    """``pdm run X`` / ``hatch run [ENV:]X`` / ``rye run X`` / ``poe X``: when X is a task
    of the nearest pyproject.toml (hatch: or hatch.toml; ``env`` from ``hatch -e ENV``),
    walk its commands (in the project directory) and say so. Python a task calls is judged
    as running that module."""
    if not w.read_scripts or scope.cwd is None or any(f[1] for f in argv):
        return False
    words = [f[0] for f in argv]
    if runner == "hatch":
        while words and words[0].startswith("+"):
            words = words[1:]  # `hatch run +py=3.12 test`: a matrix selection
    if not words:
        return False
    name, args = words[0], words[1:]
    if runner == "hatch" and env and ":" not in name:
        name = f"{env}:{name}"  # `hatch -e lint run style`
    names = ("pyproject.toml", "hatch.toml") if runner == "hatch" else ("pyproject.toml",)
    manifest = find_up(scope.cwd, names)
    if manifest is None:
        return False
    root = manifest.rsplit("/", 1)[0] or "/"
    sources: list[tuple[str, str]] = []
    for file_name in names:
        path = manifest if manifest.endswith("/" + file_name) else f"{root}/{file_name}"
        if path != manifest and not exists(path):
            continue
        got = read(w, k, (path,), what=file_name, mark=False)
        if got is not None:
            sources.append(got)
    if not sources:
        return False
    from . import runnerfiles

    try:
        if runner == "hatch":
            lines = runnerfiles.hatch_script(sources, name, args, root, w.home)
        else:
            lines = runnerfiles.pyproject_task(sources[0][1], sources[0][0], runner, name, args)
    except taskfiles.Unreadable as exc:
        w.finding(SCRIPT_UNREAD, f"{runner}: {exc}", k)
        return False
    if lines is None:
        return False
    mark_read(w, k, lines[0].file if lines else sources[0][0])
    label = f"poe {name}" if runner == "poe" else f"{runner} run {name}"
    for line in lines:
        if isinstance(line, runnerfiles.PyCall):
            line = python_module(w, line, root)
        if not line.shell:
            w.finding(
                SCRIPT_UNREAD, f"{label}: the task at {line.file}:{line.line} is not shell", k
            )
            continue
        walk(w, line, new_shell(w, root, None, "sh"), ctx, f"{line.file}#{name}", label)
    return True


def python_module(w: Walker, call: taskfiles.Line, root: str) -> taskfiles.Line:
    """The command a task calling Python runs, as shell: ``python FILE`` when the module is
    a file of the project (``pkg/mod.py`` or ``pkg/mod/__init__.py`` in the project or its
    ``src/``; read as any Python file a command runs), else ``python -m MODULE``."""
    module = getattr(call, "module", "")
    rel = module.replace(".", "/")
    for base in (root, f"{root}/src"):
        for candidate in (f"{base}/{rel}.py", f"{base}/{rel}/__init__.py"):
            if observe.kind(astral.decode(candidate)) == stat.S_IFREG:
                text = f"python {taskfiles.quote(candidate)}"
                return taskfiles.Line(text, call.file, call.line)
    return taskfiles.Line(f"python -m {taskfiles.quote(module)}", call.file, call.line)


def project_entry(w: Walker, name: str, scope: Scope) -> tuple[str, int, str] | None:
    """``uv run NAME`` / ``poetry run NAME``: (pyproject.toml, line, entry) when NAME is
    one of the project's entry points (``pkg.cli:main``: Python code, not shell)."""
    if not w.read_scripts or scope.cwd is None or "/" in name:
        return None
    manifest = find_up(scope.cwd, ("pyproject.toml",))
    if manifest is None:
        return None
    try:
        data = read_regular(astral.decode(manifest), MAX_BYTES + 1)
        if data is None or len(data) > MAX_BYTES:
            return None
        text = data.decode("utf-8")
    except (OSError, ValueError):
        return None
    if name not in text:
        return None  # most `uv run X` name a tool, not an entry point: skip the TOML parse
    entry = taskfiles.pyproject_entry(text, name)
    return None if entry is None else (manifest, entry[1], entry[0])


def entry_point(w: Walker, k: int, entry: tuple[str, int, str], scope: Scope, ctx: Ctx) -> None:
    """Command ``k`` runs the project's entry point ``entry`` (:func:`project_entry`): its
    origin names the entry, its ``script`` is the pyproject.toml (the project's own
    program), and the module it calls is judged as ``python FILE`` is."""
    manifest, line, reference = entry
    name = w.commands[k].program
    w.commands[k].origin = f"{manifest}:{line} ({name} = {reference})"
    mark_read(w, k, manifest)
    from . import runnerfiles

    call = runnerfiles.python_call(reference, manifest, line)
    if call is None:
        return
    root = manifest.rsplit("/", 1)[0] or "/"
    code = python_module(w, call, root)
    walk(w, code, new_shell(w, root, None, "sh"), ctx, f"{manifest}#{name}", name)
