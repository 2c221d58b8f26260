"""OpenCode (plugin ``tool.execute.before``) <-> our calls and answers.

OpenCode has no command-hook protocol: guards are in-process JS/TS plugins. Superego's
plugin (``hook/agents/opencode_plugin.js``, written by ``hooks install --agent opencode``)
sends each call to ``superego-mcp hook --agent opencode`` as ``{"tool", "sessionID",
"callID", "args", "directory", "worktree"}`` (``tool`` and ``args`` are what OpenCode gives
the hook; ``directory`` / ``worktree`` the plugin's context) and reads back ``{"decision":
"allow" | "deny" | "ask" | "defer", "reason": ...}``. It throws (which blocks the call, and
the message is what the model reads) on anything but allow / defer, and on any failure of
its own: OpenCode's hook cannot ask, so ask blocks with a reason saying a person must
confirm.

Tool names map onto ours: ``bash`` -> ``Bash`` (``workdir`` joins the directory), ``read`` ->
``Read``, ``write`` -> ``Write``, ``edit`` -> ``Edit``, ``apply_patch`` -> one ``Write`` /
``Edit`` per file, ``glob`` / ``list`` -> ``Glob``, ``grep`` -> ``Grep``, ``webfetch`` ->
``WebFetch``, ``websearch`` -> ``WebSearch``. MCP tools (``<server>_<tool>``) keep their
name: it cannot be told apart from a plugin tool's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from superego_mcp.hook.agents.common import (
    Caller,
    absolute_cwd,
    arguments,
    as_object,
    confirm_reason,
    join_dir,
    optional_str,
    path_argument,
    place,
    required_str,
    with_fields,
)
from superego_mcp.hook.agents.wire import (
    MAX_STRING,
    HookInputError,
    HookRequest,
    cap,
    explain_reason,
    failure,
)
from superego_mcp.model import Decision, ToolCall

if TYPE_CHECKING:
    pass

AGENT = "opencode"
LABEL = "OpenCode"
EVENT = "tool.execute.before"
# The agent's shell tool (what `explain --agent opencode <command>` maps a command line from).
SHELL_TOOL = "bash"
TOOLS: dict[str, str] = {
    "bash": "Bash",
    "read": "Read",
    "write": "Write",
    "edit": "Edit",
    "apply_patch": "Write / Edit (one per file)",
    "glob": "Glob",
    "list": "Glob",
    "grep": "Grep",
    "webfetch": "WebFetch",
    "websearch": "WebSearch",
}


def map_tool(
    tool_name: str, args: dict[str, object], cwd: str, session_id: str | None = None
) -> list[ToolCall]:
    """OpenCode's call as ours; relative paths are relative to ``cwd`` (the project)."""
    call = Caller(AGENT, tool_name, cwd, session_id)
    file_path = path_argument(args, "filePath", "path")
    if tool_name == "bash":
        return [call("Bash", dict(args), join_dir(cwd, args.get("workdir")))]
    if tool_name == "read":
        return [call("Read", with_fields(args, file_path=file_path))]
    if tool_name == "write":
        return [call("Write", with_fields(args, file_path=file_path))]
    if tool_name == "edit":
        fields = with_fields(
            args,
            file_path=file_path,
            old_string=args.get("oldString"),
            new_string=args.get("newString"),
        )
        return [call("Edit", fields)]
    if tool_name == "apply_patch":
        patch = args.get("patchText", args.get("patch"))
        if not isinstance(patch, str):
            raise HookInputError("apply_patch input has no patchText string")
        return call.patch(patch)
    if tool_name in ("glob", "list"):
        pattern = args.get("pattern") if tool_name == "glob" else "*"
        return [call("Glob", with_fields(args, path=file_path or cwd, pattern=pattern))]
    if tool_name == "grep":
        return [call("Grep", with_fields(args, path=file_path, glob=args.get("include")))]
    if tool_name == "webfetch":
        return [call("WebFetch", dict(args))]
    if tool_name == "websearch":
        return [call("WebSearch", dict(args))]
    return [call(tool_name, dict(args))]


def parse_hook_input(data: object, *, default_cwd: str = "/") -> HookRequest:
    """The plugin's JSON -> request."""
    data = as_object(data)
    tool_name = required_str(data, "tool")
    args = arguments(data.get("args", {}), tool_name, "args")
    cwd = absolute_cwd(data.get("directory") or data.get("worktree"), default_cwd, "directory")
    calls = map_tool(tool_name, args, cwd, optional_str(data, "sessionID"))
    worktree = data.get("worktree")
    # OpenCode's worktree is "/" outside a git repository: that is no project.
    place(calls, data, worktree if worktree != "/" else None)
    call_id = optional_str(data, "callID")
    return HookRequest(EVENT, calls[0], tool_use_id=call_id, more=tuple(calls[1:]), judged=True)


def render_decision(
    event: str, decision: Decision, call: ToolCall | None = None
) -> dict[str, object]:
    """The plugin's answer: the decision and the text the model reads when it blocks."""
    action: str = decision.action  # str: compared with `defer` too
    if action in ("allow", "defer", "deny"):
        verdict = action
        reason = explain_reason(decision, call)
    else:  # ask, or an unresolved review
        verdict = "ask"
        reason = confirm_reason(decision, call, LABEL)
    return {"decision": verdict, "reason": cap(reason, MAX_STRING)}


def render_failure(event: str | None, fail_mode: str, problem: str) -> dict[str, object]:
    """The fail-closed answer: the fail mode (the plugin blocks on both)."""
    return render_decision(EVENT, failure(fail_mode, problem))


def is_valid_output(event: str, data: object) -> bool:
    """True for an answer this adapter could have written."""
    return (
        isinstance(data, dict)
        and data.get("decision") in ("allow", "deny", "ask", "defer")
        and isinstance(data.get("reason"), str)
    )
