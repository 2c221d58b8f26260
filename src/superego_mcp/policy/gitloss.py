"""What a deletion inside the project would lose, by git's own account (``git:`` rules).

Deleting a directory of the project (``rm -r``, ``find -delete``, ``find DIR -exec rm``) or
putting paths back from git (``git checkout -- PATH``, ``git restore PATH``) loses nothing
when git can give every file back: each target that exists is ignored, or tracked with no
uncommitted change and with no untracked, not ignored file below it; a target that does not
exist loses nothing. :func:`loss` asks git (``git status`` of those paths) and answers:

- ``None``: git cannot tell, or the command is none of those: not a git work tree, git
  missing, an error or timeout, a path only known at run time, a path outside the project,
  reached through a symlink, or ``.git`` itself (or a directory holding it), a ``find``
  that follows symlinks, ``git clean`` (it exists to delete untracked work);
- ``""``: nothing would be lost;
- a sentence naming the first path that would be lost (``src/new.py is untracked and not
  ignored``).

``git checkout``/``git restore`` that put files back from the index (no tree-ish, no
``--source``) touch neither untracked files nor what is staged: only changes not staged
count for them. For everything else any change counts, staged or not.

Git runs only for such commands, with a short deadline, no optional locks, no pager, no
network, and with every setting that would run a program neutralised (``core.fsmonitor``,
hooks, every filter driver the configuration names), so a repository's ``.git/config``
cannot run code while a call is judged; nor is a ``git`` program inside the project or the
work tree run (one the search path would find there is passed over). Submodules are not
entered: a target holding one is reported as such; nor does `git status` look inside an
ignored directory, so a deletion's targets are searched (at most 4,000 entries) for a
repository kept there. Git is run through
``observe.blocking``: on the server's event loop it runs in a worker thread and the call is
judged again with its answer (``decide.judged``). An answer that ran git (or expanded a
glob) marks the judgement volatile: the server's decision cache does not keep it (git's
state is not a file it can check cheaply).
"""

# os.path, not pathlib: the hook path imports what a call needs.
# ruff: noqa: PTH118, PTH120, PTH207

from __future__ import annotations

import os
import stat

from superego_mcp import observe, project

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from typing import Final

    from superego_mcp.shell.model import Command

# The programs whose commands this module judges (rules are indexed by them).
PROGRAMS: Final = frozenset({"rm", "find", "git"})
# The flag the shell analysis gives what a `find` deletes or runs when the find follows
# symlinks (-L, -H, -follow) or its start paths could not be read (options before them).
FIND_FOLLOWS: Final = "find-follows-links"
# Seconds git may take in all for one command (then: not known).
TIMEOUT: Final = 2.0
_GLOB = frozenset("*?[")
# Flags after which `git checkout` is no discard of paths this module judges: a branch
# switch, a forced one (everything discarded), paths read from a file.
_CHECKOUT_OTHER = frozenset(
    {"branch-only", "branch", "-b", "--orphan", "force", "-f", "pathspec-from-file", "--detach"}
)
# Settings that would make git run a program while it reports the status.
_SAFE_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "protocol.allow=never",
    "core.sshCommand=false",
    "diff.external=",
    "status.submoduleSummary=false",
)


def candidate(cmd: Command) -> bool:
    """A cheap necessary test (no file system): the command may be one :func:`loss` judges."""
    program = cmd.program
    if program == "rm":
        return "recursive" in cmd.flags or bool(cmd.via and cmd.via[-1].startswith("find -"))
    if program == "find":
        return "delete" in cmd.flags
    return program == "git" and cmd.subcommand in ("checkout", "restore")


