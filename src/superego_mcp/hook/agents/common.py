"""Helpers the agents' adapters share: reading their JSON, building calls in our tool
vocabulary, and the wording of answers. Standard library only (on the hook's path)."""

from __future__ import annotations

import posixpath

from superego_mcp.hook.agents.wire import (
    HookInputError,
    HookRequest,
    cap,
    event_of,
    explain_reason,
    json_type,
)
from superego_mcp.model import ToolCall

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from superego_mcp.model import Decision


def as_object(data: object, what: str = "hook input") -> dict[str, object]:
    """``data`` as a JSON object, else :class:`HookInputError`."""
    if not isinstance(data, dict):
        raise HookInputError(f"{what} must be a JSON object, not {json_type(data)}")
    return data


def required_str(data: dict[str, object], key: str) -> str:
    """A non-empty string field, else :class:`HookInputError` naming it."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise HookInputError(f"{key} is missing or not a non-empty string")
    return value


def optional_str(data: dict[str, object], key: str) -> str | None:
    """A string field, ``None`` when absent or of another type."""
    value = data.get(key)
    return value if isinstance(value, str) else None


def arguments(value: object, tool: str, field: str) -> dict[str, object]:
    """A tool's arguments: an object, or a string holding a JSON object (Copilot CLI and
    Cursor send either). Anything else raises :class:`HookInputError`."""
    if isinstance(value, str):
        from superego_mcp.hook.agents.wire import decode_hook_input

        try:
            value = decode_hook_input(value.encode("utf-8", "surrogatepass"))
        except (HookInputError, UnicodeEncodeError) as exc:
            raise HookInputError(f"{field} of {cap(tool, 200)} is a string but {exc}") from None
    if not isinstance(value, dict):
        raise HookInputError(
            f"{field} of {cap(tool, 200)} must be a JSON object, not {json_type(value)}"
        )
    return value


def tool_object(data: dict[str, object], tool: str, key: str = "tool_input") -> dict[str, object]:
    """The tool's arguments under ``key``, which must be a JSON object (no string form)."""
    value = data.get(key)
    if not isinstance(value, dict):
        raise HookInputError(
            f"{key} of {cap(tool, 200)} must be a JSON object, not {json_type(value)}"
        )
    return value


class Observed:
    """``with Observed(judged):`` around reading an event's calls: for an event only observed
    (not judged) unusable input (:class:`HookInputError`) leaves the request without a call
    instead of failing it; for a judged event the error goes on. The adapter reads and maps
    its own calls inside the block (nothing here calls back into it)."""

    __slots__ = ("judged",)

    def __init__(self, judged: bool) -> None:
        self.judged = judged

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> bool:
        return kind is not None and issubclass(kind, HookInputError) and not self.judged


def request(event: str, judged: bool, calls: list[ToolCall], **fields: str | None) -> HookRequest:
    """The request for ``event`` making ``calls`` (the first is the request's call, the rest
    ``more``; none for an observed event whose input was unusable, see :class:`Observed`).
    ``fields``: ``tool_use_id``, ``permission_mode``."""
    return HookRequest(
        event, calls[0] if calls else None, more=tuple(calls[1:]), judged=judged, **fields
    )


def tool_fields(
    data: dict[str, object],
    tool: str = "tool_name",
    args: str = "tool_input",
    *,
    text: bool = False,
) -> tuple[str, dict[str, object]]:
    """The tool's name (field ``tool``: a non-empty string) and its arguments (field
    ``args``: an object; with ``text`` also a string holding one, :func:`arguments`);
    unusable fields raise :class:`HookInputError`."""
    tool_name = required_str(data, tool)
    if text:
        return tool_name, arguments(data.get(args, {}), tool_name, args)
    return tool_name, tool_object(data, tool_name, args)


