"""The ``superego-mcp`` command line.

Every subcommand's implementation lives in the module that owns the concern and is imported
only when that subcommand runs, so that ``superego-mcp hook`` does not pay for the server's
imports.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    # argparse itself is imported only to build the parser: a plain `hook` call never does.
    import argparse
    from collections.abc import Callable, Sequence

    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]

# subcommand -> "module:function"; each function takes the parsed Namespace and returns an
# exit code.
_HANDLERS: dict[str, str] = {
    "serve": "superego_mcp.server.main:run",
    "hook": "superego_mcp.hook.runner:run",
    "hooks": "superego_mcp.cli.hooks:run",
    "init": "superego_mcp.cli.policy:init",
    "check": "superego_mcp.cli.policy:check",
    "explain": "superego_mcp.cli.explain:explain",
    "config": "superego_mcp.cli.config:run",
    "allow": "superego_mcp.cli.allow:run",
    "healthcheck": "superego_mcp.cli.healthcheck:run",
    "audit": "superego_mcp.cli.audit:run",
    "reviewer": "superego_mcp.cli.reviewer:run",
    "replay": "superego_mcp.cli.replay:run",
    "suggest": "superego_mcp.cli.suggest:run",
}


# `hook` runs on every tool call, so its options are data: build_parser() gives them to
# argparse, and _fast_hook_args() reads a plain `hook` command line from the same table
# without building a parser (argparse's parser set-up, with the gettext, locale and shutil
# work it triggers, costs milliseconds per call). Anything else goes through argparse.
# option -> (choices, default, metavar, help); plus --rules / --config (_add_policy_args).
_HOOK_OPTIONS: dict[str, tuple[list[str] | None, str | None, str | None, str]] = {
    "--server": (None, None, "URL", "forward to a running Superego server"),
    "--on-server-error": (
        ["local", "deny"],
        "local",
        None,
        "when the server cannot be reached: evaluate locally (default) or deny",
    ),
    "--fail-mode": (["ask", "deny"], None, None, "answer when anything fails"),
    # The same names as superego_mcp.hook.agents.AGENTS (a test keeps them equal); not
    # imported from there, so that a plain `hook` call loads nothing more.
    "--agent": (
        ["claude", "codex", "gemini", "copilot", "cursor", "opencode"],
        None,
        None,
        "the agent whose hook JSON comes in and whose answer goes out (default claude)",
    ),
}
_POLICY_OPTIONS = ("--rules", "--config")


def _fast_hook_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """The Namespace argparse would build for a plain ``hook`` command line (exact option
    names, ``--opt VALUE`` or ``--opt=VALUE``, valid choices), else ``None``."""
    if not argv or argv[0] != "hook":
        return None
    values: dict[str, str | None] = {
        "command": "hook",
        "version": None,
        "transport": None,
        "host": None,
        "port": None,
        "rules": None,
        "config": None,
    }
    values.update({o[2:].replace("-", "_"): spec[1] for o, spec in _HOOK_OPTIONS.items()})
    rest = list(argv[1:])
    while rest:
        option, eq, value = rest.pop(0).partition("=")
        if option not in _HOOK_OPTIONS and option not in _POLICY_OPTIONS:
            return None
        if not eq:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        choices = _HOOK_OPTIONS.get(option, (None,))[0]
        if choices is not None and value not in choices:
            return None
        values[option[2:].replace("-", "_")] = value
    # What argparse.Namespace is (attributes, equality, vars()), without importing argparse.
    return SimpleNamespace(**values)  # type: ignore[return-value]


def _run_hook(args: argparse.Namespace) -> int:
    # Claude Code lets a tool call through when a hook exits 1 (a traceback): even a broken
    # installation (a module that fails to import) must block, with exit 2.
    try:
        return _resolve(_HANDLERS["hook"])(args)
    except BaseException as exc:
        import contextlib

        with contextlib.suppress(BaseException):
            sys.stderr.write(f"superego-mcp hook: cannot run ({type(exc).__name__}): blocked\n")
        return 2


def _version() -> str:
    from superego_mcp import __version__

    return __version__


def _version_action() -> type[argparse.Action]:
    """``--version`` that reads the installed metadata only when asked."""
    import argparse

    class VersionAction(argparse.Action):
        def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
            super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

        def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
            print(f"superego-mcp {_version()}")
            parser.exit()

    return VersionAction


# Subcommands repeat these options with default=SUPPRESS: an argparse subparser's own
# defaults would otherwise overwrite a value given before the subcommand
# (`superego-mcp --rules x.yaml serve`). The top-level parser supplies the None defaults.
def _add_policy_args(p: argparse.ArgumentParser, top: bool = False) -> None:
    import argparse

    d = None if top else argparse.SUPPRESS
    p.add_argument(
        "--rules",
        metavar="FILE",
        default=d,
        help="policy file (default: $SUPEREGO_RULES, else bundled)",
    )
    p.add_argument(
        "--config", metavar="FILE", default=d, help="settings file (default: $SUPEREGO_CONFIG)"
    )


def _add_server_args(p: argparse.ArgumentParser, top: bool = False) -> None:
    import argparse

    d = None if top else argparse.SUPPRESS
    p.add_argument("--transport", choices=["stdio", "http", "sse"], default=d, help="MCP transport")
    p.add_argument("--host", default=d, help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=d, help="port to bind")


def build_parser() -> argparse.ArgumentParser:
    """The whole command-line grammar, in one place."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="superego-mcp",
        description="Review AI coding agents' tool calls before they run.",
    )
    parser.add_argument("--version", action=_version_action())
    # `superego-mcp --transport stdio` with no subcommand means `serve`.
    _add_server_args(parser, top=True)
    _add_policy_args(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (
        _add_serve,
        _add_stdio,
        _add_hook,
        _add_hooks,
        _add_init,
        _add_check,
        _add_explain,
        _add_allow,
        _add_config,
        _add_audit,
        _add_replay,
        _add_suggest,
        _add_reviewer,
        _add_healthcheck,
    ):
        add(sub)
    _describe_commands(parser)
    return parser


def _add_serve(sub: Subcommands) -> None:
    """The ``serve`` subcommand's grammar."""
    p = sub.add_parser("serve", help="run the MCP / REST / HTTP-hook server")
    _add_server_args(p)
    _add_policy_args(p)
    p.add_argument(
        "--reload",
        dest="reload_code",
        action="store_true",
        help="development: restart the server when a source file of the package changes",
    )


def _add_stdio(sub: Subcommands) -> None:
    """The ``stdio`` subcommand's grammar."""
    p = sub.add_parser(
        "stdio",
        help="run the MCP server over stdio (same as: serve --transport stdio)",
        description=(
            "Serve MCP over stdin/stdout for one client that starts this process (an agent's "
            "MCP configuration, the MCP Inspector). Same as `serve --transport stdio`, as a "
            "word no launcher mistakes for one of its own options."
        ),
    )
    _add_policy_args(p)


def _add_hook(sub: Subcommands) -> None:
    """The ``hook`` subcommand's grammar."""
    p = sub.add_parser("hook", help="command hook: an agent's hook JSON on stdin, decision out")
    _add_policy_args(p)
    for option, (choices, default, metavar, text) in _HOOK_OPTIONS.items():
        p.add_argument(option, choices=choices, default=default, metavar=metavar, help=text)


def _add_hooks(sub: Subcommands) -> None:
    """The ``hooks`` subcommand's grammar."""
    p = sub.add_parser("hooks", help="install, remove or show an agent's hook (Claude Code...)")
    p.add_argument("action", choices=["install", "uninstall", "status"], help="what to do")
    p.add_argument(
        "--agent",
        choices=[*(_HOOK_OPTIONS["--agent"][0] or []), "all"],
        default="claude",
        help="the agent (default claude); all: every agent found on this machine",
    )
    p.add_argument(
        "--scope",
        choices=["user", "project", "local"],
        default="user",
        help="user: the agent's user file; project: the project's (for Claude Code the "
        "committed .claude/settings.json; local: its .claude/settings.local.json, Claude Code "
        "only); see docs/hook.md and docs/agents.md",
    )
    p.add_argument("--matcher", default="*", help="tool-name matcher (default: every tool)")
    p.add_argument(
        "--mode",
        choices=["command", "http"],
        default="command",
        help="a command hook (fails closed) or an http hook to a running server",
    )
    p.add_argument("--url", help="server URL for --mode http")
    # 60 covers the longest a hook may take with the LLM reviewer (runner.DEADLINE_S +
    # reviewer.MAX_TIMEOUT_S + the runner's review margin = 57 s; a test checks).
    p.add_argument("--timeout", type=int, default=60, help="hook timeout in seconds (default 60)")
    p.add_argument("--project-dir", metavar="DIR", help="project root (default: cwd)")
    _add_policy_args(p)


def _add_init(sub: Subcommands) -> None:
    """The ``init`` subcommand's grammar."""
    p = sub.add_parser("init", help="write a small starter policy that extends the bundled one")
    p.add_argument(
        "--path", default="superego-rules.yaml", metavar="FILE", help="where to write it"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


def _add_check(sub: Subcommands) -> None:
    """The ``check`` subcommand's grammar."""
    p = sub.add_parser("check", help="validate a policy and run every rule's examples")
    _add_policy_args(p)


def _add_explain(sub: Subcommands) -> None:
    """The ``explain`` subcommand's grammar."""
    p = sub.add_parser(
        "explain",
        help="show how a tool call or shell command is judged",
        description=(
            "Show what the analyzer sees in a tool call or shell command, which rule decides "
            "each part and why, and the result. Exit status, for scripts: 0 allow, 1 ask or "
            "defer (a person or the agent's own permissions decide), 2 deny, 3 error (bad "
            "input, policy or settings)."
        ),
        epilog="example: superego-mcp explain -- rm -rf ~   (words after -- are one command)",
    )
    _add_policy_args(p)
    p.add_argument("--tool", default=None, help="tool name (default Bash for a command)")
    p.add_argument("--input", dest="tool_input", metavar="JSON", help="tool_input as JSON")
    p.add_argument("--cwd", default=None, help="working directory of the call")
    p.add_argument(
        "--agent",
        choices=_HOOK_OPTIONS["--agent"][0],
        default=None,
        help="read the call as this agent's (hook JSON on stdin with '-', or --tool with its "
        "own tool name) and show how it maps onto our tools; alone: the mapping table",
    )
    p.add_argument(
        "--project",
        metavar="DIR",
        default=None,
        help="project root (default: $CLAUDE_PROJECT_DIR, else the git work tree, else cwd)",
    )
    p.add_argument(
        "--session",
        metavar="ID",
        default=None,
        help="judge it as a call of this agent session, with the files the session wrote "
        "(default: the hook JSON's session_id)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "shell_command", nargs="*", help="a shell command (or '-' for hook JSON on stdin)"
    )


def _add_allow(sub: Subcommands) -> None:
    """The ``allow`` subcommand's grammar."""
    import argparse

    p = sub.add_parser(
        "allow",
        help="allow one exact call once or for a while (an exception to the rules)",
        description="Allow one exact call (a shell command, or --tool/--input) once or for a "
        "while, recorded with who and why. Never a prefix: only this exact call. Rules marked "
        "final (wiping home or /, credentials, Superego's own files) still apply.",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--once", action="store_true", help="the next matching call only")
    g.add_argument("--for", dest="duration", metavar="DURATION", help="e.g. 30m, 1h, 2d")
    g.add_argument("--list", action="store_true", help="list the exceptions in force")
    g.add_argument("--revoke", metavar="ID", help="remove an exception")
    p.add_argument("--reason", default="", help="why (recorded with the exception)")
    p.add_argument("--tool", default=None, help="tool name (default Bash for a command)")
    p.add_argument("--input", dest="tool_input", metavar="JSON", help="tool_input as JSON")
    p.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="settings file")
    p.add_argument("shell_command", nargs="*", help="the shell command, exactly")


def _add_config(sub: Subcommands) -> None:
    """The ``config`` subcommand's grammar."""
    import argparse

    p = sub.add_parser("config", help="show the effective settings (token masked)")
    p.add_argument("action", choices=["show"], help="what to do")
    p.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="settings file (default: $SUPEREGO_CONFIG)",
    )


def _add_audit(sub: Subcommands) -> None:
    """The ``audit`` subcommand's grammar."""
    p = sub.add_parser("audit", help="read, export and prune the audit trail of decisions")
    from superego_mcp.cli.audit import add_arguments

    add_arguments(p)


def _add_replay(sub: Subcommands) -> None:
    """The ``replay`` subcommand's grammar."""
    p = sub.add_parser(
        "replay",
        help="judge recorded calls with another policy and report what would change",
        description="Judge recorded calls (the audit store, or an `audit export` JSONL file) "
        "with another policy (--rules, --project) and report what would change: counts per "
        "old -> new decision and per rule, and each changed call with both reasons. The same "
        "engine as live decisions; the reviewer is never called (review stays review). Exit "
        "status: 0 done, 1 --fail-on failed, 2 bad arguments, input, store or policy.",
    )
    _add_policy_args(p)
    from superego_mcp.cli.replay import add_arguments as add_replay_arguments

    add_replay_arguments(p)


def _add_suggest(sub: Subcommands) -> None:
    """The ``suggest`` subcommand's grammar."""
    p = sub.add_parser(
        "suggest",
        help="propose allow rules from the calls people approved (--write to add them)",
        description="Propose allow rules from the audit trail: calls Superego asked about "
        "that people approved (they ran: the agent's PostToolUse) in at least --min-sessions "
        "sessions, each generalised to the narrowest rule, with examples and a replay of the "
        "trail under it; never for calls a final rule or a deny decides. Lists possible "
        "evasions (denied, then done another way). --write FILE appends the rules once "
        "check passes. Exit status: 0 done, 2 bad arguments, store, policy or file.",
    )
    _add_policy_args(p)
    from superego_mcp.cli.suggest import add_arguments as add_suggest_arguments

    add_suggest_arguments(p)


def _add_reviewer(sub: Subcommands) -> None:
    """The ``reviewer`` subcommand's grammar."""
    import argparse

    p = sub.add_parser("reviewer", help="the LLM reviewer: `test` sends two sample calls")
    p.add_argument("action", choices=["test"])
    p.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _add_healthcheck(sub: Subcommands) -> None:
    """The ``healthcheck`` subcommand's grammar."""
    import argparse

    p = sub.add_parser("healthcheck", help="exit 0 if the server is healthy, else 1")
    p.add_argument(
        "--url", default=None, help="base URL (default: --host/--port, else the settings)"
    )
    p.add_argument("--host", default=argparse.SUPPRESS, help="the server's address")
    p.add_argument("--port", type=int, default=argparse.SUPPRESS, help="the server's port")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds to wait (default 3)")


def _describe_commands(parser: argparse.ArgumentParser) -> None:
    """Give every subcommand (nested ones too) a description in its own ``--help``: its
    one-line help, unless it has a longer description of its own."""
    import argparse

    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {a.dest: a.help for a in action._choices_actions}
        for name, sub in action.choices.items():
            text = helps.get(name)
            if sub.description is None and text:
                sub.description = text[0].upper() + text[1:] + "."
            _describe_commands(sub)


def _resolve(target: str) -> Callable[[argparse.Namespace], int]:
    module, _, func = target.partition(":")
    __import__(module)  # importlib.import_module, without importing importlib (hook path)
    handler: Callable[[argparse.Namespace], int] = getattr(sys.modules[module], func)
    return handler


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``superego-mcp`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _fast_hook_args(argv) or build_parser().parse_args(argv)
    except SystemExit as exc:
        # `explain` exits 2 for deny: a command line argparse rejects is an error (3) there.
        if exc.code == 2 and "explain" in argv:
            raise SystemExit(3) from None
        raise
    command = args.command
    if command == "hook":
        raise SystemExit(_run_hook(args))
    if command == "stdio":
        args.transport = "stdio"
        command = "serve"
    if command is None:
        if args.transport is None:
            build_parser().print_help(sys.stderr)
            raise SystemExit(2)
        command = "serve"
    raise SystemExit(_resolve(_HANDLERS[command])(args))
