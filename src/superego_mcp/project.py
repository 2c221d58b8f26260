"""The project a tool call belongs to: one stable root per session, whatever the cwd.

``${project}`` in rules, and the project policy layer, mean this root, found in this order:

1. the directory the agent names (Claude Code's ``CLAUDE_PROJECT_DIR``; other agents' adapters
   pass theirs as ``given``);
2. else the root remembered for the session (see below);
3. else the enclosing git work tree of the cwd (a directory holding ``.git``, a directory or
   a worktree's file), except ``/`` and the home directory itself: a dotfiles repository in
   ``~`` must not make the whole home "the project";
4. else the cwd.

"The session's first cwd": an agent's cwd moves (``cd src`` persists between Claude Code's
Bash calls), but the project must not. A session's root is therefore decided from the first
call of the session that reaches us and remembered by session id: in memory for the server
(:class:`SessionRoots`), in a small file per session in the hook cache for the command hook,
which is a fresh process per call (:class:`SessionFiles`). A call without a session id (the
REST API, ``explain``) has no earlier calls: its "first cwd" is its own cwd.

A ``cd`` inside one call (``cd src && rm -rf ../dist``) changes the cwd the analyzer resolves
paths against, never the project.

Standard library only, no pathlib: the hook imports this on every call.
"""

# ruff: noqa: PTH103, PTH108, PTH116, PTH118, PTH120, PTH208

from __future__ import annotations

import os

from superego_mcp import observe

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Final, Protocol

    from superego_mcp.model import ToolCall

    class SessionStore(Protocol):
        """Where the project root of each session is remembered."""

        def get(self, session_id: str) -> str | None:
            """The root remembered for ``session_id``, if any."""

        def remember(self, session_id: str, root: str) -> str:
            """Remember ``root`` unless the session already has one; return the one in force."""


# Environment variables an agent sets to name the project for its hooks, in order of trust.
PROJECT_DIR_VARS: Final[tuple[str, ...]] = ("CLAUDE_PROJECT_DIR",)
# The variable each other agent sets for its hooks to name the project root (read before
# PROJECT_DIR_VARS, which some of them set too).
AGENT_PROJECT_VARS: Final[dict[str, str]] = {
    "gemini": "GEMINI_PROJECT_DIR",
    "cursor": "CURSOR_PROJECT_DIR",
}
# Sessions remembered in memory (server) / as files (hook) before the oldest are dropped.
MAX_SESSIONS: Final = 4096
_MAX_SESSION_FILES: Final = 512


class SessionRoots:
    """Session roots in memory, bounded (the server's store; oldest sessions dropped first)."""

    __slots__ = ("_roots",)

    def __init__(self) -> None:
        self._roots: dict[str, str] = {}

    def get(self, session_id: str) -> str | None:
        """The root remembered for ``session_id``, if any."""
        return self._roots.get(session_id)

    def remember(self, session_id: str, root: str) -> str:
        """Remember ``root`` unless the session already has one; return the one in force."""
        found = self._roots.get(session_id)
        if found is not None:
            return found
        if len(self._roots) >= MAX_SESSIONS:
            del self._roots[next(iter(self._roots))]  # dicts keep insertion order
        self._roots[session_id] = root
        return root


