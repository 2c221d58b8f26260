"""Evaluation: a compiled policy judging one tool call.

A Bash call is split into *units*, one per command the analyzer says would run (plus one for
findings not tied to a command); any other call is one unit. Each unit is decided by the first
rule (in priority order) whose conditions hold, else by the policy default; the call gets its
most restrictive unit's decision.
"""

from __future__ import annotations

import os

from superego_mcp import observe
from superego_mcp.model import Decision, more_restrictive, with_no_opinion
from superego_mcp.paths import normalize
from superego_mcp.policy.conditions import Context, Unit
from superego_mcp.project import root_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from typing import Any

    from superego_mcp.model import Action, ToolCall
    from superego_mcp.policy.conditions import Condition
    from superego_mcp.policy.matchers import NameMatcher
    from superego_mcp.shell.model import Analysis

# Tools whose input is a shell command line analysed command by command.
SHELL_TOOLS = frozenset({"Bash"})
# Tools whose input is a PowerShell command line: judged as `pwsh -Command LINE` run by Bash
# (the shell analysis hands the code to superego_mcp.lang.powershell), with the tool's own
# name kept for rules that name it.
POWERSHELL_TOOLS = frozenset({"PowerShell"})
# tool_input fields that name a file or directory the call touches.
_PATH_FIELDS = ("file_path", "notebook_path", "path")
# Our file tools: an argument of theirs whose name says path / file / dir is judged as a path
# even when it is none of the names above (an agent release renamed it), never passed over.
_FILE_TOOLS = frozenset(
    {"Read", "Write", "Edit", "MultiEdit", "NotebookEdit", "Glob", "Grep", "LS"}
)
_PATH_LIKE = ("path", "file", "dir", "target", "location")
# More fields that name files, for MCP tools (a filesystem server's read_file {path}, ...).
_MCP_PATH_FIELDS = (
    "file",
    "filename",
    "filepath",
    "directory",
    "dir",
    "source",
    "destination",
    "target_path",
    "paths",
    "files",
)
# MCP tool fields that carry a shell command line (or an argv list): analysed like Bash.
_COMMAND_FIELDS = ("command", "cmd", "script", "shell_command", "command_line", "commandLine")
# Tools that search a directory: no path means the cwd.
_SEARCH_TOOLS = frozenset({"Glob", "Grep"})
# The default's reason when the `default_action` setting replaces the policy's default.
_DEFAULT_REASONS: dict[str, str] = {
    "allow": "No rule covers this call; the default_action setting allows unmatched calls.",
    "ask": "No rule covers this call; the default_action setting asks about unmatched calls.",
    "defer": "No rule covers this call; the agent's own permission settings decide "
    "(default_action setting).",
    "review": "No rule covers this call; the default_action setting asks for a second opinion.",
    "deny": "No rule covers this call; the default_action setting denies unmatched calls.",
}
# Per-policy cache of candidate rules per tool name; bounded so odd tool names cannot grow it.
_INDEX_CACHE_MAX = 512


class Example:
    """One example of a rule: a tool name and its input (a string example is a Bash call)."""

    __slots__ = ("line", "tool", "tool_input")

    def __init__(self, tool: str, tool_input: dict[str, Any], line: int | None) -> None:
        self.tool = tool
        self.tool_input = tool_input
        self.line = line

    def describe(self) -> str:
        """The example as a reader would write it."""
        if self.tool in SHELL_TOOLS and set(self.tool_input) == {"command"}:
            return repr(self.tool_input["command"])
        return f"{self.tool} {self.tool_input!r}"


