"""Turning a policy evaluation into the final answer: fail closed, resolve ``review``.

This is the one place that decides what happens when evaluation breaks (any exception ->
``fail_mode``, never ``allow``) and what a ``review`` rule becomes: the configured LLM
reviewer's answer (``superego_mcp.reviewer``), or ``fail_mode`` when none is configured or
none answers cleanly. Only a ``review`` result ever reaches a reviewer, so a reviewer can
never loosen a ``deny``, an ``ask`` or an analyzer fail-closed result.

:func:`decide` blocks (the command hook, the CLI); :func:`adecide` is the same for the
server's event loop, where many reviews run at once without waiting on each other, and work
that waits (git: ``observe.blocking``) runs in a worker thread (:func:`judged`). The
reviewer is imported only when a call needs a review: rules-decided calls never load it.
"""

from __future__ import annotations

from superego_mcp import observe
from superego_mcp.model import Decision, fail_mode_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Executor
    from datetime import datetime
    from typing import Any, TypeVar

    T = TypeVar("T")

    from superego_mcp.model import FailMode, ToolCall
    from superego_mcp.policy.engine import Judgement, Policy
    from superego_mcp.policy.judgecache import JudgeCache
    from superego_mcp.reviewer.core import Reviewer, Sampler


def _safe_mode(fail_mode: str) -> FailMode:
    # A bad setting must not weaken the answer.
    return fail_mode_of(fail_mode) or "deny"


def _failed(fail_mode: FailMode, exc: Exception) -> Decision:
    return Decision(
        fail_mode,
        f"Superego could not evaluate this call ({type(exc).__name__}: {exc}); failing closed",
        rule_id=None,
    )


def _judge(
    policy: Policy,
    call: ToolCall,
    now: datetime | None,
    home: str | None,
    shell_limits: dict[str, int],
    cache: JudgeCache | None = None,
) -> Judgement:
    """The rules' judgement; ``cache``: the server's kept judgements."""
    if cache is None:
        return policy.judge(call, now=now, home=home, **shell_limits)
    return cache.judge(policy, call, now=now, home=home, **shell_limits)


# Rounds of blocking work one judgement on an event loop may ask for (each round does all
# the work asked so far; only work that depends on earlier answers needs another round:
# git's `rev-parse`, then `cat-file` of what it named). Then the rest is done in place.
_ROUNDS = 6
# Threads of their own for that work: git held up (up to its deadline) by many calls at once
# must not queue the audit's and the dashboard's work on the loop's default executor.
_WORKERS = 4
_pool: Executor | None = None


def _workers() -> Executor:
    global _pool  # made on first use: only a server that judges such calls needs it
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="superego-blocking")
    return _pool


async def judged(work: Callable[[], T], wanted: list[observe.Work] | None = None) -> T:
    """``work()`` (a judgement) on the event loop, with the blocking work it asks for
    (``observe.blocking``: git) done in a worker thread and ``work()`` run again with the
    answers, until it asks for nothing new: other requests are served meanwhile. A judgement
    that needs none runs once. ``wanted``: work a first round (run by the caller) asked for.
    Raises what the last round of ``work()`` raises."""
    import asyncio  # only for a judgement that asked for blocking work

    answers: dict[observe.Work, object] = {}
    for _ in range(_ROUNDS):
        if wanted:
            loop = asyncio.get_running_loop()
            answers.update(await loop.run_in_executor(_workers(), observe.do, wanted))
        deferred = observe.defer(answers)
        try:
            result = work()
        except Exception:
            if deferred.wanted is None:
                raise  # (an error with nothing asked for is the judgement's own)
            wanted = deferred.wanted  # it may come of an answer not known yet: again
            continue
        finally:
            observe.undefer()
        if deferred.wanted is None:
            return result
        wanted = deferred.wanted
    return work()  # still asking (never seen): what is left is done in place


def _rules(
    policy: Policy,
    call: ToolCall,
    now: datetime | None,
    home: str | None,
    exceptions: str | None,
    shell_limits: dict[str, int],
) -> tuple[Decision, Judgement]:
    """The rules' decision (after any ``superego-mcp allow`` exception) and the judgement it
    came from (the blocking entry points)."""
    judgement = _judge(policy, call, now, home, shell_limits)
    return _excepted(judgement.decision, call, exceptions), judgement


def _reviewer_for(
    decision: Decision, reviewer: Callable[[], Reviewer | None] | None
) -> Reviewer | None:
    """The reviewer to ask: only for a ``review`` decision, and only when one is made."""
    if decision.action != "review" or reviewer is None:
        return None
    return reviewer()


def _unreviewed(decision: Decision, call: ToolCall, fail_mode: FailMode) -> Decision:
    """A decision no reviewer looks at: itself, a ``review`` resolved to ``fail_mode``."""
    return resolve_review(decision, call, fail_mode) if decision.action == "review" else decision


