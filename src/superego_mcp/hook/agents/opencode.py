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

from superego_mcp.hook.agents import common, wire
from superego_mcp.model import Decision, ToolCall

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
    call = common.Caller(AGENT, tool_name, cwd, session_id)
    file_path = common.path_argument(args, "filePath", "path")
    if tool_name == "bash":
        return call.shell("Bash", args, args.get("workdir"))
    if tool_name in ("read", "write"):
        return call.one(TOOLS[tool_name], args, file_path=file_path)
    if tool_name == "edit":
        old, new = args.get("oldString"), args.get("newString")
        return call.one("Edit", args, file_path=file_path, old_string=old, new_string=new)
    if tool_name == "apply_patch":
        patch = args.get("patchText", args.get("patch"))
        if not isinstance(patch, str):
            raise wire.HookInputError("apply_patch input has no patchText string")
        return call.patch(patch)
    if tool_name in ("glob", "list"):
        pattern = args.get("pattern") if tool_name == "glob" else "*"
        return call.one("Glob", args, path=file_path or cwd, pattern=pattern)
    if tool_name == "grep":
        return call.one("Grep", args, path=file_path, glob=args.get("include"))
    # webfetch, websearch; another tool keeps its name
    return call.one(TOOLS.get(tool_name, tool_name), args)


def parse_hook_input(data: object, *, default_cwd: str = "/") -> wire.HookRequest:
    """The plugin's JSON -> request."""
    data = common.as_object(data)
    tool_name = common.required_str(data, "tool")
    args = common.arguments(data.get("args", {}), tool_name, "args")
    cwd = common.absolute_cwd(
        data.get("directory") or data.get("worktree"), default_cwd, "directory"
    )
    calls = map_tool(tool_name, args, cwd, common.optional_str(data, "sessionID"))
    worktree = data.get("worktree")
    # OpenCode's worktree is "/" outside a git repository: that is no project.
    common.place(calls, data, worktree if worktree != "/" else None)
    call_id = common.optional_str(data, "callID")
    return wire.HookRequest(
        EVENT, calls[0], tool_use_id=call_id, more=tuple(calls[1:]), judged=True
    )


def render_decision(
    event: str, decision: Decision, call: ToolCall | None = None
) -> dict[str, object]:
    """The plugin's answer: the decision and the text the model reads when it blocks."""
    action: str = decision.action  # str: compared with `defer` too
    if action in ("allow", "defer", "deny"):
        verdict = action
        reason = wire.explain_reason(decision, call)
    else:  # ask, or an unresolved review
        verdict = "ask"
        reason = common.confirm_reason(decision, call, LABEL)
    return {"decision": verdict, "reason": wire.cap(reason)}


def render_failure(event: str | None, fail_mode: str, problem: str) -> dict[str, object]:
    """The fail-closed answer: the fail mode (the plugin blocks on both)."""
    return render_decision(EVENT, wire.failure(fail_mode, problem))


def is_valid_output(event: str, data: object) -> bool:
    """True for an answer this adapter could have written."""
    return (
        isinstance(data, dict)
        and data.get("decision") in ("allow", "deny", "ask", "defer")
        and isinstance(data.get("reason"), str)
    )
