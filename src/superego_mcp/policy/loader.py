"""Reading a policy file: YAML text -> checked, compiled rules, with ``FILE:LINE`` errors.

The YAML is composed into nodes (not plain data) so that every error can name the line it is
about. PyYAML is imported here only, when a policy is compiled; evaluating a compiled (or
unpickled) policy never needs it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from superego_mcp.model import ACTIONS
from superego_mcp.policy import conditions as cond
from superego_mcp.policy.engine import SHELL_TOOLS, Example, Rule
from superego_mcp.policy.errors import PolicyError
from superego_mcp.policy.matchers import (
    JsonPath,
    NameMatcher,
    PathGlob,
    PathSet,
    ValueMatcher,
    suggest,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    import yaml

    from superego_mcp.model import Action

# A plain path next to the package (no importlib.resources / pathlib on the hook path).
_PACKAGE_DIR = os.path.dirname(os.path.dirname(__file__))  # noqa: PTH120
BUNDLED_POLICY = os.path.join(_PACKAGE_DIR, "data", "default_policy.yaml")  # noqa: PTH118

_TOP_KEYS = (
    "version",
    "default",
    "rules",
    "description",
    "extends",
    "overrides",
    "project_may_loosen",
)
# What an override may change about a rule defined by a file below.
_OVERRIDE_KEYS = ("action", "reason", "priority", "enabled", "final")
_RULE_KEYS = (
    "id",
    "description",
    "priority",
    "action",
    "reason",
    "enabled",
    "conditions",
    "examples",
    "guidance",
    "final",
)
_CONDITION_KEYS = (
    "tool",
    "param",
    "path",
    "shell",
    "url",
    "sql",
    "superego",
    "known",
    "container",
    "git",
    "cwd",
    "time",
    "all",
    "any",
    "not",
)
_SHELL_KEYS = (
    "program",
    "subcommand",
    "flags",
    "any_flags",
    "args",
    "piped_to",
    "piped_from",
    "via",
    "finding",
    "redirect",
    "redirect_outside",
    "writes",
    "writes_outside",
    "moves_above",
    "dynamic",
    "program_file",
    "script",
    "sets",
    "verb",
)
VERB_KINDS = ("destructive", "read")
# The places `moves_above` may name (roots a call knows).
MOVABLE_ROOTS = ("project", "home")
FINDING_KINDS = (
    "unparseable",
    "too_complex",
    "dynamic_program",
    "download_to_shell",
    "decode_to_shell",
    "code_execution",
    "code_read",
    "code_partial",
    "fork_bomb",
    "reverse_shell",
    "script_unread",
    "script_written",
    "runs_session_write",  # made by the engine from session memory (superego_mcp.memory)
)
DEFAULT_PRIORITY = 100


def read_policy_text(name: str) -> str:
    """The text of a policy file, or a :class:`PolicyError` saying why it cannot be read."""
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise PolicyError(f"cannot read policy file: {exc.strerror or exc}", file=name) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(
            f"policy file is not UTF-8 text ({exc.reason} at byte {exc.start})", file=name
        ) from None


class Override:
    """One entry of ``overrides:``: the fields to change on a rule defined below."""

    __slots__ = ("fields", "line", "rule_id")

    def __init__(self, rule_id: str, fields: dict[str, Any], line: int) -> None:
        self.rule_id = rule_id
        self.fields = fields
        self.line = line


class SourceFile:
    """One policy file, read but not yet merged with the files it extends or the layers
    around it."""

    __slots__ = (
        "default",
        "digest",
        "extends",
        "legacy",
        "may_loosen",
        "overrides",
        "path",
        "rules",
        "says_extends",
    )

    def __init__(self, path: str, digest: str) -> None:
        self.path = path
        self.digest = digest
        self.extends: list[tuple[str, int]] = []  # (what, line)
        self.says_extends = False
        self.overrides: list[Override] = []
        self.rules: list[Rule] = []
        self.default: tuple[Action | None, str | None, int] | None = None
        self.may_loosen: tuple[list[str], int] | None = None
        self.legacy = False


def read_current(reader: Reader, top: dict[str, yaml.Node], src: SourceFile) -> None:
    """Read a version-1 policy file's top-level mapping into ``src``."""
    reader.check_keys(top, _TOP_KEYS, "top-level key")
    version = reader.value(top["version"])
    if version != 1:
        raise reader.error(
            top["version"],
            f"unsupported policy version {version!r} "
            "(this Superego reads version 1; omit 'version' for a "
            "superego-mcp 0.0.0 file)",
        )
    if "extends" in top:
        src.says_extends = True
        items = reader.items(top["extends"], "'extends'")
        src.extends = [(reader.string(n, "an 'extends' entry"), reader.line(n)) for n in items]
        names = [name for name, _ in src.extends]
        if "none" in names and len(names) > 1:
            raise reader.error(top["extends"], "'extends: none' cannot be combined with files")
        src.extends = [(n, line) for n, line in src.extends if n != "none"]
    if "default" in top:
        d = reader.mapping(top["default"], "'default'")
        reader.check_keys(d, ("action", "reason"), "key in 'default'")
        src.default = (
            reader.action(d["action"]) if "action" in d else None,
            reader.text(d["reason"], "'reason'") if "reason" in d else None,
            reader.line(top["default"]),
        )
    elif not src.says_extends:
        # A file standing alone has the default default.
        src.default = ("ask", "No rule covers this call.", 1)
    if "overrides" in top:
        for rule_id, node in reader.mapping(top["overrides"], "'overrides'").items():
            reader.rule_id = rule_id
            fields_node = reader.mapping(node, f"the override of {rule_id!r}")
            reader.check_keys(fields_node, _OVERRIDE_KEYS, "key in an override")
            if not fields_node:
                raise reader.error(node, f"the override of {rule_id!r} changes nothing")
            fields: dict[str, Any] = {}
            for key, value in fields_node.items():
                if key == "action":
                    fields[key] = reader.action(value)
                elif key == "reason":
                    fields[key] = reader.text(value, "'reason'")
                elif key == "priority":
                    fields[key] = reader.integer(value, "'priority'")
                else:
                    fields[key] = reader.boolean(value, f"'{key}'")
            src.overrides.append(Override(rule_id, fields, reader.line(reader.key_nodes[id(node)])))
        reader.rule_id = None
    if "project_may_loosen" in top:
        node = top["project_may_loosen"]
        src.may_loosen = (reader.strings(node, "'project_may_loosen'"), reader.line(node))
    src.rules = reader.rules(top["rules"], compile_rule) if "rules" in top else []


