"""What a judgement looked at outside the call: so that a remembered answer can be checked.

Judging a call reads more than the call: symlinks (``paths.normalize``), scripts and
manifests a command runs, agents' hook files, a session's memory, a few environment
variables, the clock. The server's decision cache (``policy.judgecache``) may reuse an answer
only while all of that is unchanged, so each such read goes through this module, which
performs it and, while a :class:`Recording` is active on this thread, notes a check: a
function, its argument and the value it gave. An answer is reused only when every check
gives the same value again. A read that cannot be checked that way (the clock, a file
modified too recently for its time stamps to tell two versions apart) marks the recording
:meth:`~Recording.volatile`: that answer is not remembered.

Work that waits (a judgement that runs git) goes through :func:`blocking`: done in place,
or, on the server's event loop (:func:`defer`), asked for and done in a worker thread before
the judgement runs again (``superego_mcp.decide.judged``).

Standard library only, and cheap when nothing records: the command hook calls it on every
path it normalizes.
"""

# ruff: noqa: PTH116, PTH208

from __future__ import annotations

import os
import stat as _stat
import time

# threading.local itself, without the threading module's import (hook path).
from _thread import _local as _ThreadLocal

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Final, TypeVar

    Check = tuple[Callable[[Any], object], Any, object]
    # One piece of blocking work: a function and its arguments (see blocking).
    Work = tuple[Callable[..., object], tuple[Any, ...]]
    T = TypeVar("T")

# A file changed this recently (ns) may change again within the same time stamp: an answer
# that read it is not remembered (the "racy clean" case of git's index).
RACY_NS: Final = 2_000_000_000


class Recording:
    """The checks of one judgement (see the module docstring)."""

    __slots__ = ("checks", "stable")

    def __init__(self) -> None:
        self.checks: dict[tuple[Callable[[Any], object], Any], object] = {}
        self.stable = True

    def volatile(self) -> None:
        """Something was read that no check can confirm later: do not remember the answer."""
        self.stable = False

    def still_true(self) -> bool:
        """Whether every check gives the value it gave when recorded."""
        _lstats.clear()  # paths' parts looked at once per check of an answer
        try:
            for (fn, arg), value in self.checks.items():
                if fn(arg) != value:
                    return False
        except Exception:  # a check that breaks confirms nothing
            return False
        finally:
            _lstats.clear()
        return True


_local = _ThreadLocal()


def start() -> Recording:
    """Start recording on this thread (one recording at a time; :func:`stop` ends it)."""
    recording = Recording()
    _local.recording = recording
    return recording


def stop() -> None:
    """Stop recording on this thread."""
    _local.recording = None


def _active() -> Recording | None:
    return getattr(_local, "recording", None)


def record(fn: Callable[[Any], object], arg: Any, value: object) -> None:
    """Note that ``fn(arg)`` gave ``value`` (when a recording is active)."""
    recording = _active()
    if recording is not None:
        recording.checks[(fn, arg)] = value


def volatile() -> None:
    """Mark the active recording (if any) as not to be remembered (see :class:`Recording`)."""
    recording = _active()
    if recording is not None:
        recording.stable = False


# Within one check of an answer: each path prefix's "is a symlink" (None: missing).
_lstats: dict[str, bool | None] = {}


def _unlinked(path: str) -> bool:
    """True when no part of the absolute, normalized ``path`` that exists is a symlink:
    then ``os.path.realpath(path) == path``. Stops at the first missing part (nothing
    below it exists); cheaper than ``realpath`` for the common case."""
    end = 0
    while True:
        end = path.find("/", end + 1)
        prefix = path if end < 0 else path[:end]
        link = _lstats.get(prefix, False) if prefix in _lstats else _is_link(prefix)
        if link is None:
            return True
        if link:
            return False
        if end < 0:
            return True


def _is_link(prefix: str) -> bool | None:
    try:
        link = _stat.S_ISLNK(os.lstat(prefix).st_mode)
    except (OSError, ValueError):
        link = None
    _lstats[prefix] = link
    return link


def realpath(path: str) -> str:
    """``os.path.realpath(path)``, noted (as "no part is a symlink" when it resolves to
    itself: a cheaper check)."""
    resolved = os.path.realpath(path)
    if resolved == path and path.startswith("/") and os.path.normpath(path) == path:
        record(_unlinked, path, True)
    else:
        record(os.path.realpath, path, resolved)
    return resolved