class SessionFiles:
    """Session roots as one small file per session in ``directory`` (the command hook's store:
    each hook call is a new process). The first writer of a session wins; files beyond
    :data:`_MAX_SESSION_FILES` are pruned oldest first when a new session starts. Anything
    that fails (read-only disk, odd session id) just means the session is not remembered."""

    __slots__ = ("directory",)

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def _file(self, session_id: str) -> str | None:
        # Session ids are UUIDs; anything that is not a plain file name is not remembered.
        if not (0 < len(session_id) <= 128) or not all(
            c.isascii() and (c.isalnum() or c in "-_.") for c in session_id
        ):
            return None
        if session_id.startswith("."):
            return None
        return os.path.join(self.directory, session_id)

    def get(self, session_id: str) -> str | None:
        """The root remembered for ``session_id``, if any."""
        path = self._file(session_id)
        if path is None:
            return None
        try:
            with open(path, encoding="utf-8") as fh:
                root = fh.read()
        except (OSError, ValueError):
            return None
        return root if root.startswith("/") and "\n" not in root else None

    def remember(self, session_id: str, root: str) -> str:
        """Remember ``root`` unless the session already has one; return the one in force."""
        path = self._file(session_id)
        if path is None:
            return root
        try:
            # makedirs gives `mode` to the leaf only: the cache directory above it (which
            # also holds the compiled policies) must be private too.
            os.makedirs(os.path.dirname(self.directory), mode=0o700, exist_ok=True)
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self.get(session_id) or root
        except OSError:
            return root
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(root)
        self._prune()
        return root

    def _prune(self) -> None:
        try:
            names = os.listdir(self.directory)
            if len(names) <= _MAX_SESSION_FILES:
                return
            paths = [os.path.join(self.directory, n) for n in names]
            paths.sort(key=lambda p: os.stat(p).st_mtime)
            for p in paths[: len(paths) - _MAX_SESSION_FILES]:
                os.unlink(p)
        except OSError:
            pass


def _clean(path: str) -> str:
    # normpath keeps a leading '//' (POSIX gives it a meaning); roots are compared as text.
    return "/" + os.path.normpath(path).lstrip("/")


def given_project(environ: Mapping[str, str]) -> str | None:
    """The project directory an agent names in its hook environment (:data:`PROJECT_DIR_VARS`),
    when it is an absolute path."""
    for name in PROJECT_DIR_VARS:
        value = environ.get(name, "")
        if value.startswith("/"):
            return value
    return None


def git_work_tree(start: str, home: str | None = None) -> str | None:
    """The closest directory at or above ``start`` that holds ``.git``, unless that is ``/``
    or ``home`` (a dotfiles repository is not a project). Lexical: no symlink is followed
    upwards, so the answer names the same tree the agent sees."""
    if not start.startswith("/"):
        return None
    current = _clean(start)
    home_dir = _clean(home) if home else None
    while True:
        if observe.lkind(os.path.join(current, ".git")) is not None:
            if current in ("/", home_dir):
                return None
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def place(
    call: ToolCall,
    *,
    given: str | None = None,
    environ: Mapping[str, str] | None = None,
    sessions: SessionStore | None = None,
) -> None:
    """Set ``call.project``, the one way every entry point does: ``given`` (a ``--project``
    flag), else the root the call itself names (its input's ``project_dir``, an agent's
    workspace), else, with ``environ`` (a hook's own environment), the agent's variable
    (:data:`AGENT_PROJECT_VARS`) and then :data:`PROJECT_DIR_VARS`, else the session's
    remembered root (``sessions``), else the git work tree of the call's cwd, else the cwd.
    A dotfiles repository is recognised against ``call.home``, else ``environ``'s ``HOME``."""
    named = given or call.project
    if named is None and environ is not None:
        value = environ.get(AGENT_PROJECT_VARS.get(call.agent or "", ""), "")
        named = value if value.startswith("/") else given_project(environ)
    call.project = project_root(
        call.cwd,
        given=named,
        session_id=call.session_id,
        sessions=sessions,
        home=call.home or (environ or {}).get("HOME"),
    )


def root_of(call: ToolCall, home: str | None = None) -> str:
    """The project root of ``call``: the one its entry point set (:func:`place`), else the
    git work tree of its cwd, else the cwd (a dotfiles repository recognised against
    ``home``)."""
    return call.project or project_root(call.cwd or "/", home=home)


def project_root(
    cwd: str,
    *,
    given: str | None = None,
    session_id: str | None = None,
    sessions: SessionStore | None = None,
    home: str | None = None,
) -> str:
    """The project root for a call made in ``cwd`` (absolute), in the order the module
    docstring gives. ``given`` is what the agent names (e.g. ``CLAUDE_PROJECT_DIR``);
    ``sessions`` remembers each session's root across calls."""
    if given and given.startswith("/"):
        return _clean(given)
    if session_id and sessions is not None:
        found = sessions.get(session_id)
        if found is not None:
            return found
    root = git_work_tree(cwd, home) or _clean(cwd or "/")
    if session_id and sessions is not None:
        root = sessions.remember(session_id, root)
    return root