def claude_fields(
    data: dict[str, object], default_cwd: str
) -> tuple[str, dict[str, object], str, str | None]:
    """The tool call of hook JSON in Claude Code's shape (Claude Code, Codex, Gemini CLI):
    ``tool_name``, ``tool_input`` (an object), ``cwd`` (absolute; ``default_cwd`` when
    absent) and ``session_id``, for the adapter to map; unusable fields raise
    :class:`HookInputError`."""
    tool_name, tool_input = tool_fields(data)
    cwd = absolute_cwd(data.get("cwd"), default_cwd)
    return tool_name, tool_input, cwd, optional_str(data, "session_id")


def claude_shaped(
    data: object,
    default_cwd: str,
    pre_tool_event: str,
    judged_events: tuple[str, ...],
    tools: ToolMap,
) -> HookRequest:
    """The request of hook JSON in Claude Code's shape (Claude Code, Codex): the tool call
    (:func:`claude_fields`) mapped by the agent's table ``tools``, with ``agent_id``, the
    project root and home the input names (:func:`place`), ``tool_use_id`` and
    ``permission_mode``. A missing ``hook_event_name`` reads as ``pre_tool_event`` (a judged
    answer is the safe reading)."""
    data = as_object(data)
    event = event_of(data, pre_tool_event)
    judged = event in judged_events
    calls: list[ToolCall] = []
    with Observed(judged):
        calls = tools.calls(*claude_fields(data, default_cwd))
    agent_id = optional_str(data, "agent_id")
    for call in calls:
        call.agent_id = agent_id
    place(calls, data)
    return request(
        event,
        judged,
        calls,
        tool_use_id=optional_str(data, "tool_use_id"),
        permission_mode=optional_str(data, "permission_mode"),
    )


def flat_request(
    data: object,
    default_cwd: str,
    tools: ToolMap,
    event: str,
    *,
    tool: str,
    args: str,
    session: str,
    cwd: tuple[str, ...] = ("cwd",),
    project: str | None = None,
    call_id: str | None = None,
) -> HookRequest:
    """The request of hook input that is always one judged tool call (Copilot CLI, OpenCode's
    plugin), its tool call mapped by ``tools``. The fields: ``tool`` the tool's name,
    ``args`` its arguments (an object or a string holding one), ``session``, ``cwd`` the
    working directory (the first of them that is set; ``default_cwd`` when none), and
    optionally ``project`` the project root (``/`` names none) and ``call_id``."""
    data = as_object(data)
    tool_name, arguments_ = tool_fields(data, tool, args, text=True)
    where = data.get(cwd[0])
    for key in cwd[1:]:
        where = where or data.get(key)
    calls = tools.calls(
        tool_name, arguments_, absolute_cwd(where, default_cwd, cwd[0]), optional_str(data, session)
    )
    root = data.get(project) if project else None
    place(calls, data, root if root != "/" else None)
    return request(event, True, calls, tool_use_id=optional_str(data, call_id) if call_id else None)


def absolute_cwd(value: object, default_cwd: str, field: str = "cwd") -> str:
    """The working directory: ``value`` (``default_cwd`` when absent or empty), which must
    be an absolute path."""
    if value is None or value == "":
        value = default_cwd
    if not isinstance(value, str) or not value.startswith("/"):
        raise HookInputError(f"{field} must be an absolute path")
    return value


def join_dir(base: str, sub: object) -> str:
    """``sub`` (a directory a call runs in: absolute, ``~/...`` or relative to ``base``) as
    an absolute path, the call's working directory; ``base`` when ``sub`` is not a
    non-empty string. (File paths are not joined: the engine resolves those.)"""
    if not isinstance(sub, str) or not sub:
        return base
    if sub.startswith("~"):
        sub = posixpath.expanduser(sub)
    return posixpath.normpath(posixpath.join(base, sub))


def with_fields(args: dict[str, object], **canonical: object) -> dict[str, object]:
    """The agent's arguments plus our field names (``file_path``, ``old_string``, ...) for
    the values that have one; the agent's own fields stay, so rules on them still work."""
    out = dict(args)
    for key, value in canonical.items():
        if value is not None:
            out[key] = value
    return out


