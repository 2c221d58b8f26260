"""One simple command after expansion (its fields: :func:`.statements.command` expands the
words): a function, a wrapper or a program.

A program becomes a :class:`~.model.Command` with canonical flags, its subcommand and the
paths it names; a wrapper (sudo, env, xargs, ``find -exec``, ...) is a command and so is
what it runs. Afterwards :func:`look_inside` applies what the command does to the walk
(``cd``, ``alias``, ``set --``, ``read``) or hands code it runs to :mod:`.code_text`.
"""

from __future__ import annotations

from .. import paths as _paths
from . import (
    detect,
    effects,
    flags,
    redirections,
    wrappers,
)

# shell.scripts (and its project-file parsers) is imported where a command runs a script or
# a task, shell.code_text where a command runs code given as text (a downloader, a git -c,
# an interpreter, eval): most commands do neither, and the hook pays for every import.
from .model import CODE_EXECUTION, DYNAMIC_PROGRAM, REVERSE_SHELL, Command
from .state import Scope, code_detail, dedupe
from .words import IFS_DEFAULT

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from .composefile import Service
    from .model import Container, Redirect
    from .state import Ctx, Walker
    from .words import Field

# Programs the analyzer has rules of its own for (case-folded on case-insensitive systems).
_KNOWN_PROGRAMS = frozenset(
    {k.split(" ")[0] for k in flags.known_programs()}
    | wrappers.WRAPPERS
    | detect.SHELLS
    | detect.DOWNLOADERS
    | detect.DECODERS
    | detect.NET_TOOLS
    | {
        "eval",
        "source",
        "exec",
        "find",
        "dd",
        "mkfs",
        "shred",
        "kill",
        "python",
        "python3",
        "node",
        "perl",
        "ruby",
        "php",
        "sudo",
    }
)
# Programs that, as the first operand of a program the analyzer does not know, say that
# the operands are a command line it runs (`rtk git push --force`, `tool sh -c '...'`).
_ACTORS = detect.SHELLS | frozenset(
    {"git", "find", "rm", "mv", "cp", "dd", "shred", "chmod", "chown", "ln", "curl", "wget"}
    | {"sudo", "docker", "kubectl"}
)
# Programs that read or describe their operands (files, names): never runners.
_READERS = frozenset(
    {
        "cat", "tac", "head", "tail", "less", "more", "wc", "nl", "od", "xxd", "hexdump",
        "strings", "file", "stat", "ls", "du", "grep", "egrep", "fgrep", "rg", "ag", "bat",
        "diff", "cmp", "sort", "uniq", "cut", "md5sum", "sha1sum", "sha256sum", "tldr", "man",
        "whatis", "apropos", "info", "help", "which", "whereis", "type",
    }
)  # fmt: skip
# Programs whose operands are never file names.
_NO_PATH_OPERANDS = frozenset(
    [
        "echo",
        "printf",
        "sleep",
        "kill",
        "killall",
        "pkill",
        "expr",
        "seq",
        "yes",
        "true",
        "false",
        "exit",
        "return",
        "shift",
        "alias",
        "unalias",
        "type",
        "which",
        "hash",
        "set",
        "unset",
        "export",
        "declare",
        "local",
        "readonly",
        "typeset",
        ":",
        "test",
        "[",
        "eval",
        "trap",
        "wait",
        "jobs",
        "fg",
        "bg",
        "umask",
        "ulimit",
        "let",
        "read",
        "sudo",
        "doas",
    ]
)
# Programs whose operands are resource names or addresses, not files (their option values,
# such as kubectl's -f, may still be paths).
# (dscl's operands are directory-service records, /Users/alice, not files.)
_OPERANDS_NOT_PATHS = frozenset(["kubectl", "helm", "terraform", "tofu", "dscl"])
# The flag a wrapper's command carries when it runs a command of its own.
RUNS = frozenset({"runs-command"})
# Programs whose first operand is a pattern, script or mode rather than a file.
_FIRST_OPERAND_NOT_PATH = frozenset(
    [
        "grep",
        "egrep",
        "fgrep",
        "rg",
        "ag",
        "ack",
        "sed",
        "awk",
        "gawk",
        "mawk",
        "chmod",
        "chown",
        "chgrp",
        "jq",
        "yq",
    ]
)
# Options that give that pattern or script, so that every operand is a file
# (`grep -e TOKEN .env`, `sed -f prog.sed file`, `awk -f prog.awk data`), as canonical flags.
_PATTERN_OPTIONS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("grep", "egrep", "fgrep", "ag", "ack"),
        frozenset({"-e", "--regexp", "-f", "--file"}),
    ),
    # `rg --files DIR` lists the files it would search: no pattern, every operand a path
    "rg": frozenset({"-e", "--regexp", "-f", "--file", "--files"}),
    "sed": frozenset({"expression", "file"}),
    **dict.fromkeys(("awk", "gawk", "mawk"), frozenset({"-f", "--file", "-e", "--source"})),
    "jq": frozenset({"-f", "--from-file"}),
}


