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

from typing import TYPE_CHECKING

from superego_mcp.hook.agents.common import (
    Caller,
    absolute_cwd,
    arguments,
    as_object,
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
    call = Caller(AGENT, tool_name, cwd, session_id)
    file_path = path_argument(args, "path", "file_path")
    if tool_name in ("bash", "powershell"):
        name = "Bash" if tool_name == "bash" else "PowerShell"
        return [call(name, dict(args), join_dir(cwd, args.get("cwd")))]
    if tool_name == "view":
        return [call("Read", with_fields(args, file_path=file_path))]
    if tool_name == "create":
        content = args.get("file_text", args.get("content"))
        return [call("Write", with_fields(args, file_path=file_path, content=content))]
    if tool_name in ("edit", "str_replace_editor"):
        fields = with_fields(
            args,
            file_path=file_path,
            old_string=args.get("old_str"),
            new_string=args.get("new_str"),
        )
        return [call("Edit", fields)]
    if tool_name == "apply_patch":
        patch = args.get("input", args.get("patch", args.get("command")))
        if not isinstance(patch, str):
            raise HookInputError("apply_patch input has no patch text")
        return call.patch(patch)
    if tool_name == "glob":
        return [call("Glob", with_fields(args, path=file_path))]
    if tool_name in ("grep", "rg"):
        return [call("Grep", with_fields(args, path=file_path))]
    if tool_name == "web_fetch":
        return [call("WebFetch", dict(args))]
    if tool_name == "web_search":
        return [call("WebSearch", dict(args))]
    return [call(tool_name, dict(args))]


def parse_hook_input(data: object, *, default_cwd: str = "/") -> HookRequest:
    """Copilot hook JSON (the camelCase ``preToolUse`` dialect) -> request."""
    data = as_object(data)
    tool_name = required_str(data, "toolName")
    args = arguments(data.get("toolArgs", {}), tool_name, "toolArgs")
    cwd = absolute_cwd(data.get("cwd"), default_cwd)
    calls = map_tool(tool_name, args, cwd, optional_str(data, "sessionId"))
    place(calls, data)
    return HookRequest(EVENT, calls[0], more=tuple(calls[1:]), judged=True)


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
        "permissionDecisionReason": cap(explain_reason(decision, call), MAX_STRING),
    }


def render_failure(event: str | None, fail_mode: str, problem: str) -> dict[str, object]:
    """The fail-closed answer: the fail mode."""
    return render_decision(EVENT, failure(fail_mode, problem))


def is_valid_output(event: str, data: object) -> bool:
    """True for an answer this adapter could have written."""
    if not isinstance(data, dict):
        return False
    if not data:
        return True
    return data.get("permissionDecision") in ("allow", "deny", "ask") and isinstance(
        data.get("permissionDecisionReason"), str
    )