def place(calls: list[ToolCall], data: dict[str, object], project: object = None) -> None:
    """Give ``calls`` the project root and home the input names: ``project_dir`` / ``home``
    (added by a forwarding command hook, see ``hook.runner``), else ``project`` (what the
    agent itself names, e.g. Cursor's first workspace root). Only absolute paths count; a
    call left without a project gets one from the runner or server (``superego_mcp.project``)."""
    root = data.get("project_dir")
    if not (isinstance(root, str) and root.startswith("/")):
        root = project if isinstance(project, str) and project.startswith("/") else None
    home = data.get("home")
    for call in calls:
        call.project = root
        call.home = home if isinstance(home, str) and home.startswith("/") else None


class Caller:
    """Builds an agent's calls in our vocabulary: every call of one agent tool call shares
    its working directory (unless one is given), session, agent and agent tool name."""

    __slots__ = ("agent", "agent_tool", "cwd", "session_id")

    def __init__(self, agent: str, agent_tool: str, cwd: str, session_id: str | None) -> None:
        self.agent = agent
        self.agent_tool = agent_tool
        self.cwd = cwd
        self.session_id = session_id

    def __call__(
        self, name: str, tool_input: dict[str, object], where: str | None = None
    ) -> ToolCall:
        """One call of our tool ``name`` (``where``: its working directory, default the
        agent's cwd)."""
        return ToolCall(
            name,
            tool_input,
            self.cwd if where is None else where,
            session_id=self.session_id,
            agent=self.agent,
            agent_tool=self.agent_tool,
        )


# Every name the agents' file tools have given their path argument across releases (Gemini
# CLI's read_file took ``absolute_path`` before ``file_path``; OpenCode ``filePath``; Cursor
# ``target_file``...): tried after the names an adapter lists first.
PATH_NAMES: tuple[str, ...] = (
    "file_path",
    "absolute_path",
    "filePath",
    "path",
    "target_file",
    "notebook_path",
    "filename",
    "file",
)


def path_argument(args: dict[str, object], *names: str) -> str | None:
    """The file path an agent's tool names, under the first of ``names`` (then of
    :data:`PATH_NAMES`) it carries; only a non-empty string counts. Paths stay as the agent
    wrote them: the engine resolves ``~``, ``$HOME`` and relative ones."""
    for name in (*names, *(n for n in PATH_NAMES if n not in names)):
        if name in args:
            value = args[name]
            return value if isinstance(value, str) and value else None
    return None


# What ``ToolMap.shown`` lists for a tool that carries an ``apply_patch`` envelope: one
# ``Write`` or ``Edit`` per file (:func:`patch_calls`).
PATCH = "Write / Edit (one per file)"


class Arg:
    """A value from the agent's arguments: the first of ``names`` they carry (``None``:
    none), as ``args.get(a, args.get(b))`` would read it."""

    __slots__ = ("names",)

    def __init__(self, *names: str) -> None:
        self.names = names

    def value(self, args: dict[str, object], cwd: str, path_names: tuple[str, ...]) -> object:
        """The value for these arguments."""
        for name in self.names:
            if name in args:
                return args[name]
        return None


class Value(Arg):
    """A fixed value (``Glob``'s pattern ``*`` for a directory listing)."""

    __slots__ = ("fixed",)

    def __init__(self, fixed: object) -> None:
        self.fixed = fixed

    def value(self, args: dict[str, object], cwd: str, path_names: tuple[str, ...]) -> object:
        """The fixed value."""
        return self.fixed


class FilePath(Arg):
    """The file path the tool names (:func:`path_argument` over the agent's own path names),
    or with ``or_cwd`` the working directory when it names none."""

    __slots__ = ("or_cwd",)

    def __init__(self, *, or_cwd: bool = False) -> None:
        self.or_cwd = or_cwd

    def value(self, args: dict[str, object], cwd: str, path_names: tuple[str, ...]) -> object:
        """The path (``None``, or the cwd, when the arguments name none)."""
        path = path_argument(args, *path_names)
        return path or cwd if self.or_cwd else path


