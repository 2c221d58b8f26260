"""``superego-mcp hooks install | uninstall | status [--agent NAME|all]``: wire Superego's
hook into Claude Code (``hook.install``) and the other agents (``hook.agents.install``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from superego_mcp.hook import install as claude
from superego_mcp.hook.agents import AGENTS
from superego_mcp.hook.agents import install as others
from superego_mcp.hook.installer import InstallError

if TYPE_CHECKING:
    import argparse


def run(args: argparse.Namespace) -> int:
    """Entry point of ``superego-mcp hooks``: exit 0, or 2 with the problem on stderr."""
    if getattr(args, "url", None) is None and (
        getattr(args, "host", None) is not None or getattr(args, "port", None) is not None
    ):
        # `superego-mcp --port 9000 hooks install --mode http`: the server the flags name.
        from superego_mcp.cli.healthcheck import default_url

        args.url = default_url(getattr(args, "host", None), getattr(args, "port", None))
    if getattr(args, "agent", "claude") not in (None, "claude"):
        return _run_agents(args)
    try:
        if args.action == "status":
            lines, ok = claude.status_lines(getattr(args, "project_dir", None))
            print("\n".join(lines))
            return 0 if ok else 2
        report = claude.install(args) if args.action == "install" else claude.uninstall(args)
    except InstallError as exc:
        print(f"superego-mcp hooks: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"superego-mcp hooks: error: {exc}", file=sys.stderr)
        return 2
    print(report)
    if args.action == "install" and args.mode == "http":
        print(
            "note: an http hook lets tool calls through while the server is down; "
            "`--mode command --url URL` forwards to the server and fails closed.",
            file=sys.stderr,
        )
    return 0


def _run_agents(args: argparse.Namespace) -> int:
    """``hooks ACTION --agent NAME|all`` for every agent but a lone Claude Code: exit 0, or
    2 with the problems named."""
    agent = args.agent
    try:
        if agent == "all":
            lines, ok = _run_all(args)
        elif args.action == "status":
            lines, ok = others.status_lines(agent, getattr(args, "project_dir", None))
        else:
            action = others.install if args.action == "install" else others.uninstall
            lines, ok = [action(agent, args)], True
    except (InstallError, OSError) as exc:
        print(f"superego-mcp hooks: error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0 if ok else 2


def _run_all(args: argparse.Namespace) -> tuple[list[str], bool]:
    """``--agent all``: the action for every agent found on this machine (status: every
    agent); skipped agents are reported with the reason."""
    project_dir = getattr(args, "project_dir", None)
    lines: list[str] = []
    ok = True
    for agent in AGENTS:
        if args.action == "status":
            got, good = (
                claude.status_lines(project_dir)
                if agent == "claude"
                else others.status_lines(agent, project_dir)
            )
            lines += [f"claude {line}" for line in got] if agent == "claude" else got
            ok = ok and good
            continue
        if args.action == "install" and others.found(agent) is None:
            lines.append(f"{agent}: skipped (not found: no config directory, not on PATH)")
            continue
        scopes = ("user", "project", "local") if agent == "claude" else others.SCOPES
        if args.scope not in scopes:
            lines.append(f"{agent}: skipped (it has no {args.scope!r} scope)")
            continue
        try:
            if agent == "claude":
                claude_action = claude.install if args.action == "install" else claude.uninstall
                lines.append(f"claude: {claude_action(args)}")
            elif args.action == "install":
                lines.append(others.install(agent, args))
            else:
                lines.append(others.uninstall(agent, args))
        except (InstallError, OSError) as exc:
            lines.append(f"{agent}: error: {exc}")
            ok = False
    return lines, ok
