"""``superego-mcp replay``: recorded calls judged through another policy, and what changed.

The rows are the audit store's (``--audit``, else the settings; the filters of ``audit
query`` plus ``--until``) or an ``audit export`` JSONL file (``--from``). The policy is the
one in effect for ``--rules`` / ``--config`` / the environment, with the project layer of
``--project DIR`` (default: this directory's project). Exit codes: 0 done (and nothing
failed ``--fail-on``), 1 ``--fail-on`` failed, 2 bad arguments, input, store or policy.
Logic: :mod:`superego_mcp.audit.replay`.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

from superego_mcp.audit import replay as rp

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator
    from typing import Any

    from superego_mcp.policy.engine import Policy


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``replay``'s own options (the policy options are added by ``cli.build_parser``)."""
    from superego_mcp.cli.audit import add_filters

    add_filters(p)
    p.add_argument("--until", help="only rows up to this time (same forms as --since)")
    p.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="replay an `audit export` JSONL file instead of the store ('-': stdin)",
    )
    p.add_argument(
        "--project",
        metavar="DIR",
        help="load the layers this working tree would (its .superego/policy.yaml) and judge "
        "every call in it (default: this directory's project; each call at its own cwd)",
    )
    p.add_argument(
        "--at",
        metavar="REV",
        help="the project layer as it is at this git revision of the project (--project, "
        "else this directory's), e.g. origin/main: what that policy would have answered",
    )
    p.add_argument(
        "--fail-on",
        choices=["loosen", "change"],
        help="exit 1 when any call's decision becomes less strict (loosen) or differs (change)",
    )
    p.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    p.add_argument(
        "--limit", type=int, default=50, help="changed calls listed (default 50; counts are whole)"
    )


def _fail(message: str) -> int:
    print(f"superego-mcp replay: {message}", file=sys.stderr)
    return rp.EXIT_ERROR


def _policy_at(args: argparse.Namespace, project: str | None) -> Policy:
    """The policy in effect with the project layer of git revision ``args.at`` (in a
    temporary stand-in directory; its protection moved back onto the real project)."""
    import tempfile

    from superego_mcp.cli.explain import load_in_effect
    from superego_mcp.policy.layers import default_project

    real = project or default_project()
    with tempfile.TemporaryDirectory(prefix="superego-replay-at-") as tmp:
        stand_in = os.path.realpath(tmp)
        rp.project_layer_at(real, args.at, stand_in)
        policy = load_in_effect(args, project=stand_in)
    rp.moved_protection(policy, stand_in, real)
    return policy


def _file_rows(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    """The rows of ``--from FILE`` (``-``: stdin) that match the filters and ``--until``."""
    from superego_mcp.audit.store import parse_since
    from superego_mcp.cli.audit import query_of

    if args.from_file == "-":
        rows = rp.parse_jsonl(sys.stdin, "<stdin>")
    elif not os.path.isfile(args.from_file):  # noqa: PTH113
        raise rp.ReplayError(f"--from {args.from_file}: no such file")
    else:
        rows = rp.read_jsonl(args.from_file)
    query = query_of(args)
    until = parse_since(args.until) if args.until else None
    return (
        r for r in rows if query.matches(r) and (until is None or float(r.get("ts") or 0) <= until)
    )


def run(args: argparse.Namespace) -> int:
    """Entry point of ``superego-mcp replay``."""
    from superego_mcp.audit.store import StoreError, open_store, parse_since
    from superego_mcp.audit.target import TargetError
    from superego_mcp.cli.audit import query_of
    from superego_mcp.cli.explain import load_in_effect
    from superego_mcp.config import ConfigError, load_settings
    from superego_mcp.places import settings_file
    from superego_mcp.policy.errors import PolicyError

    project = os.path.abspath(args.project) if args.project else None  # noqa: PTH100
    if project is not None and not os.path.isdir(project):  # noqa: PTH112
        return _fail(f"--project {args.project}: not a directory")
    try:
        settings = load_settings(settings_file(getattr(args, "config", None)))
        policy = _policy_at(args, project) if args.at else load_in_effect(args, project=project)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return rp.EXIT_ERROR
    except (ConfigError, OSError, ValueError) as exc:  # ReplayError is a ValueError
        return _fail(str(exc))
    store = None
    try:
        if args.from_file:
            rows = _file_rows(args)
        else:
            store = open_store(args.audit or settings.audit)
            until = parse_since(args.until) if args.until else None
            rows = rp.store_rows(store, query_of(args), until)
        report = rp.replay(
            policy,
            rows,
            project=project,
            fail_mode=settings.fail_mode,
            **settings.shell_limits(),
        )
    except (rp.ReplayError, StoreError, TargetError, ValueError, OSError) as exc:
        return _fail(str(exc))
    finally:
        if store is not None:
            store.close()
    limit = max(0, args.limit)
    if args.format == "json":
        print(json.dumps(report.to_dict(limit), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(rp.render_markdown(report, limit))
    else:
        print(rp.render_text(report, limit))
    return rp.EXIT_FAILED if report.failed(args.fail_on) else rp.EXIT_OK