class Rule:
    """One compiled rule. ``tools`` is the rule's top-level tool matcher (``None``: any tool),
    ``shell_only`` says its conditions can only hold for shell commands. ``final`` rules can
    be loosened by no layer and no exception; ``layer``, ``file`` and ``line`` say where the
    rule was written, ``overridden`` (``LAYER FILE:LINE``) where an override last changed it."""

    __slots__ = (
        "action",
        "condition",
        "description",
        "enabled",
        "file",
        "final",
        "id",
        "layer",
        "line",
        "match_examples",
        "metadata",
        "no_match",
        "order",
        "overridden",
        "priority",
        "programs",
        "reason",
        "shell_only",
        "tools",
    )

    def __init__(
        self,
        *,
        id: str,
        description: str,
        priority: int,
        action: Action,
        reason: str,
        enabled: bool,
        condition: Condition,
        tools: NameMatcher | None,
        shell_only: bool,
        match_examples: tuple[Example, ...] = (),
        no_match: tuple[Example, ...] = (),
        metadata: dict[str, Any] | None = None,
        line: int | None = None,
        order: int = 0,
        programs: frozenset[str] | None = None,
        final: bool = False,
        file: str | None = None,
        layer: str | None = None,
        overridden: str | None = None,
    ) -> None:
        self.id = id
        self.description = description
        self.priority = priority
        self.action: Action = action
        self.reason = reason
        self.enabled = enabled
        self.condition = condition
        self.tools = tools
        self.shell_only = shell_only
        self.match_examples = match_examples
        self.no_match = no_match
        self.metadata = metadata or {}
        self.line = line
        self.order = order
        # The rule can only match a shell command whose program is one of these names
        # (None: no such requirement); lets the engine skip it for other units.
        self.programs = programs
        self.final = final
        self.file = file
        self.layer = layer
        self.overridden = overridden

    def copy(self, **changes: Any) -> Rule:
        """This rule with some fields changed (an override makes a new rule, so a layer
        below keeps its own view)."""
        fields = {name: getattr(self, name) for name in self.__slots__}
        fields.update(changes)
        return Rule(**fields)

    def where(self) -> str:
        """``LAYER FILE:LINE`` (as much as is known), plus the override, for explanations."""
        place = f"{self.file or '?'}:{self.line}" if self.line else (self.file or "?")
        where = f"{self.layer} {place}" if self.layer else place
        return f"{where}, overridden by {self.overridden}" if self.overridden else where

    def can_match_tool(self, tool_name: str, agent_tool: str | None = None) -> bool:
        """False when the rule's tool test (or its shell-only tests) rule the tool out.
        ``agent_tool`` is another agent's own name for the tool, which the test may name
        instead (shell-only tests still need ``tool_name`` to be a shell)."""
        if self.shell_only and tool_name not in SHELL_TOOLS:
            return False
        if self.tools is None or self.tools.match(tool_name):
            return True
        return agent_tool is not None and self.tools.match(agent_tool)

    def __repr__(self) -> str:
        return f"Rule({self.id!r}, {self.action!r}, priority={self.priority})"


class UnitResult:
    """How one unit was decided (for ``explain``). ``note`` says why a layer's answer was
    not the first match's (a final rule, or a project layer that may not loosen)."""

    __slots__ = ("action", "note", "reason", "rule", "unit")

    def __init__(
        self, unit: Unit, rule: Rule | None, action: Action, reason: str, note: str = ""
    ) -> None:
        self.unit = unit
        self.rule = rule
        self.action: Action = action
        self.reason = reason
        self.note = note


class Judgement:
    """The full story of one evaluation: the decision, the analysis, each unit's result."""

    __slots__ = ("analysis", "decision", "units")

    def __init__(
        self, decision: Decision, analysis: Analysis | None, units: list[UnitResult]
    ) -> None:
        self.decision = decision
        self.analysis = analysis
        self.units = units


