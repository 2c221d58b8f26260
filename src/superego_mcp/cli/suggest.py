"""``superego-mcp suggest``: allow rules learned from the calls people approved.

Reads the audit store (``--audit``, else the settings; ``--since`` / ``--until``), judges the
approved calls with the policy in effect (``--rules`` / ``--config`` / the environment, the
project layer of ``--project DIR``) and prints each proposed rule, the replay of the trail
under it, what was not proposed and why, and possible evasions. ``--write FILE`` (``user``,
``project`` or a path) appends the proposals (``--accept ID``: only those) to that policy
file once it loads and its examples pass. Exit codes: 0 done, 2 bad arguments, store, policy
or a file that would not pass ``check`` (nothing written). Logic:
:mod:`superego_mcp.audit.suggest`.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from superego_mcp.audit.suggest import Result
    from superego_mcp.policy.engine import Policy


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``suggest``'s own options (the policy options are added by ``cli.build_parser``)."""
    p.add_argument("--audit", metavar="TARGET", help="sqlite:///path or postgresql://...")
    p.add_argument("--since", help="only rows from this time: 15m, 2h, 7d, ISO, epoch")
    p.add_argument("--until", help="only rows up to this time (same forms as --since)")
    p.add_argument(
        "--min-sessions",
        type=int,
        default=3,
        help="propose a rule for calls approved in at least this many sessions (default 3)",
    )
    p.add_argument(
        "--min-calls", type=int, help="...and at least this many times (default: --min-sessions)"
    )
    p.add_argument(
        "--project",
        metavar="DIR",
        help="judge with the layers this working tree loads (default: this directory's "
        "project); `--write project` writes its .superego/policy.yaml",
    )
    p.add_argument(
        "--write",
        metavar="FILE",
        help="append the proposed rules to this policy file (`user`: the user policy, "
        "`project`: the project's; else a path) after check passes",
    )
    p.add_argument(
        "--accept",
        metavar="ID",
        action="append",
        help="with --write: only this suggestion (repeat for more; default: all)",
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument(
        "--limit", type=int, default=10, help="changed calls listed per replay (default 10)"
    )


def _fail(message: str) -> int:
    print(f"superego-mcp suggest: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Entry point of ``superego-mcp suggest``."""
    from superego_mcp.audit import suggest as sg
    from superego_mcp.audit.store import StoreError, open_store, parse_since
    from superego_mcp.audit.target import TargetError
    from superego_mcp.cli.explain import load_in_effect
    from superego_mcp.config import ConfigError, load_settings
    from superego_mcp.places import settings_file
    from superego_mcp.policy.errors import PolicyError

    if args.accept and not args.write:
        return _fail("--accept needs --write FILE")
    if args.min_sessions < 1 or (args.min_calls is not None and args.min_calls < 1):
        return _fail("--min-sessions and --min-calls must be at least 1")
    project = os.path.abspath(args.project) if args.project else None  # noqa: PTH100
    if project is not None and not os.path.isdir(project):  # noqa: PTH112
        return _fail(f"--project {args.project}: not a directory")
    try:
        settings = load_settings(settings_file(getattr(args, "config", None)))
        policy = load_in_effect(args, project=project)
        since = parse_since(args.since) if args.since else None
        until = parse_since(args.until) if args.until else None
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 2
    except (ConfigError, OSError, ValueError) as exc:
        return _fail(str(exc))
    try:
        store = open_store(args.audit or settings.audit)
    except (StoreError, TargetError) as exc:
        return _fail(str(exc))
    try:
        evidence = sg.evidence_from(store, since, until)
    except StoreError as exc:
        return _fail(str(exc))
    finally:
        store.close()
    result = sg.suggest(
        policy,
        evidence,
        min_sessions=args.min_sessions,
        min_calls=args.min_calls,
        fail_mode=settings.fail_mode,
        **settings.shell_limits(),
    )
    limit = max(0, args.limit)
    if args.format == "json":
        print(json.dumps(result.to_dict(limit), indent=2, ensure_ascii=False))
    else:
        print(sg.render_text(result, limit))
    return _write(args, result, policy, project) if args.write else 0


def _write(args: argparse.Namespace, result: Result, policy: Policy, project: str | None) -> int:
    """``--write FILE`` (``--accept`` picks the suggestions): the rules appended to that
    layer's policy file, kept only if the policy in effect still loads."""
    from superego_mcp.audit import suggest as sg
    from superego_mcp.cli.explain import load_in_effect
    from superego_mcp.policy.errors import PolicyError

    try:
        chosen = sg.accepted(result, args.accept)
        if not chosen:
            print("nothing to write: no rule proposed", file=sys.stderr)
            return 0
        path = sg.layer_file(policy, args.write)
        sg.write_rules(
            path,
            [s.rule for s in chosen],
            extends=sg.new_file_extends(policy),
            verify=lambda: load_in_effect(args, project=project),
        )
    except PolicyError as exc:
        return _fail(f"not written: the policy would not load: {exc}")
    except (sg.SuggestError, OSError) as exc:
        return _fail(str(exc))
    print(f"wrote {len(chosen)} rule(s) to {path}: " + ", ".join(s.id for s in chosen))
    return 0
