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
_PATH_OR_CWD = common.FilePath(or_cwd=True)
TOOL_MAP = common.ToolMap(
    AGENT,
    {
        "bash": common.Tool("Bash", where=common.Directory("workdir")),
        "read": "Read",
        "write": "Write",
        "edit": common.Tool(
            "Edit", old_string=common.Arg("oldString"), new_string=common.Arg("newString")
        ),
        "apply_patch": common.Tool(common.PATCH, patch=common.Arg("patchText", "patch")),
        "glob": common.Tool("Glob", path=_PATH_OR_CWD, pattern=common.Arg("pattern")),
        "list": common.Tool("Glob", path=_PATH_OR_CWD, pattern=common.Value("*")),
        "grep": common.Tool("Grep", glob=common.Arg("include")),
        "webfetch": "WebFetch",
        "websearch": "WebSearch",
    },
    # relative paths are relative to the cwd (the project)
    path_names=("filePath", "path"),
)
# The agent's call as ours (several for a patch over several files); another tool keeps its
# name and arguments.
map_tool = TOOL_MAP.calls


def parse_hook_input(data: object, *, default_cwd: str = "/") -> wire.HookRequest:
    """The plugin's JSON -> request (OpenCode's worktree is ``/`` outside a git repository:
    that is no project)."""
    return common.flat_request(
        data,
        default_cwd,
        TOOL_MAP,
        EVENT,
        tool="tool",
        args="args",
        session="sessionID",
        cwd=("directory", "worktree"),
        project="worktree",
        call_id="callID",
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