class Directory(Arg):
    """A directory argument, the first of ``names`` that is a non-empty string, as an
    absolute path (:func:`join_dir`); the agent's working directory when there is none."""

    def value(self, args: dict[str, object], cwd: str, path_names: tuple[str, ...]) -> str:
        """The directory."""
        for name in self.names:
            sub = args.get(name)
            if isinstance(sub, str) and sub:
                return join_dir(cwd, sub)
        return cwd


class CommandLine(Arg):
    """A command given as a string, or as argv (a list of strings: judged as the command
    line it stands for)."""

    def value(self, args: dict[str, object], cwd: str, path_names: tuple[str, ...]) -> object:
        """The command line."""
        command = super().value(args, cwd, path_names)
        if isinstance(command, list) and all(isinstance(w, str) for w in command):
            import shlex  # only for argv (older Codex builds)

            return shlex.join(command)
        return command


FILE_PATH = FilePath()
# Where our tools take their path from when an agent's table says nothing else: a file
# tool's ``file_path`` and a search tool's ``path`` are the path the agent's tool names.
_DEFAULT_FIELDS: dict[str, str] = {
    "Read": "file_path",
    "Write": "file_path",
    "Edit": "file_path",
    "Glob": "path",
    "Grep": "path",
}


class Tool:
    """How one of an agent's tools becomes our call: our tool ``ours`` (:data:`PATCH`: the
    envelope in the ``patch`` field, one call per file), the call's working directory
    (``where``; default the agent's cwd) and our argument names with where their values
    come from (``fields``, added next to the agent's own arguments, which stay; a file or
    search tool's path is :data:`FILE_PATH` unless given); ``shown`` is what ``explain
    --agent`` lists (default ``ours``)."""

    __slots__ = ("fields", "ours", "shown", "where")

    def __init__(
        self, ours: str, *, where: Arg | None = None, shown: str | None = None, **fields: Arg
    ) -> None:
        self.ours = ours
        self.where = where
        self.shown = shown or ours
        default = _DEFAULT_FIELDS.get(ours)
        self.fields = {default: FILE_PATH, **fields} if default else fields


class ToolMap:
    """An agent's tools -> ours, as a table (no code of the adapter's runs here): ``tools``
    by the agent's name (a :class:`Tool`, or just our tool's name; ``ours``: the agent's
    tools that carry our names, mapped as the defaults say); ``path_names`` the
    argument names its file tools give a path under first (:func:`path_argument`);
    ``agent`` the agent's name on every call (``None``: Claude Code). A tool not in the
    table keeps its arguments and gets the name the adapter gives (``other``), else its own.
    ``shell`` is the agent's shell tool (``shell_tool``), what `explain --agent NAME
    <command>` maps a command line from (default: the first tool mapped to ``Bash``);
    ``shown`` what `explain --agent NAME` lists: the table, plus what the adapter maps
    itself."""

    __slots__ = ("agent", "path_names", "shell", "shown", "tools")

    def __init__(
        self,
        agent: str | None,
        tools: dict[str, Tool | str],
        path_names: tuple[str, ...] = (),
        shown: dict[str, str] | None = None,
        shell_tool: str | None = None,
        ours: tuple[str, ...] = (),
    ) -> None:
        self.agent = agent
        # A bare name: our tool of that name, its arguments as the defaults say; so is a
        # tool the agent names as we do (``ours``).
        self.tools = {name: Tool(t) if isinstance(t, str) else t for name, t in tools.items()}
        self.tools.update((name, Tool(name)) for name in ours if name not in self.tools)
        self.path_names = path_names
        self.shown = {name: tool.shown for name, tool in self.tools.items()} | (shown or {})
        self.shell = shell_tool or next(n for n, t in self.tools.items() if t.ours == "Bash")

    def calls(
        self,
        tool_name: str,
        args: dict[str, object],
        cwd: str,
        session_id: str | None = None,
        other: str | None = None,
    ) -> list[ToolCall]:
        """The agent's call ``tool_name(args)`` in ``cwd`` as ours."""
        tool = self.tools.get(tool_name)
        if tool is None:
            ours, where, tool_input = other or tool_name, cwd, dict(args)
        else:
            values = {
                field: source.value(args, cwd, self.path_names)
                for field, source in tool.fields.items()
            }
            if tool.ours == PATCH:
                return self._patch(tool_name, values.get("patch"), cwd, session_id)
            ours, tool_input = tool.ours, with_fields(args, **values)
            where = cwd if tool.where is None else str(tool.where.value(args, cwd, ()))
        agent = self.agent
        return [ToolCall(ours, tool_input, where, session_id, agent=agent, agent_tool=tool_name)]

    def _patch(
        self, tool_name: str, patch: object, cwd: str, session_id: str | None
    ) -> list[ToolCall]:
        if not isinstance(patch, str):
            got = json_type(patch)
            raise HookInputError(f"{cap(tool_name, 200)} input has no patch text, got {got}")
        calls = patch_calls(patch, cwd, self.agent, tool_name)
        for call in calls:
            call.session_id = session_id
        return calls