def _targets(cmd: Command) -> tuple[tuple[str, ...], bool, bool] | None:
    """The absolute paths the command deletes or puts back, whether it removes them (``rm``,
    ``find``) and whether every change counts (not for a restore from the index only);
    ``None`` when it is no such command or its paths cannot be known."""
    program, flags, via = cmd.program, cmd.flags, cmd.via
    last = via[-1] if via else ""
    if FIND_FOLLOWS in flags or any(v.split(" ")[-1] in ("xargs", "parallel") for v in via):
        return None
    if program == "rm" and last in ("find -exec", "find -execdir"):
        # `find DIR -exec rm -rf {} +`: the files found under DIR, every other word an option
        if not cmd.positionals or any(p != "{}" for p in cmd.positionals):
            return None
        if any(a != "{}" and not a.startswith("-") for a in cmd.argv):
            return None
        return cmd.paths, True, True
    if cmd.dynamic:
        return None
    if program == "rm" and last == "find -delete":
        return (cmd.paths, True, True) if cmd.argv else None
    if program == "rm":
        return (cmd.paths, True, True) if "recursive" in flags else None
    if program == "find":
        if flags & {"L", "H", "follow"} or not cmd.argv or cmd.argv[0].startswith("-"):
            return None
        return (cmd.paths, True, True) if "delete" in flags and cmd.positionals else None
    if program != "git" or not cmd.argv or cmd.argv[0] != cmd.subcommand:
        return None  # `git -C DIR ...`, `git --git-dir ...`: another tree
    if any(a.startswith("GIT_") for a in cmd.assignments):
        return None
    names = cmd.positionals
    if not names or any(_GLOB & set(n) or n.startswith(":") for n in names):
        return None  # git reads these as pathspecs: patterns, magic
    if cmd.subcommand == "checkout":
        if flags & _CHECKOUT_OTHER:
            return None
        # from the index: `checkout -- PATHS`, or one operand naming a file
        dashes = cmd.argv.index("--") if "--" in cmd.argv else -1
        from_index = (
            ("paths" not in flags and len(names) == 1)
            if dashes < 0
            else (not any(a in names for a in cmd.argv[1:dashes]))
        )
        return cmd.paths, False, not from_index
    if "pathspec-from-file" in flags or ("staged" in flags and "worktree" not in flags):
        return None  # only unstages; or paths read from a file
    return cmd.paths, False, bool(flags & {"source", "staged"})


def _inside(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip("/") + "/")


# Characters macOS file systems ignore in names (git's own list for `.git`).
_IGNORED_CHARS = dict.fromkeys(
    map(
        ord,
        "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u206a\u206b"
        "\u206c\u206d\u206e\u206f\ufeff",
    ),
)


def _is_dotgit(name: str) -> bool:
    """Whether a path component may name a ``.git`` on some file system: any case
    (macOS, Windows), with characters HFS+ ignores, trailing dots or spaces (NTFS), or the
    8.3 short name ``git~1``."""
    folded = name.translate(_IGNORED_CHARS).rstrip(". ").lower()
    return folded == ".git" or (folded.startswith("git~") and folded[4:].isdigit())


def _expand(paths: tuple[str, ...]) -> list[str]:
    """Each path with its glob expanded as the shell would (hidden names only for a
    pattern that starts with a dot; no match: the word itself), plus the word itself when
    it exists under that name."""
    out: list[str] = []
    for p in paths:
        if _GLOB & set(p):
            import glob

            observe.volatile()  # a directory listing no check repeats
            out.extend(sorted(glob.glob(p)))
            if observe.lkind(p) is None:
                continue
        out.append(p)
    return out


def loss(
    cmd: Command, projects: tuple[str, ...], others: tuple[Command, ...] = (), line: str = ""
) -> str | None:
    """What the command would lose that git cannot give back (see the module docstring):
    ``None`` not known, ``""`` nothing, else the first path and why. ``projects``: the
    project root's forms (lexical, resolved); ``others``: the other commands of its line
    (one that changes the work tree through git or writes below a target makes git's
    present answer no answer for when the deletion runs: ``mv notes.txt build/ && rm -rf
    build``, ``git stash pop && rm -rf src``); ``line``: the command line (a put-back on a
    line that names a ``GIT_`` variable is not judged: it may point git elsewhere)."""
    found = _targets(cmd) if candidate(cmd) else None
    if found is None:
        return None
    paths, removes, strict = found
    if not paths:
        return None
    targets = _expand(paths) if removes else list(paths)
    top: str | None = None
    rels: list[str] = []
    for target in targets:
        if not any(_inside(target, p) and (target != p or not removes) for p in projects):
            return None
        is_dir = observe.lkind(target) == stat.S_IFDIR
        here = project.git_work_tree(target if is_dir else os.path.dirname(target))
        if here is None or (top is not None and here != top):
            return None
        top = here
        rel = os.path.relpath(target, here)
        if any(_is_dotgit(part) for part in rel.split("/")) or (removes and rel == "."):
            return None  # a repository's store (this one's, a nested one's), or the tree
        real_top = observe.realpath(here)
        if os.path.relpath(observe.realpath(target), real_top) != rel:
            return None  # a symlink on the way: what it reaches is not what git reports
        if (not removes or observe.lkind(target) is not None) and rel not in rels:
            rels.append(rel)  # git is asked about a put-back's missing paths too (config)
    if top is None or not _is_repository(top) or _changed_by(others, targets):
        return None
    if not removes and (
        any(observe.env(name) for name in _OTHER_TREE_VARS)
        or "GIT_" in line
        or any("GIT_" in other.text for other in others)
    ):
        return None  # git would act on another repository or work tree than the one asked
    if not rels:
        return ""  # nothing there to lose
    # git runs off the server's event loop (observe.blocking): the only work here that waits
    answer = observe.blocking(_ask_git, top, tuple(rels), strict, (*projects, top))
    if answer == "" and removes:
        # git status does not look inside an ignored directory: a clone kept there (with
        # commits of its own) would go unnoticed.
        return _nested_repository(top, rels)
    return answer


