"""Scripts a command runs, read from disk and analysed as shell with the rest of the line.

``bash x.sh`` / ``sh x.sh`` (and the other sh-compatible shells), ``source f`` / ``. f``,
``./x.sh`` (a shell shebang, or none), ``make [target]`` (the target's recipe and its
prerequisites' recipes), ``npm run X`` / ``npm test`` / ``yarn X`` / ``pnpm X`` / ``bun run
X`` (the package.json script with its pre/post scripts), ``just [recipe]``: the code is
walked like the command line itself, so its commands become units judged by the same rules,
each with ``origin`` "FILE:LINE". The other task runners (hatch, pdm, rye, poe, taskipy,
cargo aliases, deno, composer, go-task, mise, entry points) are in :mod:`.runners`, which
reads through :func:`read` and walks through :func:`walk`.

Reading stays cheap and bounded (the hook has a few seconds): a regular file, at most
:data:`MAX_BYTES` each, :data:`MAX_FILES` files and :data:`MAX_TOTAL_BYTES` per analysis,
scripts nested at most :data:`MAX_NESTING` deep. A script that is not there is judged as
the command alone (nothing of it runs, or the tool fails); one that is there but is not read
(too big, binary, not UTF-8, over the limits) is judged as the command alone plus a
``script_unread`` finding, and one the same line writes first gets ``script_written``.
A script read but not fully understood fails closed like the command line would
(``unparseable`` / ``too_complex``, naming the file and line, never its text).
"""

from __future__ import annotations

import os
import stat

from .. import observe
from ..files import read_regular
from . import astral, taskfiles
from .detect import PACKAGE_MANAGERS, SH_FAMILY
from .model import SCRIPT_UNREAD, SCRIPT_WRITTEN
from .state import Scope
from .taskfiles import shebang_program
from .words import IFS_DEFAULT

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from .model import Command
    from .state import Ctx, Walker
    from .words import Field

MAX_BYTES = 256 * 1024  # one file
MAX_TOTAL_BYTES = 1024 * 1024  # every file read for one command line
MAX_FILES = 32  # files read for one command line
MAX_NESTING = 8  # a script running a script running a script ...

# yarn / pnpm subcommands of their own: "yarn add" is not a script named "add".
_OWN_SUBCOMMANDS = frozenset(
    [
        "add",
        "audit",
        "autoclean",
        "bin",
        "cache",
        "config",
        "create",
        "dedupe",
        "dlx",
        "exec",
        "fetch",
        "global",
        "help",
        "import",
        "info",
        "init",
        "install",
        "link",
        "list",
        "licenses",
        "login",
        "logout",
        "ls",
        "outdated",
        "owner",
        "pack",
        "patch",
        "prune",
        "publish",
        "rebuild",
        "remove",
        "root",
        "run",
        "set",
        "store",
        "unlink",
        "up",
        "update",
        "upgrade",
        "upgrade-interactive",
        "version",
        "versions",
        "why",
        "workspace",
        "workspaces",
        "env",
        "setup",
        "server",
        "deploy",
    ]
)
_NPM_SCRIPT_SUBCOMMANDS = {"test": "test", "t": "test", "tst": "test", "start": "start",
                           "stop": "stop", "restart": "restart"}  # fmt: skip

# Installs run the project's own lifecycle scripts (docs/rules.md "Package installs"): the
# verbs that install, for each package manager, and the scripts read, in the order they run.
# A verb's spelling is listed as the analyzer may leave it (npm's aliases are canonical).
_INSTALL_VERBS: dict[str, frozenset[str]] = {
    "npm": frozenset(["install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta",
                      "isntal", "isntall", "add", "ci", "clean-install", "ic", "install-clean",
                      "isntall-clean", "update", "up", "upgrade", "udpate", "rebuild", "rb",
                      "install-test", "it", "install-ci-test", "cit", "uninstall", "un",
                      "remove", "rm", "r", "dedupe", "ddp"]),
    "pnpm": frozenset(["install", "i", "add", "update", "up", "upgrade", "rebuild", "rb",
                       "install-test", "it", "remove", "rm", "uninstall", "un", "dedupe",
                       "import"]),
    "yarn": frozenset(["install", "add", "upgrade", "up", "remove", "import", "dedupe"]),
    "bun": frozenset(["install", "i", "add", "a", "update", "remove", "rm"]),
}  # fmt: skip
LIFECYCLE_SCRIPTS = ("preinstall", "install", "postinstall", "prepublish", "preprepare",
                     "prepare", "postprepare")  # fmt: skip