def mcp_name(server: str, tool: str) -> str:
    """Our name for an MCP tool: ``mcp__<server>__<tool>`` (Claude Code's spelling)."""
    return f"mcp__{server}__{tool}"


_PATCH_HEADERS = ("*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: ")


def patch_calls(patch: str, base: str, agent: str | None, agent_tool: str) -> list[ToolCall]:
    """The file writes an ``apply_patch`` envelope (``*** Begin Patch`` ... ``*** End
    Patch``) makes, one call per file: an added file is a ``Write`` (its ``+`` lines are the
    content), an updated one an ``Edit`` (``-`` lines old, ``+`` lines new), a deleted one a
    ``Write`` of nothing, a move target a ``Write`` of the new text. ``base`` is the calls'
    working directory (relative paths are resolved against it by the engine). A patch that
    names no file raises :class:`HookInputError`."""
    files: list[tuple[str, str, list[str], list[str]]] = []  # (kind, path, old, new)
    for line in patch.splitlines():
        header = next((h for h in _PATCH_HEADERS if line.startswith(h)), None)
        if header is not None:
            path = line[len(header) :].strip()
            if not path:
                raise HookInputError(f"{agent_tool} input has an empty path in {line.strip()!r}")
            kind = header.split()[1]  # Add, Update, Delete, Move
            if kind == "Move" and files:
                # The moved file's hunks follow; the target shares the update's text.
                files.append(("Move", path, files[-1][2], files[-1][3]))
            else:
                files.append((kind, path, [], []))
        elif files and line.startswith("-") and files[-1][0] in ("Update", "Move"):
            files[-1][2].append(line[1:])
        elif files and line.startswith("+"):
            files[-1][3].append(line[1:])
    if not files:
        raise HookInputError(f"{agent_tool} input names no file (no '*** Add/Update/Delete File:')")
    calls = []
    for kind, file_path, old, new in files:
        if kind == "Update":
            tool_input: dict[str, object] = {
                "file_path": file_path,
                "old_string": "\n".join(old),
                "new_string": "\n".join(new),
            }
            calls.append(ToolCall("Edit", tool_input, base, agent=agent, agent_tool=agent_tool))
        else:
            content = "" if kind == "Delete" else "\n".join(new)
            tool_input = {"file_path": file_path, "content": content}
            calls.append(ToolCall("Write", tool_input, base, agent=agent, agent_tool=agent_tool))
    return calls


def confirm_reason(decision: Decision, call: ToolCall | None, agent_label: str) -> str:
    """The deny reason for an ``ask`` an agent cannot show: the model reads it, so it says
    a person must confirm and how to get that."""
    return (
        f"{explain_reason(decision, call)} {agent_label} hooks cannot ask the user, so "
        "Superego blocked the call. Do not retry it in another form; tell the user what you "
        "wanted to do and why, and let them run it themselves or change the policy."
    )
