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
_EDIT = common.Tool("Edit", old_string=common.Arg("old_str"), new_string=common.Arg("new_str"))
TOOL_MAP = common.ToolMap(
    AGENT,
    {
        "bash": common.Tool("Bash", where=common.Directory("cwd")),
        "powershell": common.Tool("PowerShell", where=common.Directory("cwd")),
        "view": "Read",
        "create": common.Tool("Write", content=common.Arg("file_text", "content")),
        "edit": _EDIT,
        "str_replace_editor": _EDIT,
        "apply_patch": common.Tool(common.PATCH, patch=common.Arg("input", "patch", "command")),
        "glob": "Glob",
        "grep": "Grep",
        "rg": "Grep",
        "web_fetch": "WebFetch",
        "web_search": "WebSearch",
    },
    path_names=("path", "file_path"),
)
# The agent's call as ours (several for a patch over several files); another tool keeps its
# name and arguments.
map_tool = TOOL_MAP.calls


def parse_hook_input(data: object, *, default_cwd: str = "/") -> wire.HookRequest:
    """Copilot hook JSON (the camelCase ``preToolUse`` dialect) -> request."""
    return common.flat_request(
        data, default_cwd, TOOL_MAP, EVENT, tool="toolName", args="toolArgs", session="sessionId"
    )


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
