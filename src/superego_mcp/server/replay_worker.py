"""One replay asked for over HTTP (``POST /v1/replay``), run in a process of its own.

The server starts ``python -m superego_mcp.server.replay_worker`` for each replay and hands it,
on stdin, a pickled :class:`Job` (the server's settings without secrets, the policy choice,
the filters). Everything that touches untrusted input happens here, not in the server: a
pasted policy is checked (:func:`check_pasted`) and compiled, the recorded calls are judged.
So a regular expression that backtracks for ever, a YAML document built to explode, or a crash
in a native parser costs this process, which the server kills at its deadline, and never the
server's event loop or its live decisions (this process also runs at a lower priority).

The answer is one JSON object on stdout: ``{"report": ...}`` (``superego-mcp replay --format
json``'s shape) or ``{"error": KIND, "detail": MESSAGE}``; the exit status is 0 either way
unless something unforeseen happened.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from typing import TYPE_CHECKING, Any, Final

from superego_mcp.policy.errors import PolicyError
from superego_mcp.policy.layers import PASTED

if TYPE_CHECKING:
    from superego_mcp.audit.store import Query
    from superego_mcp.config import Settings
    from superego_mcp.policy.engine import Policy

# A pasted policy: at most this many bytes, this deep, and this many YAML nodes once every
# alias is expanded (a "billion laughs" document is a few hundred bytes).
MAX_PASTED_BYTES: Final = 256 * 1024
MAX_PASTED_DEPTH: Final = 64
MAX_PASTED_NODES: Final = 200_000
# What a pasted policy may extend: nothing read from a path the request names.
_PASTED_EXTENDS: Final = "'bundled' or 'packs/NAME'"


class Job:
    """What one replay needs: the settings (no secrets), the policy, the rows' filters."""

    __slots__ = ("add", "file", "in_force", "limit", "query", "settings", "text", "until")

    def __init__(
        self,
        settings: Settings,
        *,
        query: Query,
        until: float | None,
        limit: int,
        in_force: Policy | None = None,
        file: str | None = None,
        text: str | None = None,
        add: bool = False,
    ) -> None:
        """``in_force`` (the server's policy, compiled), ``file`` (a path the server checked
        is one of the policy files it offers, loaded as the ``--rules`` layer) or ``text``
        (pasted YAML, the ``--rules`` layer) says what judges; with ``add``, the rules of
        ``text`` are added to ``in_force`` instead (:func:`add_rules`)."""
        self.settings = settings
        self.query = query
        self.until = until
        self.limit = limit
        self.in_force = in_force
        self.file = file
        self.text = text
        self.add = add


def check_pasted(text: str) -> None:
    """Refuse pasted policy text that is too large, too deep, expands too far through YAML
    aliases, or extends a file by path; :class:`PolicyError` names ``<pasted>:LINE``.

    Walks the parser's events (no recursion, no node tree built), so the check itself is
    bounded by the text's size.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PASTED_BYTES:
        raise PolicyError(f"the pasted policy is over {MAX_PASTED_BYTES} bytes", file=PASTED)
    _check_nodes(text)
    from superego_mcp.policy.layers import read_source

    for name, line in read_source(text, PASTED).extends:
        if name != "bundled" and not name.startswith("packs/"):
            raise PolicyError(
                f"a pasted policy may extend only {_PASTED_EXTENDS}, not {name!r} (no file is "
                "read from a path given over HTTP; put the file beside the policy in force and "
                "pick it instead)",
                file=PASTED,
                line=line,
            )


def _check_nodes(text: str) -> None:
    """Refuse YAML that nests deeper than :data:`MAX_PASTED_DEPTH` or expands (through its
    aliases) to more than :data:`MAX_PASTED_NODES` nodes, walking the parser's events."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sizes: dict[str, int] = {}  # anchor -> nodes it expands to
    stack: list[tuple[str | None, int]] = []  # open collections: (anchor, nodes so far)
    total = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, yaml.CollectionStartEvent):
                if len(stack) >= MAX_PASTED_DEPTH:
                    raise PolicyError(
                        f"the pasted policy nests deeper than {MAX_PASTED_DEPTH} levels",
                        file=PASTED,
                        line=line,
                    )
                stack.append((event.anchor, 1))
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, size = stack.pop()
            elif isinstance(event, yaml.AliasEvent):
                anchor, size = None, sizes.get(str(event.anchor), 1)
            elif isinstance(event, yaml.ScalarEvent):
                anchor, size = event.anchor, 1
            else:
                continue
            if anchor is not None:
                sizes[anchor] = size
            if stack:
                parent_anchor, parent_size = stack[-1]
                stack[-1] = (parent_anchor, parent_size + size)
            else:
                total += size
            if size > MAX_PASTED_NODES or total > MAX_PASTED_NODES:
                raise PolicyError(
                    f"the pasted policy expands to more than {MAX_PASTED_NODES} YAML nodes "
                    "(through its aliases)",
                    file=PASTED,
                    line=line,
                )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise PolicyError(
            f"YAML syntax error: {exc.problem or exc.context or 'syntax error'}",
            file=PASTED,
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"YAML error: {exc}", file=PASTED) from None


