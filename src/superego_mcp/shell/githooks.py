"""The hooks git runs for a command, read and walked as shell like the scripts a command runs.

``git commit`` runs ``pre-commit``, ``prepare-commit-msg``, ``commit-msg``, ``post-commit``
(githooks(5); :data:`HOOKS` maps each subcommand to the hooks it may run). Git runs a hook
when the hooks directory holds an executable file of its name: the directory is
``core.hooksPath`` (``-c``, ``GIT_CONFIG_*`` on the line, the repository's config, the
user's; relative to the work tree's top) or else ``hooks`` in the repository's common
directory. A hook that is shell (a sh-compatible ``#!`` or none) is walked like ``bash x.sh``
(each command a unit with ``origin`` HOOKFILE:LINE, ``via`` ``git hook NAME``); any other
hook (a binary, Python, node) is a ``script_unread`` finding: the bundled policy asks.
husky's generated wrappers are read as what they run (:func:`_husky`).

Cheap: only for the subcommands of :data:`HOOKS`, no subprocess; finding the repository,
its config and one listing of the hooks directory, each through :mod:`superego_mcp.observe`
(the decision cache sees a hook appear or change). No hooks: nothing more is read.
"""

# os.path, not pathlib: the hook path imports what a call needs.
# ruff: noqa: PTH111, PTH118

from __future__ import annotations

import os
import stat

from superego_mcp import observe, project
from superego_mcp.files import read_regular
from superego_mcp.lazyre import LazyPattern

from . import gitconfig, gitpush
from .detect import SH_FAMILY
from .model import SCRIPT_UNREAD, SCRIPT_WRITTEN

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from . import taskfiles
    from .model import Command
    from .state import Ctx, Scope, Walker
    from .words import Field

_REF = "reference-transaction"  # every ref update
_INDEX = "post-index-change"  # the index written
_GC = "pre-auto-gc"  # `git gc --auto`, which commands that add objects run
_COMMIT = ("prepare-commit-msg", "commit-msg", "post-commit")
# What each subcommand may run (a superset is safe: a hook git would not run is only read).
HOOKS: dict[str, tuple[str, ...]] = {
    "commit": ("pre-commit", *_COMMIT, "post-rewrite", _GC, _REF, _INDEX),
    "merge": ("pre-merge-commit", "prepare-commit-msg", "commit-msg", "post-merge", _GC, _REF,
              _INDEX),
    "pull": ("pre-merge-commit", *_COMMIT, "post-merge", "pre-rebase", "post-checkout",
             "post-rewrite", _GC, _REF, _INDEX),
    "rebase": ("pre-rebase", "post-checkout", "post-rewrite", *_COMMIT, _GC, _REF, _INDEX),
    "cherry-pick": (*_COMMIT, _GC, _REF, _INDEX),
    "revert": (*_COMMIT, _GC, _REF, _INDEX),
    "am": ("applypatch-msg", "pre-applypatch", "post-applypatch", "post-rewrite", _GC, _REF,
           _INDEX),
    "checkout": ("post-checkout", _REF, _INDEX),
    "switch": ("post-checkout", _REF, _INDEX),
    "worktree": ("post-checkout", _REF),
    "clone": ("post-checkout", _REF),
    "push": ("pre-push", _REF),
    "fetch": (_REF, _GC),
    "branch": (_REF,),
    "tag": (_REF,),
    "update-ref": (_REF,),
    "reset": (_REF, _INDEX),
    "stash": (_REF, _INDEX),
    "restore": (_INDEX,),
    "add": (_INDEX,),
    "rm": (_INDEX,),
    "mv": (_INDEX,),
    "apply": (_INDEX,),
    # These refresh the index's stat data and write it back when it changed, so git runs
    # post-index-change (`git status` after a touch does; checked against git 2.39).
    "status": (_INDEX,),
    "update-index": (_INDEX,),
    "describe": (_INDEX,),
    "gc": (_GC,),
    "send-email": ("sendemail-validate",),
    "hook": (),  # `git hook run NAME`: the hook named
}  # fmt: skip
# Hooks `--no-verify` (commit's `-n`) skips.
_VERIFY = frozenset({"pre-commit", "commit-msg", "pre-merge-commit", "pre-push",
                     "applypatch-msg", "pre-applypatch", "pre-rebase"})  # fmt: skip