def compile_rule(reader: Reader, node: yaml.Node, order: int) -> Rule:
    """Compile one rule mapping (current format)."""
    r = reader.mapping(node, "a rule")
    reader.rule_id = None
    if "id" not in r:
        raise reader.error(node, "rule has no 'id'")
    rule_id = reader.text(r["id"], "'id'")
    if not rule_id.strip():
        raise reader.error(r["id"], "rule 'id' is empty")
    reader.rule_id = rule_id
    reader.check_keys(r, _RULE_KEYS, "rule key")
    if "action" not in r:
        raise reader.error(node, "rule has no 'action' (allow, deny, ask or review)")
    if "reason" not in r:
        raise reader.error(node, "rule has no 'reason' (say why, for the person who is asked)")
    if "conditions" not in r:
        raise reader.error(
            node, "rule has no 'conditions' (write 'conditions: {}' to match every call)"
        )
    cmap = reader.mapping(r["conditions"], "'conditions'")
    condition = compile_conditions(reader, r["conditions"])
    tools = NameMatcher(reader.strings(cmap["tool"], "'tool'")) if "tool" in cmap else None
    metadata: dict[str, Any] = {}
    if "guidance" in r:
        metadata["guidance"] = reader.text(r["guidance"], "'guidance'")
    match, no_match = compile_examples(reader, r["examples"]) if "examples" in r else ((), ())
    return Rule(
        final=reader.boolean(r["final"], "'final'") if "final" in r else False,
        file=reader.file,
        id=rule_id,
        description=reader.text(r["description"], "'description'") if "description" in r else "",
        priority=reader.integer(r["priority"], "'priority'")
        if "priority" in r
        else DEFAULT_PRIORITY,
        action=reader.action(r["action"]),
        reason=reader.text(r["reason"], "'reason'"),
        enabled=reader.boolean(r["enabled"], "'enabled'") if "enabled" in r else True,
        condition=condition,
        tools=tools,
        shell_only="shell" in cmap,
        programs=cond.required_programs(condition),
        match_examples=match,
        no_match=no_match,
        metadata=metadata,
        line=reader.line(node),
        order=order,
    )


