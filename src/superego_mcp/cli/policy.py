"""``superego-mcp init`` / ``check``: write a starter policy, validate a policy and run every
rule's examples. A bad policy file prints ``FILE:LINE: rule ID: MESSAGE`` and exits 2; no
traceback."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from superego_mcp.cli.explain import load_in_effect
from superego_mcp.model import ToolCall
from superego_mcp.policy.errors import PolicyError

if TYPE_CHECKING:
    import argparse

    from superego_mcp.policy.engine import Example, Policy, Rule

# `check` runs examples as if here, so results do not depend on the machine.
EXAMPLE_HOME = "/home/user"
EXAMPLE_CWD = "/home/user/project"
# ...and with Superego's files where a default installation has them (`${superego}`).
EXAMPLE_PROTECTED = (
    "/home/user/.config/superego/policy.yaml",
    "/home/user/.config/superego",
    "/home/user/project/.superego/policy.yaml",
    "/home/user/project/.superego",
    "/home/user/.cache/superego",
    "/home/user/.local/state/superego",
    "/home/user/.local/state/superego-mcp",
    "/home/user/.cache/superego-mcp",
)


def _err(message: str) -> None:
    print(f"superego-mcp: {message}", file=sys.stderr)


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
    from superego_mcp.policy.engine import (
        POWERSHELL_TOOLS,
        call_units,
        powershell_as_shell,
        temp_dirs,
    )

    call = ToolCall(example.tool, example.tool_input, EXAMPLE_CWD, project=EXAMPLE_CWD)
    if call.tool_name in POWERSHELL_TOOLS:
        call = powershell_as_shell(call)  # judged as the shell runs it, as judge() does
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
