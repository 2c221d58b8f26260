"""``superego-mcp init`` / ``check`` / ``explain``: write, validate and question a policy.

Each function takes the parsed command line (see ``superego_mcp.cli``) and returns the exit
code. A bad policy file prints ``FILE:LINE: rule ID: MESSAGE`` and exits 2; no traceback.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

from superego_mcp.model import ToolCall
from superego_mcp.places import settings_file
from superego_mcp.policy.errors import PolicyError

if TYPE_CHECKING:
    import argparse

    from superego_mcp.model import Decision
    from superego_mcp.policy.engine import Example, Judgement, Policy, Rule, UnitResult

# `check` runs examples as if here, so results do not depend on the machine.
EXAMPLE_HOME = "/home/user"
EXAMPLE_CWD = "/home/user/project"
# ...and with Superego's files where a default installation has them (`${superego}`).
EXAMPLE_PROTECTED = (
    "/home/user/.config/superego/policy.yaml",
    "/home/user/.config/superego",
    "/home/user/project/.superego/policy.yaml",
    "/home/user/project/.superego",
    "/home/user/.cache/superego-mcp",
    "/home/user/.local/state/superego-mcp",
)


def _err(message: str) -> None:
    print(f"superego-mcp: {message}", file=sys.stderr)


def load_in_effect(args: argparse.Namespace, project: str | None = None) -> Policy:
    """The layered policy in effect for this command line (``--rules``, ``--config``, the
    ``SUPEREGO_*`` environment) in ``project`` (default: this process's project)."""
    from superego_mcp.config import load_effective, load_settings

    config = settings_file(getattr(args, "config", None))
    settings = load_settings(config, rules=getattr(args, "rules", None) or None)
    return load_effective(settings, config, project=project)


# What `init` writes: a small file on top of the bundled policy, not a copy of it.
STARTER = """\
# A Superego policy on top of the bundled one (reference: docs/rules.md, "Layering").
# Check it with: superego-mcp check --rules THIS_FILE
version: 1
extends: bundled          # or [bundled, packs/NAME, other.yaml]; `none` to stand alone

# Change a bundled rule by its id (action, reason, priority, enabled):
# overrides:
#   ask-package-install: {action: allow, reason: "Installing packages is fine here."}

# Add your own rules:
rules:
  - id: ask-production-deploys
    description: An example of a rule of your own; edit or remove it.
    priority: 50
    action: ask
    reason: "This deploys to production."
    conditions:
      shell: {program: make, args: {equals: deploy-prod}}
    examples:
      match: ["make deploy-prod"]
      no_match: ["make test"]
"""


def init(args: argparse.Namespace) -> int:
    """Write a starter policy that extends the bundled one to ``--path`` (refusing to
    overwrite without ``--force``)."""
    target = args.path
    if os.path.exists(target) and not args.force:  # noqa: PTH110 - no pathlib on this path
        _err(f"{target} already exists; pass --force to overwrite it")
        return 1
    try:
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(STARTER)
    except OSError as exc:
        _err(f"cannot write {target}: {exc}")
        return 1
    print(f"wrote {target}; edit it, then run: superego-mcp check --rules {target}")
    return 0


def check(args: argparse.Namespace) -> int:
    """Validate a policy and run every rule's examples; exit 1 on a failed example, 2 on a
    bad file."""
    try:
        policy = load_in_effect(args)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 2
    except Exception as exc:  # e.g. a bad settings file: say so, no traceback
        _err(str(exc))
        return 2
    from superego_mcp.policy.layers import extends_warnings

    for warning in extends_warnings(policy):
        print(warning, file=sys.stderr)
    for layer in policy.layers:
        if layer.exists:
            by = f" (extended by {layer.extended_by})" if layer.extended_by else ""
            print(f"layer {layer.name}: {layer.path}{by}")
    failures: list[str] = []
    examples = 0
    for rule in policy.rules:
        for expected, group in ((True, rule.match_examples), (False, rule.no_match)):
            for example in group:
                examples += 1
                problem = _check_example(policy, rule, example, expected)
                if problem:
                    failures.append(problem)
    for line in failures:
        print(line)
    status = "FAILED" if failures else "ok"
    print(
        f"{policy.source}: {len(policy.rules)} rules, {examples} examples, "
        f"{len(failures)} failed: {status}"
    )
    return 1 if failures else 0


def example_matches(rule: Rule, example: Example) -> bool:
    """True when ``rule``'s conditions hold for some unit of ``example`` (evaluated at
    ``EXAMPLE_CWD`` with home ``EXAMPLE_HOME``)."""
    from superego_mcp.policy.conditions import Context
    from superego_mcp.policy.engine import call_units, temp_dirs

    call = ToolCall(example.tool, example.tool_input, EXAMPLE_CWD, project=EXAMPLE_CWD)
    ctx = Context(
        call, (EXAMPLE_CWD,), EXAMPLE_HOME, temp_dirs(), None, (EXAMPLE_CWD,), EXAMPLE_PROTECTED
    )
    _, units = call_units(call, ctx, {})
    # A shell-only rule never decides the tool call itself, only the commands it runs.
    return any(rule.condition.test(u, ctx) for u in units if u.shell or not rule.shell_only)


def _check_example(policy: Policy, rule: Rule, example: Example, expected: bool) -> str:
    where = f"{rule.file or policy.source}:{example.line or rule.line}: rule {rule.id}"
    try:
        matched = example_matches(rule, example)
    except Exception as exc:  # report, do not crash, on an odd example
        return f"{where}: example {example.describe()} could not be evaluated: {exc}"
    if matched == expected:
        return ""
    call = ToolCall(example.tool, example.tool_input, EXAMPLE_CWD, project=EXAMPLE_CWD)
    decided = policy.evaluate(call, home=EXAMPLE_HOME)
    verb = "should match but does not" if expected else "should not match but does"
    return (
        f"{where}: example {example.describe()} {verb} (the policy decides "
        f"{decided.action} by {decided.rule_id or 'the default'})"
    )


def _read_call(args: argparse.Namespace) -> ToolCall:
    """The call to explain, from hook JSON on stdin, ``--tool``/``--input``, or words; its
    project root is ``--project``, else the hook JSON's ``project_dir``, else found as the
    hook would (``CLAUDE_PROJECT_DIR``, the git work tree of the cwd, the cwd)."""
    call = _read_bare_call(args)
    from superego_mcp.project import given_project, project_root

    project = getattr(args, "project", None)
    if project is not None and not project.startswith("/"):
        project = os.path.abspath(project)  # noqa: PTH100
    call.project = project_root(
        call.cwd,
        given=project or call.project or given_project(os.environ),
        home=call.home or os.environ.get("HOME"),
    )
    return call


def _read_bare_call(args: argparse.Namespace) -> ToolCall:
    cwd = args.cwd or os.getcwd()  # noqa: PTH109
    words: list[str] = list(args.shell_command or [])
    if words == ["-"]:
        data = json.loads(sys.stdin.read())
        if not isinstance(data, dict) or not isinstance(data.get("tool_name"), str):
            raise ValueError("hook JSON must be an object with a 'tool_name' string")
        tool_input = data.get("tool_input", {})
        if not isinstance(tool_input, dict):
            raise ValueError("'tool_input' must be an object")
        call = ToolCall(data["tool_name"], tool_input, args.cwd or str(data.get("cwd") or cwd))
        for key, slot in (("project_dir", "project"), ("home", "home")):
            value = data.get(key)
            if isinstance(value, str) and value.startswith("/"):
                setattr(call, slot, value)
        return call
    if args.tool_input is not None:
        tool_input = json.loads(args.tool_input)
        if not isinstance(tool_input, dict):
            raise ValueError("--input must be a JSON object")
        if words:
            raise ValueError("give either --input or a shell command, not both")
        return ToolCall(args.tool or "Bash", tool_input, cwd)
    if not words:
        raise ValueError(
            "nothing to explain: give a shell command, --tool/--input, or '-' "
            "with hook JSON on stdin"
        )
    return ToolCall(args.tool or "Bash", {"command": " ".join(words)}, cwd)


# `explain`'s exit status, so that scripts can branch on the answer: allow, a person or the
# agent's own permissions decide (ask, defer; review resolves to ask), deny, no answer.
EXIT_ALLOW, EXIT_UNDECIDED, EXIT_DENY, EXIT_ERROR = 0, 1, 2, 3
_EXIT_CODES = {"allow": EXIT_ALLOW, "ask": EXIT_UNDECIDED, "defer": EXIT_UNDECIDED}


def explain(args: argparse.Namespace) -> int:
    """Show what the analyzer saw, which rule decided each unit and why, and the result.
    Exit status: 0 allow, 1 ask or defer, 2 deny, 3 error (bad input, policy or settings;
    an evaluation that failed)."""
    if getattr(args, "agent", None) not in (None, "claude"):  # another agent's call
        from superego_mcp.hook.agents.explain import explain_agent

        return explain_agent(args)
    try:
        call = _read_call(args)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        _err(f"bad input: {exc}")
        return EXIT_ERROR
    try:
        policy = load_in_effect(args, project=call.project)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a bad settings file, for instance
        _err(str(exc))
        return EXIT_ERROR
    try:
        judgement = policy.judge(call)
    except Exception as exc:  # explain the fail-closed answer instead
        from superego_mcp.decide import decide

        d = decide(policy, call)
        _err(f"evaluation failed ({type(exc).__name__}: {exc}); the answer would be {d.action}")
        return EXIT_ERROR
    try:
        final = _final(args, policy, call, judgement)
    except Exception as exc:  # a bad settings file, for instance
        _err(str(exc))
        return EXIT_ERROR
    data = explanation(policy, call, judgement, final)
    _with_exception(data, args, call, judgement.decision.final)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print(render(data))
    return _EXIT_CODES.get(data["decision"]["decision"], EXIT_DENY)


def _with_exception(
    data: dict[str, Any], args: argparse.Namespace, call: ToolCall, final: bool
) -> None:
    """Show the exception (``superego-mcp allow``) that would allow this call, if any,
    without using it up."""
    from superego_mcp.config import load_settings
    from superego_mcp.exceptions import apply
    from superego_mcp.model import Decision

    config = settings_file(getattr(args, "config", None))
    shown = data["decision"]
    decision = Decision(shown["decision"], shown["reason"], shown["rule_id"], final=final)
    granted = apply(str(load_settings(config).state_dir), call, decision, consume=False)
    if granted is not decision:
        data["exception"] = granted.rule_id
        data["decision"] = granted.to_dict()


def _final(
    args: argparse.Namespace, policy: Policy, call: ToolCall, judgement: Judgement
) -> Decision:
    """The final decision: a ``review`` goes to the configured reviewer (a real request:
    explain shows what the hook would get), else it is the evaluation itself."""
    decision = judgement.decision
    if decision.action != "review":
        return decision
    from superego_mcp.config import load_settings
    from superego_mcp.decide import guidance_for, resolve_review

    settings = load_settings(getattr(args, "config", None))
    if settings.reviewer_config() is None:
        return resolve_review(decision, call, settings.fail_mode)
    from superego_mcp.config import build_reviewer

    reviewer = build_reviewer(settings)
    if reviewer is None:
        return resolve_review(decision, call, settings.fail_mode)
    return reviewer.review(
        decision,
        call,
        judgement,
        policy_digest=policy.digest,
        fail_mode=settings.fail_mode,
        guidance=guidance_for(policy, judgement),
    )


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
    return {
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
    """The explanation as text for a person."""
    lines = [f"policy: {data['policy']['source']} ({data['policy']['rules']} rules)"]
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
            lines.append("     " + "  ".join(detail))
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
    return "\n".join(lines)
