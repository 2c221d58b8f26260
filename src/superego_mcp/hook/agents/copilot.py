"""GitHub Copilot CLI hooks (``preToolUse``) <-> our calls and answers.

Contract (``docs/agents.md`` has the sources): stdin is ``{"sessionId", "timestamp", "cwd",
"toolName", "toolArgs"}``; ``toolArgs`` is a JSON-encoded string in the documentation's
example and an object in live captures, so both are read. Tool names map onto ours:
``bash`` -> ``Bash``, ``powershell`` -> ``PowerShell``, ``view`` -> ``Read``, ``create`` ->
``Write``, ``edit`` / ``str_replace_editor`` -> ``Edit``, ``apply_patch`` -> one ``Write`` /
``Edit`` per file, ``glob`` -> ``Glob``, ``grep`` / ``rg`` -> ``Grep``, ``web_fetch`` ->
``WebFetch``, ``web_search`` -> ``WebSearch``. Argument names beyond ``command`` and
``path`` are not documented; ours (``file_path``, ``old_string``, ...) are added next to
Copilot's own, which stay.

Answers (exit 0, one JSON object): ``{"permissionDecision": "allow" | "deny" | "ask",
"permissionDecisionReason": ...}``; defer is ``{}`` (Copilot's default permission flow).
Copilot denies on exit 2 and on any other non-zero exit.
"""

from __future__ import annotations

from superego_mcp.hook.agents import common, wire
from superego_mcp.model import Decision, ToolCall

AGENT = "copilot"
EVENT = "preToolUse"
# The agent's shell tool (what `explain --agent copilot <command>` maps a command line from).
SHELL_TOOL = "bash"
TOOLS: dict[str, str] = {
    "bash": "Bash",
    "powershell": "PowerShell",
    "view": "Read",
    "create": "Write",
    "edit": "Edit",
    "str_replace_editor": "Edit",
    "apply_patch": "Write / Edit (one per file)",
    "glob": "Glob",
    "grep": "Grep",
    "rg": "Grep",
    "web_fetch": "WebFetch",
    "web_search": "WebSearch",
}


def map_tool(
    tool_name: str, args: dict[str, object], cwd: str, session_id: str | None = None
) -> list[ToolCall]:
    """Copilot's call as ours."""
    call = common.Caller(AGENT, tool_name, cwd, session_id)
    file_path = common.path_argument(args, "path", "file_path")
    if tool_name in ("bash", "powershell"):
        return call.shell(TOOLS[tool_name], args, args.get("cwd"))
    if tool_name == "view":
        return call.one("Read", args, file_path=file_path)
    if tool_name == "create":
        content = args.get("file_text", args.get("content"))
        return call.one("Write", args, file_path=file_path, content=content)
    if tool_name in ("edit", "str_replace_editor"):
        old, new = args.get("old_str"), args.get("new_str")
        return call.one("Edit", args, file_path=file_path, old_string=old, new_string=new)
    if tool_name == "apply_patch":
        patch = args.get("input", args.get("patch", args.get("command")))
        if not isinstance(patch, str):
            raise wire.HookInputError("apply_patch input has no patch text")
        return call.patch(patch)
    if tool_name in ("glob", "grep", "rg"):
        return call.one(TOOLS[tool_name], args, path=file_path)
    # web_fetch, web_search; another tool keeps its name
    return call.one(TOOLS.get(tool_name, tool_name), args)


def parse_hook_input(data: object, *, default_cwd: str = "/") -> wire.HookRequest:
    """Copilot hook JSON (the camelCase ``preToolUse`` dialect) -> request."""
    data = common.as_object(data)
    tool_name = common.required_str(data, "toolName")
    args = common.arguments(data.get("toolArgs", {}), tool_name, "toolArgs")
    cwd = common.absolute_cwd(data.get("cwd"), default_cwd)
    calls = map_tool(tool_name, args, cwd, common.optional_str(data, "sessionId"))
    common.place(calls, data)
    return wire.HookRequest(EVENT, calls[0], more=tuple(calls[1:]), judged=True)


def render_decision(
    event: str, decision: Decision, call: ToolCall | None = None
) -> dict[str, object]:
    """Copilot's answer (see the module docstring)."""
    action: str = decision.action  # str: compared with `defer` too
    if action == "defer":
        return {}
    verdict = action if action in ("allow", "deny") else "ask"  # ask, unresolved review
    return {
        "permissionDecision": verdict,
        "permissionDecisionReason": wire.cap(wire.explain_reason(decision, call)),
    }


def render_failure(event: str | None, fail_mode: str, problem: str) -> dict[str, object]:
    """The fail-closed answer: the fail mode."""
    return render_decision(EVENT, wire.failure(fail_mode, problem))


def is_valid_output(event: str, data: object) -> bool:
    """True for an answer this adapter could have written."""
    if not isinstance(data, dict):
        return False
    if not data:
        return True
    return data.get("permissionDecision") in ("allow", "deny", "ask") and isinstance(
        data.get("permissionDecisionReason"), str
    )
