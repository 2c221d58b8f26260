"""Replay recorded decisions through another policy and report what would change.

The rows come from the audit store (:func:`store_rows`, the filters of ``audit query`` plus
an end time) or from a JSONL file written by ``audit export`` (:func:`read_jsonl`). Each row
becomes the :class:`~superego_mcp.model.ToolCall` it recorded and is judged by the same
engine as a live decision (``Policy.judge``; a failure becomes the fail mode through
:func:`superego_mcp.decide.decide`, never ``allow``). The LLM reviewer is never called: a
``review`` answer is reported as ``review``, and a recorded row the reviewer answered (or
that fell to the fail mode for want of one) counts as ``review`` too, so the same policy
replays to no change.

What replay cannot know, it says: rows are stored redacted (a ``[REDACTED]`` value is judged
as that text, which may match other rules than the secret did); an input cut at 64 KiB is
not judged at all; rows an exception (``superego-mcp allow``) allowed are not compared.
Identical calls (tool, input, cwd) are judged once per replay: nothing on disk changes
during one run, so their answer is the same.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

from superego_mcp.decide import NO_REVIEWER, decide
from superego_mcp.errors import SuperegoError
from superego_mcp.model import Decision, ToolCall, fail_mode_of, more_restrictive
from superego_mcp.redact import MASK

if TYPE_CHECKING:
    from superego_mcp.audit.store import Query, Store
    from superego_mcp.model import FailMode
    from superego_mcp.policy.engine import Policy

ACTIONS: Final = ("deny", "ask", "review", "defer", "allow")
# `--fail-on`: exit 0 when nothing fails the gate, 1 when it does (2: bad arguments, a store
# or file that cannot be read, a bad policy).
EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
PAGE: Final = 1000


class ReplayError(SuperegoError, ValueError):
    """Input replay cannot read (a bad JSONL line); the message names file and line."""


class Change:
    """One recorded call whose decision differs under the new policy."""

    __slots__ = ("call", "new", "new_reason", "new_rule", "old", "old_reason", "old_rule", "row")

    def __init__(self, row: dict[str, Any], call: ToolCall, old: str, new: Decision) -> None:
        self.row = row
        self.call = call
        self.old = old
        self.old_rule: str | None = row.get("rule")
        self.old_reason: str = str(row.get("reason") or "")
        self.new: str = new.action
        self.new_rule = new.rule_id
        self.new_reason = new.reason

    @property
    def loosens(self) -> bool:
        """The new decision is less strict (deny > ask > review > defer > allow)."""
        return looser(self.old, self.new)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the row's id, time, session, the call, both decisions with rule and
        reason."""
        return {
            "id": self.row.get("id"),
            "ts": self.row.get("ts"),
            "session_id": self.row.get("session_id"),
            "tool": self.call.tool_name,
            "input": self.call.tool_input,
            "cwd": self.call.cwd,
            "old": {"decision": self.old, "rule": self.old_rule, "reason": self.old_reason},
            "new": {"decision": self.new, "rule": self.new_rule, "reason": self.new_reason},
            "loosens": self.loosens,
            "redacted": MASK in json.dumps(self.call.tool_input, ensure_ascii=False),
        }