def compile_examples(
    reader: Reader, node: yaml.Node
) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    """``examples: {match: [...], no_match: [...]}``; a string is a Bash command."""
    ex = reader.mapping(node, "'examples'")
    reader.check_keys(ex, ("match", "no_match"), "key in 'examples'")
    out: list[tuple[Example, ...]] = []
    for key in ("match", "no_match"):
        items: list[Example] = []
        for item in reader.sequence(ex[key], f"'{key}'") if key in ex else []:
            if isinstance(item, reader.scalar_type):
                items.append(
                    Example(
                        "Bash", {"command": reader.string(item, "an example")}, reader.line(item)
                    )
                )
                continue
            m = reader.mapping(item, "an example (a command string or {tool, input})")
            reader.check_keys(m, ("tool", "input"), "key in an example")
            if "tool" not in m:
                raise reader.error(item, "example has no 'tool'")
            tool_input = reader.value(m["input"]) if "input" in m else {}
            if not isinstance(tool_input, dict):
                raise reader.error(m["input"], "example 'input' must be a mapping")
            items.append(Example(reader.string(m["tool"], "'tool'"), tool_input, reader.line(item)))
        out.append(tuple(items))
    return out[0], out[1]


def compile_conditions(reader: Reader, node: yaml.Node) -> cond.Condition:
    """A conditions mapping: every key must hold."""
    m = reader.mapping(node, "conditions")
    parts: list[cond.Condition] = []
    for key, value in m.items():
        if key not in _CONDITION_KEYS:
            raise reader.error(
                reader.key_nodes[id(value)],
                f"unknown condition {key!r}{suggest(key, _CONDITION_KEYS)}",
            )
        parts.append(_compile_one(reader, key, value))
    # One test needs no wrapper: fewer objects to evaluate and to unpickle on every hook call.
    return parts[0] if len(parts) == 1 else cond.AllOf(tuple(parts))


def _compile_one(reader: Reader, key: str, value: yaml.Node) -> cond.Condition:
    if key == "tool":
        return cond.Tool(reader.names(value, "'tool'"))
    if key == "param":
        return _compile_param(reader, value)
    if key == "path":
        return _compile_paths(reader, value)
    if key == "shell":
        return _compile_shell(reader, value)
    if key == "url":
        return _compile_url(reader, value)
    if key == "sql":
        m = reader.mapping(value, "'sql'")
        reader.check_keys(m, ("destructive",), "key in 'sql'")
        if "destructive" not in m:
            raise reader.error(value, "'sql' needs 'destructive: true' or 'destructive: false'")
        return cond.Sql(reader.boolean(m["destructive"], "'destructive'"))
    if key == "superego":
        acts = reader.strings(value, "'superego'")
        for act in acts:
            if act not in cond.SUPEREGO_ACTS:
                raise reader.error(
                    value,
                    f"unknown 'superego' act {act!r} (expected: {', '.join(cond.SUPEREGO_ACTS)})",
                )
        return cond.Superego(frozenset(acts))
    if key == "known":
        from superego_mcp.policy.known import CLASSES, PROGRAMS

        names = reader.strings(value, "'known'")
        for name in names:
            if name not in CLASSES:
                raise reader.error(
                    value, f"unknown 'known' class {name!r} (expected: {', '.join(CLASSES)})"
                )
        return cond.Known(frozenset(names), PROGRAMS)
    if key == "container":
        acts = reader.strings(value, "'container'")
        for act in acts:
            if act not in cond.CONTAINER_ACTS:
                raise reader.error(
                    value,
                    f"unknown 'container' act {act!r}{suggest(act, cond.CONTAINER_ACTS)}",
                )
        return cond.ContainerRun(frozenset(acts))
    if key == "git":
        m = reader.mapping(value, "'git'")
        reader.check_keys(m, ("loses",), "key in 'git'")
        if "loses" not in m:
            raise reader.error(value, "'git' needs 'loses: nothing' or 'loses: work'")
        loses = reader.string(m["loses"], "'loses'")
        if loses not in cond.GIT_LOSSES:
            raise reader.error(
                m["loses"], f"unknown 'loses' value {loses!r} (expected: nothing, work)"
            )
        return cond.Git(loses)
    if key == "cwd":
        return cond.Cwd(reader.globs(value, "'cwd'"))
    if key == "time":
        return compile_time(reader, value, ("start", "end", "timezone", "days"))
    if key == "not":
        return cond.Not(compile_conditions(reader, value))
    children = tuple(compile_conditions(reader, n) for n in reader.sequence(value, f"'{key}'"))
    if not children:
        raise reader.error(value, f"'{key}' needs at least one conditions mapping")
    return cond.AllOf(children) if key == "all" else cond.AnyOf(children)