_INSTALL_AND_TEST = frozenset(["install-test", "it", "install-ci-test", "cit"])


def read(
    w: Walker,
    k: int,
    forms: tuple[str, ...],
    *,
    what: str,
    unread: str = SCRIPT_UNREAD,
    mark: bool = True,
) -> tuple[str, str] | None:
    """The (path, text) of a script command ``k`` runs, or None when it is not read.

    A missing file, a directory or a binary file gives None silently (nothing of it runs as
    shell); any other reason not to read an existing file becomes an ``unread`` finding
    (``script_unread``; Python / JavaScript files: ``code_partial``, which keeps the answer
    the command alone gets). ``mark``: the file becomes the command's ``script`` (False
    for a file only looked up in, such as a config file without the alias wanted)."""
    if not forms or not w.read_scripts:
        return None
    path = forms[0]
    cached = w.file_cache.get(path)
    if cached is not None:
        if mark:
            mark_read(w, k, path)
        return path, cached
    real = astral.decode(path)
    try:
        info: os.stat_result | None = observe.stat(real)
    except (OSError, ValueError):
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        return None  # a directory runs nothing (in a container: a name in some mount)
    if w.written_before(k, forms):
        w.finding(SCRIPT_WRITTEN, f"{what} {path} is written earlier on this line", k)
        return None
    if info is None:
        return None
    why = _over_limits(w, info)
    if why is None and not stat.S_ISREG(info.st_mode):
        why = "is not a regular file"
    data = b""
    if why is None:
        try:
            got = read_regular(real, MAX_BYTES + 1)
        except OSError as exc:
            got, why = b"", f"cannot be read ({exc.strerror or type(exc).__name__})"
        if got is None:
            why = "is not a regular file"
        data = got or b""
    if why is None and len(data) > MAX_BYTES:
        why = f"is over {MAX_BYTES} bytes"
    if why is None and b"\0" in data:
        return None  # a compiled program, not a script
    text = ""
    if why is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            why = "is not UTF-8 text"
    if why is not None:
        w.finding(unread, f"{what} {path} was not read: it {why}", k)
        return None
    w.files_read += 1
    w.bytes_read += len(data)
    w.file_cache[path] = text
    if mark:
        mark_read(w, k, path)
    return path, text


def mark_read(w: Walker, k: int, path: str) -> None:
    """Record on command ``k`` the first file of it that was read (its ``script``)."""
    if 0 <= k < len(w.commands) and w.commands[k].script is None:
        w.commands[k].script = path


def _over_limits(w: Walker, info: os.stat_result) -> str | None:
    if w.files_read >= MAX_FILES:
        return f"is past the limit of {MAX_FILES} files read for one command"
    if len(w.script_stack) >= MAX_NESTING:
        return f"is nested more than {MAX_NESTING} scripts deep"
    if w.bytes_read + min(info.st_size, MAX_BYTES) > MAX_TOTAL_BYTES:
        return f"is past the limit of {MAX_TOTAL_BYTES} bytes read for one command"
    return None


def walk(w: Walker, line: taskfiles.Line, scope: Scope, ctx: Ctx, key: str, label: str) -> None:
    """Walk one piece of script text as shell, its commands marked with its file:line."""
    if key in w.script_stack:
        return  # a script running itself: its commands are being listed already
    text = line.text
    if astral.needs_encoding(text):
        if astral.ambiguous(text):
            from .state import Unparseable

            raise Unparseable(f"{line.file}:{line.line} mixes astral and private-use characters")
        text = astral.encode(text)
        w.encoded = True
    w.script_stack.append(key)
    try:
        w.walk.source(w, text, scope, ctx.nested(label), (line.file, line.line))
    finally:
        w.script_stack.pop()


def new_shell(w: Walker, cwd: str | None, args: list[Field] | None, zero: str) -> Scope:
    """The scope of a new shell running a script: its arguments as ``$1``...; variables of
    the calling line are not known (only exported ones would be, and which are is not
    tracked)."""
    scope = Scope()
    scope.vars.update({"HOME": w.home, "IFS": IFS_DEFAULT, "0": zero})
    if cwd is not None:
        scope.vars["PWD"] = cwd
    scope.cwd = cwd
    if args is not None:
        scope.positional = None if any(f[1] for f in args) else [f[0] for f in args]
    return scope


# ---------------------------------------------------------------- shell files


