"""Reading superego-mcp 0.0.0 rule files and translating them into ordinary compiled rules.

What a 0.0.0 file meant (and how it is kept):

- ``rules:`` with ``id``, ``priority`` (0-999, lower first; same as now), ``conditions``,
  ``action`` (``allow`` / ``deny`` / ``sample``; ``sample`` is ``review``), ``reason``,
  ``enabled``, ``sampling_guidance`` (kept as the rule's reviewer guidance); ``name``,
  ``description`` and ``inference_provider`` are kept as metadata.
- ``tool_name``: a string (exact), a list (exact membership) or ``{type, pattern}`` with
  ``string`` (exact), ``regex`` (searched, case-insensitive) or ``glob`` (``fnmatch``).
- ``parameters``: name -> pattern (the parameter must exist; its text must match), with
  ``{type: jsonpath, pattern, comparison, threshold}`` evaluated on the whole input; a typed
  pattern directly under ``parameters`` tests every value of the input.
- ``cwd`` (pattern), ``cwd_pattern`` (regex), ``time_range`` (``start``, ``end``,
  ``timezone``), ``AND`` / ``OR`` lists.

Two deliberate differences: an AND/OR nested inside another is honoured (0.0.0 silently
ignored it, making such rules match more than written), and a call no rule matches gets
``ask`` (0.0.0 allowed it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from superego_mcp.policy import conditions as cond
from superego_mcp.policy.engine import Rule
from superego_mcp.policy.matchers import JsonPath, NameMatcher, ValueMatcher, glob_to_regex

if TYPE_CHECKING:
    import yaml

    from superego_mcp.model import Action
    from superego_mcp.policy.loader import Reader

_RULE_KEYS = (
    "id",
    "priority",
    "conditions",
    "action",
    "reason",
    "enabled",
    "sampling_guidance",
    "name",
    "description",
    "inference_provider",
    "metadata",
)
_CONDITION_KEYS = ("tool_name", "parameters", "cwd", "cwd_pattern", "time_range", "AND", "OR")
_PATTERN_TYPES = ("string", "regex", "glob", "jsonpath")
_ACTIONS: dict[str, Action] = {"allow": "allow", "deny": "deny", "sample": "review"}
_COMPARISONS = {"gt": "gt", "gte": "ge", "lt": "lt", "lte": "le", "eq": "equals"}


def compile_legacy(reader: Reader, top: dict[str, yaml.Node]) -> tuple[list[Rule], Action, str]:
    """Translate a 0.0.0 file's ``rules``; returns the rules and the default decision.
    Other top-level keys (0.0.0 mixed server settings in) are ignored, as 0.0.0 did."""
    if "rules" not in top:
        raise reader.error(
            next(iter(top.values())) if top else reader.root(),
            "no 'version' and no 'rules': neither a version 1 policy nor a "
            "superego-mcp 0.0.0 rules file",
        )
    rules = reader.rules(top["rules"], _rule)
    return rules, "ask", "No rule covers this call (superego-mcp 0.0.0 rules file)."


def _rule(reader: Reader, node: yaml.Node, order: int) -> Rule:
    r = reader.mapping(node, "a rule")
    reader.rule_id = None
    if "id" not in r:
        raise reader.error(node, "rule has no 'id'")
    rule_id = str(reader.value(r["id"]))
    reader.rule_id = rule_id
    for required in ("priority", "conditions", "action"):
        if required not in r:
            raise reader.error(
                node,
                f"rule has no {required!r} (superego-mcp 0.0.0 required "
                "it too, and rejected this rule)",
            )
    reader.check_keys(r, _RULE_KEYS, "key in a superego-mcp 0.0.0 rule")
    priority = reader.integer(r["priority"], "'priority'")
    if not 0 <= priority <= 999:
        raise reader.error(r["priority"], f"'priority' must be 0-999, not {priority}")
    action_text = reader.value(r["action"])
    if action_text not in _ACTIONS:
        raise reader.error(
            r["action"], f"unknown action {action_text!r} (0.0.0 actions: allow, deny, sample)"
        )
    cmap = reader.mapping(r["conditions"], "'conditions'")
    if not cmap:
        raise reader.error(r["conditions"], "'conditions' is empty")
    condition = _conditions(reader, r["conditions"])
    metadata: dict[str, Any] = {}
    for key, meta in (
        ("sampling_guidance", "guidance"),
        ("name", "name"),
        ("inference_provider", "inference_provider"),
    ):
        if key in r:
            metadata[meta] = reader.string(r[key], f"'{key}'")
    if "metadata" in r:
        metadata["metadata"] = reader.value(r["metadata"])
    reason = reader.string(r["reason"], "'reason'") if "reason" in r else f"Rule {rule_id} matched"
    return Rule(
        id=rule_id,
        description=reader.string(r["description"], "'description'") if "description" in r else "",
        priority=priority,
        action=_ACTIONS[action_text],
        reason=reason,
        enabled=reader.boolean(r["enabled"], "'enabled'") if "enabled" in r else True,
        condition=condition,
        tools=_index_tools(reader, cmap),
        shell_only=False,
        metadata=metadata,
        line=reader.line(node),
        order=order,
    )


def _index_tools(reader: Reader, cmap: dict[str, yaml.Node]) -> NameMatcher | None:
    """The exact tool names a rule is limited to, when its top level says so (for the index)."""
    if "tool_name" not in cmap:
        return None
    value = reader.value(cmap["tool_name"])
    if isinstance(value, str):
        return NameMatcher([value]) if not any(c in value for c in "*?[") else None
    if isinstance(value, list) and all(
        isinstance(v, str) and not any(c in v for c in "*?[") for v in value
    ):
        return NameMatcher(value)
    return None


def _conditions(reader: Reader, node: yaml.Node) -> cond.AllOf:
    m = reader.mapping(node, "conditions")
    reader.check_keys(m, _CONDITION_KEYS, "superego-mcp 0.0.0 condition")
    parts: list[cond.Condition] = []
    for key, value in m.items():
        if key == "tool_name":
            parts.append(_tool_name(reader, value))
        elif key == "parameters":
            parts.append(_parameters(reader, value))
        elif key == "cwd":
            parts.append(cond.Cwd(None, _pattern(reader, value, allow_jsonpath=False)))
        elif key == "cwd_pattern":
            regex = reader.string(value, "'cwd_pattern'")
            parts.append(
                cond.Cwd(None, _matcher(reader, value, {"regex": regex, "ignore_case": True}))
            )
        elif key == "time_range":
            parts.append(_time_range(reader, value))
        else:
            children = tuple(_conditions(reader, n) for n in reader.sequence(value, f"'{key}'"))
            parts.append(cond.AllOf(children) if key == "AND" else cond.AnyOf(children))
    return cond.AllOf(tuple(parts))


def _tool_name(reader: Reader, node: yaml.Node) -> cond.Condition:
    if isinstance(node, reader.sequence_type):
        names = reader.strings(node, "'tool_name'")
        return cond.Tool(_matcher(reader, node, {"regex": _one_of(names)}))
    return cond.Tool(_pattern(reader, node, allow_jsonpath=False))


def _one_of(names: list[str]) -> str:
    return "^(?:" + "|".join(re.escape(n) for n in names) + r")\Z"


def _parameters(reader: Reader, node: yaml.Node) -> cond.Condition:
    if not isinstance(node, reader.mapping_type):
        raise reader.error(
            node,
            "'parameters' must be a mapping of parameter name to pattern "
            "(superego-mcp 0.0.0 could not evaluate this rule either: it never "
            "matched)",
        )
    m = reader.mapping(node, "'parameters'")
    if "type" in m:
        # A typed pattern straight under 'parameters' tests every value of the input.
        return cond.Param(JsonPath("$..*"), _pattern(reader, node, allow_jsonpath=False), None)
    parts: list[cond.Condition] = []
    for key, value in m.items():
        spec = reader.mapping(value, "a pattern") if isinstance(value, reader.mapping_type) else {}
        if "type" in spec and reader.value(spec["type"]) == "jsonpath":
            # The parameter must exist; the path is then evaluated on the whole input.
            present = cond.Param(JsonPath.field(key), None, True)
            parts.append(cond.AllOf((present, _jsonpath(reader, value))))
        else:
            parts.append(
                cond.Param(JsonPath.field(key), _pattern(reader, value, allow_jsonpath=False), None)
            )
    return cond.AllOf(tuple(parts))


def _jsonpath(reader: Reader, node: yaml.Node) -> cond.Param:
    spec = reader.mapping(node, "a jsonpath pattern")
    reader.check_keys(spec, ("type", "pattern", "comparison", "threshold"), "key in a pattern")
    text = reader.string(spec["pattern"], "'pattern'") if "pattern" in spec else ""
    try:
        path = JsonPath(text)
    except ValueError as exc:
        raise reader.error(spec.get("pattern", node), str(exc)) from None
    comparison = reader.value(spec["comparison"]) if "comparison" in spec else "exists"
    if comparison == "exists" or "threshold" not in spec:
        return cond.Param(path, None, True)
    if comparison not in _COMPARISONS:
        raise reader.error(
            spec["comparison"],
            f"unknown comparison {comparison!r} (0.0.0 comparisons: exists, gt, gte, lt, lte, eq)",
        )
    return cond.Param(
        path,
        _matcher(reader, node, {_COMPARISONS[comparison]: reader.value(spec["threshold"])}),
        True,
    )


def _pattern(reader: Reader, node: yaml.Node, *, allow_jsonpath: bool) -> ValueMatcher:
    if not isinstance(node, reader.mapping_type):
        return _matcher(reader, node, {"regex": "^" + re.escape(str(reader.value(node))) + r"\Z"})
    spec = reader.mapping(node, "a pattern")
    reader.check_keys(spec, ("type", "pattern", "case_sensitive"), "key in a pattern")
    if "type" not in spec or "pattern" not in spec:
        raise reader.error(node, "a 0.0.0 pattern needs 'type' and 'pattern'")
    kind = reader.value(spec["type"])
    if kind not in _PATTERN_TYPES or (kind == "jsonpath" and not allow_jsonpath):
        raise reader.error(
            spec["type"], f"unknown pattern type {kind!r} (here: string, regex, glob)"
        )
    text = reader.string(spec["pattern"], "'pattern'")
    ignore_case = kind == "regex" or (
        "case_sensitive" in spec and not reader.boolean(spec["case_sensitive"], "'case_sensitive'")
    )
    if kind == "regex":
        regex = text
    elif kind == "glob":
        regex = glob_to_regex(text)
    else:
        regex = "^" + re.escape(text) + r"\Z"
    return _matcher(reader, spec["pattern"], {"regex": regex, "ignore_case": ignore_case})


def _matcher(reader: Reader, node: yaml.Node, spec: dict[str, Any]) -> ValueMatcher:
    try:
        return ValueMatcher(spec)
    except ValueError as exc:
        raise reader.error(node, str(exc)) from None


def _time_range(reader: Reader, node: yaml.Node) -> cond.TimeWindow:
    from superego_mcp.policy.loader import compile_time

    return compile_time(reader, node, ("start", "end", "timezone"))