# How many directory entries a deletion's targets are searched for a nested repository;
# more than this and the answer is not known (node_modules: the answer without git).
_SCAN_LIMIT = 4000


def _nested_repository(top: str, rels: list[str]) -> str | None:
    """``""`` when no target below ``top`` holds a ``.git`` (a repository of its own, whose
    commits git here cannot give back), else the first one named; ``None`` when the
    targets hold more than :data:`_SCAN_LIMIT` entries."""
    seen = 0
    pending = [os.path.join(top, rel) for rel in rels]
    while pending:
        directory = pending.pop()
        try:  # (git ran: the judgement is already volatile, so these reads need no record)
            with os.scandir(directory) as it:
                entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
        except (OSError, ValueError):
            continue  # a file, or gone: nothing below it
        seen += len(entries)
        if seen > _SCAN_LIMIT:
            return None
        for name, is_dir in entries:
            if _is_dotgit(name):
                return f"{os.path.relpath(directory, top)} is a repository of its own"
            if is_dir:
                pending.append(os.path.join(directory, name))
    return ""


# Variables that point git at another repository, work tree or index.
_OTHER_TREE_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR")
# git subcommands that change the work tree (or what git knows of it).
_TREE_CHANGERS = frozenset(
    {
        *("stash", "checkout", "switch", "restore", "reset", "merge", "pull", "rebase"),
        *("am", "apply", "cherry-pick", "revert", "mv", "rm", "clean", "read-tree"),
        *("checkout-index", "update-index", "sparse-checkout", "submodule", "worktree"),
    }
)


def _changed_by(others: tuple[Command, ...], targets: list[str]) -> bool:
    """Whether another command of the line changes the work tree through git, or writes
    at or below one of ``targets`` (a file moved or copied there, a redirect)."""
    for other in others:
        if other.program == "git" and (other.subcommand in _TREE_CHANGERS or other.dynamic):
            return True
        written = (*other.writes, *(r.target or "" for r in other.redirects if r.writes))
        if any(w and any(_inside(w, t) for t in targets) for w in written):
            return True
    return False


def _is_repository(top: str) -> bool:
    """Whether ``top``'s ``.git`` (a directory, or a file naming one) holds a ``HEAD``: a
    repository git can answer for, not an empty or stray ``.git`` (read through observe)."""
    from superego_mcp.shell import gitpush

    repo = gitpush.find_repository(top)
    return repo is not None and observe.kind(os.path.join(repo.gitdir, "HEAD")) == stat.S_IFREG


def _git_program(path: str, trees: tuple[str, ...]) -> str | None:
    """The ``git`` that ``PATH`` finds, looking only in absolute directories outside
    ``trees`` (the project, the work tree): a ``git`` the project holds is not run."""
    import shutil

    dirs = [
        d
        for d in path.split(os.pathsep)
        if d.startswith("/") and not any(_inside(os.path.normpath(d), t) for t in trees)
    ]
    found = shutil.which("git", path=os.pathsep.join(dirs)) if dirs else None
    if found is None or any(_inside(os.path.realpath(found), t) for t in trees):
        return None
    return found