def shell_file(
    w: Walker, k: int, forms: tuple[str, ...], args: list[Field], scope: Scope, ctx: Ctx
) -> None:
    """``bash x.sh ARGS``: a new shell runs the file, whatever its shebang."""
    cmd = w.commands[k]
    got = read(w, k, forms, what="script")
    if got is None:
        return
    path, text = got
    inner = new_shell(w, scope.cwd, args, path)
    name = path.rsplit("/", 1)[-1]
    walk(w, taskfiles.Line(text, path, 1), inner, ctx, path, f"{cmd.program} {name}")


def sourced_file(
    w: Walker, k: int, forms: tuple[str, ...], args: list[Field], scope: Scope, ctx: Ctx
) -> None:
    """``source f ARGS`` / ``. f``: this shell runs the file (what it sets stays set)."""
    got = read(w, k, forms, what="sourced file")
    if got is None:
        return
    path, text = got
    saved = scope.positional
    if args:
        scope.positional = None if any(f[1] for f in args) else [f[0] for f in args]
    name = path.rsplit("/", 1)[-1]
    try:
        walk(w, taskfiles.Line(text, path, 1), scope, ctx, path, f"source {name}")
    finally:
        if args:
            scope.positional = saved


def path_script(w: Walker, k: int, args: list[Field], scope: Scope, ctx: Ctx) -> None:
    """``./x.sh ARGS``: run as shell when its shebang names a sh-compatible shell, or when
    it has none (the shell then runs a text file itself)."""
    cmd = w.commands[k]
    forms = w.path_forms(cmd.program_path, scope)
    if not forms or not w.read_scripts:
        return
    real = astral.decode(forms[0])
    try:
        head = read_regular(real, 256) if stat.S_ISREG(observe.stat(real).st_mode) else None
    except (OSError, ValueError):
        if w.written_before(k, forms):
            w.finding(SCRIPT_WRITTEN, f"program {forms[0]} is written earlier on this line", k)
        return
    if head is None:
        return  # a FIFO or a device: nothing a shell reads as a script
    if head.startswith(b"#!") and shebang_program(head) not in SH_FAMILY:
        return  # python, node, ...: not shell; judged as the command alone
    if b"\0" in head:
        return
    got = read(w, k, forms, what="script")
    if got is None:
        return
    path, text = got
    inner = new_shell(w, scope.cwd, args, path)
    name = path.rsplit("/", 1)[-1]
    walk(w, taskfiles.Line(text, path, 1), inner, ctx, path, f"./{name}")


# ---------------------------------------------------------------- task runners


def task_runner(w: Walker, k: int, scope: Scope, ctx: Ctx) -> None:
    """make, npm/yarn/pnpm/bun scripts, just recipes and cmake's link scripts the command
    ``k`` runs (the other task runners: :mod:`.runners`)."""
    if not w.read_scripts:
        return
    cmd = w.commands[k]
    try:
        if cmd.program in ("make", "gmake"):
            _make(w, k, cmd, scope, ctx)
        elif cmd.program in PACKAGE_MANAGERS:
            _package(w, k, cmd, scope, ctx)
        elif cmd.program == "just":
            _just(w, k, cmd, scope, ctx)
        elif cmd.program == "cmake":
            _cmake_link_script(w, k, cmd, scope, ctx)
    except taskfiles.Unreadable as exc:
        w.finding(SCRIPT_UNREAD, f"{cmd.program}: {exc}", k)


def _shell_lookup(scope: Scope) -> object:
    def lookup(name: str) -> str | bool | None:
        if name in scope.vars:
            return scope.vars[name]
        return False

    return lookup


def _make(w: Walker, k: int, cmd: Command, scope: Scope, ctx: Ctx) -> None:
    goals, makefile, directory, overrides = taskfiles.make_goals(cmd.argv)
    if cmd.dynamic or scope.cwd is None:
        return  # which Makefile, or which targets, is only known at run time
    if makefile in ("-", "/dev/stdin"):
        w.finding(SCRIPT_UNREAD, "make reads its Makefile from stdin", k)
        return
    cwd = scope.cwd
    if directory is not None:
        cwd = w.place(directory, cwd)
    candidates = [makefile] if makefile else ["GNUmakefile", "makefile", "Makefile"]
    got = None
    for name in candidates:
        forms = _forms(w, name, cwd)
        if forms and exists(forms[0]):
            got = read(w, k, forms, what="Makefile")
            break
    if got is None:
        return
    path, text = got

    def read_include(name: str) -> tuple[str, str] | None:
        forms = _forms(w, name, cwd)
        return read(w, k, forms, what="included Makefile") if forms else None

    lookup = _shell_lookup(scope)
    mk = taskfiles.Makefile(
        overrides,
        lookup,  # type: ignore[arg-type]
        read_include,
        environ=lambda name: observe.env(name) is not None,
    )
    mk.parse(path, text)
    lines = mk.goal_lines(goals)
    label = "make " + (" ".join(goals) if goals else "(default goal)")
    for line in [*mk.shell_lines, *lines]:
        walk(w, line, new_shell(w, cwd, None, "sh"), ctx, f"{path}:{line.line}", label)