def _kind(path: str) -> int | None:
    try:
        return _stat.S_IFMT(os.stat(path).st_mode)
    except (OSError, ValueError):
        return None


def _lkind(path: str) -> int | None:
    try:
        return _stat.S_IFMT(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return None


def kind(path: str) -> int | None:
    """The file type bits of ``path`` (symlinks followed), ``None`` when it does not
    exist or cannot be looked at; noted. For ``exists``/``isfile``/``isdir`` questions."""
    found = _kind(path)
    record(_kind, path, found)
    return found


def lkind(path: str) -> int | None:
    """:func:`kind` without following a final symlink (``lexists``); noted."""
    found = _lkind(path)
    record(_lkind, path, found)
    return found


def fingerprint(info: os.stat_result) -> tuple[int, int, int, int, int]:
    """What changes when a file's content may have: inode, size, type, mtime, ctime."""
    return (info.st_ino, info.st_size, info.st_mode, info.st_mtime_ns, info.st_ctime_ns)


def _stat_fingerprint(path: str) -> tuple[int, int, int, int, int] | None:
    try:
        return fingerprint(os.stat(path))
    except (OSError, ValueError):
        return None


def content(path: str, info: os.stat_result | None) -> None:
    """Note that the content (or absence, ``info`` None) of ``path`` was used; a file
    changed within :data:`RACY_NS` makes the recording volatile."""
    recording = _active()
    if recording is None:
        return
    if info is not None and time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) < RACY_NS:
        recording.stable = False
    recording.checks[(_stat_fingerprint, path)] = None if info is None else fingerprint(info)


def stat(path: str) -> os.stat_result:
    """``os.stat(path)`` (raises the same), its content noted (see :func:`content`)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        content(path, None)
        raise
    content(path, info)
    return info


def _names(path: str) -> tuple[str, ...] | None:
    try:
        return tuple(sorted(os.listdir(path)))
    except (OSError, ValueError):
        return None


def listdir(path: str) -> list[str]:
    """``sorted(os.listdir(path))`` (raises ``OSError`` the same), noted."""
    names = _names(path)
    record(_names, path, names)
    if names is None:
        raise FileNotFoundError(path)
    return list(names)


def env(name: str) -> str | None:
    """``os.environ.get(name)``, noted."""
    value = os.environ.get(name)
    record(os.environ.get, name, value)
    return value


# ---------------------------------------------------------------- work that blocks


class Deferred:
    """The blocking work one judgement asked for while :func:`defer` was in force on its
    thread (see :func:`blocking`): ``answers`` given to it, ``wanted`` (``None`` until some
    work is asked for that has no answer yet) the rest, in the order asked."""

    __slots__ = ("answers", "wanted")

    def __init__(self, answers: dict[Work, object]) -> None:
        self.answers = answers
        self.wanted: list[Work] | None = None


_NO_ANSWERS: dict[Work, object] = {}  # never written: a first round has no answers


def defer(answers: dict[Work, object] | None = None) -> Deferred:
    """From now on this thread's :func:`blocking` work is not done but asked for (the
    server's event loop; :func:`undefer` ends it): ``answers`` holds what is known."""
    deferred = Deferred(_NO_ANSWERS if answers is None else answers)
    _local.deferred = deferred
    return deferred


def undefer() -> None:
    """End :func:`defer` on this thread."""
    _local.deferred = None


def blocking(fn: Callable[..., T], *args: Any) -> T | None:
    """``fn(*args)``: work that may keep this thread waiting (it runs a program, as
    ``git status`` does), with hashable ``args`` and ``None`` meaning "not known". The
    active recording is marked volatile (no check repeats such work). While :func:`defer`
    is in force on this thread the work is not done here: the answer given for the same
    ``fn`` and ``args``, else ``None`` with the work added to ``wanted``, so that the
    caller does it elsewhere (a worker thread) and judges again with its answer
    (``superego_mcp.decide.judged``); a judgement that asked for work is never kept."""
    volatile()
    deferred: Deferred | None = getattr(_local, "deferred", None)
    if deferred is None:
        return fn(*args)
    key = (fn, args)
    if key in deferred.answers:
        return deferred.answers[key]  # type: ignore[return-value]
    if deferred.wanted is None:
        deferred.wanted = []
    if key not in deferred.wanted:
        deferred.wanted.append(key)
    return None


def do(wanted: list[Work]) -> dict[Work, object]:
    """The answers to work :func:`blocking` deferred, done here (a worker thread)."""
    return {(fn, args): fn(*args) for fn, args in wanted}