class Layer:
    """One policy file in effect (or looked for): its layer name (``bundled``, ``user``,
    ``project``, ``rules``, or the layer that extended it), its path, whether it exists and
    whether it was pulled in by ``extends`` (and by which file), and the sha256 of the text
    compiled (``""`` when absent)."""

    __slots__ = ("digest", "exists", "extended_by", "name", "path")

    def __init__(
        self,
        name: str,
        path: str,
        exists: bool = True,
        extended_by: str | None = None,
        digest: str = "",
    ) -> None:
        self.name = name
        self.path = path
        self.exists = exists
        self.extended_by = extended_by
        self.digest = digest

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``config show``, ``explain --json``)."""
        return {
            "layer": self.name,
            "path": self.path,
            "exists": self.exists,
            "extended_by": self.extended_by,
        }


class Policy:
    """A compiled policy: rules sorted by priority, a default, and where it came from.

    Picklable (the hook caches it); ``digest`` is the sha256 of the source text (of every
    layer's text, for a layered policy). ``layers`` lists the files in effect and the
    candidate layer files that do not exist; ``protected`` is what ``${superego}`` stands for;
    ``floor`` (layered policies with a project layer) is the policy without the project
    layer: the project may not loosen its answers except for the rule ids (``default`` for
    the default) in ``loosenable``.
    """

    __slots__ = (
        "_finals",
        "_index",
        "default_action",
        "default_reason",
        "default_where",
        "digest",
        "floor",
        "layers",
        "legacy",
        "loosenable",
        "protected",
        "rules",
        "source",
    )

    def __init__(
        self,
        *,
        source: str,
        digest: str,
        rules: list[Rule],
        default_action: Action,
        default_reason: str,
        legacy: bool = False,
        layers: tuple[Layer, ...] = (),
        protected: tuple[str, ...] = (),
        floor: Policy | None = None,
        loosenable: frozenset[str] = frozenset(),
    ) -> None:
        self.source = source
        self.digest = digest
        self.rules = tuple(sorted(rules, key=lambda r: (r.priority, r.order)))
        self.default_action: Action = default_action
        self.default_reason = default_reason
        self.default_where = source  # LAYER FILE:LINE of the default in force, once layered
        self.legacy = legacy
        self.layers = layers
        self.protected = protected
        self.floor = floor
        self.loosenable = loosenable
        self._index: dict[str, tuple[Rule, ...]] = {}
        self._finals: dict[str, tuple[int, ...]] = {}

    def __getstate__(self) -> dict[str, Any]:
        # The tool-name indexes are rebuilt on demand; they are not part of the policy.
        return {n: getattr(self, n) for n in self.__slots__ if n not in ("_index", "_finals")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._index = {}
        self._finals = {}

    def with_default(self, action: Action | None, reason: str | None = None) -> Policy:
        """This policy with another default (the ``default_action`` setting); ``self`` when
        ``action`` is ``None`` or already the default. The rules are shared, not copied."""
        if action is None or action == self.default_action:
            return self
        new = Policy.__new__(Policy)
        new.__setstate__(self.__getstate__())
        new.default_action = action
        new.default_reason = reason or _DEFAULT_REASONS[action]
        new.default_where = "the default_action setting"
        if self.floor is not None:  # the layers below the project get the same default
            new.floor = self.floor.with_default(action, reason)
        return new

    def without_rules(self, ids: frozenset[str]) -> Policy:
        """This policy with the rules named ``ids`` turned off (a setting that governs them,
        such as ``installs: ask``), in every layer; ``self`` when none is on."""
        if not any(r.enabled and r.id in ids for r in self.rules):
            return self
        new = Policy.__new__(Policy)
        new.__setstate__(self.__getstate__())
        new.rules = tuple(r.copy(enabled=False) if r.id in ids else r for r in self.rules)
        if self.floor is not None:
            new.floor = self.floor.without_rules(ids)
        return new

    def with_rules(self, rules: Sequence[Rule], *, text: str = "") -> Policy:
        """This policy with ``rules`` added (in every layer: they apply below a project
        layer too), tried in priority order among the others; ``text`` (their source) goes
        into the new digest. ``superego-mcp suggest`` judges a trail under a proposed rule
        with it."""
        import hashlib

        new = Policy.__new__(Policy)
        new.__setstate__(self.__getstate__())
        new.rules = tuple(sorted((*self.rules, *rules), key=lambda r: (r.priority, r.order)))
        new.digest = hashlib.sha256(f"{self.digest}\n{text}".encode()).hexdigest()
        if self.floor is not None:
            new.floor = self.floor.with_rules(rules, text=text)
        return new

    def for_cache(self) -> Policy:
        """This policy as the hook caches it: no examples (only ``check`` runs them), and
        each rule's conditions kept pickled until the rule is first tried. The hook loads
        the cached policy on every call and one call tries few rules, so this keeps the
        load cheap however large the policy grows."""
        from superego_mcp.policy.conditions import LazyCondition

        rules: list[Rule] = []
        for rule in self.rules:
            copy = Rule.__new__(Rule)
            for name in Rule.__slots__:
                if hasattr(rule, name):
                    setattr(copy, name, getattr(rule, name))
            copy.match_examples = ()
            copy.no_match = ()
            copy.condition = LazyCondition(rule.condition)
            rules.append(copy)
        new = Policy.__new__(Policy)
        new.__setstate__(self.__getstate__())
        new.rules = tuple(rules)
        if self.floor is not None:
            new.floor = self.floor.for_cache()
        return new

    def rules_for(self, tool_name: str, agent_tool: str | None = None) -> tuple[Rule, ...]:
        """The enabled rules that can match ``tool_name`` (or, for another agent's call, its
        own name ``agent_tool``), in the order they are tried."""
        key = tool_name if agent_tool is None else f"{tool_name}\0{agent_tool}"
        found = self._index.get(key)
        if found is None:
            found = tuple(
                r for r in self.rules if r.enabled and r.can_match_tool(tool_name, agent_tool)
            )
            if len(self._index) < _INDEX_CACHE_MAX:
                self._index[key] = found
        return found

    def rules_for_commands(self, call: ToolCall) -> tuple[Rule, ...]:
        """The enabled rules that can match the shell commands a non-shell tool runs (an MCP
        tool's ``command`` field): those whose tool test, if any, matches the tool."""
        key = f"\0commands\0{call.tool_name}\0{call.agent_tool or ''}"
        found = self._index.get(key)
        if found is None:
            names = (
                (call.tool_name,) if call.agent_tool is None else (call.tool_name, call.agent_tool)
            )
            found = tuple(
                r
                for r in self.rules
                if r.enabled and (r.tools is None or any(r.tools.match(n) for n in names))
            )
            if len(self._index) < _INDEX_CACHE_MAX:
                self._index[key] = found
        return found

    def evaluate(
        self,
        call: ToolCall,
        *,
        now: datetime | None = None,
        home: str | None = None,
        **shell_limits: int,
    ) -> Decision:
        """Judge one call. ``home`` defaults to the call's, else ``$HOME``; the project root
        is :func:`superego_mcp.project.root_of` (the call's, else found from its cwd);
        ``shell_limits`` (``max_length``, ``max_depth``, ``max_commands``; ``read_scripts=0``
        turns reading scripts off) go to the shell analyzer. May return ``review``
        (``superego_mcp.decide`` resolves it). Raises on malformed input; callers fail closed.
        """
        return self.judge(call, now=now, home=home, **shell_limits).decision

    def judge(
        self,
        call: ToolCall,
        *,
        now: datetime | None = None,
        home: str | None = None,
        **shell_limits: int,
    ) -> Judgement:
        """Like :meth:`evaluate`, but also returns the analysis and every unit's result."""
        if call.tool_name in POWERSHELL_TOOLS:
            call = powershell_as_shell(call)
        home = home or call.home or observe.env("HOME") or os.path.expanduser("~")  # noqa: PTH111
        cwd_forms = normalize(call.cwd or "/", "/", home)
        project = root_of(call, home)
        ctx = Context(
            call, cwd_forms, home, temp_dirs(), now, normalize(project, "/", home), self.protected
        )
        analysis, units = call_units(call, ctx, shell_limits)
        if analysis is not None:
            ctx.commands = analysis.commands
        results = [self._decide_unit(unit, ctx, call) for unit in units]
        worst = results[0]
        for r in results[1:]:
            if more_restrictive(worst.action, r.action) != worst.action:
                worst = r
        reason = worst.reason
        origin = worst.unit.command.origin if worst.unit.command is not None else None
        if origin and worst.action != "allow":
            reason = f"{reason} (in {origin})"  # a script's line, not the command line
        # An exception may not lift a unit a final rule decided (other than allowing it).
        final = any(r.rule is not None and r.rule.final and r.action != "allow" for r in results)
        if worst.action == "defer" and worst.rule is None:
            reason = with_no_opinion(reason, _no_opinion(results, call))
        decision = Decision(
            worst.action, reason, worst.rule.id if worst.rule else None, final=final
        )
        # A command line the analyzer could not fully see is never less than `ask` (`defer`
        # is only for calls that were fully seen and matched nothing).
        if (
            analysis is not None
            and analysis.failed
            and decision.action
            in (
                "allow",
                "review",
                "defer",
            )
        ):
            detail = "; ".join(
                f.detail for f in analysis.findings if f.kind in ("unparseable", "too_complex")
            )
            decision = Decision(
                "ask", f"Superego could not fully analyse this command ({detail}).", None, True
            )
        elif analysis is not None and analysis.failed:
            decision.final = True
        return Judgement(decision, analysis, results)

    def _unit_rules(self, unit: Unit, call: ToolCall) -> tuple[tuple[Rule, ...], tuple[int, ...]]:
        """The rules a unit is tried against, and the positions of the final ones."""
        tool = call.tool_name
        agent_tool = call.agent_tool  # another agent's own name for the tool: rules may use it
        if unit.shell and tool not in SHELL_TOOLS:
            key = f"\0commands\0{tool}\0{agent_tool or ''}"
            rules = self.rules_for_commands(call)
        else:
            key = tool if agent_tool is None else f"{tool}\0{agent_tool}"
            rules = self.rules_for(tool, agent_tool)
        finals = self._finals.get(key)
        if finals is None:
            finals = tuple(i for i, r in enumerate(rules) if r.final)
            if len(self._finals) < _INDEX_CACHE_MAX:
                self._finals[key] = finals
        return rules, finals

    def _decide_unit(self, unit: Unit, ctx: Context, call: ToolCall) -> UnitResult:
        rules, finals = self._unit_rules(unit, call)
        program = unit.command.program if unit.command is not None else None
        hit = len(rules)
        result: UnitResult | None = None
        for i, rule in enumerate(rules):
            if self._holds(rule, unit, ctx, program):
                hit = i
                result = UnitResult(unit, rule, rule.action, _reason(rule, unit, ctx))
                break
        if result is None:
            result = UnitResult(unit, None, self.default_action, self.default_reason)
        if result.action == "deny":
            return result
        # A final rule tried after the first match (a rule placed before it) still holds.
        for i in finals:
            if i > hit:
                rule = rules[i]
                if _stricter(rule.action, result.action) and self._holds(rule, unit, ctx, program):
                    by = f"rule {result.rule.id}" if result.rule else "the default"
                    return UnitResult(
                        unit,
                        rule,
                        rule.action,
                        _reason(rule, unit, ctx),
                        f"final: {by} may not loosen it",
                    )
        floor = self.floor
        if floor is not None:
            # The project layer may tighten anything, loosen only what it is allowed to.
            below = floor._decide_unit(unit, ctx, call)
            if _stricter(below.action, result.action):
                key = below.rule.id if below.rule else "default"
                if key not in self.loosenable and "*" not in self.loosenable:
                    by = f"rule {result.rule.id}" if result.rule else "its default"
                    below.note = (
                        f"the project layer answered {result.action} by {by}, but may not "
                        f"loosen {key} (see project_may_loosen in docs/rules.md)"
                    )
                    return below
        return result

    @staticmethod
    def _holds(rule: Rule, unit: Unit, ctx: Context, program: str | None) -> bool:
        needs = rule.programs
        if needs is not None and program not in needs:
            return False  # cannot hold: a cheap test before the full conditions
        return rule.condition.test(unit, ctx)


def _no_opinion(results: list[UnitResult], call: ToolCall) -> list[str]:
    """What the units the default decided are: a command's program (with its subcommand),
    or the tool; each once, in order."""
    names: list[str] = []
    for r in results:
        if r.rule is not None or r.action != "defer":
            continue
        cmd = r.unit.command
        if cmd is not None:
            name = f"{cmd.program} {cmd.subcommand}" if cmd.subcommand else cmd.program
        elif not r.unit.shell:
            name = call.tool_name
        else:
            continue  # the findings of a command line: no program of its own
        if name and name not in names:
            names.append(name)
    return names


def _writes_then_runs(analysis: Analysis) -> bool:
    """Whether some command of the line writes a file and a later one runs a file (what
    session memory looks at, for a call without a session)."""
    wrote = False
    for cmd in analysis.commands:
        if wrote and (cmd.program_files or cmd.runs):
            return True
        wrote = wrote or bool(cmd.writes)
    return False


def _reason(rule: Rule, unit: Unit, ctx: Context) -> str:
    reason = rule.reason
    if "{paths}" in reason:
        reason = reason.replace("{paths}", shown_paths(unit.paths, ctx.home))
    if "{details}" in reason:
        reason = reason.replace("{details}", "; ".join(unit.details) or "(no details)")
    return reason


def _stricter(a: Action, b: Action) -> bool:
    """True when ``a`` is strictly more restrictive than ``b``."""
    return a != b and more_restrictive(a, b) == a


def shown_paths(paths: tuple[str, ...], home: str, limit: int = 3) -> str:
    """A rule reason's ``{paths}``: the unit's paths, home as ``~``, at most ``limit``."""
    shown: list[str] = []
    for p in paths:
        if p == home:
            p = "~"
        elif p.startswith(home.rstrip("/") + "/"):
            p = "~" + p[len(home.rstrip("/")) :]
        if p not in shown:
            shown.append(p)
    if not shown:
        return "(paths only known at run time)"
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


_TMP: list[tuple[str, ...]] = []


def temp_dirs() -> tuple[str, ...]:
    """What ``${tmp}`` stands for: /tmp, /var/tmp and $TMPDIR, plus their real paths."""
    if not _TMP:
        dirs: list[str] = []
        for d in ("/tmp", "/var/tmp", observe.env("TMPDIR") or ""):  # noqa: S108
            if d:
                for form in normalize(d, "/", "/"):
                    if form not in dirs:
                        dirs.append(form)
        _TMP.append(tuple(dirs))
    return _TMP[0]


def tool_unit(call: ToolCall, ctx: Context) -> Unit:
    """The one unit of a non-shell call, with the paths it names (normalized)."""
    tool_input = call.tool_input
    paths: list[str] = []
    named: list[str] = []
    for field in _PATH_FIELDS:
        value = tool_input.get(field)
        if isinstance(value, str) and value:
            named.append(value)
    if not named and call.tool_name in _FILE_TOOLS:
        for key, value in tool_input.items():
            lowered = key.lower()
            if isinstance(value, str) and value and any(w in lowered for w in _PATH_LIKE):
                named.append(value)
    if call.tool_name.startswith("mcp__"):
        for field in _MCP_PATH_FIELDS:
            value = tool_input.get(field)
            values = value if isinstance(value, list) else [value]
            named.extend(v for v in values[:64] if isinstance(v, str) and v)
    if call.tool_name in _SEARCH_TOOLS:
        base = named[0] if named else ctx.cwd
        if not named:
            named.append(base)
        pattern = tool_input.get("pattern") if call.tool_name == "Glob" else tool_input.get("glob")
        if isinstance(pattern, str) and pattern:
            # A glob pattern can climb out of the searched directory (Glob "~/.ssh/*") and
            # names what it reads (Grep glob "*.pem"): its directory part and the whole
            # pattern, joined to the searched directory, count as paths too.
            for part in (_literal_prefix(pattern), pattern):
                if part:
                    named.append(part if part.startswith(("/", "~")) else os.path.join(base, part))  # noqa: PTH118 - str paths only
    for p in named:
        for form in normalize(p, ctx.cwd, ctx.home):
            if form not in paths:
                paths.append(form)
    return Unit(
        is_shell=False,
        command=None,
        findings=frozenset(),
        paths=tuple(paths),
        dynamic=False,
        label=call.tool_name,
    )


def _literal_prefix(pattern: str) -> str:
    """The directories of a glob pattern before its first wildcard segment."""
    parts = pattern.split("/")
    kept: list[str] = []
    for part in parts[:-1]:
        if any(c in part for c in "*?[{"):
            break
        kept.append(part)
    if pattern.startswith("/") and kept == [""]:
        return "/"
    return "/".join(kept)


def call_units(
    call: ToolCall, ctx: Context, limits: dict[str, int]
) -> tuple[Analysis | None, list[Unit]]:
    """The units of a call (and the shell analysis, if any): one per command of a Bash
    call; else the tool call, plus one per command its ``command`` field runs (MCP). What
    the session wrote marks the commands that run it (:func:`_remember`)."""
    if call.tool_name in SHELL_TOOLS:
        analysis, units = shell_units(call, ctx, limits)
    else:
        units = [tool_unit(call, ctx)]
        command = embedded_command(call)
        analysis = None
        if command is not None:
            # An MCP tool that runs a command: its commands are units like a Bash call's,
            # decided by every rule that can apply to this tool (shell tests included).
            analysis, embedded = shell_units(call, ctx, limits, command)
            units += embedded
    _remember(call, analysis, units)
    return analysis, units


def _remember(call: ToolCall, analysis: Analysis | None, units: list[Unit]) -> None:
    """Session memory (superego_mcp.memory): note what the call writes, and mark commands
    that run a file the session wrote. A call without a session still has its own line:
    a file written earlier on it and then run."""
    memory = call.memory
    if memory is None and (analysis is None or not _writes_then_runs(analysis)):
        return
    from superego_mcp.memory import SessionMemory, consult

    if memory is None:
        memory = SessionMemory(None, "")
    if isinstance(memory, SessionMemory):  # the only kind there is (model.SessionWrites)
        consult(memory, call, analysis, units)


def powershell_as_shell(call: ToolCall) -> ToolCall:
    """A ``PowerShell`` call as the Bash call ``pwsh -NoProfile -Command 'LINE'``: every shell
    rule judges what the PowerShell does (read by ``superego_mcp.lang.powershell``), rules
    naming ``PowerShell`` still match it (``agent_tool``), and PowerShell Superego cannot read
    is asked about (``ask-unanalysed-powershell``)."""
    import shlex

    from superego_mcp.model import ToolCall

    command = call.tool_input.get("command")
    if not isinstance(command, str):
        raise ValueError(f"{call.tool_name} tool_input has no 'command' string")
    return ToolCall(
        "Bash",
        {"command": "pwsh -NoProfile -Command " + shlex.quote(command)},
        call.cwd,
        call.session_id,
        call.agent_id,
        call.project,
        call.home,
        call.agent,
        call.agent_tool or call.tool_name,
    )


def embedded_command(call: ToolCall) -> str | None:
    """The command line an MCP tool's input carries (``{"command": "rm -rf x"}``,
    ``{"cmd": ["rm", "-rf", "x"]}``, ``{"command": "rm", "args": ["-rf", "x"]}``), or None."""
    if not call.tool_name.startswith("mcp__"):
        return None
    tool_input = call.tool_input
    for key in _COMMAND_FIELDS:
        value = tool_input.get(key)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            import shlex

            return shlex.join(value)
        if isinstance(value, str) and value.strip():
            args = tool_input.get("args", tool_input.get("arguments"))
            if isinstance(args, list) and args and all(isinstance(a, str) for a in args):
                import shlex

                return value + " " + shlex.join(args)
            return value
    return None


def shell_units(
    call: ToolCall, ctx: Context, limits: dict[str, int], command: object = None
) -> tuple[Analysis, list[Unit]]:
    """Analyse a shell call's ``command`` (or the given ``command``) and turn every command
    into a unit."""
    if command is None:
        command = call.tool_input.get("command")
    if not isinstance(command, str):
        raise ValueError(f"{call.tool_name} tool_input has no 'command' string")
    # Imported here: non-shell calls never load the parser.
    from superego_mcp.shell import analyze

    analysis = analyze(
        command,
        cwd=ctx.cwd,
        home=ctx.home,
        max_length=limits.get("max_length", 100_000),
        max_depth=limits.get("max_depth", 32),
        max_commands=limits.get("max_commands", 500),
        read_scripts=bool(limits.get("read_scripts", 1)),
    )
    per_command: dict[int | None, set[str]] = {}
    for f in analysis.findings:
        key = (
            f.command if f.command is not None and 0 <= f.command < len(analysis.commands) else None
        )
        per_command.setdefault(key, set()).add(f.kind)
    units = [
        Unit(
            is_shell=True,
            command=c,
            findings=frozenset(per_command.get(i, ())),
            paths=c.paths,
            dynamic=c.dynamic,
            label=f"{c.text or c.program} [{c.origin}]" if c.origin else c.text or c.program,
        )
        for i, c in enumerate(analysis.commands)
    ]
    for unit in units:
        run = unit.command.container if unit.command is not None else None
        if run is not None and run.breaks:
            unit.details = run.breaks  # a reason's {details}: how the run reaches the host
    if None in per_command or not units:
        loose = frozenset(per_command.get(None, ()))
        units.append(
            Unit(
                is_shell=True,
                command=None,
                findings=loose,
                paths=(),
                dynamic=False,
                label="(command line)",
            )
        )
    return analysis, units