def _cmake_link_script(w: Walker, k: int, cmd: Command, scope: Scope, ctx: Ctx) -> None:
    """``cmake -E cmake_link_script FILE``: the link commands cmake generated into FILE
    (``link.txt``), which a cmake build directory's Makefile runs; each line a command."""
    argv = list(cmd.argv)
    if cmd.dynamic or scope.cwd is None or "cmake_link_script" not in argv:
        return
    rest = argv[argv.index("cmake_link_script") + 1 :]
    if not rest or rest[0].startswith("-"):
        return
    got = read(w, k, _forms(w, rest[0], scope.cwd), what="cmake link script")
    if got is None:
        return
    path, text = got
    inner = new_shell(w, scope.cwd, None, "sh")
    walk(w, taskfiles.Line(text, path, 1), inner, ctx, path, "cmake link script")


def install_verb(cmd: Command) -> str | None:
    """The install verb when ``cmd`` is a package manager's install of the project (one that
    runs the project's lifecycle scripts): ``npm ci``, ``pnpm add x``, a bare ``yarn``, ...;
    None for anything else, a global install and ``--ignore-scripts``."""
    verbs = _INSTALL_VERBS.get(cmd.program)
    if verbs is None:
        return None
    sub = cmd.subcommand
    if sub is None and cmd.program == "yarn" and not cmd.positionals:
        sub = "install"  # a bare `yarn` installs
    if sub is None or sub not in verbs:
        return None
    flags = cmd.flags
    if flags & {"global", "-g", "--global", "ignore-scripts", "--ignore-scripts"}:
        return None
    if any(a in ("--location=global", "--mode=skip-build") for a in cmd.argv):
        return None
    return sub


def _install_scripts(w: Walker, k: int, cmd: Command, verb: str, scope: Scope, ctx: Ctx) -> None:
    """The project's lifecycle scripts an install runs, walked as shell (file:line)."""
    if cmd.dynamic or scope.cwd is None:
        return
    argv = list(cmd.argv)
    where = option(argv, {"--prefix", "--cwd", "-C", "--dir"})
    start = w.place(where, scope.cwd) if where else scope.cwd
    manifest = find_up(start, ("package.json",))
    if manifest is None:
        return
    got = read(w, k, (manifest,), what="package.json")
    if got is None:
        return
    path, text = got
    names: tuple[str, ...] = LIFECYCLE_SCRIPTS
    if cmd.program == "pnpm":
        names = ("pnpm:devPreinstall", *names)
    elif cmd.program == "npm":
        names = (*names, "dependencies")  # npm 8+: after node_modules changed
    if verb in _INSTALL_AND_TEST:
        names = (*names, "pretest", "test", "posttest")
    lines = taskfiles.lifecycle_scripts(text, path, names)
    pkg_dir = path.rsplit("/", 1)[0] or "/"
    label = f"{cmd.program} {verb} (install scripts)"
    for line in lines:
        walk(w, line, new_shell(w, pkg_dir, None, "sh"), ctx, f"{path}#install", label)


