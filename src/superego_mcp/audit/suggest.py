"""Rules learned from what people approved: ``superego-mcp suggest`` (docs/replay.md).

The evidence is the audit trail: decision rows and the *outcome* rows an agent's after-tool
event left (Claude Code's ``PostToolUse``: the call ran). A call Superego asked about (or
deferred to the agent's own permissions) whose outcome is on record was approved; an asked
call with none, in a session that records outcomes, was refused (or abandoned).

:func:`suggest` groups the approved calls by the narrowest shape the rules language can say
(program + subcommand + flags + positional words + path scope for a shell command; the tool
and path scope for another tool) and proposes an ``allow`` rule for every shape approved in
at least ``min_sessions`` distinct sessions and ``min_calls`` times. A proposal must pass all
of these, or it is listed as skipped with the reason:

- no approved call of the shape is denied, or decided by a ``final`` rule, by the policy in
  effect (such calls are never proposed, whatever people did);
- the rule's examples (the approved calls as ``match``, the nearest refused or denied calls
  of the trail as ``no_match``) pass ``check``;
- under the policy with the rule added, every approved call of the shape is allowed, and a
  replay of the whole trail (:func:`superego_mcp.audit.replay.replay`) loosens no call that was
  denied or refused.

Possible *evasions* are listed too: a call denied, then within a few calls of the same
session a call that was not denied touching the same files or running the same program
(another tool or another spelling for the same effect).

:func:`write_rules` appends accepted rules to a policy file: the new text must load and its
examples pass, then it replaces the file atomically, so a working file is never broken.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

from superego_mcp.audit.replay import Report, judge, replay, row_call
from superego_mcp.errors import SuperegoError
from superego_mcp.model import ToolCall
from superego_mcp.redact import MASK

if TYPE_CHECKING:
    from superego_mcp.audit.store import Store
    from superego_mcp.model import FailMode
    from superego_mcp.policy.engine import Judgement, Policy, Rule

# An outcome without a tool_use_id is linked to a decision of the same session, tool and input
# at most this long before it (a person may take a while to answer a prompt).
LINK_WINDOW_S: Final = 3600.0
# Calls of the same session after a denied one that are looked at for an evasion.
EVASION_WINDOW: Final = 5
MIN_SESSIONS: Final = 3
# Examples of each kind written into a proposed rule.
MAX_EXAMPLES: Final = 3
_APPROVABLE: Final = ("ask", "defer")


class SuggestError(SuperegoError, ValueError):
    """A suggestion that cannot be written (unknown id, a file that would not load)."""


# --- evidence -------------------------------------------------------------------------------


def link_outcomes(
    rows: Sequence[dict[str, Any]], outcomes: Sequence[dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Decision row id -> the outcome row that says its call ran. By ``tool_use_id`` (and
    session) first; a row without one (a ``PermissionRequest``, an agent that sends none)
    takes the first unused outcome of the same session, tool and stored input that came
    after it within :data:`LINK_WINDOW_S`. Each outcome is linked to one row at most."""
    links: dict[int, dict[str, Any]] = {}
    used: set[int] = set()
    by_id = {(o.get("session_id"), o["tool_use_id"]): o for o in outcomes if o.get("tool_use_id")}
    for row in rows:
        key = (row.get("session_id"), row.get("tool_use_id"))
        found = by_id.get(key) if row.get("tool_use_id") else None
        if found is not None and int(found["id"]) not in used:
            links[int(row["id"])] = found
            used.add(int(found["id"]))
    by_call: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for o in outcomes:
        by_call.setdefault((o.get("session_id"), o.get("tool"), o.get("input")), []).append(o)
    for row in rows:
        if int(row["id"]) in links:
            continue
        for o in by_call.get((row.get("session_id"), row.get("tool"), row.get("input")), ()):
            ts, at = float(o["ts"]), float(row["ts"])
            if int(o["id"]) not in used and at <= ts <= at + LINK_WINDOW_S:
                links[int(row["id"])] = o
                used.add(int(o["id"]))
                break
    return links