_NO_VERIFY = frozenset({"no-verify", "--no-verify"})
# Options before the subcommand that move git elsewhere.
_REPO_OPTIONS = frozenset({"-C", "--git-dir", "--work-tree", "-c", "--config-env"})
# What `$0` gives in a hook, written the ways hooks write it (husky's wrappers among them).
_SELF_DIR = LazyPattern(r'\$\(dirname (?:-- )?"\$0"\)|\$\{0%/\*\}')
_SELF_NAME = LazyPattern(r'\$\(basename (?:-- )?"\$0"\)|\$\{0##\*/\}')
_PLAIN_PATH = LazyPattern(r"[A-Za-z0-9_./@+,:=-]+")
# husky's generated files, by SHA-256: `.husky/_/h` of husky 9 (every release), and the
# `husky.sh` a husky 5-8 hook sources; both run the hook `.husky/NAME` with `sh -e` after
# sourcing the user's own init file, which is what is walked instead.
_HUSKY_H = frozenset({
    "3b2cb21335e544b4", "9db5d129c4eb822a", "b02cb91cab7125a9", "d6aaa6f3f7c11008",
    "548990e1c1128569", "c029a943acea5d6e", "ae3413a8fe2b3937", "70200b200ca709b0",
})  # fmt: skip
_HUSKY_SH = frozenset({"bd0582b49b91218a", "a1a750bf59db7e60", "07b0d18198f64e81",
                       "43ae1bb12191b673", "c1641b48a19909e3"})  # fmt: skip
# The pre-commit framework's bash hook template, less its templated block (INSTALL_PYTHON,
# ARGS), by SHA-256: pre-commit 2.16 to 4.x.
_PRE_COMMIT = frozenset({"46459a41791a47c1"})
_TEMPLATED = LazyPattern(r"(?s)# start templated\n.*?# end templated\n")
_PRE_COMMIT_ARGS = LazyPattern(r"(?m)^ARGS=\(([^()\n]*)\)$")
_HUSKY_WRAPPER = LazyPattern(r'#!/usr/bin/env sh\n\. "(?:\$\{0%/\*\}|\$\(dirname "\$0"\))/h"\n?')
_HUSKY_SOURCE = LazyPattern(r'(?m)^\. "\$\(dirname (?:-- )?"\$0"\)/_/husky\.sh"$')


def run_hooks(w: Walker, k: int, args: list[Field], scope: Scope, ctx: Ctx) -> None:
    """Walk the hooks git command ``k`` (its words ``args``) runs, as git would find them."""
    if not w.read_scripts:
        return
    cmd = w.commands[k]
    names = HOOKS.get(cmd.subcommand or "")
    if names is None or cmd.flags & {"-h", "--help"}:
        return
    if cmd.subcommand == "hook" and cmd.positionals[:1] == ("run",) and len(cmd.positionals) > 1:
        names = (cmd.positionals[1],)
    if cmd.flags & _NO_VERIFY:
        names = tuple(n for n in names if n not in _VERIFY)
    where = _hooks_directory(w, k, cmd, args, scope)
    if where is None:
        return
    hooks_dir, top = where
    try:
        present = set(observe.listdir(hooks_dir))
    except (OSError, ValueError):
        return  # no hooks directory: no hooks
    for name in names:
        if name in present:
            _hook(w, k, f"{hooks_dir.rstrip('/')}/{name}", name, top, ctx)


