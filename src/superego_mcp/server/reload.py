"""The policy in force, and hot reload: a stat-polling watcher plus SIGHUP.

Every policy layer file in effect is watched, and so is every layer file looked for and not
found (creating a user or project policy is picked up); a reload that fails anywhere keeps
the last good policy.

Evaluations read ``holder.policy`` once and keep that reference for the whole call, so a
reload (one attribute assignment) swaps the policy atomically: no lock is ever held across
an ``await``, and no evaluation waits for a reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from superego_mcp.decide import adecide, judged
from superego_mcp.model import Action, Decision, FailMode, ToolCall
from superego_mcp.policy import load_policy
from superego_mcp.policy.engine import Policy
from superego_mcp.policy.errors import PolicyError
from superego_mcp.policy.judgecache import DEFAULT_SIZE, JudgeCache
from superego_mcp.project import SessionRoots, place

if TYPE_CHECKING:
    from superego_mcp.config import Settings, ShellLimits
    from superego_mcp.reviewer.core import Reviewer, Sampler

log = logging.getLogger("superego_mcp.server")

# How often the watcher stats the policy file; a valid change is in force within ~2 periods.
POLL_SECONDS = 0.25

_Stamp = tuple[int, int, int] | None


def _stamp(path: Path) -> _Stamp:
    """What changes when the file is rewritten (in place or by rename); None if missing."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _describe_error(exc: BaseException) -> str:
    """One line naming file and line when the error knows them."""
    if isinstance(exc, PolicyError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class PolicyHolder:
    """Holds the one policy in force and the outcome of the last reload.

    ``policy`` is never ``None`` after construction: a failed reload keeps the last good
    policy and records the failure in ``error`` (shown by ``/readyz``).
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        load: Callable[[], Policy] | None = None,
        fail_mode: FailMode = "ask",
        shell_limits: ShellLimits | None = None,
        default_action: Action | None = None,
        exceptions: str | None = None,
        reviewer: Reviewer | None = None,
        cache_size: int = DEFAULT_SIZE,
    ) -> None:
        """Load the policy: ``load()`` (the layered policy in effect, see
        ``policy.layers.load_effective``), else the one file at ``path`` (``None``: the
        bundled policy). Raises ``PolicyError``.

        ``fail_mode``, ``shell_limits`` and ``reviewer`` (the LLM reviewer for ``review``
        rules; ``None``: they get the fail mode) apply to every decision made through
        :meth:`decide` and :meth:`explain`; ``default_action`` (the setting), when given,
        replaces the policy's default on every load. ``exceptions`` is the state directory of
        ``superego-mcp allow``'s exceptions (``None``: none apply). ``cache_size``: judgements
        kept for calls seen again (``superego_mcp.policy.judgecache``; 0: none).
        """
        self.cache = JudgeCache(cache_size)
        self.default_action: Action | None = default_action
        self.exceptions = exceptions
        self._load: Callable[[], Policy] = load or (
            lambda: load_policy(str(path) if path is not None else None)
        )
        self.fail_mode: FailMode = fail_mode
        self.limits: ShellLimits = shell_limits or {}
        self.reviewer = reviewer
        self.policy: Policy = self._load().with_default(default_action)
        self.files = self._files(self.policy)
        self._stamps = [_stamp(f) for f in self.files]
        self.error: str | None = None
        self.loaded_at = time.time()
        self.reloads = 0
        # Serialises reloads only (watcher vs SIGHUP); evaluations never take it.
        self._reload_lock = threading.Lock()
        # Each session's project root, decided by its first call (superego_mcp.project).
        self.sessions = SessionRoots()
        # Where each session's writes are remembered (superego_mcp.memory; None: the cache
        # directory's, shared with the command hook on this machine, found at the first call).
        self.memory_dir: str | None = None
        # Told the outcome of each reload (True: in force); the server's metrics count them.
        self.on_reload: Callable[[bool], None] | None = None

    def reload(self) -> bool:
        """Load the file again; on success swap it in, on failure keep the last good policy.

        Returns True when the new policy is in force. Blocking (file I/O, YAML): call it from
        a worker thread when on the event loop.
        """
        with self._reload_lock:
            # Stamped before loading: a change during the load is seen by the next poll.
            stamps = [_stamp(f) for f in self.files]
            try:
                new = self._load().with_default(self.default_action)
            except Exception as exc:  # PolicyError, OSError, or a bug in the loader
                self._stamps = stamps
                self.error = _describe_error(exc)
                log.error("policy reload failed, keeping the last good policy: %s", self.error)
                self._told(ok=False)
                return False
            changed = new.digest != self.policy.digest
            self.policy = new  # the atomic swap
            files = self._files(new)
            if files != self.files:  # an extends changed: watch what is in effect now
                self.files = files
                stamps = [_stamp(f) for f in files]
            self._stamps = stamps
            self.error = None
            self.loaded_at = time.time()
            self.reloads += 1
            if changed:
                log.info("policy reloaded from %s (digest %s)", new.source, new.digest)
            self._told(ok=True)
            return True

    def place(self, call: ToolCall) -> None:
        """Set the call's project root when the caller did not give one: the session's first
        one (remembered here, per session id), else its cwd's git work tree, else its cwd."""
        place(call, sessions=self.sessions)
        if call.memory is None and call.session_id:
            from superego_mcp.memory import open_memory, writes_dir

            if self.memory_dir is None:  # looked up once: a server's environment stays put
                self.memory_dir = writes_dir()
            # The files the session wrote: the store the command hook keeps too.
            call.memory = open_memory(call.session_id, self.memory_dir)

    def _told(self, *, ok: bool) -> None:
        if self.on_reload is not None:
            try:
                self.on_reload(ok)
            except Exception:  # a metrics problem never undoes a reload
                log.exception("reload callback failed")

    def _reviewer(self) -> Reviewer | None:
        return self.reviewer

    async def decide(self, call: ToolCall, session: Sampler | None = None) -> Decision:
        """The final decision for ``call`` (never raises, never ``review``). A review is
        awaited without blocking other calls; ``session``: the MCP session of the request,
        for the ``mcp-sampling`` provider."""
        self.place(call)
        # One read of self.policy: a reload mid-call cannot mix two policies.
        decision = await adecide(
            self.policy,
            call,
            fail_mode=self.fail_mode,
            reviewer=self._reviewer,
            session=session,
            exceptions=self.exceptions,
            cache=self.cache,
            **self.limits,
        )
        if call.memory is not None:  # what this call writes, once it is answered
            call.memory.commit(decision.action)
        return decision

    async def explain(
        self, call: ToolCall, session: Sampler | None = None
    ) -> tuple[Decision, list[str]]:
        """The decision plus one line per unit judged (each command of a shell line)."""
        self.place(call)
        policy = self.policy
        decision = await adecide(
            policy,
            call,
            fail_mode=self.fail_mode,
            reviewer=self._reviewer,
            session=session,
            **self.limits,
        )
        if self.exceptions is not None:  # shown, not used up
            from superego_mcp.grants import apply

            decision = apply(self.exceptions, call, decision, consume=False)
        try:
            units = (await judged(lambda: policy.judge(call, **self.limits))).units
        except Exception as exc:  # the decision above already failed closed
            return decision, [f"could not analyse the call: {type(exc).__name__}: {exc}"]
        trace = [
            f"{u.unit.label}: {u.action} by "
            f"{f'rule {u.rule.id}' if u.rule else 'the policy default'} - {u.reason}"
            for u in units
        ]
        if decision.review is not None:
            r = decision.review
            trace.append(
                f"reviewer: {r['provider']} ({r['model']}) {r['outcome']}"
                f"{' from cache' if r['cache_hit'] else ''} in {r['latency_ms']} ms"
                f" - {r['reason']}"
            )
        return decision, trace

    @staticmethod
    def _files(policy: Policy) -> tuple[Path, ...]:
        # A policy compiled from one file (tests, benchmarks) lists no layers: its source.
        paths = [layer.path for layer in policy.layers] or [policy.source]
        return tuple(Path(p) for p in paths)

    def changed_on_disk(self) -> bool:
        """True when some watched file's stat stamp differs from the one last loaded."""
        return [_stamp(f) for f in self.files] != self._stamps

    def status(self) -> dict[str, Any]:
        """JSON-ready state for ``/readyz`` and the MCP status resource."""
        policy = self.policy
        return {
            "status": "degraded" if self.error else "ok",
            "policy": {
                "source": policy.source,
                "digest": policy.digest,
                "rules": len(policy.rules),
                "loaded_at": self.loaded_at,
                "reloads": self.reloads,
            },
            "error": self.error,
            "watching": [str(f) for f in self.files],
        }


async def _watch(holder: PolicyHolder, wake: asyncio.Event, poll: bool) -> None:
    while True:
        if poll:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), POLL_SECONDS)
        else:
            await wake.wait()
        forced = wake.is_set()
        wake.clear()
        if forced or holder.changed_on_disk():
            # Loading runs in a thread: the event loop (health checks, evaluations) never waits.
            await asyncio.to_thread(holder.reload)