def run(
    w: Walker,
    fields: list[Field],
    unknown: bool,
    env_scope: Scope,
    scope: Scope,
    ctx: Ctx,
    *,
    redirects: list[Redirect],
    stdin: str | None,
    assignments: tuple[str, ...],
    text: str,
    subst: dict[int, tuple[int, int]],
    inner_args_dynamic: bool = False,
    stdin_feed: tuple[int, int] | None = None,
    leads: dict[int, str] | None = None,
) -> None:
    """One command (after expansion): emit it, then look through it if it runs more.
    ``leads``: for an argument that is one field with an unknown part, the known text
    before it (a word only known at run time that is data, not a path, is no unknown)."""
    path_word, dyn_program = fields[0]
    args = fields[1:]
    skips_functions = ctx.via[-1:] in (("command",), ("builtin",))
    if not dyn_program and path_word in scope.funcs and not skips_functions:
        w.walk.call_function(w, path_word, args, scope, ctx)
        return
    if any(c in path_word for c in "*?["):
        dyn_program = True  # "/???/r? -rf /": the filesystem picks the program
    program = "" if dyn_program else _program_name(path_word)
    argv = [f[0] for f in args]
    words_dynamic = any(f[1] for f in args)
    # A write to a file only known at run time (`> "$out"`).
    writes_unknown = any(r.writes and r.target is None for r in redirects)
    certain = not (dyn_program or unknown or inner_args_dynamic or writes_unknown)
    dynamic = not certain or words_dynamic
    key = program
    start: int | None = None  # where a wrapper's own words start, when not after the key's
    hatch_env: str | None = None
    if program in ("uv", "poetry", "pipenv", "pdm", "hatch", "rye", "pipx") and argv[:1] == ["run"]:
        key = f"{program} run"
    elif program == "hatch" and (found := wrappers.hatch_run(argv)) is not None:
        key, (start, hatch_env) = "hatch run", found  # `hatch -e lint run`, `hatch env run`
    elif program == "bundle" and argv[:1] == ["exec"]:
        key = "bundle exec"
    elif program in ("pnpm", "yarn") and argv[:1] == ["dlx"]:
        key = f"{program} dlx"  # npx's twins
    elif program in ("npm", "pnpm", "yarn") and argv[:1] == ["exec"]:
        key = f"{program} exec"  # a program of the project's dependencies
    elif program == "mise" and argv[:1] in (["x"], ["exec"]):
        key = f"mise {argv[0]}"  # the command after `--`, with the tools it names
    elif program == "uv" and argv[:2] == ["tool", "run"]:
        key = "uv tool run"  # uvx by its long name
    elif program in ("docker", "podman", "nerdctl", "kubectl") and argv[:1] == ["exec"]:
        key = f"{program} exec"  # a command run in a container or pod
    if key in wrappers.WRAPPERS or key in wrappers.SUB_WRAPPERS:
        wrapper(
            w,
            key,
            program,
            path_word,
            args[key.count(" ") if start is None else start :],
            scope,
            ctx,
            dynamic=dynamic,
            redirects=redirects,
            text=text,
            assignments=assignments,
            stdin=stdin,
            env=hatch_env,
        )
        return
    parsed = flags.parse_args(program, argv)
    if words_dynamic and certain and leads:
        from . import datawords  # only for a command with a word only known at run time

        dynamic = not datawords.only_data(program, parsed.subcommand, args, leads)
    cmd = Command(
        program,
        path_word,
        tuple(argv),
        subcommand=parsed.subcommand,
        flags=frozenset(parsed.flags),
        positionals=tuple(parsed.positionals),
        dynamic=dynamic,
        redirects=tuple(redirects),
        via=ctx.via,
        text=text,
    )
    cmd.paths = command_paths(w, cmd, args, parsed, redirects, scope)
    if program in _CONTAINER_PROGRAMS:
        # Dynamic for other reasons than its words: the container reading does not change
        other = (
            dyn_program
            or inner_args_dynamic
            or any(r.writes and r.target is None for r in redirects)
        )
        named = {a.split("=", 1)[0] for a in assignments} | env_scope.vars.keys()
        container_run(w, cmd, args, redirects, scope, other_dynamic=other, env=named)
    if "/" in path_word and not dyn_program:
        cmd.program_files = w.path_forms(path_word, scope)
    effects.note(w, cmd, parsed, scope)
    if program == "git" and cmd.subcommand == "push":
        from . import gitpush  # only for pushes: it reads the repository's HEAD and config

        where = gitpush.destination(cmd.argv, cmd.positionals, cmd.flags, assignments, scope.cwd)
        if where is not None:
            cmd.flags = cmd.flags | {where}
    if stdin is not None:
        effects.note_patch(w, cmd, stdin, scope)
    if (
        scope.cwd is None
        and w.mounts is None  # in a container, such names are every mount (Walker.path_forms)
        and any(not p.startswith("/") for p in parsed.positionals)
    ):
        cmd.dynamic = True
    k = w.add(cmd, ctx, assignments)
    if stdin is not None:
        w.stdin_text[k] = stdin
    if stdin_feed is not None:
        w.stdin_feed[k] = stdin_feed
    if dyn_program:
        w.finding(DYNAMIC_PROGRAM, f"program only known at run time: {path_word}", k)
    redirections.redirect_findings(w, redirects, k)
    if program in detect.DOWNLOADERS:
        from . import code_text

        w.downloaded.update(code_text.download_targets(w, cmd, parsed, scope))
    if "/" in path_word and w.downloaded:
        from . import code_text

        code_text.downloaded_check(w, k, w.path_forms(path_word, scope))
    if assignments:
        from . import code_text

        code_text.command_variables(w, k, assignments, env_scope, ctx)
    if program == "git":
        from . import gitconfig  # reads the repository's config: what the verb runs from it

        gitconfig.run_configured(w, k, args, env_scope, ctx)
    if program in ("bat", "batcat") and any(a.startswith("--pager") for a in argv):
        from . import code_text

        code_text.pager_option(w, k, env_scope, ctx)
    if program == "git" and cmd.subcommand == "config":
        from . import githooks

        githooks.config_paths(w, k, args, scope)
        gitconfig.setting(w, k, args)
    elif program == "git" and cmd.subcommand in GIT_HOOK_SUBCOMMANDS:
        from . import githooks  # only for git verbs that run hooks: reads the hooks directory

        githooks.run_hooks(w, k, args, scope, ctx)
    look_inside(w, k, args, env_scope, scope, ctx, stdin=stdin, subst=subst)
    box = cmd.container
    if box is not None and (box.command is not None or box.compose is not None):
        container_command(w, k, scope, ctx, redirects=redirects, stdin=stdin)
    if program and program not in _KNOWN_PROGRAMS and "/" not in path_word:
        operands_as_command(w, program, args, env_scope, ctx, text=text)


# Programs that run containers (shell.containers reads their runs).
_CONTAINER_PROGRAMS = frozenset({"docker", "podman", "nerdctl", "docker-compose", "podman-compose"})


def container_run(
    w: Walker,
    cmd: Command,
    args: list[Field],
    redirects: list[Redirect],
    scope: Scope,
    *,
    other_dynamic: bool,
    env: set[str],
) -> None:
    """A container run (``docker run``, ``compose exec``, ...): note what its options say
    about its isolation; its paths are the host paths it names (bind mounts, env files) and
    its redirects, not the image or the container's own words. ``$(pwd)`` in its words is
    the command's directory, so a run whose only run-time value it is is not dynamic
    (``other_dynamic``: dynamic for another reason, the program or a redirect). ``env``:
    the variables the line sets for it (``DOCKER_HOST=... docker run`` runs elsewhere)."""
    from . import containers

    pwd_known = "pwd" not in scope.funcs and "pwd" not in scope.aliases
    found = containers.read(cmd.program, args, scope.cwd, pwd_known)
    if found is None:
        return

    def forms_of(word: str) -> tuple[str, ...]:
        return w.path_forms(word, scope)

    forms, placed = containers.host_paths(found, forms_of)
    if not placed:
        found.unread = (*found.unread, "a relative host path from an unknown directory")
    elsewhere = sorted(env & containers.DAEMON_VARIABLES)
    if elsewhere:
        found.unread = (*found.unread, f"${elsewhere[0]} (another daemon, file or store)")
    cmd.container = found
    found.writable = dedupe(
        tuple(f for source, _, readonly in found.binds if not readonly for f in forms_of(source))
    )
    cmd.dynamic = other_dynamic or found.dynamic
    targets = tuple(r.target for r in redirects if r.target and r.target not in _SINKS)
    cmd.paths = dedupe((*forms, *targets))


