"""Cursor agent hooks (``preToolUse``, ``beforeShellExecution``, ``beforeMCPExecution``,
``beforeReadFile``) <-> our calls and answers.

Contract (``docs/agents.md`` has the sources): stdin carries ``hook_event_name``,
``conversation_id``, ``workspace_roots``, ``cwd`` (often empty) and per event:
``preToolUse`` ``tool_name`` / ``tool_input`` (``Shell`` -> ``Bash``, ``Read``, ``Write``,
``Edit``, ``Delete`` -> ``Write``, ``Grep``, ``Glob``, ``MCP:<tool>`` or
``MCP:<server>:<tool>`` -> ``mcp__<server>__<tool>``); ``beforeShellExecution`` ``command``
and ``cwd`` -> ``Bash``; ``beforeMCPExecution`` ``tool_name`` and ``tool_input`` (an object
or a JSON string) -> ``mcp__<server>__<tool>`` (``unknown`` when Cursor names no server);
``beforeReadFile`` ``file_path`` -> ``Read`` (the file's ``content`` is not judged).
The working directory is ``tool_input.working_directory``, else ``cwd``, else the first
workspace root.

Answers (exit 0): ``{"permission": "allow" | "deny", "user_message": ..., "agent_message":
...}``. Cursor does not enforce ``ask`` reliably (ignored in some modes), so ask is a deny
whose reason says a person must confirm. The installer sets ``failClosed: true``, under which
an empty answer blocks: defer is therefore ``{"permission": "allow"}``, which leaves the call
to Cursor's own approval settings.
"""

from __future__ import annotations

from superego_mcp.hook.agents import common, wire
from superego_mcp.model import Decision, ToolCall

AGENT = "cursor"
LABEL = "Cursor"
PRE_TOOL_USE = "preToolUse"
# The pre-tool event (what `explain --agent cursor` answers as).
EVENT = PRE_TOOL_USE
SHELL = "beforeShellExecution"
MCP = "beforeMCPExecution"
READ = "beforeReadFile"
JUDGED_EVENTS = (PRE_TOOL_USE, SHELL, MCP, READ)
UNKNOWN_SERVER = "unknown"
TOOL_MAP = common.ToolMap(
    AGENT,
    {
        "Shell": common.Tool("Bash", where=common.Directory("working_directory")),
        "Delete": common.Tool("Write", content=common.Value("")),
    },
    ours=("Read", "Write", "Edit", "Grep", "Glob"),
    path_names=("file_path", "path"),
    # mapped here: MCP tools by name, and the events that carry one tool each
    shown={
        "MCP:<tool>": f"mcp__{UNKNOWN_SERVER}__<tool>",
        "MCP:<server>:<tool>": "mcp__<server>__<tool>",
        "(beforeShellExecution)": "Bash",
        "(beforeMCPExecution)": "mcp__<server>__<tool>",
        "(beforeReadFile)": "Read",
    },
)


def _mcp(tool_name: str) -> str:
    rest = tool_name[4:] if tool_name.startswith("MCP:") else tool_name
    server, sep, tool = rest.partition(":")
    return (
        common.mcp_name(server, tool)
        if sep and server and tool
        else common.mcp_name(UNKNOWN_SERVER, rest)
    )


def map_tool(
    tool_name: str, args: dict[str, object], cwd: str, session_id: str | None = None
) -> list[ToolCall]:
    """A ``preToolUse`` call as ours (``MCP:...`` as ``mcp__<server>__<tool>``; another tool
    keeps its name)."""
    other = _mcp(tool_name) if tool_name.startswith("MCP:") else None
    return TOOL_MAP.calls(tool_name, args, cwd, session_id, other)


def _root(data: dict[str, object], default_cwd: str) -> str:
    """The call's directory when it names none: ``cwd``, else the first workspace root."""
    cwd = data.get("cwd")
    if isinstance(cwd, str) and cwd:
        return common.absolute_cwd(cwd, default_cwd)
    roots = data.get("workspace_roots")
    if isinstance(roots, list) and roots and isinstance(roots[0], str) and roots[0]:
        return common.absolute_cwd(roots[0], default_cwd, "workspace_roots[0]")
    return common.absolute_cwd(None, default_cwd)


def _calls(data: dict[str, object], event: str, default_cwd: str) -> list[ToolCall]:
    """The calls of one hook input of ``event`` (unusable fields raise ``HookInputError``)."""
    base = _root(data, default_cwd)
    session = common.optional_str(data, "conversation_id") or common.optional_str(
        data, "session_id"
    )
    if event == SHELL:
        command = common.required_str(data, "command")
        return [ToolCall("Bash", {"command": command}, base, session, agent=AGENT)]
    if event == READ:
        file_path = common.required_str(data, "file_path")
        return [ToolCall("Read", {"file_path": file_path}, base, session, agent=AGENT)]
    tool_name, args = common.tool_fields(data, text=True)
    if event == MCP:
        name = _mcp(tool_name)
        return [ToolCall(name, args, base, session, agent=AGENT, agent_tool=tool_name)]
    return map_tool(tool_name, args, base, session)


def parse_hook_input(data: object, *, default_cwd: str = "/") -> wire.HookRequest:
    """Cursor hook JSON -> request. A missing ``hook_event_name`` reads as ``preToolUse``."""
    data = common.as_object(data)
    event = wire.event_of(data, PRE_TOOL_USE)
    judged = event in JUDGED_EVENTS
    calls: list[ToolCall] = []
    with common.Observed(judged):
        calls = _calls(data, event, default_cwd)
    roots = data.get("workspace_roots")
    common.place(calls, data, roots[0] if isinstance(roots, list) and roots else None)
    # preToolUse and postToolUse carry the same tool_use_id: the audit links them.
    return common.request(
        event, judged, calls, tool_use_id=common.optional_str(data, "tool_use_id")
    )


def render_decision(
    event: str, decision: Decision, call: ToolCall | None = None
) -> dict[str, object]:
    """Cursor's answer (see the module docstring); events that are not judged get ``{}``."""
    if event not in JUDGED_EVENTS:
        return {}
    action: str = decision.action  # str: compared with `defer` too
    if action in ("allow", "defer"):
        return {"permission": "allow"}
    if action == "deny":
        reason = wire.explain_reason(decision, call)
    else:  # ask, or an unresolved review
        reason = common.confirm_reason(decision, call, LABEL)
    reason = wire.cap(reason)
    # Live runs showed the model receiving user_message, not agent_message: both say it.
    return {"permission": "deny", "user_message": reason, "agent_message": reason}


def render_failure(event: str | None, fail_mode: str, problem: str) -> dict[str, object]:
    """The fail-closed answer: a deny in either fail mode (Cursor may run a call whose hook
    answers ``ask``)."""
    shape = event if event in JUDGED_EVENTS else PRE_TOOL_USE
    return render_decision(shape, wire.failure(fail_mode, problem))


def is_valid_output(event: str, data: object) -> bool:
    """True for an answer this adapter could have written for ``event``."""
    if not isinstance(data, dict):
        return False
    if event not in JUDGED_EVENTS:
        return True
    return data.get("permission") in ("allow", "deny")