def _hooks_directory(
    w: Walker, k: int, cmd: Command, args: list[Field], scope: Scope
) -> tuple[str, str] | None:
    """(hooks directory, directory hooks run in), or None when git runs none (a finding
    when which ones is only known at run time)."""
    sub = cmd.subcommand or ""
    argv = [f[0] for f in args]
    at = argv.index(sub) if sub in argv else len(argv)
    if any(f[1] for f in args[:at]) or scope.cwd is None:
        w.finding(SCRIPT_UNREAD, f"git {sub}: which hooks it runs is only known at run time", k)
        return None
    if _config_changed_before(w, k):
        why = f"git {sub}: git's configuration is changed earlier on this line"
        w.finding(SCRIPT_WRITTEN, why, k)
        return None
    directory, gitdir, worktree = scope.cwd, None, None
    for i, word in enumerate(argv[:at]):
        name, eq, value = word.partition("=")
        if name in _REPO_OPTIONS and not eq and i + 1 < at:
            value = argv[i + 1]
        if name == "-C":
            directory = os.path.normpath(os.path.join(directory, os.path.expanduser(value)))
        elif name == "--git-dir":
            gitdir = os.path.join(directory, value)
        elif name == "--work-tree":
            worktree = os.path.join(directory, value)
    for assignment in cmd.assignments:
        name, _, value = assignment.partition("=")
        if name == "GIT_DIR":
            gitdir = os.path.join(directory, value)
        elif name == "GIT_WORK_TREE":
            worktree = os.path.join(directory, value)
    given = _given_hooks_path(w, k, cmd, argv[:at])
    if given is False:
        return None
    hooks_path = given if isinstance(given, str) and given else None
    if sub == "clone":
        template = _option(argv[at + 1 :], "--template")
        hooks_path = hooks_path or _user_hooks_path(w)
        if hooks_path is None and template is not None:
            return _join(w, directory, f"{template}/hooks"), directory
        return None if hooks_path is None else (_join(w, directory, hooks_path), directory)
    if gitdir is not None:
        common = os.path.normpath(gitdir)
        top = worktree or directory
    else:
        repo = gitpush.find_repository(directory)
        if repo is None:
            return None  # not a repository: git refuses
        common = repo.common
        top = worktree or project.git_work_tree(directory) or directory
    top = os.path.normpath(top)
    if hooks_path is None:
        # the repository's own setting wins over the user's (the files it includes too)
        config = os.path.join(common, "config")
        hooks_path = gitconfig.value_of(w, k, config, "core.hookspath") or None
    if hooks_path is None:
        hooks_path = _user_hooks_path(w)
    if hooks_path is None:
        return os.path.join(common, "hooks"), top
    return _join(w, top, hooks_path), top


def _join(w: Walker, base: str, path: str) -> str:
    """``path`` as git takes a path setting: ``~`` is the home, relative to ``base``."""
    if path == "~" or path.startswith("~/"):
        path = w.home.rstrip("/") + path[1:]
    return os.path.normpath(os.path.join(base, path))


def _given_hooks_path(w: Walker, k: int, cmd: Command, before: list[str]) -> str | bool:
    """core.hooksPath set on the command line (``-c``, ``GIT_CONFIG_*`` assignments), ""
    when none is; False when it is only known at run time (a finding)."""
    found = ""
    for i, word in enumerate(before):
        if word == "-c" and i + 1 < len(before):
            key, _, value = before[i + 1].partition("=")
            if key.lower() == "core.hookspath":
                found = value
        elif word.startswith("--config-env") and "core.hookspath" in word.lower():
            w.finding(SCRIPT_UNREAD, "git --config-env core.hooksPath: only known at run time", k)
            return False
    env: dict[str, str] = {}
    for assignment in cmd.assignments:
        name, _, value = assignment.partition("=")
        env[name] = value
    count = env.get("GIT_CONFIG_COUNT", "")
    for n in range(min(int(count), 64) if count.isdigit() else 0):
        if env.get(f"GIT_CONFIG_KEY_{n}", "").lower() == "core.hookspath":
            found = env.get(f"GIT_CONFIG_VALUE_{n}", "")
    return found


def _user_hooks_path(w: Walker) -> str | None:
    """core.hooksPath of the user's configuration (``$XDG_CONFIG_HOME/git/config``, then
    ``~/.gitconfig``, which git reads last), None when it sets none."""
    home = w.home.rstrip("/")
    xdg = observe.env("XDG_CONFIG_HOME") or f"{home}/.config"
    found: str | None = None
    for path in (f"{xdg}/git/config", f"{home}/.gitconfig"):
        value = _configured(gitpush.read_config(path, "hookspath"))
        if value is not None:
            found = value
    return found