class Evidence:
    """The trail read for suggestions: approved, refused and denied rows."""

    def __init__(self, rows: Sequence[dict[str, Any]], outcomes: Sequence[dict[str, Any]]):
        """``rows``: decision rows, oldest first; ``outcomes``: the outcome rows."""
        self.rows = list(rows)
        self.links = link_outcomes(self.rows, outcomes)
        recording = {o.get("session_id") for o in outcomes}
        # One approval per outcome (each is linked to one row): a PreToolUse row and a
        # PermissionRequest row for the same call are one approval.
        self.approved = [
            r for r in self.rows if r.get("decision") in _APPROVABLE and int(r["id"]) in self.links
        ]
        # Asked, not run, in a session whose after-tool events are recorded (and no such
        # call of the session ran: its PermissionRequest row, a retry, was let through).
        ran = {(o.get("session_id"), o.get("tool"), o.get("input")) for o in outcomes}
        self.refused = [
            r
            for r in self.rows
            if r.get("decision") == "ask"
            and int(r["id"]) not in self.links
            and r.get("session_id") in recording
            and (r.get("session_id"), r.get("tool"), r.get("input")) not in ran
        ]
        self.denied = [r for r in self.rows if r.get("decision") == "deny"]


# --- shapes ---------------------------------------------------------------------------------


class Shape:
    """The narrowest rule shape one unit of an approved call has."""

    __slots__ = ("flags", "positionals", "program", "scope", "subcommand", "tool")

    def __init__(
        self,
        tool: str,
        *,
        program: str | None = None,
        subcommand: str | None = None,
        flags: tuple[str, ...] = (),
        positionals: tuple[str, ...] = (),
        scope: str | None = None,
    ) -> None:
        self.tool = tool
        self.program = program
        self.subcommand = subcommand
        self.flags = flags
        self.positionals = positionals
        self.scope = scope

    @property
    def key(self) -> tuple[Any, ...]:
        """What two units must share to be generalised by one rule."""
        return (self.tool, self.program, self.subcommand, self.flags, self.scope)

    def narrowed(self, others: Sequence[Shape]) -> Shape:
        """This shape with the positional words every one of ``others`` shares (none when
        they differ: the path scope covers them then); an absolute path is left to the scope
        (a rule's examples run in another project)."""
        common = self.positionals
        if any(o.positionals != common for o in others):
            common = ()
        words = tuple(w for w in common if not w.startswith(("/", "~")))
        return Shape(
            self.tool,
            program=self.program,
            subcommand=self.subcommand,
            flags=self.flags,
            positionals=words if len(words) == len(common) else (),
            scope=self.scope,
        )

    def text(self) -> str:
        """The shape as a person reads it: ``docker compose up -d``."""
        if self.program is None:
            where = f" in {self.scope}" if self.scope else ""
            return f"{self.tool}{where}"
        words = [self.program, *(self.subcommand or "").split(), *self.flags, *self.positionals]
        text = " ".join(w for w in words if w)
        return f"{text} (in {self.scope})" if self.scope and not self.positionals else text

    def conditions(self) -> dict[str, Any]:
        """The rule's ``conditions`` for this shape."""
        out: dict[str, Any] = {}
        if self.program is not None:
            shell: dict[str, Any] = {"program": self.program}
            if self.subcommand:
                shell["subcommand"] = self.subcommand
            if self.flags:
                shell["flags"] = list(self.flags)
            shell["dynamic"] = False
            out["shell"] = shell
            if self.positionals:
                out["all"] = [{"shell": {"args": {"equals": w}}} for w in self.positionals]
        else:
            out["tool"] = self.tool
        if self.scope:
            out["path"] = {"all": [f"{self.scope}/**"]}
        return out


def _scope(paths: Iterable[str], project: str, temps: Sequence[str]) -> str | None:
    """``${project}`` when every path is in the project, ``${tmp}`` when every one is in a
    temporary directory, ``None`` for no paths; ``""`` when they are elsewhere (no narrow
    scope: nothing is proposed)."""
    found = list(paths)
    if not found:
        return None

    def inside(p: str, root: str) -> bool:
        return p == root or p.startswith(root.rstrip("/") + "/")

    if all(inside(p, project) for p in found):
        return "${project}"
    if temps and all(any(inside(p, t) for t in temps) for p in found):
        return "${tmp}"
    return ""


def _flag_words(argv: Sequence[str]) -> tuple[str, ...]:
    """The option words of a command as written (before ``--``), sorted, once each."""
    words: list[str] = []
    for word in argv[1:]:
        if word == "--":
            break
        if word.startswith("-") and word != "-":
            words.append(word.split("=", 1)[0])
    return tuple(sorted(set(words)))


