"""Running a policy's examples: what ``superego-mcp check`` does after loading a file, and what
``superego-mcp suggest`` does before it proposes or writes a rule.

Examples run as if the project were :data:`EXAMPLE_CWD` and home :data:`EXAMPLE_HOME`, so
results do not depend on the machine; ``${superego}`` then stands for a default
installation's files there (:data:`EXAMPLE_PROTECTED`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from superego_mcp.model import ToolCall

if TYPE_CHECKING:
    from superego_mcp.policy.engine import Example, Policy, Rule

EXAMPLE_HOME: Final = "/home/user"
EXAMPLE_CWD: Final = "/home/user/project"
EXAMPLE_PROTECTED: Final = (
    "/home/user/.config/superego/policy.yaml",
    "/home/user/.config/superego",
    "/home/user/project/.superego/policy.yaml",
    "/home/user/project/.superego",
    "/home/user/.cache/superego",
    "/home/user/.local/state/superego",
    "/home/user/.local/state/superego-mcp",
    "/home/user/.cache/superego-mcp",
)


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


def check_example(policy: Policy, rule: Rule, example: Example, expected: bool) -> str:
    """``""`` when ``example`` matches ``rule`` as ``expected`` says, else the problem
    (``FILE:LINE: rule ID: ...`` and what the whole policy decides for the example)."""
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


def failed_examples(policy: Policy, rules: Iterable[Rule] | None = None) -> tuple[int, list[str]]:
    """Run the examples of ``rules`` (default: every rule of ``policy``): how many ran, and
    one line per failure."""
    failures: list[str] = []
    count = 0
    for rule in policy.rules if rules is None else rules:
        for expected, group in ((True, rule.match_examples), (False, rule.no_match)):
            for example in group:
                count += 1
                problem = check_example(policy, rule, example, expected)
                if problem:
                    failures.append(problem)
    return count, failures
