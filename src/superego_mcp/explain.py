"""What ``explain`` shows: one judged call as JSON-ready data (what the analyzer saw, which
rule decided each unit and where it was written, the result) and as text for a person. Used
by ``superego-mcp explain`` and the dashboard's ``/v1/audit/{id}/explain``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from superego_mcp.model import Decision, ToolCall
    from superego_mcp.policy.engine import Judgement, Policy, UnitResult


def explanation(
    policy: Policy, call: ToolCall, judgement: Judgement, final: Decision | None = None
) -> dict[str, Any]:
    """The explanation as JSON-ready data; ``final`` is the decision after any review
    (default: the evaluation, a ``review`` resolved to the fail mode ``ask``)."""
    from superego_mcp.decide import resolve_review

    analysis = judgement.analysis
    commands: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    if analysis is not None:
        for c in analysis.commands:
            commands.append(
                {
                    "text": c.text,
                    "program": c.program,
                    "subcommand": c.subcommand,
                    "flags": sorted(c.flags),
                    "positionals": list(c.positionals),
                    "paths": list(c.paths),
                    "via": list(c.via),
                    "redirects": [{"op": r.op, "target": r.target} for r in c.redirects],
                    "piped_from": list(c.piped_from),
                    "piped_to": list(c.piped_to),
                    "dynamic": c.dynamic,
                    "origin": c.origin,
                    "program_files": list(c.program_files),
                    "script": c.script,
                    "container": None
                    if c.container is None
                    else {
                        "isolated": c.container.isolated,
                        "breaks": list(c.container.breaks),
                        "unread": list(c.container.unread),
                    },
                }
            )
        cmds = analysis.commands
        findings = [
            {
                "kind": f.kind,
                "detail": f.detail,
                "command": f.command,
                "origin": cmds[f.command].origin if f.command is not None else None,
            }
            for f in analysis.findings
        ]
    units = [
        {
            "unit": r.unit.label,
            "paths": list(r.unit.paths),
            "findings": sorted(r.unit.findings),
            "action": r.action,
            "rule_id": r.rule.id if r.rule else None,
            "reason": r.reason,
            "layer": r.rule.layer if r.rule else None,
            "where": r.rule.where() if r.rule else f"default, {_default_where(policy, r)}",
            "note": r.note,
        }
        for r in judgement.units
    ]
    decision = judgement.decision
    if final is None:
        final = resolve_review(decision, call, "ask")
    from superego_mcp import visible

    return {
        # Characters that make the call read differently from what runs (render() and the
        # dashboard show them escaped and say so).
        "hidden_characters": visible.hidden_in([call.tool_input, call.cwd]),
        "policy": {
            "source": policy.source,
            "digest": policy.digest,
            "rules": len(policy.rules),
            "layers": [layer.to_dict() for layer in policy.layers if layer.exists],
        },
        "call": {
            "tool_name": call.tool_name,
            "tool_input": call.tool_input,
            "cwd": call.cwd,
            "project": call.project,
        },
        "commands": commands,
        "findings": findings,
        "units": units,
        "evaluation": decision.to_dict(),
        "decision": final.to_dict(),
    }


def _default_where(policy: Policy, result: UnitResult) -> str:
    """Where the default that decided ``result`` was set (the floor's, when the project
    layer was not allowed to loosen it)."""
    if result.note and policy.floor is not None:
        return policy.floor.default_where
    return policy.default_where


def render(data: dict[str, Any]) -> str:
    """The explanation as text for a person. Characters that hide or reorder text (bidi
    overrides, zero-width, terminal controls) are shown escaped, with a warning first."""
    from superego_mcp.visible import escape

    lines = []
    hidden = data.get("hidden_characters") or []
    if hidden:
        lines.append(
            "warning: this call contains characters that hide or reorder text, so it may read "
            "differently from what runs; they are shown escaped (\\uXXXX): " + "; ".join(hidden)
        )
    lines.append(f"policy: {data['policy']['source']} ({data['policy']['rules']} rules)")
    for layer in data["policy"]["layers"]:
        lines.append(f"  layer {layer['layer']}: {layer['path']}")
    lines.append(
        f"call:   {data['call']['tool_name']} in {data['call']['cwd']}"
        + (
            f" (project {data['call']['project']})"
            if data["call"].get("project") not in (None, data["call"]["cwd"])
            else ""
        )
    )
    if data["call"]["tool_name"] == "Bash" or data["commands"]:
        lines.append("commands that would run:")
        for i, c in enumerate(data["commands"], 1):
            lines.append(f"  {i}. {c['text'] or c['program']}")
            detail = [f"program={c['program'] or '?'}"]
            if c["subcommand"]:
                detail.append(f"subcommand={c['subcommand']}")
            if c["via"]:
                detail.append(f"via={' > '.join(c['via'])}")
            if c["flags"]:
                detail.append(f"flags={','.join(c['flags'])}")
            if c["paths"]:
                detail.append(f"paths={' '.join(c['paths'])}")
            if c["dynamic"]:
                detail.append("dynamic")
            if c.get("origin"):
                detail.append(f"from={c['origin']}")
            if c.get("program_files"):
                detail.append(f"program_file={c['program_files'][-1]}")
            if c.get("script"):
                detail.append(f"script_read={c['script']}")
            lines.append("     " + "  ".join(detail))
            run = c.get("container")
            if run is not None:
                # what the container run's options say (docs/rules.md "Containers")
                said = [f"breaks isolation: {'; '.join(run['breaks'])}"] if run["breaks"] else []
                if run["unread"]:
                    said.append(f"not read: {'; '.join(run['unread'])}")
                lines.append("     container: " + (", ".join(said) or "isolated"))
        if not data["commands"]:
            lines.append("  (none)")
        for f in data["findings"]:
            where = f" (from {f['origin']})" if f.get("origin") else ""
            lines.append(f"finding: {f['kind']}: {f['detail']}{where}")
    lines.append("decisions:")
    for u in data["units"]:
        by = f"rule {u['rule_id']}" if u["rule_id"] else "the default"
        lines.append(f"  {u['unit']}: {u['action']} by {by} ({u['where']}): {u['reason']}")
        if u["note"]:
            lines.append(f"    ({u['note']})")
    d = data["decision"]
    r = d.get("review")
    if r is not None:
        cached = " (from cache)" if r["cache_hit"] else ""
        lines.append(
            f"reviewer: {r['provider'] or '-'} {r['model'] or ''} {r['outcome']}{cached} in "
            f"{r['latency_ms']} ms, breaker {r['breaker']}, risk {r['risk']}: {r['reason']}"
        )
    lines.append(
        f"result: {d['decision'].upper()}"
        f"{' (rule ' + d['rule_id'] + ')' if d['rule_id'] else ''}: {d['reason']}"
    )
    return "\n".join(escape(line) for line in lines)