def container_command(
    w: Walker,
    k: int,
    scope: Scope,
    ctx: Ctx,
    *,
    redirects: list[Redirect],
    stdin: str | None,
) -> None:
    """The command a container run (command ``k``) gives its container (``docker run -v
    $PWD:/src alpine rm -rf /src``), walked as if it ran here with its paths mapped through
    the run's bind mounts (``containers.Mounts``): ``/src`` is the project. Its working
    directory is ``-w`` through the mounts, else not known (the image's). Its programs are
    the image's: only a file reached through a mount is read from disk. A compose service's
    mounts, directory, entrypoint and command are its file's (``composefile``). Not walked:
    a run whose mounts could not all be placed, a service whose file is not read."""
    from . import containers

    cmd = w.commands[k]
    box = cmd.container
    if box is None:
        return
    binds_given = list(box.binds)
    workdir, command = box.workdir, box.command
    if box.compose is not None:
        found = _compose_service(w, k, box, scope)
        if found is None:
            return
        # what the file declares is the run's too: what breaks isolation, the host paths
        starts = not box.verb.endswith(" exec")  # exec joins a running one: no new env
        box.breaks = (*box.breaks, *found.breaks, *(found.forwards if starts else ()))
        cmd.paths = dedupe(
            (*cmd.paths, *(f for p in (*found.paths, *(b[0] for b in found.binds))
                           for f in w.path_forms(p, scope)))
        )  # fmt: skip
        binds_given += found.binds
        workdir = workdir if workdir is not None else found.workdir
        command = _service_command(box, found)
        box.opaque = command is None
    binds: list[tuple[str, tuple[str, ...], bool]] = []
    for source, target, readonly in binds_given:
        forms = w.path_forms(source, scope)
        if not forms or not target:
            return
        binds.append((_paths.lexical(target, "/", "/"), forms, readonly))
    if box.compose is not None:
        box.writable = dedupe((*box.writable, *(f for _, fs, ro in binds if not ro for f in fs)))
    if command is None:
        return
    mounts = containers.Mounts(binds)
    inner = Scope()
    inner.vars["IFS"] = IFS_DEFAULT
    for assignment in box.env:  # the container's environment: what -e sets, known
        name, _, value = assignment.partition("=")
        inner.vars[name] = value
    if workdir is not None:
        inner.cwd = mounts.directory(_paths.lexical(workdir, "/", "/"))
    inner.vars["PWD"] = inner.cwd
    outer, w.mounts = w.mounts, mounts
    first = len(w.commands)
    try:
        run(
            w,
            list(command),
            False,
            inner,
            inner,
            ctx.nested(box.verb, keep_pipes=True),
            redirects=redirects,
            stdin=stdin,
            assignments=(),
            text=cmd.text,
            subst={},
        )
    finally:
        w.mounts = outer
    for inner_cmd in w.commands[first:]:
        if inner_cmd.inside is None:  # (a run inside it keeps its own)
            inner_cmd.inside = box


def _compose_service(w: Walker, k: int, box: Container, scope: Scope) -> Service | None:
    """The compose service a ``compose run|exec`` names, as the compose files declare it:
    the ``-f`` files, else the default file (and its override) of the project directory
    (``--project-directory``, else the command's directory). None when not read."""
    from .. import observe
    from . import composefile, scripts

    assert box.compose is not None
    name, given, project = box.compose
    if scope.cwd is None:
        return None
    base = w.place(project, scope.cwd) if project else scope.cwd
    if given:
        paths = [w.place(f, scope.cwd) for f in given]
        base = base if project else paths[0].rsplit("/", 1)[0] or "/"
    else:
        found = composefile.candidates(base)
        first = next((p for p in found[:4] if observe.kind(p) is not None), None)
        if first is None:
            return None
        override = next((p for p in found[4:] if observe.kind(p) is not None), None)
        paths = [first] if override is None else [first, override]
    texts: list[tuple[str, str]] = []
    for path in paths:
        got = scripts.read(w, k, (path,), what="compose file", mark=False)
        if got is None:
            return None
        texts.append(got)
    return composefile.service(texts, name, base, w.home)


def _service_command(box: Container, service: Service) -> tuple[Field, ...] | None:
    """What a compose service runs: ``exec`` its command as given; ``run`` the command
    given or the file's, after ``--entrypoint`` or the file's entrypoint. None when it is
    the image's own (opaque)."""
    if box.verb.endswith(" exec"):
        return box.command
    if box.entrypoint is not None:
        return box.command  # --entrypoint on the line, with the words after the service
    rest = box.command if box.command is not None else service.command
    lead = service.entrypoint or []
    if not lead and not rest:
        return None
    return (*lead, *(rest or ()))


def operands_as_command(
    w: Walker, program: str, args: list[Field], scope: Scope, ctx: Ctx, *, text: str
) -> None:
    """A program the analyzer does not know, whose operands start with one it does and go
    on (`rtk git push --force`, `mytool sh -c '...'`): such a tool most likely runs that
    command line (as hyperfine, entr, direnv exec or a token-saving proxy do), so it is
    walked too. It only adds units: the unknown program keeps its own answer."""
    if len(args) < 2 or args[0][1] or args[0][0] not in _ACTORS:
        return
    if program in _NO_PATH_OPERANDS or program in TAKES_FILES or program in _READERS:
        return  # echo, cat, wc, less, ...: they print or read the words, never run them
    run(
        w,
        list(args),
        False,
        scope,
        scope.copy(),
        ctx.nested(program),
        redirects=[],
        stdin=None,
        assignments=(),
        text=text,
        subst={},
    )


