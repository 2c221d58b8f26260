"""``superego-mcp explain --agent NAME``: how another agent's call maps onto our tools, how
the policy judges it, and the exact answer that agent would get."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from superego_mcp.model import ToolCall
    from superego_mcp.policy.engine import Policy


def _calls(args: argparse.Namespace, module: Any, cwd: str) -> tuple[str, list[ToolCall]] | None:
    """(event, calls) to explain; ``None`` when no call was given (show the mapping)."""
    from superego_mcp.hook.adapter import decode_hook_input

    words: list[str] = list(args.shell_command or [])
    # The agent's pre-tool event: EVENT, or PRE_TOOL_USE for agents with several.
    event = str(getattr(module, "EVENT", None) or getattr(module, "PRE_TOOL_USE", ""))
    if words == ["-"]:
        request = module.parse_hook_input(
            decode_hook_input(sys.stdin.buffer.read()), default_cwd=cwd
        )
        if request.call is None or not request.judged:
            raise ValueError(f"{request.event!r} is not an event Superego judges")
        return request.event, [request.call, *request.more]
    if args.tool_input is not None or args.tool is not None:
        tool_input = json.loads(args.tool_input) if args.tool_input is not None else {}
        if not isinstance(tool_input, dict):
            raise ValueError("--input must be a JSON object")
        if words:
            raise ValueError("give either --input or a shell command, not both")
        return event, module.map_tool(args.tool or module.SHELL_TOOL, tool_input, cwd)
    if words:
        return event, module.map_tool(module.SHELL_TOOL, {"command": " ".join(words)}, cwd)
    return None


def mapping_lines(agent: str) -> list[str]:
    """The agent's tool names and ours, as lines of text."""
    from superego_mcp.hook.agents import adapter_for

    tools: dict[str, str] = getattr(adapter_for(agent), "TOOLS", {})
    width = max((len(name) for name in tools), default=0)
    lines = [f"{agent}: its tool names -> ours (rules may name either; other names stay as is)"]
    lines += [f"  {name:<{width}}  ->  {ours}" for name, ours in tools.items()]
    return lines


def explain_agent(args: argparse.Namespace) -> int:
    """``explain --agent NAME``, with ``explain``'s exit statuses: 0 allow, 1 ask or defer,
    2 deny (the decision, before the agent's rendering of it), 3 error (named on stderr);
    0 for the mapping table."""
    from superego_mcp.decide import decide
    from superego_mcp.hook.adapter import HookInputError, HookRequest
    from superego_mcp.hook.agents import adapter_for, decide_request
    from superego_mcp.policy.commands import (
        _EXIT_CODES,
        EXIT_DENY,
        EXIT_ERROR,
        explanation,
        load_in_effect,
        render,
    )
    from superego_mcp.policy.errors import PolicyError
    from superego_mcp.project import given_project, project_root

    agent = args.agent
    module: Any = adapter_for(agent)  # an adapter module, with its TOOLS and map_tool
    cwd = args.cwd or os.getcwd()  # noqa: PTH109
    try:
        found = _calls(args, module, cwd)
    except (ValueError, HookInputError) as exc:  # json.JSONDecodeError is a ValueError
        print(f"superego-mcp explain: bad input: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if found is None:
        lines = mapping_lines(agent)
        print(
            json.dumps({"agent": agent, "tools": module.TOOLS}) if args.json else "\n".join(lines)
        )
        return 0
    event, calls = found
    for call in calls:
        call.project = project_root(
            call.cwd,
            given=getattr(args, "project", None) or call.project or given_project(os.environ),
            home=call.home or os.environ.get("HOME"),
        )
    try:
        policy: Policy = load_in_effect(args, project=calls[0].project)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a bad settings file, for instance
        print(f"superego-mcp explain: {exc}", file=sys.stderr)
        return EXIT_ERROR
    explained = []
    for call in calls:
        data = explanation(policy, call, policy.judge(call))
        data["mapping"] = {
            "agent": agent,
            "agent_tool": call.agent_tool or call.tool_name,
            "tool_name": call.tool_name,
        }
        explained.append(data)
    request = HookRequest(event, calls[0], more=tuple(calls[1:]), judged=True)
    decision, about = decide_request(request, calls[0], lambda c: decide(policy, c))
    answer = module.render_decision(event, decision, about)
    code = _EXIT_CODES.get(decision.action, EXIT_DENY)
    if args.json:
        print(json.dumps({"agent": agent, "calls": explained, "answer": answer}, indent=2))
        return code
    blocks = []
    for data in explained:
        m = data["mapping"]
        head = f"{agent} tool {m['agent_tool']} -> our {m['tool_name']}"
        blocks.append(f"{head}\n{render(data)}")
    blocks.append(f"answer to {agent} ({event}): {json.dumps(answer) or '(nothing)'}")
    print("\n\n".join(blocks))
    return code