def _review_args(policy: Policy, judgement: Judgement, fail_mode: FailMode) -> dict[str, Any]:
    return {
        "policy_digest": policy.digest,
        "fail_mode": fail_mode,
        "guidance": guidance_for(policy, judgement),
    }


def decide(
    policy: Policy,
    call: ToolCall,
    *,
    fail_mode: FailMode = "ask",
    now: datetime | None = None,
    home: str | None = None,
    exceptions: str | None = None,
    reviewer: Callable[[], Reviewer | None] | None = None,
    **shell_limits: int,
) -> Decision:
    """The final decision for ``call``: never ``review``, and never ``allow`` on an error.

    ``home`` and ``shell_limits`` are passed to :meth:`Policy.judge`. ``exceptions`` is the
    state directory of ``superego-mcp allow``'s exceptions (``None``: none apply); one
    naming exactly this call allows it unless something final decided (see
    ``superego_mcp.grants``). ``reviewer`` makes the reviewer (called only when a
    review is needed, so that building it costs nothing for the other calls); ``None``, or
    a factory returning ``None``: no reviewer.
    """
    fail_mode = _safe_mode(fail_mode)
    try:
        decision, judgement = _rules(policy, call, now, home, exceptions, shell_limits)
        made = _reviewer_for(decision, reviewer)
        if made is None:
            return _unreviewed(decision, call, fail_mode)
        return made.review(decision, call, judgement, **_review_args(policy, judgement, fail_mode))
    except Exception as exc:  # any failure must fail closed
        return _failed(fail_mode, exc)


async def adecide(
    policy: Policy,
    call: ToolCall,
    *,
    fail_mode: FailMode = "ask",
    now: datetime | None = None,
    home: str | None = None,
    exceptions: str | None = None,
    reviewer: Callable[[], Reviewer | None] | None = None,
    session: Sampler | None = None,
    cache: JudgeCache | None = None,
    **shell_limits: int,
) -> Decision:
    """:func:`decide` for an event loop, with the same arguments: the rules run inline
    (fast, CPU-bound), except the work that blocks (git: ``observe.blocking``), done in a
    worker thread before the rules run again (:func:`judged`); a review is awaited.
    ``session`` is the MCP session of the current request (``mcp-sampling``); ``cache`` the
    server's kept judgements (``superego_mcp.policy.judgecache``)."""
    fail_mode = _safe_mode(fail_mode)
    try:
        deferred = observe.defer()  # the first round inline: most calls need nothing more
        try:
            judgement = _judge(policy, call, now, home, shell_limits, cache)
        except Exception:
            if deferred.wanted is None:
                raise
        finally:
            observe.undefer()
        if deferred.wanted is not None:  # (a judgement that asked for work is not cached)
            judgement = await judged(
                lambda: _judge(policy, call, now, home, shell_limits), deferred.wanted
            )
        decision = _excepted(judgement.decision, call, exceptions)
        made = _reviewer_for(decision, reviewer)
        if made is None:
            return _unreviewed(decision, call, fail_mode)
        args = _review_args(policy, judgement, fail_mode)
        return await made.areview(decision, call, judgement, session=session, **args)
    except Exception as exc:  # any failure must fail closed
        return _failed(fail_mode, exc)


def _excepted(decision: Decision, call: ToolCall, exceptions: str | None) -> Decision:
    """``decision``, or the allow of a ``superego-mcp allow`` exception naming exactly this
    call (never over something final). Applied before any review: an allowed call needs
    no second opinion."""
    if exceptions is not None and decision.may_be_excepted():
        from superego_mcp.grants import apply

        return apply(exceptions, call, decision)
    return decision


def guidance_for(policy: Policy, judgement: Judgement) -> str | None:
    """The ``guidance`` texts (from the policy file) of the rules that asked for review."""
    found: list[str] = []
    for r in judgement.units:
        if r.action == "review" and r.rule is not None:
            text = r.rule.metadata.get("guidance")
            if isinstance(text, str) and text and text not in found:
                found.append(text)
    return " ".join(found) or None


# The end of the reason of a `review` that fell to the fail mode (replay reads it back).
NO_REVIEWER = "asked for a second opinion and no reviewer is configured"


def resolve_review(decision: Decision, call: ToolCall, fail_mode: FailMode) -> Decision:
    """What a ``review`` decision becomes when no reviewer is configured: ``fail_mode``.
    (With a reviewer, :func:`decide` / :func:`adecide` hand it to
    ``superego_mcp.reviewer.core.Reviewer``, which falls back to the same answer.)"""
    if decision.action != "review":
        return decision
    return Decision(
        fail_mode,
        f"{decision.reason} (rule {decision.rule_id} {NO_REVIEWER})",
        rule_id=decision.rule_id,
    )