def wrapper(
    w: Walker,
    key: str,
    program: str,
    path_word: str,
    args: list[Field],
    scope: Scope,
    ctx: Ctx,
    *,
    dynamic: bool,
    redirects: list[Redirect],
    text: str,
    assignments: tuple[str, ...],
    stdin: str | None,
    env: str | None = None,
) -> None:
    """A wrapper (sudo, env, xargs, ...): emit it, then what it runs (``env``: the
    environment ``hatch -e ENV run`` names)."""
    u = wrappers.unwrap(key, args)
    operands = [f[0] for f in u.operands if not f[1]]
    cmd = Command(
        program,
        path_word,
        (*key.split(" ")[1:], *(f[0] for f in args)),
        subcommand=key.split(" ", 1)[1] if " " in key else None,
        # "runs-command": it runs a command (`env -i ls`), not only prints (`env`).
        flags=frozenset(u.flags) | (RUNS if u.argv or u.shell is not None else frozenset()),
        positionals=tuple(operands),
        dynamic=dynamic,
        redirects=tuple(redirects),
        via=ctx.via,
        text=text,
    )
    if program in ("flock", "chroot"):
        cmd.paths = dedupe(tuple(p for o in operands for p in w.path_forms(o, scope)))
    k = w.add(cmd, ctx, assignments)
    redirections.redirect_findings(w, redirects, k)
    label = "find -exec" if key == "find" else key
    inner_ctx = ctx.nested(label, keep_pipes=True)
    # bash's `time` keyword and the `command` / `builtin` builtins run a builtin in this
    # shell: `time cd .. && rm -rf build` deletes ../build.
    same_shell = program in ("time", "command", "builtin") and "/" not in path_word
    inner_scope = scope if same_shell and not u.assignments else scope.copy()
    for f in u.assignments:
        name, _, value = f[0].partition("=")
        inner_scope.vars[name] = None if f[1] else value
    if key == "parallel":
        parallel_arguments(w, args, inner_scope, inner_ctx)
    if u.shell is not None:
        code = " ".join(f[0] for f in u.shell)
        if u.argv:
            code += " " + " ".join(_quote(f[0]) for f in u.argv)
        if any(f[1] for f in u.shell):
            w.finding(DYNAMIC_PROGRAM, f"{key} runs a command only known at run time", k)
        first = len(w.commands)
        w.walk.source(w, code, inner_scope, inner_ctx)
        if u.appends_input:  # parallel: arguments come from its input
            for cmd_run in w.commands[first:]:
                cmd_run.dynamic = True
        return
    if u.argv is None:
        return
    entry = None
    project = _project_scope(w, key, u.own, scope)  # `pdm run -p DIR X`: DIR's files
    if key in ("uv run", "poetry run", "rye run", "pdm run", "hatch run") and project is not None:
        from . import runners

        if not u.argv[0][1]:
            entry = runners.project_entry(w, u.argv[0][0], project)
        tasks = key in ("pdm run", "hatch run", "rye run")
        if tasks and runners.pyproject_task(w, k, program, u.argv, project, ctx, env=env):
            return  # a task of the project: its commands were walked
    first = len(w.commands)
    run(
        w,
        list(u.argv),
        False,
        inner_scope,
        inner_scope,
        inner_ctx,
        redirects=redirects,
        stdin=stdin,
        assignments=tuple(f[0] for f in u.assignments),
        text=cmd.text,
        subst={},
        inner_args_dynamic=u.appends_input or dynamic,
    )
    if entry is not None and first < len(w.commands):
        from . import runners

        runners.entry_point(w, first, entry, inner_scope, inner_ctx)
    if u.appends_input and first < len(w.commands) and _input_only_as_arguments(u):
        w.commands[first].flags |= INPUT_ARGS
    if key == "xargs" and first < len(w.commands):
        inner = w.commands[first]
        if _reads_input_names(inner, u, redirects, stdin):
            inner.flags = inner.flags | INPUT_NAMES
        elif inner.program not in TAKES_FILES and _takes_input_names(inner, u, redirects, stdin):
            inner.flags = inner.flags | LISTED_NAMES  # (deleters & co: pipes.piped_files)


# The flag of what a `find` deletes (-delete) or runs (-exec) when the find follows
# symlinks (-L, -H, -follow) or names no start path it was seen to (`find -L DIR`, `find`):
# what it reaches is not known from its start paths.
FIND_FOLLOWS = frozenset({"find-follows-links"})
# The options naming the project a runner runs in (its pyproject.toml's directory).
_PROJECT_OPTIONS = {
    "pdm run": ("-p", "--project"),
    "uv run": ("--directory", "--project"),
    "poetry run": ("-C", "--directory", "-P", "--project"),
    "rye run": ("--pyproject",),
}


def _project_scope(w: Walker, key: str, own: list[Field], scope: Scope) -> Scope | None:
    """The scope whose cwd is the project a runner's options name (``pdm run -p DIR``,
    ``rye run --pyproject FILE``), ``scope`` when they name none, None when the option's
    value is only known at run time (nothing is read then)."""
    names = _PROJECT_OPTIONS.get(key, ())
    for i, (word, dynamic) in enumerate(own):
        name, eq, value = word.partition("=")
        if name not in names:
            continue
        if not eq:
            value, dynamic = own[i + 1] if i + 1 < len(own) else ("", True)
        if dynamic or not value or scope.cwd is None:
            return None
        if key == "rye run":
            value = value.rsplit("/", 1)[0] if "/" in value else "."
        found = scope.copy()
        found.cwd = w.place(value, scope.cwd)
        return found
    return scope


# Programs that only read (or name) the files they are given, whatever options a name
# could turn into (no option of theirs runs or writes anything): given names by xargs.
READS_NAMES = frozenset(
    {
        *("cat", "tac", "head", "tail", "grep", "egrep", "fgrep", "wc", "nl", "strings"),
        *("md5sum", "sha1sum", "sha256sum", "sha512sum", "shasum", "b2sum", "cksum"),
        *("diff", "cmp", "realpath", "readlink", "stat", "ls", "du", "od", "hexdump"),
        *("basename", "dirname", "echo", "printf"),
        # viewers: bat runs its pager only when it pages (to a terminal, or told
        # --paging=always), and its only writing options are its cache's and config's
        *("bat", "batcat"),
    }
)
# The flag of a command xargs gives names that can only be files listed on the same line
# (or nothing): the reader reads those files (pipes.piped_files checks the listers).
INPUT_NAMES = frozenset({"input-names"})
# The flag of any other program xargs gives names that can only be files listed on the
# same line: statements.link_pipeline adds where the listers list (their paths, else their
# directory) to its paths, so a rule can ask that every file it gets is in the project.
LISTED_NAMES = frozenset({"listed-names"})
# The flag of inline code (`sh -c CODE`, `python -c CODE`, `node -e CODE --`) that xargs or
# parallel runs with what it reads as the code's arguments only: the code itself is known.
INPUT_ARGS = frozenset({"input-args"})
# Interpreters that stop reading options at their code (bash -c: $0 $1 ...; python -c:
# sys.argv), and those that go on unless `--` follows it (perl -e 'x' -e 'y' runs both).
_CODE_ENDS_OPTIONS = {"python": ("-c",)}
_CODE_NEEDS_DASHES = {
    "perl": ("-e", "-E"),
    "ruby": ("-e",),
    "node": ("-e", "--eval", "-p", "--print"),
}
# xargs options that read the names from a file or prompt on the terminal.
_XARGS_OWN_INPUT = frozenset({"-a", "--arg-file", "-p", "--interactive", "-o", "--open-tty"})


def _reads_input_names(
    inner: Command, u: wrappers.Unwrapped, redirects: list[Redirect], stdin: str | None
) -> bool:
    """``xargs cat``, ``xargs -I{} head {}``: a reader whose every word but the replace
    string is known, with xargs's input not from a file, a here-document or a prompt."""
    return inner.program in READS_NAMES and _takes_input_names(inner, u, redirects, stdin)