def shapes_of(judgement: Judgement, call: ToolCall, home: str) -> list[Shape] | str:
    """The shapes of the units the policy did not allow (what a person approved), or why
    none is proposed for this call (a final rule or a deny decides it, a word known only at
    run time, paths outside the project)."""
    from superego_mcp.policy.engine import temp_dirs
    from superego_mcp.project import root_of

    for r in judgement.units:
        if r.rule is not None and r.rule.final and r.action != "allow":
            return f"the final rule {r.rule.id} decides it"
        if r.action == "deny":
            return f"{r.rule.id if r.rule else 'the default'} denies it"
    project = root_of(call, home)
    temps = temp_dirs()
    out: list[Shape] = []
    for r in judgement.units:
        if r.action == "allow":
            continue
        unit = r.unit
        if unit.dynamic:
            return "a word of it is only known at run time"
        scope = _scope(unit.paths, project, temps)
        if scope == "":
            return "it names paths outside the project and temporary directories"
        cmd = unit.command
        if cmd is None:
            out.append(Shape(call.tool_name, scope=scope))
            continue
        if cmd.via or cmd.dynamic:
            return f"`{cmd.program}` runs through {'/'.join(cmd.via) or 'a run-time word'}"
        positionals = tuple(p for p in cmd.positionals if p)
        out.append(
            Shape(
                "Bash",
                program=cmd.program,
                subcommand=cmd.subcommand,
                flags=_flag_words(cmd.argv),
                positionals=positionals,
                scope=scope,
            )
        )
    return out or "the policy allows it now"


# --- proposals ------------------------------------------------------------------------------


class Suggestion:
    """One proposed rule, with its evidence and the replay of the trail under it."""

    def __init__(self, shape: Shape, rule: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        """``rule``: the rule as a mapping of the rules language; ``rows``: its approvals."""
        self.shape = shape
        self.rule = rule
        self.rows = rows
        self.replay: Report | None = None

    @property
    def id(self) -> str:
        """The rule's id (unique in the policy in effect): the suggestion's id too."""
        return str(self.rule["id"])

    @property
    def sessions(self) -> int:
        """Distinct sessions that approved it."""
        return len({r.get("session_id") for r in self.rows})

    def yaml(self) -> str:
        """The rule as a YAML list item, ready to go under a file's ``rules:``."""
        import yaml

        return str(yaml.safe_dump([self.rule], sort_keys=False, width=100, allow_unicode=True))

    def to_dict(self, limit: int = 20) -> dict[str, Any]:
        """JSON-ready (``GET /v1/suggestions``, ``suggest --format json``)."""
        return {
            "id": self.id,
            "shape": self.shape.text(),
            "rule": self.rule,
            "yaml": self.yaml(),
            "approved": len(self.rows),
            "sessions": self.sessions,
            "rows": [r.get("id") for r in self.rows],
            "replay": None if self.replay is None else self.replay.to_dict(limit),
        }


class Skipped:
    """A shape people approved for which no rule is proposed, and why."""

    __slots__ = ("approved", "sessions", "shape", "why")

    def __init__(self, shape: str, approved: int, sessions: int, why: str) -> None:
        self.shape = shape
        self.approved = approved
        self.sessions = sessions
        self.why = why

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "shape": self.shape,
            "approved": self.approved,
            "sessions": self.sessions,
            "why": self.why,
        }


