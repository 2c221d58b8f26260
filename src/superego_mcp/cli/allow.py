"""``superego-mcp allow``: grant an exception for one exact call (``--once`` or ``--for
DURATION``), ``--list`` the live ones, ``--revoke ID``. The store and its rules (never over a
``final`` rule) are :mod:`superego_mcp.grants`."""

from __future__ import annotations

import getpass
import json
import sys
from typing import TYPE_CHECKING

from superego_mcp.config import ConfigError, load_settings
from superego_mcp.grants import describe, grant, listed, parse_duration, revoke

if TYPE_CHECKING:
    import argparse


def run(args: argparse.Namespace) -> int:
    """``superego-mcp allow``: grant (``--once`` / ``--for``), ``--list`` or ``--revoke``."""
    try:
        state = str(load_settings(getattr(args, "config", None)).state_dir)
    except ConfigError as exc:
        print(f"superego-mcp: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for e in listed(state):
            print(f"{e.get('id')}  {e.get('tool')}  {e.get('key')}\n    {describe(e)}")
        return 0
    if args.revoke:
        if revoke(state, args.revoke):
            print(f"revoked {args.revoke}")
            return 0
        print(f"superego-mcp: no exception {args.revoke!r} (see allow --list)", file=sys.stderr)
        return 1
    try:
        if not (args.once or args.duration):
            raise ValueError("say how long: --once, or --for DURATION (30m, 1h, 2d)")
        seconds = parse_duration(args.duration) if args.duration else None
        words = list(args.shell_command or [])
        if args.tool_input is not None:
            if words:
                raise ValueError("give either --input or a shell command, not both")
            tool_input = json.loads(args.tool_input)
            if not isinstance(tool_input, dict):
                raise ValueError("--input must be a JSON object")
            tool = args.tool or "Bash"
        else:
            if not words:
                raise ValueError("name the call: a shell command, or --tool NAME --input JSON")
            tool, tool_input = args.tool or "Bash", {"command": " ".join(words)}
    except ValueError as exc:
        print(f"superego-mcp: {exc}", file=sys.stderr)
        return 2
    entry = grant(
        state,
        tool,
        tool_input,
        once=bool(args.once),
        seconds=seconds,
        reason=args.reason or "",
        by=getpass.getuser(),
    )
    print(f"{entry['id']}: {describe(entry)}")
    print("Only this exact call is allowed; rules marked final still apply.")
    return 0