def _takes_input_names(
    inner: Command, u: wrappers.Unwrapped, redirects: list[Redirect], stdin: str | None
) -> bool:
    """``xargs clang-format -i``: a program (not one run by path) whose every word but the
    replace string is known, with xargs's input not from a file, a here-document or a
    prompt: what it gets are the names its input lists."""
    if inner.program_files or u.argv is None or not inner.program:
        return False
    if u.flags & _XARGS_OWN_INPUT or stdin is not None:
        return False
    if any(not r.writes for r in redirects):
        return False  # `xargs cat < list.txt`: names written in a file
    return all(not dyn or (u.replace and text == u.replace) for text, dyn in u.argv[1:])


def _input_only_as_arguments(u: wrappers.Unwrapped) -> bool:
    """``xargs sh -c 'wc -l "$1"' _``, ``xargs -I{} python -c 'print(1)' -- {}``: every word
    up to the end of the interpreter's options and its code is known, and what xargs or
    parallel adds at run time (appended, or at the replace string) comes after them, as the
    code's arguments, never as an option or as code."""
    if u.argv is None or not u.argv or u.argv[0][1]:
        return False
    program = u.argv[0][0].rsplit("/", 1)[-1]
    family = "sh" if program in detect.SH_FAMILY else detect.interpreter(program)
    words = u.argv[1:]
    end = _end_of_code(family, [t for t, _ in words])
    if end is None:
        return False
    return all(not dyn and not (u.replace and u.replace in t) for t, dyn in words[:end])


def _end_of_code(family: str | None, words: list[str]) -> int | None:
    """How many of ``words`` (after the interpreter) are its options and inline code, when
    every later word can only be an argument of the code; else None."""
    for i, word in enumerate(words):
        if not word.startswith("-") or word == "-" or word == "--":
            return None  # a script, stdin or the end of options before any code
        if family == "sh":
            if not word.startswith("--") and "c" in word[1:]:
                return i + 2 if i + 1 < len(words) else None
            if word in ("-o", "+o", "-O", "+O"):
                return None  # takes a value: not worth following
            continue
        if family in _CODE_ENDS_OPTIONS and word in _CODE_ENDS_OPTIONS[family]:
            return i + 2 if i + 1 < len(words) else None
        if family in _CODE_NEEDS_DASHES and word in _CODE_NEEDS_DASHES[family]:
            ok = i + 2 < len(words) and words[i + 2] == "--"
            return i + 3 if ok else None
    return None


def parallel_arguments(w: Walker, args: list[Field], scope: Scope, ctx: Ctx) -> None:
    """``parallel CMD ::: ARGS``: the command lines its literal arguments make."""
    text = wrappers.parallel_arguments(args)
    if text is not None:
        for line in wrappers.with_input("parallel", args, text):
            w.walk.source(w, line, scope.copy(), ctx)


def look_inside(
    w: Walker,
    k: int,
    args: list[Field],
    env_scope: Scope,
    scope: Scope,
    ctx: Ctx,
    *,
    stdin: str | None,
    subst: dict[int, tuple[int, int]],
) -> None:
    """Commands that run code given as data: shells, eval, source, interpreters, find."""
    cmd = w.commands[k]
    program = cmd.program
    argv = list(cmd.argv)
    if program in ("eval", "trap"):
        code_fields = args if program == "eval" else args[:1]
        if any(f[1] for f in code_fields):
            w.finding(DYNAMIC_PROGRAM, f"{program} of text only known at run time", k)
        from . import code_text

        code_text.feed_check(w, k, [subst.get(i) for i in range(len(code_fields))])
        if code_fields:
            # eval runs in this shell; a trap's text runs later, on a copy.
            runs_in = scope if program == "eval" else scope.copy()
            w.walk.source(w, " ".join(f[0] for f in code_fields), runs_in, ctx.nested(program))
        return
    if program in ("source", "."):
        cmd.program = "source"
        from . import code_text

        code_text.feed_check(w, k, [subst.get(0)], (scope, ctx, True))
        code_text.downloaded_check(w, k, cmd.paths)
        if argv[:1] == ["/dev/stdin"] and stdin is not None:
            w.walk.source(w, stdin, scope, ctx.nested("source <<"))
        elif args and not args[0][1]:
            from . import scripts

            scripts.sourced_file(w, k, w.path_forms(argv[0], scope), args[1:], scope, ctx)
        return
    if program == "alias":
        for word in argv:
            name, eq, value = word.partition("=")
            if eq:
                scope.aliases[name] = value + " "
        return
    if program == "popd":
        scope.cwd = None
        scope.vars["PWD"] = None
        return
    if program in ("cd", "pushd"):
        target = next((a for a in argv if not a.startswith("-") or a == "-"), None)
        if target is None:
            scope.cwd = w.home if w.mounts is None else None  # the container's home
        elif target == "-" or cmd.dynamic:
            scope.cwd = None
        elif scope.cwd is not None or target.startswith("/"):
            mounts = w.mounts
            if mounts is None:
                scope.cwd = _paths.lexical(target, scope.cwd or "/", w.home)
            else:  # in a container: climbing its tree; the host directory it is, if one
                base = mounts.inside(scope.cwd) if scope.cwd is not None else "/"
                scope.cwd = mounts.directory(_paths.lexical(target, base, w.home))
        else:
            scope.cwd = None
        # `$PWD` follows the shell's directory (`cd /etc && ls "$PWD"` lists /etc).
        scope.vars["PWD"] = scope.cwd
        return
    if program == "set" and "--" in argv:
        rest = args[argv.index("--") + 1 :]
        scope.positional = None if any(f[1] for f in rest) else [f[0] for f in rest]
        return
    if program in ("read", "mapfile", "readarray", "getopts"):
        for word in argv:
            if not word.startswith("-"):
                scope.vars[word] = None
        return
    if program == "find":
        find(w, k, args, scope, ctx)
        return
    if program in detect.READ_BY_RUNNERS and detect.names_a_task(cmd):
        from . import runners

        runners.task_runner(w, k, scope, ctx)
    elif program in detect.TASK_RUNNERS or detect.names_a_task(cmd):
        from . import scripts

        scripts.task_runner(w, k, scope, ctx)
    if (
        program in _LOCAL_INSTALLERS
        and cmd.subcommand in _LOCAL_INSTALL_VERBS
        and (
            (program, cmd.subcommand) in _INSTALLS_A_DIRECTORY
            or bool(cmd.flags & {"global", "-g", "--global"})
            or any(
                a.startswith(_NAMES_A_DIRECTORY) or "/" in a or a.lower().endswith(PACKAGE_FILES)
                for a in argv
            )
        )
        # `go install module@version` is from the module proxy: named by its path
        and not (program == "go" and any("@" in a for a in argv))
    ):
        # what programs an install of a directory puts on the machine (its manifest)
        from . import installs

        installs.note(w, k, scope)
    elif program == "rake" and any(a.startswith("install") for a in argv):
        from . import installs  # Bundler's `rake install`: the gem its .gemspec builds

        installs.note(w, k, scope)
    elif program.startswith("python") and argv[:1] and argv[0].endswith("setup.py"):
        from . import installs  # `python setup.py install|develop`: the same

        installs.note(w, k, scope)
    if program in _PYTHON_INSTALLERS and cmd.runs:
        # An install that builds the project runs its setup.py: read it as Python, as
        # `python setup.py` is (docs/rules.md "Package installs").
        for path in cmd.runs:
            if path.endswith("/setup.py") and not cmd.dynamic:
                from . import code_text

                code_text.script_file(w, k, "python", (path,), scope, ctx)
                break
    if program in ("tsx", "ts-node", "ts-node-esm"):
        from . import code_text

        code_text.ts_runner(w, k, scope, ctx)
        return
    family = "sh" if detect.is_shell(program) else detect.interpreter(program)
    if family is None:
        if "/" in cmd.program_path and not cmd.dynamic:
            from . import scripts

            scripts.path_script(w, k, args, scope, ctx)
        if program in detect.AWKS:
            prog = next((a for a in argv if not a.startswith("-")), "")
            if detect.awk_runs_commands(prog):
                w.finding(CODE_EXECUTION, code_detail(program, prog), k)
        elif program in ("nc", "ncat", "netcat") and (
            cmd.flags & {"-e", "-c", "--exec", "--sh-exec", "--lua-exec"}
        ):
            w.finding(REVERSE_SHELL, f"{program} runs a program for the connection", k)
        elif program == "socat" and any(
            a.lower().startswith(("exec:", "system:")) or ",exec:" in a.lower() for a in argv
        ):
            w.finding(REVERSE_SHELL, "socat connects a program to a socket", k)
        return
    from . import code_text

    code_text.code_runner(w, k, family, args, env_scope, ctx, stdin=stdin, subst=subst)