class Evasion:
    """A denied call, then a call of the same session that may do the same another way."""

    __slots__ = ("denied", "then", "why")

    def __init__(self, denied: dict[str, Any], then: dict[str, Any], why: str) -> None:
        self.denied = denied
        self.then = then
        self.why = why

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: both rows (id, time, tool, input, decision, rule) and why."""
        return {"denied": _brief(self.denied), "then": _brief(self.then), "why": self.why}


def _brief(row: dict[str, Any]) -> dict[str, Any]:
    value = row.get("input")
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    keys = ("id", "ts", "session_id", "tool", "decision", "rule")
    return {**{k: row.get(k) for k in keys}, "input": value}


class Result:
    """What :func:`suggest` found."""

    def __init__(self, policy_digest: str, min_sessions: int, min_calls: int) -> None:
        self.policy_digest = policy_digest
        self.min_sessions = min_sessions
        self.min_calls = min_calls
        self.rows = 0
        self.approved = 0
        self.refused = 0
        self.suggestions: list[Suggestion] = []
        self.skipped: list[Skipped] = []
        self.evasions: list[Evasion] = []

    def to_dict(self, limit: int = 20) -> dict[str, Any]:
        """JSON-ready; ``limit`` caps the changed calls each replay lists."""
        return {
            "policy_digest": self.policy_digest,
            "min_sessions": self.min_sessions,
            "min_calls": self.min_calls,
            "rows": self.rows,
            "approved": self.approved,
            "refused": self.refused,
            "suggestions": [s.to_dict(limit) for s in self.suggestions],
            "skipped": [s.to_dict() for s in self.skipped],
            "evasions": [e.to_dict() for e in self.evasions],
        }


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "call"


def _example(call: ToolCall, project: str, home: str) -> str | dict[str, Any] | None:
    """``call`` as a rule example, its project and home moved to where ``check`` runs
    examples; ``None`` for one that cannot be (redacted, or not JSON-safe)."""
    from superego_mcp.policy.examples import EXAMPLE_CWD, EXAMPLE_HOME

    text = json.dumps(call.tool_input, ensure_ascii=False)
    if MASK in text:
        return None
    for old, new in ((project, EXAMPLE_CWD), (home, EXAMPLE_HOME)):
        if old and old not in ("/", EXAMPLE_CWD, EXAMPLE_HOME):
            text = text.replace(json.dumps(old)[1:-1], new)
    moved = json.loads(text)
    if call.tool_name == "Bash" and isinstance(moved.get("command"), str):
        return str(moved["command"])
    return {"tool": call.tool_name, "input": moved}


def _compile(rule: dict[str, Any]) -> Rule:
    """``rule`` compiled alone (raises ``PolicyError`` naming what is wrong)."""
    import yaml

    from superego_mcp.policy.layers import compile_policy

    text = yaml.safe_dump({"version": 1, "extends": "none", "rules": [rule]}, sort_keys=False)
    (compiled,) = compile_policy(text, f"<suggestion {rule['id']}>").rules
    return compiled


def _priority(policy: Policy, results: Sequence[Judgement], shape: Shape) -> int | str:
    """A priority for the rule: before the rules that asked, after every deny rule that
    could match the same program (a rule placed before a deny would let through what the
    deny was for); a string when no such place exists."""
    asked = [
        r.rule.priority
        for j in results
        for r in j.units
        if r.rule is not None and r.action != "allow"
    ]
    denies = [
        r.priority
        for r in policy.rules
        if r.enabled
        and r.action == "deny"
        and r.can_match_tool(shape.tool)
        and (r.programs is None or shape.program is None or shape.program in r.programs)
    ]
    after = max(denies, default=-1) + 1
    if not asked:
        return max(after, 100)
    before = min(asked) - 1
    if before < after:
        return (
            "a deny rule that may match it is tried after the rule that asks "
            f"(priority {min(asked)})"
        )
    return before


def suggest(
    policy: Policy,
    evidence: Evidence,
    *,
    min_sessions: int = MIN_SESSIONS,
    min_calls: int | None = None,
    fail_mode: FailMode = "ask",
    home: str | None = None,
    **shell_limits: int,
) -> Result:
    """Propose allow rules from ``evidence`` for ``policy`` (see the module docstring).
    ``min_calls`` defaults to ``min_sessions``; ``home``: the agents' home (default
    ``$HOME``); ``fail_mode`` and ``shell_limits`` as live decisions have them."""
    import os

    home = home or os.environ.get("HOME") or "/"
    needed = min_sessions if min_calls is None else min_calls
    result = Result(policy.digest, min_sessions, needed)
    result.rows = len(evidence.rows)
    result.approved = len(evidence.approved)
    result.refused = len(evidence.refused)
    groups: dict[tuple[Any, ...], tuple[list[Shape], list[tuple[dict[str, Any], ToolCall]]]] = {}
    judged: dict[int, Judgement] = {}
    skipped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in evidence.approved:
        call = row_call(row)
        if call is None:
            continue
        try:
            j = policy.judge(call, now=None, home=home, **shell_limits)
        except Exception:  # a call the engine cannot judge is no evidence for a rule
            skipped.setdefault((call_text(call), "it cannot be judged"), []).append(row)
            continue
        judged[int(row["id"])] = j
        shapes = shapes_of(j, call, home)
        if isinstance(shapes, str):
            skipped.setdefault((call_text(call), shapes), []).append(row)
            continue
        for shape in shapes:
            group = groups.setdefault(shape.key, ([], []))
            if group[1] and group[1][-1][0] is row:
                continue  # one call running the same shape twice is one approval
            group[0].append(shape)
            group[1].append((row, call))
    for (text, why), rows in sorted(skipped.items()):
        sessions = len({r.get("session_id") for r in rows})
        result.skipped.append(Skipped(text, len(rows), sessions, why))
    proposer = _Proposer(policy, evidence, judged, home, fail_mode, shell_limits)
    found = [(shapes[0].narrowed(shapes), members) for shapes, members in groups.values()]
    for shape, members in sorted(found, key=lambda g: (-len(g[1]), g[0].text())):
        rows = [r for r, _ in members]
        sessions = len({r.get("session_id") for r in rows})
        if sessions < min_sessions or len(rows) < needed:
            continue
        made = proposer.propose(shape, members)
        if isinstance(made, str):
            result.skipped.append(Skipped(shape.text(), len(rows), sessions, made))
        else:
            result.suggestions.append(made)
    result.evasions = evasions(policy, evidence.rows, home=home, **shell_limits)
    return result


class _Proposer:
    """Builds, checks and replays the rule for one shape at a time."""

    def __init__(
        self,
        policy: Policy,
        evidence: Evidence,
        judged: dict[int, Judgement],
        home: str,
        fail_mode: FailMode,
        shell_limits: dict[str, int],
    ) -> None:
        self.policy = policy
        self.evidence = evidence
        self.judged = judged
        self.home = home
        self.fail_mode: FailMode = fail_mode
        self.limits = shell_limits
        self.taken = {r.id for r in policy.rules}
        self.refused = {int(r["id"]) for r in evidence.refused}

    def _project(self, call: ToolCall) -> str:
        from superego_mcp.project import root_of

        return root_of(call, self.home)

    def propose(
        self, shape: Shape, members: list[tuple[dict[str, Any], ToolCall]]
    ) -> Suggestion | str:
        """The suggestion for ``shape`` approved by ``members``, or why there is none."""
        from superego_mcp.policy.errors import PolicyError
        from superego_mcp.policy.examples import failed_examples

        rows = [r for r, _ in members]
        priority = _priority(self.policy, [self.judged[int(r["id"])] for r in rows], shape)
        if isinstance(priority, str):
            return priority
        base = f"allow-learned-{_slug(shape.text())}"
        rule_id, n = base, 2
        while rule_id in self.taken:
            rule_id, n = f"{base}-{n}", n + 1
        match: list[Any] = []
        for _, call in members:
            example = _example(call, self._project(call), self.home)
            if example is not None and example not in match:
                match.append(example)
            if len(match) >= MAX_EXAMPLES:
                break
        if not match:
            return "every approved call holds a redacted secret: no example to check it on"
        sessions = len({r.get("session_id") for r in rows})
        rule: dict[str, Any] = {
            "id": rule_id,
            "description": (
                f"Learned by superego-mcp suggest: approved {len(rows)} times in {sessions} "
                "sessions."
            ),
            "priority": priority,
            "action": "allow",
            "reason": f"People approved `{shape.text()}` in {sessions} sessions.",
            "conditions": shape.conditions(),
            "examples": {"match": match},
        }
        try:
            no_match = self._near_misses(_compile(rule), shape)
            if no_match:
                rule["examples"]["no_match"] = no_match
            compiled = _compile(rule)
        except PolicyError as exc:
            return f"the rule does not load: {exc}"
        trial = self.policy.with_rules([compiled], text=json.dumps(rule, sort_keys=True))
        _, failures = failed_examples(trial, [compiled])
        if failures:
            return "its examples fail check: " + "; ".join(failures)
        for row, call in members:
            decision = judge(trial, call, fail_mode=self.fail_mode, home=self.home, **self.limits)
            if decision.action != "allow":
                by = decision.rule_id or "the default"
                return f"with the rule, call #{row.get('id')} is still {decision.action} ({by})"
        report = replay(
            trial,
            self.evidence.rows,
            project=None,
            fail_mode=self.fail_mode,
            home=self.home,
            **self.limits,
        )
        for change in report.loosened:
            if change.old == "deny":
                return f"it would let through call #{change.row.get('id')}, which was denied"
            if int(change.row["id"]) in self.refused:
                return f"it would allow call #{change.row.get('id')}, which a person refused"
        self.taken.add(rule_id)
        made = Suggestion(shape, rule, rows)
        made.replay = report
        return made

    def _near_misses(self, rule: Rule, shape: Shape) -> list[Any]:
        """The refused and denied calls of the trail nearest the shape (same program and
        subcommand first, then same program or tool) that the rule does not match, as examples;
        else the approved shape without one of its flags or words."""
        from superego_mcp.policy.engine import Example
        from superego_mcp.policy.examples import example_matches

        scored: list[tuple[int, int, Any]] = []
        for row in [*self.evidence.refused, *self.evidence.denied]:
            call = row_call(row)
            if call is None:
                continue
            score = _nearness(call, shape, self.home)
            if score <= 0:
                continue
            example = _example(call, self._project(call), self.home)
            if example is None:
                continue
            scored.append((-score, -int(row["id"]), example))
        found: list[Any] = []
        candidates = [e for _, _, e in sorted(scored, key=lambda t: (t[0], t[1]))]
        if shape.program is not None:  # synthetic near misses come last
            words = [shape.program, *(shape.subcommand or "").split()]
            for i in range(len(shape.flags)):
                rest = [*shape.flags[:i], *shape.flags[i + 1 :]]
                candidates.append(" ".join([*words, *rest, *shape.positionals]))
            if shape.positionals:
                candidates.append(" ".join([*words, *shape.flags, *shape.positionals[:-1]]))
        for example in candidates:
            if example in found:
                continue
            if isinstance(example, str):
                ex = Example("Bash", {"command": example}, None)
            else:
                ex = Example(str(example["tool"]), dict(example["input"]), None)
            try:
                matched = example_matches(rule, ex)
            except Exception:  # an example check cannot judge is no example
                matched = True
            if matched:
                continue
            found.append(example)
            if len(found) >= MAX_EXAMPLES:
                break
        return found


def _nearness(call: ToolCall, shape: Shape, home: str) -> int:
    """3: the same program and subcommand; 2: the same program and first subcommand word;
    1: the same program (or tool); 0: neither."""
    if shape.program is None:
        return 1 if call.tool_name == shape.tool else 0
    command = call.tool_input.get("command")
    if call.tool_name != "Bash" or not isinstance(command, str):
        return 0
    from superego_mcp.shell.analyzer import analyze

    try:
        analysis = analyze(command, cwd=call.cwd or "/", home=home)
    except Exception:
        return 0
    best = 0
    first = (shape.subcommand or "").split()[:1]
    for cmd in analysis.commands:
        if cmd.program != shape.program:
            continue
        if cmd.subcommand == shape.subcommand:
            best = max(best, 3)
        elif first and (cmd.subcommand or "").split()[:1] == first:
            best = max(best, 2)  # `compose down` near `compose up`
        else:
            best = max(best, 1)
    return best


def call_text(call: ToolCall) -> str:
    """A call in a few words: a Bash command line, else the tool and its input."""
    command = call.tool_input.get("command")
    if call.tool_name == "Bash" and isinstance(command, str):
        text = " ".join(command.split())
    else:
        text = f"{call.tool_name} {json.dumps(call.tool_input, ensure_ascii=False)}"
    return text if len(text) <= 120 else text[:117] + "..."


# --- evasions -------------------------------------------------------------------------------


def _effects(
    policy: Policy, call: ToolCall, home: str, limits: dict[str, int]
) -> tuple[set[tuple[str, str | None]], set[str]]:
    """The programs (with subcommand) a call runs and the files it names (not directories
    it merely runs in)."""
    programs: set[tuple[str, str | None]] = set()
    paths: set[str] = set()
    try:
        judgement = policy.judge(call, now=None, home=home, **limits)
    except Exception:
        return programs, paths
    cwd = (call.cwd or "/").rstrip("/")
    for r in judgement.units:
        if r.unit.command is not None:
            programs.add((r.unit.command.program, r.unit.command.subcommand))
        paths.update(p for p in r.unit.paths if p.rstrip("/") not in (cwd, "", home.rstrip("/")))
    return programs, paths


def evasions(
    policy: Policy, rows: Sequence[dict[str, Any]], *, home: str, **shell_limits: int
) -> list[Evasion]:
    """Denied calls followed, within :data:`EVASION_WINDOW` calls of the same session, by a
    call that was not denied and touches the same files (another tool or spelling) or runs
    the same program again in another form."""
    by_session: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        by_session.setdefault(row.get("session_id"), []).append(row)
    found: list[Evasion] = []
    for session, seq in by_session.items():
        if session is None:
            continue
        for i, row in enumerate(seq):
            if row.get("decision") != "deny":
                continue
            call = row_call(row)
            if call is None:
                continue
            programs, paths = _effects(policy, call, home, shell_limits)
            for later in seq[i + 1 : i + 1 + EVASION_WINDOW]:
                if later.get("decision") == "deny" or later.get("input") == row.get("input"):
                    continue
                other = row_call(later)
                if other is None:
                    continue
                their_programs, their_paths = _effects(policy, other, home, shell_limits)
                same_files = sorted(paths & their_paths)
                if same_files:
                    how = "another tool" if other.tool_name != call.tool_name else "another form"
                    found.append(
                        Evasion(row, later, f"{how} on the same file: {', '.join(same_files[:3])}")
                    )
                    break
                same = sorted(f"{p} {s}" if s else p for p, s in programs & their_programs)
                if same:
                    found.append(
                        Evasion(row, later, f"runs {', '.join(same[:3])} again, spelt another way")
                    )
                    break
    return found


# --- reading the trail ----------------------------------------------------------------------


def evidence_from(store: Store, since: float | None = None, until: float | None = None) -> Evidence:
    """The decision rows of ``store`` from ``since`` to ``until`` (epoch seconds; ``None``:
    no bound), oldest first, with the outcome rows that may follow them."""
    from superego_mcp.audit.replay import store_rows
    from superego_mcp.audit.store import Query

    rows = list(store_rows(store, Query(since=since), until))
    last = None if until is None else until + LINK_WINDOW_S
    return Evidence(rows, store.outcomes(since=since, until=last))


def layer_file(policy: Policy, which: str) -> str:
    """The policy file ``--write`` / the accept route append to: ``user`` or ``project`` (that
    layer's file of ``policy``, existing or looked for), else ``which`` as a path. Raises
    :class:`SuggestError` when ``policy`` has no such layer (``user_rules`` or
    ``project_rules`` off)."""
    if which not in ("user", "project"):
        return which
    for layer in policy.layers:
        if layer.name == which and layer.extended_by is None:
            return layer.path
    raise SuggestError(f"the policy in effect has no {which} layer (see the settings)")


def accepted(result: Result, ids: Sequence[str] | None) -> list[Suggestion]:
    """The suggestions of ``result`` named by ``ids`` (``None``: all); raises
    :class:`SuggestError` naming an id that is not among them."""
    if ids is None:
        return list(result.suggestions)
    known = {s.id: s for s in result.suggestions}
    missing = [i for i in ids if i not in known]
    if missing:
        raise SuggestError(
            f"no suggestion {', '.join(missing)} (proposed now: "
            + (", ".join(known) or "none")
            + ")"
        )
    return [known[i] for i in dict.fromkeys(ids)]


# --- writing --------------------------------------------------------------------------------


def new_text(old: str | None, items: Sequence[dict[str, Any]], extends: str = "bundled") -> str:
    """A policy file's text with ``items`` (rule mappings) appended to its ``rules:`` list,
    the rest of the text (comments too) unchanged; ``old`` ``None``: a new file that
    ``extends`` what it is given. Raises :class:`SuggestError` when the file's ``rules`` is
    not a block list."""
    import yaml

    block = str(yaml.safe_dump(list(items), sort_keys=False, width=100, allow_unicode=True))
    if old is None or not old.strip():
        return f"version: 1\nextends: {extends}\nrules:\n" + _indent(block, 2)
    try:
        root = yaml.compose(old, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise SuggestError(f"the policy file is not valid YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise SuggestError("the policy file does not hold a mapping")
    for key, value in root.value:
        if key.value != "rules":
            continue
        if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
            first = value.value[0]
            indent = max(first.start_mark.column - 2, 0)
            end = value.value[-1].end_mark.index
            line_end = old.find("\n", end)
            at = len(old) if line_end < 0 else line_end + 1
            if line_end < 0 or old[end:line_end].strip():
                # The last item ends mid-line (a flow item): start on a new line.
                at = len(old) if line_end < 0 else line_end + 1
            head = old[:at] if old[:at].endswith("\n") else old[:at] + "\n"
            return head + _indent(block, indent) + old[at:]
        if isinstance(value, yaml.SequenceNode) and not value.value:
            start, end = value.start_mark.index, value.end_mark.index
            return old[:start].rstrip(" ") + "\n" + _indent(block, 2) + old[end:].lstrip("\n")
        if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
            end = value.end_mark.index
            return old[:end].rstrip(" ") + "\n" + _indent(block, 2) + old[end:].lstrip("\n")
        raise SuggestError("the policy file's rules: is not a block list (rules: then - items)")
    tail = old if old.endswith("\n") else old + "\n"
    return tail + "rules:\n" + _indent(block, 2)


def _indent(block: str, n: int) -> str:
    pad = " " * n
    return "".join(pad + line if line.strip() else line for line in block.splitlines(True))


def new_file_extends(policy: Policy) -> str:
    """What a new policy file written into ``policy``'s layers extends: ``bundled`` when the
    bundled policy is in effect (it is merged once, so nothing changes), else ``none`` (a
    file extending it would bring in the bundled policy, whose rule ids may clash)."""
    return "bundled" if any(layer.name == "bundled" for layer in policy.layers) else "none"


def write_rules(
    path: str,
    items: Sequence[dict[str, Any]],
    *,
    extends: str = "bundled",
    verify: Callable[[], object] | None = None,
) -> str:
    """Append ``items`` to the policy file ``path`` (a new file ``extends`` what it is
    given): the new text must load (``FILE:LINE`` errors) and every example of the new rules
    pass ``check``; then it replaces the file atomically, keeping its mode. ``verify`` (the
    policy in effect loaded again) is called after; if it raises, the old text is put back
    and the error raised. Returns the new text. Raises :class:`SuggestError` (or
    ``PolicyError``) with the file as it was."""
    from pathlib import Path

    from superego_mcp.files import write_atomic
    from superego_mcp.policy.examples import failed_examples
    from superego_mcp.policy.layers import compile_policy

    target = Path(path).absolute()
    try:
        old: str | None = target.read_text(encoding="utf-8")
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        old, mode = None, 0o644
    text = new_text(old, items, extends)
    policy = compile_policy(text, str(target))
    ids = {str(i["id"]) for i in items}
    _, failures = failed_examples(policy, [r for r in policy.rules if r.id in ids])
    if failures:
        raise SuggestError("check fails, nothing written: " + "; ".join(failures))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(str(target), text.encode("utf-8"), mode=mode)
    if verify is not None:
        try:
            verify()
        except Exception:
            if old is None:
                target.unlink()
            else:
                write_atomic(str(target), old.encode("utf-8"), mode=mode)
            raise
    return text


# --- rendering ------------------------------------------------------------------------------


def render_text(result: Result, limit: int = 10) -> str:
    """A plain-text report for a terminal: each suggestion with its YAML and replay."""
    lines = [
        f"{result.rows} rows read: {result.approved} approved, {result.refused} refused; "
        f"proposing rules approved in at least {result.min_sessions} sessions "
        f"({result.min_calls} calls)",
    ]
    for s in result.suggestions:
        report = s.replay
        lines += [
            "",
            f"suggestion {s.id}: {s.shape.text()} ({len(s.rows)} approvals, {s.sessions} sessions)",
        ]
        lines += ["  " + line for line in s.yaml().rstrip().splitlines()]
        if report is not None:
            moves = ", ".join(
                f"{o} -> {n}: {k}" for (o, n), k in sorted(report.transitions.items()) if o != n
            )
            lines.append(
                f"  replay of the trail under it: {len(report.changes)} changed"
                + (f" ({moves})" if moves else "")
            )
            for c in report.changes[:limit]:
                lines.append(f"    #{c.row.get('id')} {c.old} -> {c.new}: {call_text(c.call)}")
    if result.skipped:
        lines += ["", "not proposed:"]
        for k in result.skipped:
            lines.append(f"  {k.shape} ({k.approved} approvals, {k.sessions} sessions): {k.why}")
    if result.evasions:
        lines += ["", "possible evasions (denied, then done another way):"]
        for e in result.evasions:
            lines.append(
                f"  #{e.denied.get('id')} denied, then #{e.then.get('id')} "
                f"{e.then.get('decision')}: {e.why}"
            )
    if not result.suggestions:
        lines += ["", "no rule to propose"]
    return "\n".join(lines)