class Report:
    """What replaying a trail through a policy changed."""

    def __init__(self, policy_digest: str) -> None:
        self.policy_digest = policy_digest
        self.total = 0  # rows read
        self.judged = 0  # rows judged and compared
        self.distinct = 0  # distinct calls judged (identical ones are judged once)
        self.cut = 0  # inputs cut at 64 KiB: not judged
        self.excepted = 0  # allowed by an exception at the time: not compared
        self.redacted = 0  # judged on redacted input
        self.transitions: Counter[tuple[str, str]] = Counter()
        self.rules_before: Counter[str] = Counter()
        self.rules_after: Counter[str] = Counter()
        self.recorded_digests: Counter[str] = Counter()
        self.changes: list[Change] = []

    @property
    def loosened(self) -> list[Change]:
        """The changes whose new decision is less strict."""
        return [c for c in self.changes if c.loosens]

    def failed(self, fail_on: str | None) -> bool:
        """Whether ``--fail-on`` (``loosen``, ``change`` or ``None``) fails this report."""
        if fail_on == "change":
            return bool(self.changes)
        if fail_on == "loosen":
            return bool(self.loosened)
        return False

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        """JSON-ready; ``limit`` caps the changed calls listed (the counts are whole)."""
        rules = sorted(set(self.rules_before) | set(self.rules_after))
        shown = self.changes if limit is None else self.changes[:limit]
        return {
            "policy_digest": self.policy_digest,
            "recorded_policy_digests": dict(self.recorded_digests.most_common()),
            "rows": self.total,
            "judged": self.judged,
            "distinct_calls": self.distinct,
            "not_judged_cut": self.cut,
            "not_compared_exception": self.excepted,
            "judged_redacted": self.redacted,
            "changed": len(self.changes),
            "loosened": len(self.loosened),
            "transitions": [
                {"old": o, "new": n, "count": k}
                for (o, n), k in sorted(
                    self.transitions.items(), key=lambda kv: (ACTIONS.index(kv[0][0]), kv[0][1])
                )
            ],
            "rules": {
                r: {"before": self.rules_before[r], "after": self.rules_after[r]}
                for r in rules
                if self.rules_before[r] != self.rules_after[r]
            },
            "changes": [c.to_dict() for c in shown],
        }


def recorded_action(row: dict[str, Any]) -> str:
    """The rules' answer a row records: its decision, except ``review`` when the reviewer
    answered it or it fell to the fail mode because no reviewer was configured."""
    if row.get("review") not in (None, "", "null"):
        return "review"
    if NO_REVIEWER in str(row.get("reason") or ""):
        return "review"
    return str(row.get("decision"))


def row_call(row: dict[str, Any], *, project: str | None = None) -> ToolCall | None:
    """The call a row records (``None``: its input was cut when stored, or is not an
    object). ``project`` is the project root to judge it in (``None``: found from its cwd)."""
    value = row.get("input")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, dict) or set(value) == {"truncated"}:
        return None
    cwd = str(row.get("cwd") or "/")
    return ToolCall(
        str(row.get("tool") or ""),
        value,
        cwd,
        session_id=row.get("session_id"),
        agent_id=row.get("agent_id"),
        project=project,
    )


def replay(
    policy: Policy,
    rows: Iterable[dict[str, Any]],
    *,
    project: str | None = None,
    fail_mode: str = "ask",
    home: str | None = None,
    **shell_limits: int,
) -> Report:
    """Judge every row's call with ``policy`` and compare with what was recorded.

    ``project``: the project root every call is judged in (``None``: each call's own, from
    its cwd as a live call without one). ``fail_mode``: the answer when judging fails (never
    ``allow``). ``home``: the agent's home (``None``: this process's ``$HOME``).
    ``shell_limits``: the analyzer's limits (``max_length``, ``max_depth``,
    ``max_commands``) as the settings give them to live decisions.
    """
    mode: FailMode = fail_mode_of(fail_mode) or "deny"
    report = Report(policy.digest)
    seen: dict[str, Decision] = {}
    for row in rows:
        report.total += 1
        digest = row.get("policy_digest")
        if digest:
            report.recorded_digests[str(digest)] += 1
        if str(row.get("rule") or "").startswith("exception:"):
            report.excepted += 1
            continue
        call = row_call(row, project=project)
        if call is None:
            report.cut += 1
            continue
        text = json.dumps(call.tool_input, sort_keys=True, ensure_ascii=False)
        key = f"{call.tool_name}\0{call.cwd}\0{text}"
        new = seen.get(key)
        if new is None:
            new = judge(policy, call, fail_mode=mode, home=home, **shell_limits)
            seen[key] = new
        report.judged += 1
        if MASK in text:
            report.redacted += 1
        old = recorded_action(row)
        report.transitions[(old, new.action)] += 1
        report.rules_before[str(row.get("rule") or "(default)")] += 1
        report.rules_after[new.rule_id or "(default)"] += 1
        if old != new.action:
            report.changes.append(Change(row, call, old, new))
    report.distinct = len(seen)
    return report