# git subcommands that run hooks (shell/githooks.py HOOKS, kept here so that `git diff`
# and `git log` import nothing more). `git status` is one: refreshing the index runs
# post-index-change, a hook an agent could write into a core.hooksPath inside the project.
GIT_HOOK_SUBCOMMANDS = frozenset({"commit", "merge", "pull", "rebase", "cherry-pick", "revert",
                               "am", "checkout", "switch", "worktree", "clone", "push", "fetch",
                               "branch", "tag", "update-ref", "reset", "stash", "restore", "add",
                               "rm", "mv", "apply", "status", "update-index", "describe",
                               "gc", "send-email", "hook"})  # fmt: skip

# Installers that build a Python project with its build backend (setup.py).
# Installs that may name a directory on disk (shell.installs reads its manifest; the module
# is imported only when the subcommand is one of these).
_LOCAL_INSTALLERS = frozenset(
    {"pip", "pip3", "pipx", "pipenv", "uv", "poetry", "pdm", "npm", "pnpm", "yarn", "bun",
     "cargo", "go", "gem"}
)  # fmt: skip
_LOCAL_INSTALL_VERBS = frozenset(
    {"install", "inject", "upgrade", "reinstall", "pip install", "pip sync", "tool", "add",
     "sync", "link",
     "global", "i", "in", "ins", "up", "update"}
)  # fmt: skip
# Installs of a directory that need not name it (the project, the cwd's package).
_INSTALLS_A_DIRECTORY = frozenset(
    {("uv", "sync"), ("uv", "pip sync"), ("poetry", "install"), ("pdm", "install"), ("pdm", "sync"),
     ("npm", "link"), ("pnpm", "link"), ("yarn", "link"), ("bun", "link"), ("go", "install")}
)  # fmt: skip
# Words that name a directory to install (a path, an editable one, cargo's --path).
_NAMES_A_DIRECTORY = (
    ".", "/", "file:", "-e", "--editable", "--path", "--from", "--spec", "-r", "--requirement"
)  # fmt: skip
# Package files an install may name (shell.installs ARCHIVES).
PACKAGE_FILES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz", ".gem")
_PYTHON_INSTALLERS = frozenset({"pip", "pip3", "uv", "poetry", "pdm", "pipenv"})


def find(w: Walker, k: int, args: list[Field], scope: Scope, ctx: Ctx) -> None:
    """``find``: start paths, ``-exec``/``-ok`` commands, ``-delete``."""
    cmd = w.commands[k]
    argv = list(cmd.argv)
    starts: list[str] = []
    primaries: set[str] = set()
    i = 0
    # Options before the start paths (GNU -H -L -P -D X -O3, BSD -E -X -d -s -x -f PATH):
    # `find -L /etc -name x -exec rm {} +` starts at /etc, following symlinks.
    while i < len(argv):
        a = argv[i]
        if a in _FIND_LEADING or (a.startswith("-O") and a[2:].isdigit()):
            primaries.add(a[1:])
            i += 1
        elif a in ("-D", "-f") and i + 1 < len(argv):
            if a == "-f":
                starts.append(argv[i + 1])  # BSD: a start path given as an option
            i += 2
        else:
            break
    while i < len(argv) and not argv[i].startswith(("-", "(", "!")):
        starts.append(argv[i])
        i += 1
    skip_to_end = False
    values = 0
    for a in argv[i:]:
        if values:
            values -= 1  # `-name -delete` looks for files named "-delete"
        elif skip_to_end:
            skip_to_end = a not in (";", "+")
        elif a.startswith("-") and len(a) > 1:
            primaries.add(a.lstrip("-"))
            skip_to_end = a in ("-exec", "-execdir", "-ok", "-okdir")
            values = _find_values(a)
    cmd.flags = frozenset(primaries)
    cmd.positionals = tuple(starts)
    # What it deletes or runs on may lie beyond a symlink, or its start paths were not read
    # (options before them): marked for rules that trust the start paths (policy/gitloss.py).
    links = bool(primaries & {"L", "H", "follow"})
    follows = FIND_FOLLOWS if links or not starts else frozenset()
    start_paths = tuple(p for s in (starts or ["."]) for p in w.path_forms(s, scope))
    cmd.paths = dedupe((*start_paths, *(r.target for r in cmd.redirects if r.target)))
    # `find . -name .env -exec cat {} \;` reads files of that name under the start paths.
    names = [
        argv[j + 1]
        for j in range(i, len(argv) - 1)
        if argv[j] in ("-name", "-iname") and "/" not in argv[j + 1] and argv[j + 1]
    ]
    named = tuple(f"{p.rstrip('/')}/{n}" for p in start_paths for n in names)
    # `-name`, `-newer`, `-size`, ...: find picks some files; without any, all of them
    selects = any(p in _FIND_SELECTS or p.startswith("newer") for p in primaries)
    while i < len(argv):
        word = argv[i]
        i += 1 + _find_values(word)
        if word in ("-exec", "-execdir", "-ok", "-okdir"):
            end = i
            while end < len(argv) and argv[end] not in (";", "+"):
                end += 1
            written = args[i:end]
            inner = [(f[0], f[1] or "{}" in f[0]) for f in written]
            i = end + 1
            first = len(w.commands)
            if inner:
                run(
                    w,
                    inner,
                    False,
                    scope,
                    scope.copy(),
                    ctx.nested(f"find {word}", keep_pipes=True),
                    redirects=[],
                    stdin=None,
                    assignments=(),
                    text=cmd.text,
                    subst={},
                    # without {} every word is known (`find . -exec bash build.sh \;` runs
                    # it once per file); -execdir runs it in each file's directory
                    inner_args_dynamic=word in ("-execdir", "-okdir")
                    or any("{}" in f[0] for f in written),
                )
                # -ok/-okdir prompt on the terminal for each file
                static = not cmd.dynamic and word in ("-exec", "-execdir")
                found_files(w, first, written, start_paths, named, static=static)
                # (a find that follows symlinks hands over files it reached through them)
                if word == "-exec" and not cmd.dynamic and not links:
                    file_operands(w, first, written, starts, start_paths, named, selects)
                for found in w.commands[first:]:
                    found.flags = found.flags | follows
        elif word == "-delete":
            rm = Command(
                "rm",
                "rm",
                tuple(starts),
                flags=frozenset({"delete"}) | follows,
                positionals=tuple(starts),
                paths=start_paths,
                via=(*ctx.via, "find -delete"),
                text=cmd.text,
                dynamic=cmd.dynamic,
            )
            w.add(rm, ctx)