def _configured(config: dict[str, str]) -> str | None:
    value = config.get("core.hookspath")
    return value or None


# `git config` keys and options that change which hooks run.
_HOOKS_KEY = LazyPattern(
    r"(?i)^(core\.hookspath|include\.path|includeif\..*)$|^(-e|--edit|-f|--file)$"
)


def _config_changed_before(w: Walker, k: int) -> bool:
    """Whether a command before ``k`` on the line may change which hooks run: ``git config``
    of core.hooksPath or an include, ``git init --template``, a write into a ``.git``."""
    for cmd in w.commands[:k]:
        if cmd.program == "git" and cmd.subcommand == "config":
            if cmd.dynamic or any(_HOOKS_KEY().match(a) for a in cmd.argv):
                return True
        elif cmd.program == "git" and cmd.subcommand == "init" and "--template" in cmd.flags:
            return True
        if any(r.writes and r.target and "/.git/" in r.target for r in cmd.redirects):
            return True
    return False


def _option(argv: list[str], name: str) -> str | None:
    for i, word in enumerate(argv):
        if word.startswith(name + "="):
            return word[len(name) + 1 :]
        if word == name and i + 1 < len(argv):
            return argv[i + 1]
    return None


def _hook(w: Walker, k: int, path: str, name: str, top: str, ctx: Ctx) -> None:
    """One hook file: walked when it is shell git would run; ``script_unread`` when it
    runs something Superego does not read."""
    from . import scripts, taskfiles  # only once a hook is read

    try:
        info = observe.stat(path)
    except (OSError, ValueError):
        return  # a dangling link: git runs nothing
    if not stat.S_ISREG(info.st_mode) or not info.st_mode & 0o111:
        return  # git runs only executable files
    try:
        head = read_regular(path, 256) or b""
    except OSError:
        head = b""
    if b"\0" in head:
        w.finding(SCRIPT_UNREAD, f"git hook {path} is a compiled program: not read", k)
        return
    if head.startswith(b"#!") and (program := taskfiles.shebang_program(head)) not in SH_FAMILY:
        w.finding(SCRIPT_UNREAD, f"git hook {path} runs {program or 'an interpreter'}: not read", k)
        return
    got = scripts.read(w, k, (path,), what="git hook", mark=False)
    if got is None:
        w.finding(SCRIPT_UNREAD, f"git hook {path} was not read", k)
        return
    text = got[1]
    label = f"git hook {name}"
    known = _husky(w, k, path, text)
    if known is None:
        known = _pre_commit(path, text)
        if known is not None:
            _hook(w, k, f"{path}.legacy", name, top, ctx)  # pre-commit runs it too
    if known is not None:
        for line in known:
            _walk(w, line, top, path, ctx, label)
        return
    _walk(w, taskfiles.Line(_fill_self(w, k, text, path), path, 1), top, path, ctx, label)


def _pre_commit(path: str, text: str) -> list[taskfiles.Line] | None:
    """A hook the pre-commit framework installed (its bash template, recognized by the
    SHA-256 of what is not filled in at install time; every release since 2.16): what it
    runs, ``pre-commit hook-impl --config=... --hook-type=...`` (the project's configured
    hooks, judged as running pre-commit is). None: not pre-commit's."""
    from . import taskfiles  # only once a hook is read

    block = _TEMPLATED().search(text)
    if block is None:
        return None
    import hashlib  # only for a pre-commit hook

    rest = text[: block.start()] + text[block.end() :]
    if hashlib.sha256(rest.encode("utf-8")).hexdigest()[:16] not in _PRE_COMMIT:
        return None
    args = _PRE_COMMIT_ARGS().search(block.group(0))
    if args is None:
        return None
    words = args.group(1).split()
    if not all(_PLAIN_PATH().fullmatch(word) for word in words):
        return None
    line = text.count("\n", 0, max(text.find("exec pre-commit"), 0)) + 1
    return [taskfiles.Line("pre-commit " + " ".join(words), path, line)]


