"""Where a ``git push`` lands: a shared branch, a feature branch, or a branch not known.

A push names its destination (``git push origin feat``, ``HEAD:refs/heads/x``), or leaves
it to the repository: a bare ``git push`` (or ``git push origin``, ``origin HEAD``) pushes
the current branch to its upstream (git's default ``push.default=simple``; ``current`` pushes
it to the same name). So the current branch is read from the repository's ``HEAD`` found from
the command's directory (a worktree's or submodule's ``.git`` file followed), the upstream
from its ``config``. A branch is shared when it is the remote's default branch (as the
clone recorded it: ``refs/remotes/<remote>/HEAD``) or named like one (:data:`SHARED`).

Cheap: only for ``git push``, no subprocess, a few small files read through
:mod:`superego_mcp.observe` (the server's decision cache sees them change). What cannot be
known (no repository, a detached HEAD, ``--git-dir``/``GIT_DIR``, a directory only known at
run time, configured push refspecs) is ``unknown``: the policy does not allow it outright.
Not read: the global git configuration (a global ``push.default=matching`` is not seen; the
repository's own is).
"""

# os.path, not pathlib: the hook path imports what a call needs.
# ruff: noqa: PTH118

from __future__ import annotations

import os
import re
import stat

from superego_mcp import observe, project
from superego_mcp.files import read_regular
from superego_mcp.lazyre import LazyPattern

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from typing import Final

# Names a team builds and deploys from (also as refs/heads/NAME).
SHARED: Final = LazyPattern(
    r"(main|master|trunk|develop|development|production|prod|stable|release|release[/-].+)"
)
SHARED_FLAG: Final = "push-shared"
UNKNOWN_FLAG: Final = "push-unknown"
# A file bigger than this is not a HEAD, a .git link or a repository's config worth reading.
_MAX_READ = 65536
# Options that make the repository or what is pushed something other than the files say.
_OTHER_REPO = frozenset({"--git-dir", "--work-tree", "--namespace"})
_HELP = frozenset({"-h", "--help"})


def read_small(path: str) -> str | None:
    """A small file's text (noted for the decision cache), ``None`` when unreadable."""
    try:  # noted; never blocking: a FIFO put as .git/config or HEAD is not read
        data = read_regular(path, _MAX_READ + 1)
    except (OSError, ValueError):
        return None
    if data is None or len(data) > _MAX_READ:
        return None
    return data.decode("utf-8", "replace")


def read_config(path: str, mentions: str = "") -> dict[str, str]:
    """A git config file as ``section.sub.key`` -> last value (lower-case section and key),
    ``{}`` when unreadable or (a quick test before parsing) when its text does not hold
    ``mentions`` (lower case) anywhere; enough for push.default, branch upstreams, remote
    push refspecs and core.hooksPath (no includes followed)."""
    text = read_small(path) or ""
    if mentions and mentions not in text.lower():
        return {}
    found: dict[str, str] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        head = re.fullmatch(r'\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]', line)
        if head:
            sub = head.group(2)
            section = head.group(1).lower() + ("" if sub is None else "." + sub)
            continue
        key, _, value = line.partition("=")
        found[f"{section}.{key.strip().lower()}"] = value.strip().strip('"')
    return found


class Repository:
    """A repository's git directory (``HEAD``) and common directory (config, refs)."""

    __slots__ = ("common", "gitdir")

    def __init__(self, gitdir: str, common: str) -> None:
        self.gitdir = gitdir
        self.common = common

    def head_branch(self) -> str | None:
        """The checked-out branch, ``None`` when detached or unreadable."""
        text = read_small(os.path.join(self.gitdir, "HEAD"))
        if text is None or not text.startswith("ref: refs/heads/"):
            return None
        return text[len("ref: refs/heads/") :].strip() or None

    def config(self) -> dict[str, str]:
        """The repository's own config (see :func:`read_config`)."""
        return read_config(os.path.join(self.common, "config"))

    def remote_default(self, remote: str) -> str | None:
        """The remote's default branch as the clone recorded it, if it did."""
        if not remote or "/" in remote or remote.startswith("."):
            return None
        text = read_small(os.path.join(self.common, "refs", "remotes", remote, "HEAD"))
        prefix = f"ref: refs/remotes/{remote}/"
        if text is None or not text.startswith(prefix):
            return None
        return text[len(prefix) :].strip() or None


