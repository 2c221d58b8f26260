"""Gemini CLI hooks (``BeforeTool``) <-> our calls and answers.

Contract (``docs/agents.md`` has the sources): stdin carries ``session_id``, ``cwd``,
``hook_event_name``, ``timestamp``, ``tool_name``, ``tool_input`` (the model's raw
arguments) and, for MCP tools, ``mcp_context`` (``server_name``, ``tool_name``, ...).
Tool names map onto ours: ``run_shell_command`` -> ``Bash`` (``dir_path`` joins the cwd),
``write_file`` -> ``Write``, ``replace`` -> ``Edit``, ``read_file`` -> ``Read``,
``read_many_files`` / ``glob`` / ``list_directory`` -> ``Glob``, ``grep_search`` -> ``Grep``,
``web_fetch`` -> ``WebFetch`` (one per URL in its prompt), ``google_web_search`` ->
``WebSearch``, MCP tools (``mcp_<server>_<tool>``) -> ``mcp__<server>__<tool>``.

Answers (exit 0, stdout only the JSON): ``{"decision": "deny", "reason": ...,
"systemMessage": ...}``; ``ask`` forces Gemini's confirmation prompt; ``allow`` does not
skip Gemini's own policy (there is no pre-approval); defer is ``{}``.
"""

from __future__ import annotations

import re

from superego_mcp.hook.agents import common, wire
from superego_mcp.model import Decision, ToolCall

AGENT = "gemini"
EVENT = "BeforeTool"
# Where a directory tool (glob, list_directory, grep_search) names its directory.
_DIR = common.Directory("dir_path", "path", "absolute_path", "directory")
TOOL_MAP = common.ToolMap(
    AGENT,
    {
        "run_shell_command": common.Tool("Bash", where=common.Directory("dir_path")),
        "write_file": "Write",
        "replace": "Edit",
        "read_file": "Read",
        "glob": common.Tool("Glob", path=_DIR, pattern=common.Arg("pattern")),
        "list_directory": common.Tool("Glob", path=_DIR, pattern=common.Value("*")),
        "grep_search": common.Tool(
            "Grep", path=_DIR, glob=common.Arg("include_pattern", "include")
        ),
        "google_web_search": "WebSearch",
    },
    # file_path today; absolute_path in earlier releases (read_file, replace)
    path_names=("file_path", "absolute_path"),
    # mapped here, one call per pattern or URL; MCP tools by name
    shown={
        "read_many_files": "Glob (one per include pattern)",
        "web_fetch": "WebFetch (one per URL in the prompt)",
        "mcp_<server>_<tool>": "mcp__<server>__<tool>",
    },
)
_URL = re.compile(r"https?://[^\s<>\"'`)\]]+", re.IGNORECASE)


def map_tool(
    tool_name: str,
    args: dict[str, object],
    cwd: str,
    session_id: str | None = None,
    mcp_context: object = None,
) -> list[ToolCall]:
    """Gemini's call as ours (several for ``read_many_files`` and multi-URL ``web_fetch``)."""
    call = common.Caller(AGENT, tool_name, cwd, session_id)
    if tool_name == "read_many_files":
        include = args.get("include", args.get("paths"))
        patterns = [p for p in include if isinstance(p, str)] if isinstance(include, list) else []
        if not patterns:
            raise wire.HookInputError("read_many_files input names no include pattern")
        return [call("Glob", common.with_fields(args, pattern=p, path=cwd)) for p in patterns]
    if tool_name == "web_fetch":
        prompt = args.get("prompt")
        urls = _URL.findall(prompt) if isinstance(prompt, str) else []
        if not urls:
            return [call("WebFetch", dict(args))]
        return [call("WebFetch", common.with_fields(args, url=u.rstrip(".,;:!?"))) for u in urls]
    other = None if tool_name in TOOL_MAP.tools else _mcp_tool(tool_name, mcp_context)
    return TOOL_MAP.calls(tool_name, args, cwd, session_id, other)


def _mcp_tool(tool_name: str, context: object) -> str | None:
    """``mcp__<server>__<tool>`` for an MCP call: from ``mcp_context`` when Gemini sends it,
    else from ``mcp_<server>_<tool>`` split at the first ``_`` after the prefix (a server
    name with ``_`` in it is then misread; the context avoids that)."""
    if isinstance(context, dict):
        server, tool = context.get("server_name"), context.get("tool_name")
        if isinstance(server, str) and server and isinstance(tool, str) and tool:
            return common.mcp_name(server, tool)
    if tool_name.startswith("mcp_") and not tool_name.startswith("mcp__"):
        server, sep, tool = tool_name[4:].partition("_")
        if server and sep and tool:
            return common.mcp_name(server, tool)
    return None


def parse_hook_input(data: object, *, default_cwd: str = "/") -> wire.HookRequest:
    """Gemini hook JSON -> request. A missing ``hook_event_name`` reads as ``BeforeTool``."""
    data = common.as_object(data)
    event = wire.event_of(data, EVENT)
    judged = event == EVENT

    calls: list[ToolCall] = []
    with common.Observed(judged):
        tool_name, args, cwd, session = common.claude_fields(data, default_cwd)
        calls = map_tool(tool_name, args, cwd, session, data.get("mcp_context"))
    common.place(calls, data)
    return common.request(event, judged, calls)


def render_decision(
    event: str, decision: Decision, call: ToolCall | None = None
) -> dict[str, object]:
    """Gemini's answer (see the module docstring); events other than ``BeforeTool`` get
    ``{}``."""
    if event != EVENT:
        return {}
    action: str = decision.action  # str: compared with `defer` too
    if action == "defer":
        return {}
    if action == "allow":
        return {"decision": "allow"}
    reason = wire.cap(wire.explain_reason(decision, call))
    verdict = "deny" if action == "deny" else "ask"  # ask, or an unresolved review
    # reason goes to the model (as the tool's error); systemMessage to the user.
    return {"decision": verdict, "reason": reason, "systemMessage": reason}


def render_failure(event: str | None, fail_mode: str, problem: str) -> dict[str, object]:
    """The fail-closed answer: the fail mode (``ask`` forces Gemini's prompt)."""
    return render_decision(EVENT, wire.failure(fail_mode, problem))


def is_valid_output(event: str, data: object) -> bool:
    """True for an answer this adapter could have written for ``event``."""
    if not isinstance(data, dict):
        return False
    if not data or event != EVENT:
        return True
    verdict = data.get("decision")
    if verdict == "allow":
        return True
    return verdict in ("deny", "ask") and isinstance(data.get("reason"), str)