def file_operands(
    w: Walker,
    k: int,
    written: list[Field],
    starts: list[str],
    start_paths: tuple[str, ...],
    named: tuple[str, ...],
    selects: bool,
) -> None:
    """``find . -name 'x*.json' -exec rm {} \\;``, ``find lib -exec ln -f {} out \\;``: for
    a program whose operands are files (rm, chmod, mv, cp, ln, install, ...), ``{}`` is a
    file under find's start paths, which are already its paths: nothing of the command is
    left to run time, so it is judged as that program on those files (``rm`` of files
    under ``.``), not as a command with unknown words. Every other word must be known,
    each ``{}`` a whole operand (the source of ``ln -s`` may be link text around it:
    ``ln -s ../../{} dir``), never a mode, owner or option value; a start ending in
    ``..`` (``{}`` is then ``..`` itself, a name leading out of a destination) keeps it
    unknown. A copier's files of a ``-name`` (START/NAME) are its paths too. rm without a
    selecting test (``-name``, ``-newer``, ...) deletes every file
    under the start paths: it gets the flag ``recursive``, as ``rm -r`` would."""
    if k >= len(w.commands) or not start_paths:
        return
    inner = w.commands[k]
    program = inner.program
    if program not in FILE_OPERANDS or inner.program_files or len(written) < 2:
        return
    if any(s.rstrip("/").rsplit("/", 1)[-1] in ("..", "") for s in starts or ["."]):
        return  # `find ..`, `find /`: {} is `..` or the root itself
    words = written[1:]
    if any(dyn and "{}" not in text for text, dyn in words):
        return  # a word only known at run time ($x) besides {}
    pos = list(inner.positionals)
    braces = [i for i, p in enumerate(pos) if "{}" in p]
    if sum(1 for text, _ in words if "{}" in text) != len(braces):
        return  # {} as an option's value (`cp -t {}`, `install -m {}`)
    symbolic = program == "ln" and "symbolic" in inner.flags
    last = len(pos) - 1
    for i in braces:
        bare = pos[i] == "{}"
        if program in ("chmod", "chown", "chgrp") and i == 0:
            return  # the mode or owner
        if not bare and not (symbolic and i < last):
            return  # `{}.bak`: a name beside the file, not under the start paths
    inner.dynamic = False
    if program in ("ln", "install") and any(pos[i] == "{}" for i in braces):
        inner.paths = dedupe((*inner.paths, *start_paths))
    if program in ("cp", "mv", "ln", "install"):
        # `find ~ -name id_rsa -exec cp {} /tmp \;` copies files of that name
        inner.paths = dedupe((*inner.paths, *named))
    if any("{}" in p for p in inner.writes):
        # `cp {} out/`: out/NAME for each file; `cp x {}`: the files themselves
        if pos and pos[last] == "{}":
            kept = tuple(p for p in inner.writes if "{}" not in p)
            inner.writes = dedupe((*kept, *start_paths))
        else:
            inner.writes = dedupe(tuple(p.replace("{}", "*") for p in inner.writes))
    if program in ("rm", "srm", "shred", "unlink") and not selects:
        inner.flags = inner.flags | {"recursive"}


# Programs whose operands are files (TAKES_FILES, and the linkers and installers, whose
# last operand is where they write): given {} by find -exec, they act on files under its
# start paths (file_operands).
FILE_OPERANDS = frozenset({"rm", "shred", "unlink", "rmdir", "chmod", "chown", "chgrp", "mv",
                           "cp", "truncate", "srm", "ln", "install"})  # fmt: skip
# find's tests that choose files (by name, path, time, size, owner, ...): a find with none
# of them acts on every file under its start paths.
_FIND_SELECTS = frozenset(
    {
        *("name", "iname", "path", "ipath", "wholename", "iwholename", "regex", "iregex"),
        *("lname", "ilname", "newer", "anewer", "cnewer", "samefile", "perm", "user"),
        *("group", "uid", "gid", "inum", "links", "size", "atime", "ctime", "mtime", "amin"),
        *("cmin", "mmin", "used", "empty", "nouser", "nogroup", "context"),
    }
)


# find's options written before its start paths that take no value (GNU, BSD).
_FIND_LEADING = frozenset({"-H", "-L", "-P", "-E", "-X", "-d", "-s", "-x"})
# find's tests and actions that take operands (from its manual): their values are data.
_FIND_VALUED = frozenset(
    [
        "-name",
        "-iname",
        "-path",
        "-ipath",
        "-wholename",
        "-iwholename",
        "-regex",
        "-iregex",
        "-lname",
        "-ilname",
        "-newer",
        "-anewer",
        "-cnewer",
        "-samefile",
        "-perm",
        "-type",
        "-xtype",
        "-user",
        "-group",
        "-uid",
        "-gid",
        "-inum",
        "-links",
        "-size",
        "-atime",
        "-ctime",
        "-mtime",
        "-amin",
        "-cmin",
        "-mmin",
        "-used",
        "-maxdepth",
        "-mindepth",
        "-fstype",
        "-context",
        "-printf",
        "-fprint",
        "-fprint0",
        "-fls",
        "-regextype",
        "-files0-from",
    ]
)


def _find_values(word: str) -> int:
    """How many operands find's test or action ``word`` takes (``-fprintf FILE FORMAT``)."""
    if word == "-fprintf":
        return 2
    if word in _FIND_VALUED or (word.startswith("-newer") and len(word) == 8):
        return 1
    return 0


# Programs that act on the files they are given: given what find lists, they act on files
# under find's start paths.
TAKES_FILES = frozenset(
    {"rm", "shred", "unlink", "rmdir", "chmod", "chown", "chgrp", "mv", "cp", "truncate", "srm"}
)


