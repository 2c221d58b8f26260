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
# The agent's shell tool (what `explain --agent gemini <command>` maps a command line from).
SHELL_TOOL = "run_shell_command"
TOOLS: dict[str, str] = {
    "run_shell_command": "Bash",
    "write_file": "Write",
    "replace": "Edit",
    "read_file": "Read",
    "read_many_files": "Glob (one per include pattern)",
    "glob": "Glob",
    "list_directory": "Glob",
    "grep_search": "Grep",
    "web_fetch": "WebFetch (one per URL in the prompt)",
    "google_web_search": "WebSearch",
    "mcp_<server>_<tool>": "mcp__<server>__<tool>",
}
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
    if tool_name == "run_shell_command":
        return call.shell("Bash", args, args.get("dir_path"))
    if tool_name in ("write_file", "replace", "read_file"):
        # file_path today; absolute_path in earlier releases (read_file, replace).
        file_path = common.path_argument(args, "file_path", "absolute_path")
        return call.one(TOOLS[tool_name], args, file_path=file_path)
    if tool_name in ("glob", "list_directory"):
        pattern = args.get("pattern") if tool_name == "glob" else "*"
        return call.one("Glob", args, path=_dir(cwd, args), pattern=pattern)
    if tool_name == "grep_search":
        include = args.get("include_pattern", args.get("include"))
        return call.one("Grep", args, path=_dir(cwd, args), glob=include)
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
            return call.one("WebFetch", args)
        return [call("WebFetch", common.with_fields(args, url=u.rstrip(".,;:!?"))) for u in urls]
    if tool_name == "google_web_search":
        return call.one("WebSearch", args)
    return call.one(_mcp_tool(tool_name, mcp_context) or tool_name, args)


def _dir(cwd: str, args: dict[str, object]) -> str:
    for name in ("dir_path", "path", "absolute_path", "directory"):
        if isinstance(args.get(name), str) and args[name]:
            return common.join_dir(cwd, args[name])
    return common.join_dir(cwd, None)


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