def _walk(w: Walker, line: taskfiles.Line, top: str, zero: str, ctx: Ctx, label: str) -> None:
    from . import scripts  # only once a hook is read

    scope = scripts.new_shell(w, top, None, zero)
    scripts.walk(w, line, scope, ctx, line.file, label)


def _fill_self(w: Walker, k: int, text: str, path: str) -> str:
    """The hook's text with what ``$0`` gives (its directory, its name) written in, and a
    husky 5-8 ``. "$(dirname -- "$0")/_/husky.sh"`` line as what it runs: the user's
    ``~/.huskyrc``, then the rest of the hook (husky.sh runs the hook again)."""
    folder, _, name = path.rpartition("/")
    if not _PLAIN_PATH().fullmatch(path):
        return text  # left to the walk: only known at run time
    match = _HUSKY_SOURCE().search(text)
    if match is not None and _digest(w, k, f"{folder}/_/husky.sh") in _HUSKY_SH:
        rc = f"{w.home.rstrip('/')}/.huskyrc"
        line = f". {rc}" if _exists(rc) else ""
        text = text[: match.start()] + line + text[match.end() :]
    text = _SELF_DIR().sub(folder, text)
    return _SELF_NAME().sub(name, text)


def _husky(w: Walker, k: int, path: str, text: str) -> list[taskfiles.Line] | None:
    """husky 9's wrapper ``.husky/_/NAME`` (``. "${0%/*}/h"``) with husky's own ``h`` next
    to it: what ``h`` runs, as lines of ``h``: the user's husky init file when there is one
    (sourced), then ``sh -e .husky/NAME`` when that file exists. None: not husky's."""
    from . import taskfiles  # only once a hook is read

    if not _HUSKY_WRAPPER().fullmatch(text):
        return None
    folder, _, name = path.rpartition("/")
    helper = f"{folder}/h"
    if _digest(w, k, helper) not in _HUSKY_H or not _PLAIN_PATH().fullmatch(path):
        return None
    source = w.file_cache.get(helper, "")
    lines: list[taskfiles.Line] = []
    home = w.home.rstrip("/")
    xdg = observe.env("XDG_CONFIG_HOME") or f"{home}/.config"
    at_init, at_run = _line_of(source, "init.sh"), _line_of(source, "sh -e")
    for init in (f"{xdg}/husky/init.sh", f"{home}/.huskyrc"):
        if _exists(init):
            lines.append(taskfiles.Line(f". {taskfiles.quote(init)}", helper, at_init))
    hook = f"{folder.rpartition('/')[0]}/{name}"
    if _exists(hook):
        lines.append(taskfiles.Line(f"sh -e {taskfiles.quote(hook)}", helper, at_run))
    return lines


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return 1 if at < 0 else text.count("\n", 0, at) + 1


def _digest(w: Walker, k: int, path: str) -> str | None:
    """The first 16 hex digits of the SHA-256 of a small file read (noted), else None."""
    from . import scripts  # only once a hook is read

    got = scripts.read(w, k, (path,), what="git hook helper", mark=False)
    if got is None:
        return None
    import hashlib  # only for a husky layout

    return hashlib.sha256(got[1].encode("utf-8")).hexdigest()[:16]


def _exists(path: str) -> bool:
    return observe.kind(path) == stat.S_IFREG


def config_paths(w: Walker, k: int, args: list[Field], scope: Scope) -> None:
    """``git config [--local] core.hooksPath DIR``: DIR as git will take it (``~`` expanded,
    relative to the work tree's top) becomes a path of command ``k``, so that rules can tell
    a directory of the project from one elsewhere."""
    from . import scripts  # only for `git config`

    cmd = w.commands[k]
    words = [f for f in args if not f[0].startswith("-")]
    for i, (word, _) in enumerate(words[:-1]):
        if word.lower() != "core.hookspath":
            continue
        value, dynamic = words[i + 1]
        if dynamic or scope.cwd is None:
            cmd.dynamic = True
            return
        if value.startswith("~/") or value == "~":
            value = w.home.rstrip("/") + value[1:]
        top = project.git_work_tree(scope.cwd) or scope.cwd
        here = scripts.new_shell(w, top, None, "git")
        cmd.paths = (*cmd.paths, *w.path_forms(value, here))
        return