def _compile_param(reader: Reader, node: yaml.Node) -> cond.Condition:
    m = reader.mapping(node, "'param'")
    parts: list[cond.Condition] = []
    for key, value in m.items():
        try:
            path = JsonPath(key)
        except ValueError as exc:
            raise reader.error(reader.key_nodes[id(value)], str(exc)) from None
        matcher, exists = reader.value_test(value)
        parts.append(cond.Param(path, matcher, exists))
    if not parts:
        raise reader.error(node, "'param' is empty")
    return parts[0] if len(parts) == 1 else cond.AllOf(tuple(parts))


def _compile_paths(reader: Reader, node: yaml.Node) -> cond.Paths:
    if not isinstance(node, reader.mapping_type):
        return cond.Paths(reader.globs(node, "'path'"), None, None)
    m = reader.mapping(node, "'path'")
    reader.check_keys(m, ("any", "all", "none", "except"), "key in 'path'")
    if not set(m) - {"except"}:
        raise reader.error(node, "'path' needs 'any', 'all' or 'none'")
    if "except" in m and "any" not in m:
        raise reader.error(m["except"], "'except' narrows 'any'; give 'any' too")
    globs = {k: reader.globs(v, f"'{k}'") for k, v in m.items()}
    return cond.Paths(globs.get("any"), globs.get("all"), globs.get("none"), globs.get("except"))


def _compile_url(reader: Reader, node: yaml.Node) -> cond.Url:
    m = reader.mapping(node, "'url'")
    keys = ("private", "metadata", "loopback", "scheme", "host", "secret", "except_host")
    reader.check_keys(m, keys, "key in 'url'")
    if not m:
        raise reader.error(node, "'url' needs one of: " + ", ".join(f"'{k}'" for k in keys))
    kw: dict[str, Any] = {}
    for key in ("private", "metadata", "loopback", "secret"):
        if key in m:
            kw[key] = reader.boolean(m[key], f"'{key}'")
    for key in ("scheme", "host", "except_host"):
        if key in m:
            kw[key] = reader.names(m[key], f"'{key}'")
    return cond.Url(**kw)


def compile_time(reader: Reader, node: yaml.Node, keys: tuple[str, ...]) -> cond.TimeWindow:
    """A time window ``{start, end, timezone, days}``; missing parts cover the whole day or
    week, UTC."""
    m = reader.mapping(node, "a time window")
    reader.check_keys(m, keys, "key in a time window")
    try:
        start = cond.parse_clock(reader.value(m["start"])) if "start" in m else 0
        end = cond.parse_clock(reader.value(m["end"])) if "end" in m else 24 * 60
    except ValueError as exc:
        raise reader.error(node, str(exc)) from None
    tz = reader.string(m["timezone"], "'timezone'") if "timezone" in m else "UTC"
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except (ValueError, OSError, LookupError):
        raise reader.error(m["timezone"], f"unknown timezone {tz!r}") from None
    days = frozenset(range(7))
    if "days" in m:
        try:
            days = cond.parse_days(reader.strings(m["days"], "'days'"))
        except ValueError as exc:
            raise reader.error(m["days"], str(exc)) from None
    return cond.TimeWindow(start, end, tz, days)


