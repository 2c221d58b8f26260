"""Session memory: the files the agent wrote in this session, so that it does not get to run
one unseen (docs/rules.md "Session memory").

Each judged call of a session is told what the session wrote before
(:class:`SessionMemory`, on ``ToolCall.memory``); the engine (:func:`consult`) then

- notes what this call writes: ``Write``/``Edit``/``MultiEdit``/``NotebookEdit`` and MCP file
  tools by their paths, shell commands by ``Command.writes`` (redirects, ``tee``, ``cp``/
  ``mv``/``install``/``ln`` destinations, ``sed -i``, downloads, a compiler's output when a
  source was written in the session);
- marks a shell command that runs such a file (``Command.program_files`` / ``Command.runs``:
  ``./x``, ``python x.py``, ``node x.js``, ``go run``, ...) with the finding
  :data:`RUNS_SESSION_WRITE`, naming the write, unless this analysis read the file's whole
  text (a shell script walked, Python/JavaScript that ``superego_mcp.lang`` followed
  everywhere): then its contents were judged.

The entry point saves the call's writes once it is answered (:meth:`SessionMemory.commit`,
not for a ``deny``: that call does not run). A call the agent's user then declines was
still remembered: the memory may hold a file that was never written, which only asks more.

The store (:class:`FileStore`) is one small append-only file per session in the cache
directory, shared by the command hook (a new process per call) and the server on the same
machine. The lookup reads it only when a command runs a file, so most calls never open it.
A decision cache must include :meth:`SessionMemory.stamp` in its key.

Standard library only, no pathlib: the hook imports this on every call with a session id.
"""

# ruff: noqa: PTH103, PTH116, PTH118, PTH120

from __future__ import annotations

import os
import time

from superego_mcp import observe

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Final

    from superego_mcp.model import ToolCall
    from superego_mcp.policy.conditions import Unit
    from superego_mcp.shell.model import Analysis

# The finding a unit gets when its command runs a file the session wrote (rules match it
# with ``shell: {finding: runs_session_write}``; ``{details}`` in a reason names the write).
RUNS_SESSION_WRITE: Final = "runs_session_write"
# Writes remembered per session; beyond them the oldest are forgotten (the file is compacted).
MAX_ENTRIES: Final = 20_000
# A store file larger than this is compacted to the newest MAX_ENTRIES paths on the next save.
MAX_FILE_BYTES: Final = 2 * 1024 * 1024
# Tools that write the file their path fields name (the agents' own names map to these).
WRITE_TOOLS: Final = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})
# What a lookup found, as plain values: (path asked, path written, tool, when).
Found = tuple[tuple[str, str, str, float], ...]
_MCP_WRITE_WORDS: Final = ("write", "edit", "create", "save", "put", "append", "move",
                           "rename", "copy", "upload", "patch", "replace", "insert")  # fmt: skip


