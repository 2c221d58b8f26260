"""``superego-mcp explain``: what the analyzer saw in one call, which rule decided each unit
and why, and the result; ``explain --agent NAME`` for another agent's call (how it maps onto
our tools, and the exact answer that agent would get). Exit status: 0 allow, 1 ask or defer,
2 deny, 3 error. A bad policy file prints ``FILE:LINE: rule ID: MESSAGE``; no traceback.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

from superego_mcp.explain import explanation, render
from superego_mcp.model import ToolCall
from superego_mcp.places import settings_file
from superego_mcp.policy.errors import PolicyError

if TYPE_CHECKING:
    import argparse

    from superego_mcp.hook.agents import AgentAdapter
    from superego_mcp.model import Decision
    from superego_mcp.policy.engine import Judgement, Policy


def _err(message: str) -> None:
    print(f"superego-mcp: {message}", file=sys.stderr)


def load_in_effect(args: argparse.Namespace, project: str | None = None) -> Policy:
    """The layered policy in effect for this command line (``--rules``, ``--config``, the
    ``SUPEREGO_*`` environment) in ``project`` (default: this process's project)."""
    from superego_mcp.config import load_effective, load_settings

    config = settings_file(getattr(args, "config", None))
    settings = load_settings(config, rules=getattr(args, "rules", None) or None)
    return load_effective(settings, config, project=project)


def _read_call(args: argparse.Namespace) -> ToolCall:
    """The call to explain, from hook JSON on stdin, ``--tool``/``--input``, or words; its
    project root is ``--project``, else the hook JSON's ``project_dir``, else found as the
    hook would (``CLAUDE_PROJECT_DIR``, the git work tree of the cwd, the cwd). With
    ``--session`` (or the hook JSON's ``session_id``) it sees what the session wrote."""
    call = _read_bare_call(args)
    from superego_mcp.project import place

    project = getattr(args, "project", None)
    if project is not None and not project.startswith("/"):
        project = os.path.abspath(project)  # noqa: PTH100
    place(call, given=project, environ=os.environ)
    session = getattr(args, "session", None) or call.session_id
    if session:  # the files the session wrote (superego_mcp.memory); read, never changed
        from superego_mcp.memory import open_memory

        call.session_id = session
        call.memory = open_memory(session)
    return call


def _read_bare_call(args: argparse.Namespace) -> ToolCall:
    cwd = args.cwd or os.getcwd()  # noqa: PTH109
    words: list[str] = list(args.shell_command or [])
    if words == ["-"]:
        data = json.loads(sys.stdin.read())
        if not isinstance(data, dict) or not isinstance(data.get("tool_name"), str):
            raise ValueError("hook JSON must be an object with a 'tool_name' string")
        tool_input = data.get("tool_input", {})
        if not isinstance(tool_input, dict):
            raise ValueError("'tool_input' must be an object")
        call = ToolCall(data["tool_name"], tool_input, args.cwd or str(data.get("cwd") or cwd))
        session = data.get("session_id")
        call.session_id = session if isinstance(session, str) and session else None
        for key, slot in (("project_dir", "project"), ("home", "home")):
            value = data.get(key)
            if isinstance(value, str) and value.startswith("/"):
                setattr(call, slot, value)
        return call
    if args.tool_input is not None:
        tool_input = json.loads(args.tool_input)
        if not isinstance(tool_input, dict):
            raise ValueError("--input must be a JSON object")
        if words:
            raise ValueError("give either --input or a shell command, not both")
        return ToolCall(args.tool or "Bash", tool_input, cwd)
    if not words:
        raise ValueError(
            "nothing to explain: give a shell command, --tool/--input, or '-' "
            "with hook JSON on stdin"
        )
    return ToolCall(args.tool or "Bash", {"command": " ".join(words)}, cwd)


# `explain`'s exit status, so that scripts can branch on the answer: allow, a person or the
# agent's own permissions decide (ask, defer; review resolves to ask), deny, no answer.
EXIT_ALLOW, EXIT_UNDECIDED, EXIT_DENY, EXIT_ERROR = 0, 1, 2, 3
_EXIT_CODES = {"allow": EXIT_ALLOW, "ask": EXIT_UNDECIDED, "defer": EXIT_UNDECIDED}


def explain(args: argparse.Namespace) -> int:
    """Show what the analyzer saw, which rule decided each unit and why, and the result.
    Exit status: 0 allow, 1 ask or defer, 2 deny, 3 error (bad input, policy or settings;
    an evaluation that failed)."""
    if getattr(args, "agent", None) not in (None, "claude"):  # another agent's call
        return explain_agent(args)
    try:
        call = _read_call(args)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        _err(f"bad input: {exc}")
        return EXIT_ERROR
    try:
        policy = load_in_effect(args, project=call.project)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a bad settings file, for instance
        _err(str(exc))
        return EXIT_ERROR
    try:
        judgement = policy.judge(call)
    except Exception as exc:  # explain the fail-closed answer instead
        from superego_mcp.decide import decide

        d = decide(policy, call)
        _err(f"evaluation failed ({type(exc).__name__}: {exc}); the answer would be {d.action}")
        return EXIT_ERROR
    try:
        final = _final(args, policy, call, judgement)
    except Exception as exc:  # a bad settings file, for instance
        _err(str(exc))
        return EXIT_ERROR
    data = explanation(policy, call, judgement, final)
    _with_exception(data, args, call, judgement.decision.final)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print(render(data))
    return _EXIT_CODES.get(data["decision"]["decision"], EXIT_DENY)


def _with_exception(
    data: dict[str, Any], args: argparse.Namespace, call: ToolCall, final: bool
) -> None:
    """Show the exception (``superego-mcp allow``) that would allow this call, if any,
    without using it up."""
    from superego_mcp.config import load_settings
    from superego_mcp.grants import apply
    from superego_mcp.model import Decision

    config = settings_file(getattr(args, "config", None))
    shown = data["decision"]
    decision = Decision(shown["decision"], shown["reason"], shown["rule_id"], final=final)
    granted = apply(str(load_settings(config).state_dir), call, decision, consume=False)
    if granted is not decision:
        data["exception"] = granted.rule_id
        data["decision"] = granted.to_dict()


def _final(
    args: argparse.Namespace, policy: Policy, call: ToolCall, judgement: Judgement
) -> Decision:
    """The final decision: a ``review`` goes to the configured reviewer (a real request:
    explain shows what the hook would get), else it is the evaluation itself."""
    decision = judgement.decision
    if decision.action != "review":
        return decision
    from superego_mcp.config import load_settings
    from superego_mcp.decide import guidance_for, resolve_review

    settings = load_settings(getattr(args, "config", None))
    if settings.reviewer_config() is None:
        return resolve_review(decision, call, settings.fail_mode)
    from superego_mcp.config import build_reviewer

    reviewer = build_reviewer(settings)
    if reviewer is None:
        return resolve_review(decision, call, settings.fail_mode)
    return reviewer.review(
        decision,
        call,
        judgement,
        policy_digest=policy.digest,
        fail_mode=settings.fail_mode,
        guidance=guidance_for(policy, judgement),
    )


def _agent_calls(
    args: argparse.Namespace, module: AgentAdapter, cwd: str
) -> tuple[str, list[ToolCall]] | None:
    """(event, calls) to explain; ``None`` when no call was given (show the mapping)."""
    from superego_mcp.hook.agents.wire import decode_hook_input

    words: list[str] = list(args.shell_command or [])
    event = module.EVENT
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
        return event, module.map_tool(args.tool or module.TOOL_MAP.shell, tool_input, cwd)
    if words:
        return event, module.map_tool(module.TOOL_MAP.shell, {"command": " ".join(words)}, cwd)
    return None


def mapping_lines(agent: str) -> list[str]:
    """The agent's tool names and ours, as lines of text."""
    from superego_mcp.hook.agents import adapter_for

    tools = adapter_for(agent).TOOL_MAP.shown
    width = max((len(name) for name in tools), default=0)
    lines = [f"{agent}: its tool names -> ours (rules may name either; other names stay as is)"]
    lines += [f"  {name:<{width}}  ->  {ours}" for name, ours in tools.items()]
    return lines


def explain_agent(args: argparse.Namespace) -> int:
    """``explain --agent NAME``, with ``explain``'s exit statuses: 0 allow, 1 ask or defer,
    2 deny (the decision, before the agent's rendering of it), 3 error (named on stderr);
    0 for the mapping table."""
    from superego_mcp.decide import decide
    from superego_mcp.hook.agents import adapter_for, decide_request
    from superego_mcp.hook.agents.wire import HookInputError
    from superego_mcp.policy.errors import PolicyError
    from superego_mcp.project import place

    agent = args.agent
    module = adapter_for(agent)
    cwd = args.cwd or os.getcwd()  # noqa: PTH109
    try:
        found = _agent_calls(args, module, cwd)
    except (ValueError, HookInputError) as exc:  # json.JSONDecodeError is a ValueError
        print(f"superego-mcp explain: bad input: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if found is None:
        lines = mapping_lines(agent)
        print(
            json.dumps({"agent": agent, "tools": module.TOOL_MAP.shown})
            if args.json
            else "\n".join(lines)
        )
        return 0
    event, calls = found
    for call in calls:
        place(call, given=getattr(args, "project", None), environ=os.environ)
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
    decision, about = decide_request(calls, [decide(policy, c) for c in calls])
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
