"""The server's cache of recent judgements: the rules' answer for a call already judged.

An entry is reused only when all of these hold:

- the same policy object is in force (a reload or a layer change swaps it: the cache
  empties);
- the call is the same: tool (and the agent's own name for it, the agent, its id), the
  tool input as given (JSON, key order kept), cwd, project root, home, session id, and
  the judge's arguments (home, shell limits);
- everything the judgement read besides the call still reads the same: each symlink
  resolved, file read or looked at, directory listed, environment variable and the
  session's memory of written files, as :mod:`superego_mcp.observe` noted them; a judgement
  that read the clock (a time window) or a file changed in the last seconds is not kept.

Only the rules' judgement is kept. A ``superego-mcp allow`` exception, the fail mode and the
LLM reviewer are applied after it on every call (``superego_mcp.decide``), so a grant, its
expiry or a reviewer's answer is never served from here, and a judgement that raised is never
kept (the caller fails closed each time). A hit replays the call's writes into its session
memory, as judging it would have.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Final

from superego_mcp import observe
from superego_mcp.model import Decision

if TYPE_CHECKING:
    from datetime import datetime

    from superego_mcp.memory import Written
    from superego_mcp.model import ToolCall
    from superego_mcp.policy.engine import Judgement, Policy

# Entries kept by default: a few thousand distinct recent calls (see docs/server.md).
DEFAULT_SIZE: Final = 8192


class _Entry:
    __slots__ = ("judgement", "recording", "writes")

    def __init__(
        self,
        judgement: Judgement,
        recording: observe.Recording,
        writes: dict[str, Written] | None,
    ) -> None:
        self.judgement = judgement
        self.recording = recording
        self.writes = writes


class JudgeCache:
    """An LRU of judgements for one process (see the module docstring). Not thread-safe:
    the server judges on its event loop."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        """Keep at most ``size`` judgements (0: none)."""
        self.size = size
        self.hits = 0
        self.misses = 0
        self._policy: Policy | None = None
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()

    def __len__(self) -> int:
        """How many judgements are kept."""
        return len(self._entries)

    def clear(self) -> None:
        """Forget every judgement."""
        self._entries.clear()

    def judge(
        self,
        policy: Policy,
        call: ToolCall,
        *,
        now: datetime | None = None,
        home: str | None = None,
        **shell_limits: int,
    ) -> Judgement:
        """``policy.judge(call, ...)``, or the kept judgement of the same call when it still
        holds. Raises what ``policy.judge`` raises."""
        if self.size <= 0 or now is not None:
            return policy.judge(call, now=now, home=home, **shell_limits)
        if policy is not self._policy:
            self._entries.clear()  # a reload or a layer change: nothing judged before holds
            self._policy = policy
        key = _key(call, home, shell_limits)
        memory = call.memory
        if key is not None:
            entry = self._entries.get(key)
            if entry is not None and entry.recording.still_true():
                self._entries.move_to_end(key)
                self.hits += 1
                if memory is not None and entry.writes:
                    memory.pending = dict(entry.writes)  # type: ignore[attr-defined]
                return _fresh(entry.judgement)
        self.misses += 1
        recording = observe.start()
        try:
            judgement = policy.judge(call, now=now, home=home, **shell_limits)
        finally:
            observe.stop()
        if key is not None and recording.stable:
            writes = getattr(memory, "pending", None)
            self._entries[key] = _Entry(judgement, recording, dict(writes) if writes else None)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return _fresh(judgement)
        return judgement


# Made once: json.dumps with options builds an encoder on every call.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def _key(call: ToolCall, home: str | None, shell_limits: dict[str, int]) -> tuple[Any, ...] | None:
    """Everything of the call the judgement may depend on; None when the input cannot be
    written as JSON (then it is judged every time)."""
    try:
        text = _COMPACT.encode(call.tool_input)
    except (TypeError, ValueError):
        return None
    return (
        call.tool_name,
        call.agent_tool,
        call.agent,
        call.agent_id,
        text,
        call.cwd,
        call.project,
        call.home,
        call.session_id,
        call.memory is None,
        home,
        tuple(sorted(shell_limits.items())),
    )


def _fresh(judgement: Judgement) -> Judgement:
    """The judgement with its own copy of the decision: callers may change theirs."""
    from superego_mcp.policy.engine import Judgement

    d = judgement.decision
    decision = Decision(d.action, d.reason, d.rule_id, final=d.final, review=d.review)
    return Judgement(decision, judgement.analysis, judgement.units)