class Written:
    """One remembered write: the file, the tool that wrote it, when (epoch seconds)."""

    __slots__ = ("path", "tool", "when")

    def __init__(self, path: str, tool: str, when: float) -> None:
        self.path = path
        self.tool = tool
        self.when = when

    def describe(self) -> str:
        """``"Write at 15:02:11 UTC"`` (``"earlier on this command line"`` for a write of
        the call being judged)."""
        if self.when <= 0:
            return f"{self.tool}, earlier in this call"
        return f"{self.tool} at {time.strftime('%H:%M:%S', time.gmtime(self.when))} UTC"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append({"t": "\t", "n": "\n", "r": "\r"}.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


class FileStore:
    """Each session's writes as lines ``WHEN<TAB>TOOL<TAB>PATH`` (tabs and newlines escaped)
    in ``directory/<session id>``, created 0600 in a 0700 directory. Anything that fails
    (a read-only disk, an odd session id) means the write is not remembered."""

    __slots__ = ("directory",)

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def _file(self, session_id: str) -> str | None:
        # Session ids are UUIDs; anything that is not a plain file name is not remembered.
        if not (0 < len(session_id) <= 128) or session_id.startswith("."):
            return None
        if not all(c.isascii() and (c.isalnum() or c in "-_.") for c in session_id):
            return None
        return os.path.join(self.directory, session_id)

    def load(self, session_id: str) -> dict[str, Written]:
        """The session's writes by path (the latest write of each path). Read-only for the
        caller: a long-running process (the server) keeps it and, while the file only grows,
        reads just what was appended since (see :data:`_LOADED`)."""
        path = self._file(session_id)
        if path is None:
            return {}
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            _LOADED.pop(path, None)
            return {}
        try:
            info = os.fstat(fd)
            kept = _LOADED.pop(path, None)
            if kept is not None and kept[0] == info.st_ino and kept[1] <= info.st_size:
                _, offset, found = kept
            else:
                offset, found = 0, {}
            if offset < info.st_size:
                if offset:
                    os.lseek(fd, offset, os.SEEK_SET)
                data = _read_upto(fd, MAX_FILE_BYTES * 2 - offset)
                # Only whole lines: a torn last line is read again once it is complete.
                end = data.rfind(b"\n") + 1
                _parse(data[:end], found)
                offset += end
        except OSError:
            return {}
        finally:
            os.close(fd)
        _LOADED[path] = (info.st_ino, offset, found)
        while len(_LOADED) > _LOADED_MAX:
            del _LOADED[next(iter(_LOADED))]
        return found

    def matches(
        self, query: tuple[str, tuple[str, ...]]
    ) -> tuple[tuple[str, str, str, float], ...]:
        """What :meth:`SessionMemory.find` finds stored for ``(session id, paths)``, as
        plain values: the decision cache's check of an answer that looked (``observe``)."""
        session_id, paths = query
        return _plain(_match(self.load(session_id), paths, {}))

    def append(self, session_id: str, writes: list[Written]) -> None:
        """Add ``writes`` to the session's file (compacted when it grew too large)."""
        path = self._file(session_id)
        if path is None or not writes:
            return
        text = "".join(
            f"{w.when:.3f}\t{_escape(w.tool)}\t{_escape(w.path)}\n" for w in writes
        ).encode("utf-8", "surrogateescape")
        try:
            os.makedirs(os.path.dirname(self.directory), mode=0o700, exist_ok=True)
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(path, flags, 0o600)
            try:
                os.write(fd, text)
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
        except OSError:
            return
        if size > MAX_FILE_BYTES:
            self._compact(session_id, path)

    def _compact(self, session_id: str, path: str) -> None:
        from superego_mcp.files import write_atomic

        newest = list(self.load(session_id).values())[-MAX_ENTRIES:]
        text = "".join(f"{w.when:.3f}\t{_escape(w.tool)}\t{_escape(w.path)}\n" for w in newest)
        try:  # noqa: SIM105 - contextlib is an import the hook path does without
            write_atomic(path, text.encode("utf-8", "surrogateescape"))
        except OSError:  # not compacted: the next save tries again
            pass

    def stamp(self, session_id: str) -> str:
        """What changes whenever the session's writes change: inode (a compaction renames a
        new file in), size (an append grows it) and mtime."""
        path = self._file(session_id)
        try:
            info = os.stat(path) if path is not None else None
        except OSError:
            info = None
        return "" if info is None else f"{info.st_ino}:{info.st_size}:{info.st_mtime_ns}"


# Sessions' writes a long-running process keeps: file -> (inode, bytes read, writes by path).
_LOADED: dict[str, tuple[int, int, dict[str, Written]]] = {}
_LOADED_MAX: Final = 16


def _read_upto(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _parse(data: bytes, found: dict[str, Written]) -> None:
    """Add the lines of ``data`` to ``found`` (the latest write of a path last)."""
    for line in data.decode("utf-8", "replace").split("\n"):
        parts = line.split("\t")
        if len(parts) != 3:
            continue  # a torn last line, or not ours
        try:
            when = float(parts[0])
        except ValueError:
            continue
        target = _unescape(parts[2])
        found.pop(target, None)  # keep insertion order = order of the latest write
        found[target] = Written(target, _unescape(parts[1]), when)


def _match(
    source: dict[str, Written], wanted: Iterable[str], found: dict[str, Written]
) -> dict[str, Written]:
    """Add to ``found`` the writes in ``source`` of the ``wanted`` paths it does not have
    yet; a path ending in ``/*.go`` stands for the Go files of that directory."""
    for p in wanted:
        if p in found:
            continue
        if p.endswith("/*.go"):
            directory = p[: -len("/*.go")]
            hit = next(
                (
                    w
                    for path, w in reversed(source.items())
                    if path.endswith(".go") and os.path.dirname(path) == directory
                ),
                None,
            )
        else:
            hit = source.get(p)
        if hit is not None:
            found[p] = hit
    return found


def _plain(found: dict[str, Written]) -> Found:
    return tuple((p, w.path, w.tool, w.when) for p, w in found.items())


class SessionMemory:
    """One session's memory as one call sees it: what the session wrote before
    (:meth:`find`, read from the store on first use) and what this call writes
    (:meth:`note`, saved by :meth:`commit`). Without a store (a call with no session): only
    the call's own writes, earlier on its command line."""

    __slots__ = ("_known", "pending", "session_id", "store")

    def __init__(self, store: FileStore | None, session_id: str) -> None:
        self.store = store
        self.session_id = session_id
        self._known: dict[str, Written] | None = None
        self.pending: dict[str, Written] = {}

    def _writes(self) -> dict[str, Written]:
        if self._known is None:
            if self.store is None:
                self._known = {}
            else:
                self._known = self.store.load(self.session_id)
        return self._known

    def find(self, paths: Iterable[str]) -> dict[str, Written]:
        """The remembered writes of ``paths`` (this call's own first). A path ending in
        ``/*.go`` stands for the Go files of that directory (``go run .``)."""
        wanted = tuple(p for p in paths if p)
        if not wanted:
            return {}
        found = _match(self.pending, wanted, {})
        stored = _match(self._writes(), wanted, {})
        if self.store is not None:  # the decision cache checks this answer again (observe)
            observe.record(self.store.matches, (self.session_id, wanted), _plain(stored))
        for p, w in stored.items():
            found.setdefault(p, w)
        return found

    def note(self, path: str, tool: str) -> None:
        """Remember that this call writes ``path`` with ``tool`` (saved by :meth:`commit`)."""
        if path and path.startswith("/") and not path.startswith("/dev/"):
            self.pending[path] = Written(path, tool, 0.0)

    def commit(self, action: str) -> None:
        """Save this call's writes, unless it was denied (it does not run). Never raises."""
        if action == "deny" or not self.pending:
            self.pending = {}
            return
        now = time.time()
        writes = [Written(w.path, w.tool, now) for w in self.pending.values()]
        self.pending = {}
        if self.store is not None:
            try:  # noqa: SIM105 - as above
                self.store.append(self.session_id, writes)
            except Exception:  # noqa: S110 - memory never changes an answer given
                pass
        if self._known is not None:  # the store's (shared, read-only) view: copied
            known = dict(self._known)
            for w in writes:
                known.pop(w.path, None)
                known[w.path] = w
            self._known = known

    def stamp(self) -> str:
        """A value that changes whenever the session's writes change: a decision cache must
        make it part of its key."""
        return "" if self.store is None else self.store.stamp(self.session_id)


def open_memory(session_id: str | None, directory: str | None = None) -> SessionMemory | None:
    """The memory of session ``session_id`` kept in ``directory`` (default: ``writes`` in
    Superego's cache directory, the one the hook and a local server share); ``None``
    without a session id (a call with no session has no earlier calls)."""
    if not session_id:
        return None
    return SessionMemory(FileStore(writes_dir() if directory is None else directory), session_id)


def writes_dir() -> str:
    """Where sessions' writes are kept by default: ``writes`` in Superego's cache directory
    (found from the environment, so the hook and a local server share it)."""
    from superego_mcp.places import cache_dir

    return os.path.join(cache_dir(), "writes")


def _is_mcp_write(tool: str) -> bool:
    if not tool.startswith("mcp__"):
        return False
    name = tool.rsplit("__", 1)[-1].lower()
    words = name.replace("-", "_").split("_")
    return any(w in _MCP_WRITE_WORDS for w in words[:2])


def consult(
    memory: SessionMemory, call: ToolCall, analysis: Analysis | None, units: list[Unit]
) -> None:
    """Note what ``call`` writes, and mark every unit whose command runs a file the session
    wrote (and this analysis did not read whole) with :data:`RUNS_SESSION_WRITE`."""
    tool = call.tool_name
    if (tool in WRITE_TOOLS or _is_mcp_write(tool)) and units and not units[0].shell:
        label = call.agent_tool or tool
        for path in units[0].paths:
            memory.note(path, label)
    if analysis is None:
        return
    analysed = analysis.analysed
    for unit in units:
        cmd = unit.command
        if cmd is None or not unit.shell:
            continue
        candidates = [*cmd.program_files, *cmd.runs]
        if candidates:
            found = memory.find(candidates)
            partial = "code_partial" in unit.findings
            unread = [
                (p, w)
                for p, w in found.items()
                if partial or (p not in analysed and w.path not in analysed)
            ]
            if unread:
                p, w = unread[0]
                shown = w.path if not p.endswith("/*.go") else f"{w.path} (in {p[:-5]})"
                detail = f"{cmd.program} runs {shown}, written by {w.describe()}"
                unit.findings = unit.findings | {RUNS_SESSION_WRITE}
                unit.details = (*unit.details, detail)
        if cmd.writes:
            label = f"{cmd.program} ({call.agent_tool or tool})"
            if cmd.built_from:
                sources = memory.find(cmd.built_from)
                if not sources:
                    continue  # the project's own build of sources the session did not write
                src = next(iter(sources.values()))
                label = f"{cmd.program}, built from {src.path} ({src.describe()})"
            for path in cmd.writes:
                memory.note(path, label)