@contextlib.asynccontextmanager
async def watching(holder: PolicyHolder, *, poll: bool = True) -> AsyncIterator[None]:
    """Watch the policy file (when ``poll``) and reload on SIGHUP while the block runs."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    sighup = False
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGHUP"):
        loop.add_signal_handler(signal.SIGHUP, wake.set)
        sighup = True
    task = loop.create_task(_watch(holder, wake, poll))
    log.info(
        "watching %s for changes (pid %d; SIGHUP reloads)",
        ", ".join(str(f) for f in holder.files),
        os.getpid(),
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if sighup:
            loop.remove_signal_handler(signal.SIGHUP)


def holder_from_settings(settings: Settings, config: str | None) -> PolicyHolder:
    """The policy holder ``serve`` judges with (raises PolicyError/OSError when the policy
    does not load)."""
    from superego_mcp.config import build_reviewer, load_effective

    reviewer = None
    if settings.reviewer_config() is not None:
        log.info("reviewer: %s (timeout %g s)", settings.reviewer, settings.reviewer_timeout)
        reviewer = build_reviewer(settings)
    return PolicyHolder(
        load=lambda: load_effective(settings, config),
        fail_mode=settings.fail_mode,
        default_action=settings.default_override,
        exceptions=str(settings.state_dir),
        shell_limits=settings.shell_limits(),
        reviewer=reviewer,
        cache_size=settings.decision_cache,
    )