def _compile_shell(reader: Reader, node: yaml.Node) -> cond.Shell:
    m = reader.mapping(node, "'shell'")
    reader.check_keys(m, _SHELL_KEYS, "shell test")
    kw: dict[str, Any] = {}
    for key in ("program", "subcommand", "piped_to", "piped_from", "via"):
        if key in m:
            kw[key] = reader.names(m[key], f"'{key}'")
    if "args" in m:
        matcher, exists = reader.value_test(m["args"])
        if matcher is None or exists is not None:
            raise reader.error(m["args"], "'args' needs a value test (equals, regex, glob, ...)")
        kw["args"] = matcher
    if "sets" in m:
        matcher, exists = reader.value_test(m["sets"])
        if matcher is None or exists is not None:
            raise reader.error(m["sets"], "'sets' needs a value test (equals, regex, glob, ...)")
        kw["sets"] = matcher
    if "verb" in m:
        verbs = reader.strings(m["verb"], "'verb'")
        for v in verbs:
            if v not in VERB_KINDS:
                raise reader.error(m["verb"], f"unknown verb kind {v!r}{suggest(v, VERB_KINDS)}")
        kw["verb"] = frozenset(verbs)
    if "finding" in m:
        kinds = reader.strings(m["finding"], "'finding'")
        for k in kinds:
            if k not in FINDING_KINDS:
                raise reader.error(
                    m["finding"], f"unknown finding {k!r}{suggest(k, FINDING_KINDS)}"
                )
        kw["finding"] = frozenset(kinds)
    if "redirect" in m:
        kw["redirect"] = reader.globs(m["redirect"], "'redirect'")
    if "redirect_outside" in m:
        kw["redirect_outside"] = reader.globs(m["redirect_outside"], "'redirect_outside'")
    for key in ("program_file", "script", "writes", "writes_outside"):
        if key in m:
            kw[key] = reader.globs(m[key], f"'{key}'")
    if "dynamic" in m:
        kw["dynamic"] = reader.boolean(m["dynamic"], "'dynamic'")
    if "moves_above" in m:
        places = reader.strings(m["moves_above"], "'moves_above'")
        names = []
        for place in places:
            name = place[2:-1] if place.startswith("${") and place.endswith("}") else ""
            if name not in MOVABLE_ROOTS:
                raise reader.error(
                    m["moves_above"],
                    f"'moves_above' takes {', '.join('${' + r + '}' for r in MOVABLE_ROOTS)}, "
                    f"not {place!r}",
                )
            names.append(name)
        kw["moves_above"] = tuple(names)
    programs = reader.strings(m["program"], "'program'") if "program" in m else []
    literal = [p for p in programs if not p.startswith("re:") and not any(c in p for c in "*?[")]
    subs = reader.strings(m["subcommand"], "'subcommand'") if "subcommand" in m else []
    sub = subs[0] if len(subs) == 1 else None
    if "flags" in m:
        spellings = reader.strings(m["flags"], "'flags'")
        kw["flags"] = {
            k: reader.shared(frozenset().union(*v) if v else frozenset())
            for k, v in _canonical_map(reader, m["flags"], spellings, literal, sub).items()
        }
    if "any_flags" in m:
        spellings = reader.strings(m["any_flags"], "'any_flags'")
        kw["any_flags"] = {
            k: reader.shared(tuple(v))
            for k, v in _canonical_map(reader, m["any_flags"], spellings, literal, sub).items()
        }
    if not kw:
        raise reader.error(node, "'shell' is empty")
    return cond.Shell(**kw)


def _canonical_map(
    reader: Reader, node: yaml.Node, spellings: list[str], programs: list[str], sub: str | None
) -> dict[str, list[frozenset[str]]]:
    """Canonical flag names per program: ``-rf`` for ``rm`` is ``{recursive, force}``. A flag
    written without a dash is taken as a canonical name as it is."""
    dashed = [s for s in spellings if s.startswith("-")]
    if dashed and not programs:
        raise reader.error(
            node,
            f"flag {dashed[0]!r} is spelled with a dash, so 'program' "
            "must name the program(s) it belongs to (or write the canonical "
            "flag name without a dash)",
        )
    from superego_mcp.shell.flags import canonical_flag

    out: dict[str, list[frozenset[str]]] = {}
    for program in programs or [""]:
        sets: list[frozenset[str]] = []
        for s in spellings:
            if s.startswith("-"):
                names = frozenset(canonical_flag(program, sub, s))
                if not names:
                    raise reader.error(node, f"{s!r} is not a flag of {program!r}")
                sets.append(names)
            else:
                sets.append(frozenset({s}))
        out[program] = [reader.shared(x) for x in sets]
    return out