def add_rules(policy: Policy, text: str) -> Policy:
    """``policy`` with the rules of the pasted policy ``text`` added, as if in a layer above
    every other (first among equal priorities; a ``final`` rule still has the last word),
    in the layers below a project layer too. ``text`` may hold only rules: no ``extends``,
    ``overrides`` or ``default``, and no rule id the policy already has (:class:`PolicyError`
    at the line). The dashboard replays an edited suggestion with it."""
    from superego_mcp.policy.layers import read_source

    src = read_source(text, PASTED)
    refused = [("extends", src.extends[0][1])] if src.extends else []
    refused += [("overrides", o.line) for o in src.overrides[:1]]
    if src.default is not None and "default" in _top_keys(text):  # not the implied one
        refused.append(("default", src.default[2]))
    if src.may_loosen is not None:
        refused.append(("project_may_loosen", src.may_loosen[1]))
    if refused:
        what, line = refused[0]
        raise PolicyError(
            f"rules added to the policy in force cannot have '{what}': give rules only",
            file=PASTED,
            line=line,
        )
    known = {rule.id: rule for rule in policy.rules}
    for rule in src.rules:
        if rule.id in known:
            raise PolicyError(
                f"the policy in force already has a rule {rule.id!r} "
                f"({known[rule.id].where()}): give the added rule another id",
                file=PASTED,
                line=rule.line,
                rule_id=rule.id,
            )
        rule.file, rule.layer = PASTED, "rules"
    return policy.with_rules(src.rules, text=text)


def _top_keys(text: str) -> set[str]:
    """The top-level keys of a (checked, bounded) YAML document."""
    import yaml

    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    return {str(k) for k in data} if isinstance(data, dict) else set()


def load(job: Job) -> Policy:
    """The policy ``job`` replays through. The protected paths of the policy in force (the
    settings file, the cache and state directories) stay protected."""
    from superego_mcp.config import load_effective

    if job.text is not None:
        check_pasted(job.text)
        if job.add and job.in_force is not None:
            return add_rules(job.in_force, job.text)
        return load_effective(job.settings, None, rules_text=job.text)
    if job.in_force is not None:
        return job.in_force
    settings = job.settings.model_copy(update={"rules": job.file})
    return load_effective(settings, None)


def run(job: Job) -> dict[str, Any]:
    """The answer for ``job``: ``{"report": ...}`` or ``{"error": ..., "detail": ...}``."""
    from superego_mcp.audit import replay as rp
    from superego_mcp.audit.store import StoreError, open_store
    from superego_mcp.audit.target import TargetError

    try:
        policy = load(job)
    except PolicyError as exc:
        return {"error": "bad_policy", "detail": str(exc)}
    except OSError as exc:
        return {"error": "bad_policy", "detail": f"cannot read the policy: {exc}"}
    settings = job.settings
    try:
        store = open_store(settings.audit, migrate=False)
    except (StoreError, TargetError) as exc:
        return {"error": "audit_unreadable", "detail": str(exc)}
    try:
        report = rp.replay(
            policy,
            rp.store_rows(store, job.query, job.until),
            fail_mode=settings.fail_mode,
            **settings.shell_limits(),
        )
    except (StoreError, ValueError, OSError) as exc:
        return {"error": "audit_unreadable", "detail": str(exc)}
    finally:
        store.close()
    return {"report": report.to_dict(job.limit)}


def main() -> int:
    """Read a pickled :class:`Job` from stdin, write the JSON answer to stdout."""
    # Live decisions come first: this process yields the CPU to the server.
    os.nice(10)
    job = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - written by our own server
    if not isinstance(job, Job):
        print(json.dumps({"error": "internal", "detail": "not a replay job"}))
        return 2
    answer = run(job)
    # ASCII: recorded inputs may hold lone surrogates, which UTF-8 cannot carry.
    sys.stdout.write(json.dumps(answer, ensure_ascii=True))
    return 0


if __name__ == "__main__":
    # The package's copy of this module, so the pickled Job is an instance of its Job.
    from superego_mcp.server.replay_worker import main as package_main

    raise SystemExit(package_main())
