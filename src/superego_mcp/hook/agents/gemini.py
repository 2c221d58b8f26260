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
from typing import TYPE_CHECKING

from superego_mcp.hook.agents.common import (
    Caller,
    absolute_cwd,
    as_object,
    join_dir,
    mcp_name,
    optional_str,
    path_argument,
    place,
    request,
    required_str,
    tool_object,
    with_fields,
)
from superego_mcp.hook.agents.wire import (
    MAX_STRING,
    HookInputError,
    HookRequest,
    cap,
    event_of,
    explain_reason,
    failure,
)
from superego_mcp.model import Decision, ToolCall

if TYPE_CHECKING:
    pass

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

    call = Caller(AGENT, tool_name, cwd, session_id)
    if tool_name == "run_shell_command":
        return [call("Bash", dict(args), join_dir(cwd, args.get("dir_path")))]
    if tool_name in ("write_file", "replace", "read_file"):
        ours = {"write_file": "Write", "replace": "Edit", "read_file": "Read"}[tool_name]
        # file_path today; absolute_path in earlier releases (read_file, replace).
        file_path = path_argument(args, "file_path", "absolute_path")
        return [call(ours, with_fields(args, file_path=file_path) if file_path else dict(args))]
    if tool_name in ("glob", "list_directory"):
        pattern = args.get("pattern") if tool_name == "glob" else "*"
        return [call("Glob", with_fields(args, path=_dir(cwd, args), pattern=pattern))]
    if tool_name == "grep_search":
        include = args.get("include_pattern", args.get("include"))
        return [call("Grep", with_fields(args, path=_dir(cwd, args), glob=include))]
    if tool_name == "read_many_files":
        include = args.get("include", args.get("paths"))
        patterns = [p for p in include if isinstance(p, str)] if isinstance(include, list) else []
        if not patterns:
            raise HookInputError("read_many_files input names no include pattern")
        return [call("Glob", with_fields(args, pattern=p, path=cwd)) for p in patterns]
    if tool_name == "web_fetch":
        prompt = args.get("prompt")
        urls = _URL.findall(prompt) if isinstance(prompt, str) else []
        if not urls:
            return [call("WebFetch", dict(args))]
        return [call("WebFetch", with_fields(args, url=u.rstrip(".,;:!?"))) for u in urls]
    if tool_name == "google_web_search":
        return [call("WebSearch", dict(args))]
    mcp = _mcp_tool(tool_name, mcp_context)
    if mcp is not None:
        return [call(mcp, dict(args))]
    return [call(tool_name, dict(args))]


def _dir(cwd: str, args: dict[str, object]) -> str:
    for name in ("dir_path", "path", "absolute_path", "directory"):
        if isinstance(args.get(name), str) and args[name]:
            return join_dir(cwd, args[name])
    return join_dir(cwd, None)


def _mcp_tool(tool_name: str, context: object) -> str | None:
    """``mcp__<server>__<tool>`` for an MCP call: from ``mcp_context`` when Gemini sends it,
    else from ``mcp_<server>_<tool>`` split at the first ``_`` after the prefix (a server
    name with ``_`` in it is then misread; the context avoids that)."""
    if isinstance(context, dict):
        server, tool = context.get("server_name"), context.get("tool_name")
        if isinstance(server, str) and server and isinstance(tool, str) and tool:
            return mcp_name(server, tool)
    if tool_name.startswith("mcp_") and not tool_name.startswith("mcp__"):
        server, sep, tool = tool_name[4:].partition("_")
        if server and sep and tool:
            return mcp_name(server, tool)
    return None


def parse_hook_input(data: object, *, default_cwd: str = "/") -> HookRequest:
    """Gemini hook JSON -> request. A missing ``hook_event_name`` reads as ``BeforeTool``."""
    data = as_object(data)
    event = event_of(data, EVENT)
    judged = event == EVENT

    def build() -> list[ToolCall]:
        tool_name = required_str(data, "tool_name")
        args = tool_object(data, tool_name)
        cwd = absolute_cwd(data.get("cwd"), default_cwd)
        session = optional_str(data, "session_id")
        calls = map_tool(tool_name, args, cwd, session, data.get("mcp_context"))
        place(calls, data)
        return calls

    return request(event, judged, build)


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
    reason = cap(explain_reason(decision, call), MAX_STRING)
    verdict = "deny" if action == "deny" else "ask"  # ask, or an unresolved review
    # reason goes to the model (as the tool's error); systemMessage to the user.
    return {"decision": verdict, "reason": reason, "systemMessage": reason}


def render_failure(event: str | None, fail_mode: str, problem: str) -> dict[str, object]:
    """The fail-closed answer: the fail mode (``ask`` forces Gemini's prompt)."""
    return render_decision(EVENT, failure(fail_mode, problem))


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