def find_repository(directory: str) -> Repository | None:
    """The repository whose work tree holds ``directory`` (absolute), following a ``.git``
    file (``gitdir: ...``, worktrees and submodules) and a worktree's ``commondir``."""
    top = project.git_work_tree(directory)
    if top is None:
        return None
    dotgit = os.path.join(top, ".git")
    gitdir = dotgit
    if observe.kind(dotgit) != stat.S_IFDIR:  # a `gitdir: PATH` file
        text = read_small(dotgit)
        if text is None or not text.startswith("gitdir:"):
            return None
        gitdir = os.path.normpath(os.path.join(top, text[len("gitdir:") :].strip()))
    common = gitdir
    link = read_small(os.path.join(gitdir, "commondir"))
    if link is not None and link.strip():
        common = os.path.normpath(os.path.join(gitdir, link.strip()))
    return Repository(gitdir, common)


def _git_directory(argv: tuple[str, ...], cwd: str | None) -> str | None:
    """The directory git runs in: ``cwd`` moved by each ``-C DIR`` before the subcommand."""
    where = cwd
    i = 0
    while i < len(argv) and argv[i] != "push":
        if argv[i] == "-C" and i + 1 < len(argv):
            target = argv[i + 1]
            if not target.startswith("/") and where is None:
                return None
            where = os.path.normpath(os.path.join(where or "/", target))
            i += 2
            continue
        i += 1
    return where


def _branch_of(dest: str) -> str | None:
    """The branch a refspec's destination names, ``None`` for a tag or another ref."""
    if dest.startswith("refs/heads/"):
        return dest[len("refs/heads/") :]
    if dest.startswith("refs/"):
        return None
    return dest


def destination(
    argv: tuple[str, ...],
    positionals: tuple[str, ...],
    flags: frozenset[str],
    assignments: tuple[str, ...],
    cwd: str | None,
) -> str | None:
    """:data:`SHARED_FLAG` when the push lands on a shared branch, :data:`UNKNOWN_FLAG` when
    where it lands cannot be known, ``None`` for a feature branch (or nothing pushed: help).
    ``positionals`` are the push's operands (repository, refspecs); ``cwd`` is the command's
    directory (``None``: only known at run time)."""
    if flags & _HELP:
        return None
    other_repo = any(a.startswith(("GIT_DIR=", "GIT_WORK_TREE=")) for a in assignments)
    if other_repo or flags & _OTHER_REPO:
        return UNKNOWN_FLAG
    remote_word = positionals[0] if positionals else ""
    refspecs = [r.lstrip("+") for r in positionals[1:]]
    explicit: list[str] = []
    uses_head = not refspecs
    for spec in refspecs:
        src, colon, dst = spec.partition(":")
        if colon and dst:
            explicit.append(dst)
        elif src in ("HEAD", "@"):
            uses_head = True
        else:
            explicit.append(src)
    branches = [b for b in map(_branch_of, explicit) if b is not None]
    if any(SHARED().fullmatch(b) for b in branches):
        return SHARED_FLAG
    directory = _git_directory(argv, cwd)
    repo = None if directory is None else find_repository(directory)
    if repo is None:
        return UNKNOWN_FLAG if uses_head else None
    config = repo.config() if uses_head else {}
    current = repo.head_branch() if uses_head else None
    if uses_head:
        if current is None:
            return UNKNOWN_FLAG
        mode = config.get("push.default", "simple").lower()
        if mode == "matching":
            return SHARED_FLAG  # every branch both sides have: the shared ones too
        branches.append(current)
        upstream = config.get(f"branch.{current}.merge", "")
        if upstream.startswith("refs/heads/") and mode in ("simple", "upstream", "tracking"):
            branches.append(upstream[len("refs/heads/") :])
    remote = remote_word or config.get(f"branch.{current}.remote", "origin")
    if uses_head and f"remote.{remote}.push" in config:
        return UNKNOWN_FLAG  # configured push refspecs decide
    default = repo.remote_default(remote)
    if any(SHARED().fullmatch(b) or b == default for b in branches):
        return SHARED_FLAG
    return None