def _ask_git(top: str, rels: tuple[str, ...], strict: bool, trees: tuple[str, ...]) -> str | None:
    """What git says would be lost of ``rels`` (relative to the work tree ``top``); not
    ``strict``: only changes not staged count (a restore from the index). ``trees``: where
    the ``git`` run may not come from."""
    import subprocess
    import time

    observe.volatile()  # git's index and the tree's state: no check repeats them
    program = _git_program(os.environ.get("PATH", os.defpath), trees)
    from superego_mcp.shell import gitpush

    repo = gitpush.find_repository(top)
    if program is None or repo is None:
        return None
    gitdir = repo.gitdir
    deadline = time.monotonic() + TIMEOUT
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_OPTIONAL_LOCKS="0",
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        PAGER="cat",
        GIT_LITERAL_PATHSPECS="1",
        GIT_NO_LAZY_FETCH="1",
        LC_ALL="C",
    )

    running: list[subprocess.Popen[bytes]] = []

    def start(*args: str, safe: tuple[str, ...] = ()) -> subprocess.Popen[bytes] | None:
        config = [w for c in (*_SAFE_CONFIG, *safe) for w in ("-c", c)]
        argv = [program, "--no-pager", *config, f"--work-tree={top}", *args]
        try:
            proc = subprocess.Popen(
                argv,
                cwd=top,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, ValueError):
            return None
        running.append(proc)
        return proc

    def finish(proc: subprocess.Popen[bytes] | None) -> bytes | None:
        remaining = deadline - time.monotonic()
        if proc is None or remaining <= 0:
            return None
        try:
            out, _ = proc.communicate(timeout=remaining)
        except (OSError, subprocess.SubprocessError, ValueError):
            return None
        return out if proc.returncode == 0 else None

    try:
        # The index is read while the configuration is (ls-files runs no filter).
        listing = start("ls-files", "-z", "-s", "-v", "--", *rels)
        safe = _filters_off(finish(start("config", "-z", "--list")), gitdir, top)
        index = finish(listing)
        if safe is None or index is None:
            return None
        lost = _unchecked(index)
        if lost is not None:
            return lost
        status = finish(
            start(
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=normal",
                "--ignore-submodules=all",
                "--no-renames",
                "--",
                *rels,
                safe=safe,
            )
        )
    finally:
        for proc in running:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if status is None:
        return None
    for entry in status.split(b"\0"):
        if len(entry) < 4:
            continue
        code, shown = entry[:2], entry[3:].decode("utf-8", "replace")
        if code == b"??":
            if strict:
                return f"{shown} is untracked and not ignored"
            continue  # put back from the index: untracked files are not touched
        if strict or code[1:2] != b" ":
            return f"{shown} has uncommitted changes"
    return ""


def _same_tree(entry: bytes, gitdir: str, top: str) -> bool:
    """Whether a ``core.worktree`` entry (``key\nvalue``, relative to the git directory)
    names ``top`` (a submodule's configuration names its own tree so)."""
    value = entry.partition(b"\n")[2].decode("utf-8", "surrogateescape")
    place = os.path.realpath(os.path.join(gitdir, value))
    return bool(value) and place == os.path.realpath(top)


def _filters_off(listed: bytes | None, gitdir: str, top: str) -> tuple[str, ...] | None:
    """``-c`` settings that turn off every filter driver ``git config --list`` names;
    ``None`` when there is no listing, a driver's name cannot be given to ``-c``, or the
    configuration puts the work tree elsewhere (``core.worktree`` naming another
    directory than ``top``, relative to ``gitdir``; ``core.bare``)."""
    if listed is None:
        return None
    safe: list[str] = []
    for entry in listed.split(b"\0"):
        # section and variable lower-case as git prints them; the driver's name as written
        key = entry.split(b"\n", 1)[0].decode("utf-8", "surrogateescape")
        if (key == "core.worktree" and not _same_tree(entry, gitdir, top)) or (
            key == "core.bare" and entry.lower().endswith((b"\ntrue", b"\nyes", b"\non", b"\n1"))
        ):
            return None  # the configuration puts the work tree elsewhere (or has none)
        if key.startswith("filter.") and key.count(".") >= 2:
            name = key[len("filter.") : key.rindex(".")]
            if "=" in name:
                return None  # `-c NAME=VALUE` could not name it: it could not be turned off
            for part in ("clean=", "smudge=", "process=", "required=false"):
                setting = f"filter.{name}.{part}"
                if setting not in safe:
                    safe.append(setting)
    return tuple(safe)


def _unchecked(index: bytes) -> str | None:
    """The first tracked entry of ``git ls-files -s -v`` whose work git's status does not
    report: a submodule, a file marked assume-unchanged or skip-worktree."""
    for entry in index.split(b"\0"):
        if not entry:
            continue
        head, _, raw = entry.partition(b"\t")
        parts = head.split(b" ")
        shown = raw.decode("utf-8", "replace")
        if len(parts) >= 2 and parts[1] == b"160000":
            return f"{shown} is a submodule (Superego does not look inside it)"
        if parts[0][:1].islower() or parts[0] == b"S":
            return f"{shown} is marked for git not to check it (assume-unchanged or skip-worktree)"
    return None