class Reader:
    """YAML nodes with line numbers, and the checks every part of a policy shares. Errors it
    raises name the file, the node's line and the rule being read."""

    def __init__(self, text: str, source: str) -> None:
        import yaml

        self.file = source
        self.rule_id: str | None = None
        # Equal matchers (a YAML alias such as *readable, a repeated program list) are
        # compiled once, so the rules share them and a pickled policy stores them once.
        self._shared: dict[tuple[Any, ...], Any] = {}
        self.scalar_type = yaml.ScalarNode
        self.mapping_type = yaml.MappingNode
        self.sequence_type = yaml.SequenceNode
        self._yaml = yaml
        # libyaml's parser, when present, composes ten times faster; same nodes and marks.
        loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        self._loader = loader_class(text)
        # value node id -> its key node (errors about a key point at the key).
        self.key_nodes: dict[int, yaml.Node] = {}

    def rules(
        self, node: yaml.Node, compile_one: Callable[[Reader, yaml.Node, int], Rule]
    ) -> list[Rule]:
        """Compile each rule of a ``rules:`` sequence in file order; a repeated id is an
        error at the repeat's line (both the policy format and the 0.0.0 format use this)."""
        rules: list[Rule] = []
        seen: dict[str, int] = {}
        for order, item in enumerate(self.sequence(node, "'rules'")):
            rule = compile_one(self, item, order)
            if rule.id in seen:
                raise self.error(
                    item, f"duplicate rule id {rule.id!r} (first defined on line {seen[rule.id]})"
                )
            seen[rule.id] = rule.line or 0
            rules.append(rule)
        return rules

    def close(self) -> None:
        """Release the YAML loader."""
        self._loader.dispose()

    def root(self) -> yaml.Node:
        """The document's root node; a syntax error becomes a :class:`PolicyError`."""
        try:
            node = self._loader.get_single_node()
        except self._yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "syntax error"
            raise PolicyError(
                f"YAML syntax error: {problem}",
                file=self.file,
                line=mark.line + 1 if mark else None,
            ) from None
        except self._yaml.YAMLError as exc:
            raise PolicyError(f"YAML error: {exc}", file=self.file) from None
        if node is None:
            raise PolicyError("the policy file is empty", file=self.file, line=1)
        return node

    def line(self, node: yaml.Node) -> int:
        """1-based line of a node."""
        return int(node.start_mark.line) + 1

    def error(self, node: yaml.Node, message: str) -> PolicyError:
        """A :class:`PolicyError` about ``node``."""
        return PolicyError(message, file=self.file, line=self.line(node), rule_id=self.rule_id)

    def value(self, node: yaml.Node) -> Any:
        """The plain Python value of a node (and everything under it)."""
        try:
            return self._loader.construct_object(node, deep=True)
        except self._yaml.YAMLError as exc:
            raise self.error(node, f"bad value: {exc}") from None

    def mapping(self, node: yaml.Node, what: str) -> dict[str, yaml.Node]:
        """A mapping's string keys and value nodes, in order; duplicate keys are an error."""
        if not isinstance(node, self.mapping_type):
            raise self.error(node, f"{what} must be a mapping")
        out: dict[str, yaml.Node] = {}
        for knode, vnode in node.value:
            key = self.value(knode)
            if not isinstance(key, str):
                raise self.error(knode, f"key {key!r} in {what} must be a string")
            if key in out:
                raise self.error(knode, f"duplicate key {key!r} in {what}")
            out[key] = vnode
            self.key_nodes[id(vnode)] = knode
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        """A list's item nodes."""
        if not isinstance(node, self.sequence_type):
            raise self.error(node, f"{what} must be a list")
        return list(node.value)

    def items(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        """A scalar or a list of scalars, as item nodes."""
        return self.sequence(node, what) if isinstance(node, self.sequence_type) else [node]

    def check_keys(self, m: dict[str, yaml.Node], allowed: tuple[str, ...], what: str) -> None:
        """Reject a key that is not in ``allowed``, suggesting the nearest one."""
        for key, value in m.items():
            if key not in allowed:
                raise self.error(
                    self.key_nodes[id(value)], f"unknown {what} {key!r}{suggest(key, allowed)}"
                )

    def string(self, node: yaml.Node, what: str) -> str:
        """A string scalar."""
        v = self.value(node)
        if not isinstance(v, str):
            raise self.error(node, f"{what} must be a string, not {v!r}")
        return v

    def text(self, node: yaml.Node, what: str) -> str:
        """A scalar's text as written (YAML would read ``reason: no`` as false)."""
        if not isinstance(node, self.scalar_type):
            raise self.error(node, f"{what} must be text, not a list or mapping")
        return str(node.value)

    def strings(self, node: yaml.Node, what: str) -> list[str]:
        """A string or a list of strings."""
        out = [self.string(n, what) for n in self.items(node, what)]
        if not out:
            raise self.error(node, f"{what} must not be empty")
        return out

    def names(self, node: yaml.Node, what: str) -> NameMatcher:
        """A name matcher from a name, glob, ``re:`` regex or a list of them."""
        entries = self.strings(node, what)
        key = ("names", *entries)
        found: NameMatcher | None = self._shared.get(key)
        if found is None:
            try:
                found = self._shared[key] = NameMatcher(entries)
            except ValueError as exc:
                raise self.error(node, str(exc)) from None
        return found

    def globs(self, node: yaml.Node, what: str) -> PathSet:
        """A path glob or a list of them, matched together."""
        items = self.items(node, what)
        if not items:
            raise self.error(node, f"{what} must not be empty")
        globs = [self.glob(n) for n in items]
        key = ("globs", *(g.text for g in globs))
        found: PathSet | None = self._shared.get(key)
        if found is None:
            found = self._shared[key] = PathSet(globs)
        return found

    def shared(self, value: Any) -> Any:
        """``value``, or an equal one compiled earlier (hashable values only): equal parts
        of different rules become one object, which a pickled policy stores once."""
        return self._shared.setdefault(("value", value), value)

    def glob(self, node: yaml.Node) -> PathGlob:
        """A path glob."""
        try:
            return PathGlob(self.string(node, "a path glob"))
        except ValueError as exc:
            raise self.error(node, str(exc)) from None

    def integer(self, node: yaml.Node, what: str) -> int:
        """A whole number."""
        v = self.value(node)
        if not isinstance(v, int) or isinstance(v, bool):
            raise self.error(node, f"{what} must be a whole number, not {v!r}")
        return v

    def boolean(self, node: yaml.Node, what: str) -> bool:
        """true or false."""
        v = self.value(node)
        if not isinstance(v, bool):
            raise self.error(node, f"{what} must be true or false, not {v!r}")
        return v

    def action(self, node: yaml.Node) -> Action:
        """One of allow, deny, ask, review, defer."""
        v = self.value(node)
        for a in ACTIONS:
            if v == a:
                return a
        raise self.error(node, f"unknown action {v!r}{suggest(str(v), ACTIONS)}")

    def value_test(self, node: yaml.Node) -> tuple[ValueMatcher | None, bool | None]:
        """A value test: a scalar (exact), or a mapping of tests plus an optional ``exists``."""
        if not isinstance(node, self.mapping_type):
            v = self.value(node)
            if isinstance(v, list | dict) or v is None:
                raise self.error(node, f"a value test must be a scalar or a mapping, not {v!r}")
            return ValueMatcher.exact(v), None
        spec = self.value(node)
        exists = spec.pop("exists", None)
        if exists is not None and not isinstance(exists, bool):
            raise self.error(node, "'exists' must be true or false")
        if not spec:
            if exists is None:
                raise self.error(node, "empty value test")
            return None, exists
        try:
            return ValueMatcher(spec), exists
        except ValueError as exc:
            raise self.error(node, str(exc)) from None


__all__ = ["BUNDLED_POLICY", "SHELL_TOOLS"]