def _package(w: Walker, k: int, cmd: Command, scope: Scope, ctx: Ctx) -> None:
    verb = install_verb(cmd)
    if verb is not None:
        _install_scripts(w, k, cmd, verb, scope, ctx)
        return
    argv = list(cmd.argv)
    sub = cmd.subcommand
    positionals = list(cmd.positionals)
    name: str | None = None
    extra: list[str] = []
    if sub in ("run", "run-script", "rum", "urn"):
        if not positionals:
            return
        name = positionals[0]
        extra = _after(argv, name, cmd.program)
    elif cmd.program == "npm" and sub in _NPM_SCRIPT_SUBCOMMANDS:
        name = _NPM_SCRIPT_SUBCOMMANDS[sub]
        extra = _after(argv, sub, cmd.program)
    elif cmd.program in ("yarn", "pnpm") and sub is not None and sub not in _OWN_SUBCOMMANDS:
        name = sub  # "yarn build": a script, when the package has one
        extra = _after(argv, sub, cmd.program)
    if name is None or cmd.dynamic or scope.cwd is None:
        return
    where = option(argv, {"--prefix", "--cwd", "-C", "--dir"})
    start = w.place(where, scope.cwd) if where else scope.cwd
    manifest = find_up(start, ("package.json",))
    if manifest is None:
        return
    got = read(w, k, (manifest,), what="package.json")
    if got is None:
        return
    path, text = got
    lines = taskfiles.package_script(text, path, name, extra)
    pkg_dir = path.rsplit("/", 1)[0] or "/"
    label = f"{cmd.program} run {name}"
    for line in lines:
        walk(w, line, new_shell(w, pkg_dir, None, "sh"), ctx, f"{path}#{name}", label)


def _just(w: Walker, k: int, cmd: Command, scope: Scope, ctx: Ctx) -> None:
    if cmd.dynamic or scope.cwd is None:
        return
    argv = list(cmd.argv)
    file_opt = option(argv, {"-f", "--justfile"})
    workdir = option(argv, {"-d", "--working-directory"})
    operands = _just_operands(argv)
    if file_opt:
        justfile: str | None = w.place(file_opt, scope.cwd)
    else:
        justfile = find_up(scope.cwd, ("justfile", "Justfile", ".justfile", "JUSTFILE"))
    if justfile is None:
        return
    got = read(w, k, (justfile,), what="justfile")
    if got is None:
        return
    path, text = got
    name = operands[0] if operands else None
    lines = taskfiles.just_lines(text, path, name, operands[1:])
    cwd = w.place(workdir, scope.cwd) if workdir else path.rsplit("/", 1)[0]
    for line in lines:
        if not line.shell:
            w.finding(SCRIPT_UNREAD, f"just recipe at {path}:{line.line} is not shell", k)
            continue
        walk(
            w,
            line,
            new_shell(w, cwd, None, "sh"),
            ctx,
            f"{path}:{line.line}",
            "just " + (name or "(default)"),
        )


# ---------------------------------------------------------------- helpers


def _forms(w: Walker, name: str, cwd: str) -> tuple[str, ...]:
    scope = Scope()
    scope.cwd = cwd
    return w.path_forms(name, scope)


def exists(path: str) -> bool:
    """Whether ``path`` (an analysis form, astral-encoded) exists on disk."""
    try:
        return observe.kind(astral.decode(path)) is not None
    except ValueError:
        return False


def find_up(start: str, names: tuple[str, ...]) -> str | None:
    """The nearest ``names`` file in ``start`` or a directory above it."""
    current = start
    for _ in range(64):
        for name in names:
            candidate = current.rstrip("/") + "/" + name
            if observe.kind(astral.decode(candidate)) == stat.S_IFREG:
                return candidate
        if current in ("/", ""):
            return None
        current = current.rsplit("/", 1)[0] or "/"
    return None


def option(argv: list[str], names: set[str]) -> str | None:
    """The value of the first option in ``names`` (``--opt=v`` or ``--opt v``)."""
    for i, word in enumerate(argv):
        if word == "--":
            return None
        name, eq, value = word.partition("=")
        if name in names:
            if eq:
                return value
            return argv[i + 1] if i + 1 < len(argv) else None
    return None


def _after(argv: list[str], word: str, program: str) -> list[str]:
    """Arguments passed on to the script: after ``--`` (npm), or every word after the
    script's name (yarn, pnpm, bun)."""
    try:
        i = argv.index(word)
    except ValueError:
        return []
    rest = argv[i + 1 :]
    if program == "npm":
        return rest[rest.index("--") + 1 :] if "--" in rest else []
    return rest[1:] if rest[:1] == ["--"] else rest


def _just_operands(argv: list[str]) -> list[str]:
    valued = {"-f", "--justfile", "-d", "--working-directory", "--set", "--shell",
              "--dotenv-filename", "--dotenv-path", "--color", "--command", "-c"}  # fmt: skip
    out: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if word.startswith("-"):
            if word in valued:
                i += 2 if word == "--set" else 1
            continue
        if "=" in word and not out:
            continue  # just VAR=value recipe
        out.append(word)
    return out