def found_files(
    w: Walker,
    k: int,
    written: list[Field],
    start_paths: tuple[str, ...],
    named: tuple[str, ...] = (),
    *,
    static: bool = False,
) -> None:
    """``find START -exec rm -rf {} +``: the files ``{}`` stands for are under START, so
    START are the command's paths (as for ``-delete``); it stays ``dynamic`` (which files is
    only known at run time), so deny rules see it and allow rules do not. ``named``
    (START/NAME for each ``-name NAME``) are the files any command given ``{}`` touches
    (`-name .env -exec cat {}` reads .env files)."""
    if k >= len(w.commands) or not start_paths:
        return
    inner = w.commands[k]
    given = any("{}" in f[0] for f in written)
    if inner.program in TAKES_FILES and any(f[0] == "{}" for f in written):
        inner.paths = dedupe((*inner.paths, *start_paths))
    if given and named and inner.program not in NAMES_ONLY | TAKES_FILES:
        inner.paths = dedupe((*inner.paths, *named))  # deleters have START already
    # `find src -exec cat {} +`: a reader of the files under START, every other word known;
    # `find src -exec black {} +`: any other program (not a deleter or mover: those have
    # START above) given those files (each begins with START: no option can hide in one).
    if (
        static
        and inner.program
        and inner.program not in TAKES_FILES
        and not inner.program_files
        and any(f[0] == "{}" for f in written)
        and all(not f[1] and ("{}" not in f[0] or f[0] == "{}") for f in written)
    ):
        if not named:  # else START/NAME, added above
            inner.paths = dedupe((*inner.paths, *start_paths))
        inner.flags = inner.flags | (INPUT_NAMES if inner.program in READS_NAMES else LISTED_NAMES)


# Programs that only print or test a name they are given, never open the file.
NAMES_ONLY = frozenset(
    {
        *("echo", "printf", "basename", "dirname", "realpath", "readlink", "ls", "stat"),
        *("test", "[", "du"),
    }
)


# Build systems whose operands are labels (//pkg:target) rather than files.
_LABEL_BUILDERS = frozenset({"bazel", "bazelisk", "buck2", "pants"})


def command_paths(
    w: Walker,
    cmd: Command,
    args: list[Field],
    parsed: flags.ParsedArgs,
    redirects: list[Redirect],
    scope: Scope,
) -> tuple[str, ...]:
    """The paths a command names: path-like operands, option values, redirects. A program
    told to change directory first (``uv --directory DIR``, ``git -C DIR``) names its other
    relative paths from there."""
    dynamic_words = {f[0] for f in args if f[1]}
    chdir = _CHDIR_OPTIONS.get(cmd.program, ())
    base = scope
    for name, value in parsed.option_values if chdir else ():
        if name in chdir and value not in dynamic_words and (value.startswith("/") or base.cwd):
            base = base.copy()
            base.cwd = w.place(value, base.cwd or "/")
    candidates: list[str] = []
    if cmd.program not in _NO_PATH_OPERANDS:
        operands = [] if cmd.program in _OPERANDS_NOT_PATHS else list(parsed.positionals)
        given = _PATTERN_OPTIONS.get(cmd.program, frozenset()) & parsed.flags
        if cmd.program == "yq" and operands[:1] and operands[0] in ("eval", "e", "eval-all", "ea"):
            operands = operands[1:]  # `yq eval '.key' f.yaml`: the expression comes next
        if cmd.program in _FIRST_OPERAND_NOT_PATH and operands and not given:
            operands = operands[1:]
        if (cmd.program, cmd.subcommand) == ("git", "grep") and not {"-e", "-f"} & parsed.flags:
            operands = operands[1:]  # `git grep PATTERN -- PATHS`
        if cmd.program == "dd":
            operands = [o.split("=", 1)[1] for o in operands if o.startswith(("if=", "of="))]
        if cmd.program in _LABEL_BUILDERS:
            # bazel //pkg:target, @repo//x, :target are build labels, not files.
            operands = [o for o in operands if not o.startswith(("//", "@", ":", "-"))]
        candidates.extend(operands)
        for name, value in parsed.option_values:
            if not flags.value_is_path(cmd.program, name):
                continue
            if cmd.program in ("docker", "podman") and name in ("-v", "--volume"):
                value = value.split(":", 1)[0]
            if value and not any(c.isspace() for c in value) and name not in chdir:
                candidates.append(value)
    out: list[str] = []
    for name, value in parsed.option_values if chdir else ():
        if name in chdir and value not in dynamic_words:
            out.extend(w.path_forms(value, scope))  # the directory itself, from the cwd
    for word in candidates:
        if word in dynamic_words or word == "-":
            continue
        out.extend(w.path_forms(word, base))
    for word in cmd.argv:
        if word[:5].lower() == "file:" and word not in dynamic_words:
            out.extend(w.path_forms(_file_url_path(word), scope))
    # `rm -rf build 2>/dev/null`: output thrown away or shown is no file the command acts on
    out.extend(r.target for r in redirects if r.target and r.target not in _SINKS)
    return dedupe(tuple(out))


# Options that make a program change directory before it does anything, so that its other
# relative paths name files there (each tool's documentation; git's -C accumulate).
_CHDIR_OPTIONS: dict[str, tuple[str, ...]] = {
    "uv": ("--directory",),
    "git": ("-C",),
    "go": ("-C",),
    "cargo": ("-C",),
    "poetry": ("-C", "--directory"),
    "pnpm": ("-C", "--dir"),
    "yarn": ("--cwd",),
    "bun": ("--cwd",),
}

_SINKS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr"})


def _file_url_path(url: str) -> str:
    """The local path of a ``file:`` URL (``file:///etc/passwd``, ``file://localhost/x``,
    ``file:/x``), percent-decoded; "" when it names another host."""
    from urllib.parse import unquote

    rest = url[5:].replace("\\", "/")
    if rest.startswith("//"):
        host, _, path = rest[2:].partition("/")
        if host.lower() not in ("", "localhost"):
            return ""
        rest = "/" + path
    return unquote(rest.split("?", 1)[0].split("#", 1)[0]) if rest.startswith("/") else ""


def _program_name(path_word: str) -> str:
    """The program's name: the base name, lower-cased and without ``.exe`` when that is a
    program the analyzer knows (macOS file systems ignore case: ``RM -rf /`` runs rm
    there)."""
    name = path_word.rstrip("/").rsplit("/", 1)[-1] if "/" in path_word else path_word
    lower = name.lower()
    if lower.endswith(".exe") and lower[:-4] in _KNOWN_PROGRAMS:
        return lower[:-4]  # "C:/Program Files/Git/bin/git.exe" (Git Bash, WSL) is git
    return lower if lower != name and lower in _KNOWN_PROGRAMS else name


def _quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"