def judge(
    policy: Policy,
    call: ToolCall,
    *,
    fail_mode: FailMode = "ask",
    home: str | None = None,
    **shell_limits: int,
) -> Decision:
    """The rules' decision for ``call`` as a live decision makes it, without the reviewer
    (``review`` stays ``review``); an evaluation that fails gives ``decide``'s fail-closed
    answer."""
    try:
        return policy.judge(call, now=None, home=home, **shell_limits).decision
    except Exception:
        return decide(
            policy,
            call,
            fail_mode=fail_mode,
            now=None,
            home=home,
            exceptions=None,
            reviewer=None,
            **shell_limits,
        )


def read_jsonl(path: str) -> Iterator[dict[str, Any]]:
    """The rows of an ``audit export --format jsonl`` file (see :func:`parse_jsonl`)."""
    with open(path, encoding="utf-8") as f:
        yield from parse_jsonl(f, path)


def parse_jsonl(lines: Iterable[str], name: str) -> Iterator[dict[str, Any]]:
    """Audit rows from JSON lines (``audit export --format jsonl``), in order; a line that is
    not an audit row raises :class:`ReplayError` naming ``name:line``."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ReplayError(f"{name}:{number}: not JSON ({exc})") from None
        if not isinstance(row, dict) or "tool" not in row or "input" not in row:
            raise ReplayError(
                f"{name}:{number}: not an audit row (an object with tool, input, decision)"
            )
        if row.get("decision") not in ACTIONS:
            raise ReplayError(
                f"{name}:{number}: decision {row.get('decision')!r} is not one of "
                + ", ".join(ACTIONS)
            )
        yield row


def store_rows(store: Store, query: Query, until: float | None = None) -> Iterator[dict[str, Any]]:
    """Every row of ``store`` matching ``query`` (its ``limit`` ignored), oldest first, up to
    ``until`` (epoch seconds, inclusive; ``None``: no end)."""
    last = 0
    while True:
        rows = store.after(last, PAGE, query)
        for row in rows:
            if until is not None and float(row["ts"]) > until:
                return
            yield row
        if len(rows) < PAGE:
            return
        last = rows[-1]["id"]


def project_layer_at(project: str, rev: str, into: str) -> None:
    """Write the project's ``.superego/`` directory as it is at git revision ``rev`` into the
    directory ``into`` (nothing when it has none there), so that a policy loaded with
    ``into`` as the project root has the layers that revision would load. Raises
    :class:`ReplayError` naming a revision or repository git cannot read."""
    import shutil
    import subprocess
    from pathlib import Path

    program = shutil.which("git")
    if program is None:
        raise ReplayError(f"--at {rev}: git is not installed (not on PATH)")

    def git(*argv: str) -> bytes:
        proc = subprocess.run(
            [program, "-C", project, *argv], capture_output=True, check=False, timeout=60
        )
        if proc.returncode != 0:
            problem = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ReplayError(f"--at {rev}: git {argv[0]}: {problem[-1] if problem else 'failed'}")
        return proc.stdout

    commit = git("rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}").decode().strip()
    prefix = git("rev-parse", "--show-prefix").decode().strip()
    names = git("ls-tree", "-r", "-z", "--name-only", commit, "--", ".superego").split(b"\0")
    for raw in names:
        name = raw.decode("utf-8", "surrogateescape")
        if not name:
            continue
        target = Path(into) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(git("show", f"{commit}:{prefix}{name}"))


def moved_protection(policy: Policy, stand_in: str, project: str) -> None:
    """Make ``policy`` (loaded with ``stand_in`` as its project root) protect ``project``'s
    own ``.superego`` files, as the same layers loaded in ``project`` would."""
    policy.protected = tuple(
        project + p[len(stand_in) :] if p == stand_in or p.startswith(stand_in + "/") else p
        for p in policy.protected
    )


# --- rendering ------------------------------------------------------------------------------


def _short(value: object, width: int = 90) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _call_text(change: Change) -> str:
    command = change.call.tool_input.get("command")
    if change.call.tool_name == "Bash" and isinstance(command, str):
        return _short(command)
    return f"{change.call.tool_name} {_short(change.call.tool_input, 80)}"


def _notes(report: Report) -> list[str]:
    notes = [
        f"{report.total} rows read, {report.judged} judged "
        f"({report.distinct} distinct calls) with policy {report.policy_digest[:12]}",
    ]
    if report.redacted:
        notes.append(
            f"{report.redacted} judged on redacted input: a [REDACTED] value is judged as that "
            "text, so a rule about the secret itself may answer differently than it did live"
        )
    if report.cut:
        notes.append(f"{report.cut} not judged: the stored input was cut at 64 KiB")
    if report.excepted:
        notes.append(
            f"{report.excepted} not compared: an exception (superego-mcp allow) allowed them"
        )
    return notes


def render_text(report: Report, limit: int = 50) -> str:
    """A plain-text report for a terminal."""
    lines = [*_notes(report), "", "old -> new        calls"]
    for (old, new), n in sorted(report.transitions.items(), key=lambda kv: -kv[1]):
        mark = "" if old == new else ("  (looser)" if looser(old, new) else "  (stricter)")
        lines.append(f"{old:>6} -> {new:<7} {n:>6}{mark}")
    rules = report.to_dict(0)["rules"]
    if rules:
        lines += ["", "rule                                      before  after"]
        lines += [f"{r:<40} {v['before']:>7} {v['after']:>6}" for r, v in rules.items()]
    lines += ["", f"{len(report.changes)} changed ({len(report.loosened)} looser)"]
    for c in report.changes[:limit]:
        lines.append(f"  #{c.row.get('id', '?')} {c.old} -> {c.new}: {_call_text(c)}")
        lines.append(f"      was: {c.old_rule or '(default)'}: {_short(c.old_reason, 100)}")
        lines.append(f"      now: {c.new_rule or '(default)'}: {_short(c.new_reason, 100)}")
    if len(report.changes) > limit:
        lines.append(f"  ... and {len(report.changes) - limit} more (--limit, or --format json)")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, limit: int = 50) -> str:
    """A Markdown report (a pull request comment)."""
    loose = len(report.loosened)
    head = "no change" if not report.changes else f"{len(report.changes)} changed, {loose} looser"
    lines = [f"### Superego replay: {head}", ""]
    lines += [f"- {n}" for n in _notes(report)]
    lines += ["", "| old | new | calls |", "| --- | --- | ---: |"]
    for (old, new), n in sorted(report.transitions.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {old} | {new} | {n} |")
    rules = report.to_dict(0)["rules"]
    if rules:
        lines += ["", "| rule | before | after |", "| --- | ---: | ---: |"]
        lines += [f"| `{r}` | {v['before']} | {v['after']} |" for r, v in rules.items()]
    if report.changes:
        lines += ["", "| id | old -> new | call | was | now |", "| --- | --- | --- | --- | --- |"]
        for c in report.changes[:limit]:
            lines.append(
                f"| {c.row.get('id', '')} | {c.old} -> {c.new} | `{_cell(_call_text(c))}` | "
                f"{_cell(c.old_rule or '(default)')}: {_cell(_short(c.old_reason, 80))} | "
                f"{_cell(c.new_rule or '(default)')}: {_cell(_short(c.new_reason, 80))} |"
            )
        if len(report.changes) > limit:
            lines.append(f"\n{len(report.changes) - limit} more changed calls not shown.")
    return "\n".join(lines)


def looser(old: str, new: str) -> bool:
    """Whether ``new`` is less strict than ``old`` (deny > ask > review > defer > allow)."""
    return old != new and more_restrictive(new, old) == old  # type: ignore[arg-type]
