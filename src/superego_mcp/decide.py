"""Turning a policy evaluation into the final answer: fail closed, resolve ``review``.

This is the one place that decides what happens when evaluation breaks (any exception ->
``fail_mode``, never ``allow``) and what a ``review`` rule becomes. Today no reviewer is
configured, so ``review`` resolves to ``fail_mode``; an LLM reviewer plugs in at
:func:`resolve_review`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from superego_mcp.model import Decision

if TYPE_CHECKING:
    from datetime import datetime

    from superego_mcp.model import ToolCall
    from superego_mcp.policy.engine import Policy

FailMode = Literal["ask", "deny"]


def decide(
    policy: Policy,
    call: ToolCall,
    *,
    fail_mode: FailMode = "ask",
    now: datetime | None = None,
    home: str | None = None,
    exceptions: str | None = None,
    **shell_limits: int,
) -> Decision:
    """The final decision for ``call``: never ``review``, and never ``allow`` on an error.

    ``home`` and ``shell_limits`` are passed to :meth:`Policy.evaluate`. ``exceptions`` is
    the state directory of ``superego-mcp allow``'s exceptions (``None``: none apply); one
    naming exactly this call allows it unless something final decided (see
    ``superego_mcp.exceptions``).
    """
    if fail_mode not in ("ask", "deny"):  # a bad setting must not weaken the answer
        fail_mode = "deny"
    try:
        decision = policy.evaluate(call, now=now, home=home, **shell_limits)
        if exceptions is not None and decision.action != "allow" and not decision.final:
            from superego_mcp.exceptions import apply

            decision = apply(exceptions, call, decision)
        if decision.action == "review":
            decision = resolve_review(decision, call, fail_mode)
    except Exception as exc:  # any failure must fail closed
        return Decision(
            fail_mode,
            f"Superego could not evaluate this call ({type(exc).__name__}: {exc}); failing closed",
            rule_id=None,
        )
    return decision


def resolve_review(decision: Decision, call: ToolCall, fail_mode: FailMode) -> Decision:
    """What a ``review`` rule's decision becomes. The seam for a second opinion (an LLM
    reviewer): until one is configured, the rule's call gets ``fail_mode``."""
    return Decision(
        fail_mode,
        f"{decision.reason} (rule {decision.rule_id} asked for a second opinion and no "
        "reviewer is configured yet)",
        rule_id=decision.rule_id,
    )
