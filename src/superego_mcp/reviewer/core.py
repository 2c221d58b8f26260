"""The reviewer: asks the configured providers, in order, for a second opinion on a call the
rules marked ``review``, within budgets, and turns the answer into the final decision.

Guarantees:

- only a ``review`` decision is ever looked at; anything else is returned unchanged, so a
  reviewer can never loosen a ``deny``, an ``ask`` or an analyzer fail-closed result;
- an answer that is not exactly a valid ``{decision, reason, risk}`` object, an error, a
  timeout, an open breaker, the end of the overall deadline: the next provider, and when
  none is left, the fail mode;
- retries only while the deadline allows (a 429's ``retry-after`` is honoured);
- no lock is held across an ``await``: concurrent reviews never wait on each other.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from typing import TYPE_CHECKING, Any, Final

from superego_mcp.model import Decision
from superego_mcp.reviewer import prompt as prompting
from superego_mcp.reviewer.providers import (
    DEFAULT_MODELS,
    AnthropicProvider,
    ClaudeCliProvider,
    OpenAIProvider,
    Provider,
    ProviderError,
    SamplingProvider,
    Unavailable,
)
from superego_mcp.reviewer.state import State

if TYPE_CHECKING:
    import httpx

    from superego_mcp.model import FailMode, ToolCall
    from superego_mcp.policy.engine import Judgement

# Below this many seconds left, no new request is started.
_MIN_ATTEMPT_S: Final = 0.05
_BACKOFF_S: Final = 0.25


class ReviewerConfig:
    """The reviewer's settings as plain data (the hook caches it inside its pickle without
    importing this module: see :meth:`from_dict`)."""

    __slots__ = (
        "breaker_cooldown",
        "breaker_failures",
        "cache_size",
        "cache_ttl",
        "chain",
        "claude_command",
        "max_input_chars",
        "provider_timeout",
        "redact",
        "retries",
        "timeout",
    )

    def __init__(
        self,
        chain: list[tuple[str, str]],
        *,
        timeout: float = 20.0,
        provider_timeout: float | None = None,
        retries: int = 2,
        cache_ttl: float = 600.0,
        cache_size: int = 1024,
        breaker_failures: int = 3,
        breaker_cooldown: float = 30.0,
        claude_command: str = "claude",
        max_input_chars: int = 24_000,
        redact: bool = True,
    ) -> None:
        self.chain = [(name, model or DEFAULT_MODELS.get(name, "")) for name, model in chain]
        self.timeout = timeout
        self.provider_timeout = provider_timeout or timeout
        self.retries = retries
        self.cache_ttl = cache_ttl
        self.cache_size = cache_size
        self.breaker_failures = breaker_failures
        self.breaker_cooldown = breaker_cooldown
        self.claude_command = claude_command
        self.max_input_chars = max_input_chars
        self.redact = redact

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReviewerConfig:
        """From the plain dict ``config.reviewer_config`` builds (builtins only)."""
        values = dict(data)
        chain = [(str(n), str(m or "")) for n, m in values.pop("chain")]
        return cls(chain, **values)


class Attempt:
    """One provider's part in a review, for the record."""

    __slots__ = ("breaker", "latency_ms", "model", "outcome", "provider")

    def __init__(
        self, provider: str, model: str, outcome: str, latency_ms: float, breaker: str
    ) -> None:
        self.provider = provider
        self.model = model
        self.outcome = outcome
        self.latency_ms = latency_ms
        self.breaker = breaker

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "provider": self.provider,
            "model": self.model,
            "outcome": self.outcome,
            "latency_ms": round(self.latency_ms, 1),
            "breaker": self.breaker,
        }


Sampler = Any  # an MCP ServerSession (kept untyped: mcp is imported only by the server)


class Reviewer:
    """The configured provider chain with its breakers and cache (see the module docstring).

    The server keeps one for its lifetime and awaits :meth:`areview`; the command hook
    makes one per call and uses :meth:`review` with ``state_file``.
    """

    def __init__(self, config: ReviewerConfig, *, state_file: str | None = None) -> None:
        self.config = config
        self.state = State(
            threshold=config.breaker_failures,
            cooldown=config.breaker_cooldown,
            cache_size=config.cache_size,
            cache_ttl=config.cache_ttl,
        )
        self.state_file = state_file
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    # --- entry points ---------------------------------------------------------------------

    def review(
        self,
        decision: Decision,
        call: ToolCall,
        judgement: Judgement | None,
        *,
        policy_digest: str,
        fail_mode: FailMode,
        guidance: str | None = None,
    ) -> Decision:
        """Blocking form of :meth:`areview` (the hook, ``explain``, ``reviewer test``): its
        own event loop; the state file, if any, is read before and written after."""
        if decision.action != "review":
            return decision
        if self.state_file is not None:
            self.state.load_file(self.state_file)

        async def run() -> Decision:
            try:
                return await self.areview(
                    decision,
                    call,
                    judgement,
                    policy_digest=policy_digest,
                    fail_mode=fail_mode,
                    guidance=guidance,
                )
            finally:
                await self.aclose()

        result = asyncio.run(run())
        if self.state_file is not None:
            self.state.save_file(self.state_file)
        return result

    async def areview(
        self,
        decision: Decision,
        call: ToolCall,
        judgement: Judgement | None,
        *,
        policy_digest: str,
        fail_mode: FailMode,
        guidance: str | None = None,
        session: Sampler | None = None,
    ) -> Decision:
        """The final decision for a ``review`` decision (anything else comes back as is).
        ``session`` is the MCP server session of the current request (``mcp-sampling``)."""
        if decision.action != "review":
            return decision
        started = time.monotonic()
        deadline = started + self.config.timeout
        key = self._cache_key(call, policy_digest, guidance)
        cached = self.state.cache.get(key)
        if cached is not None:
            return self._decision(decision, cached, started, cache_hit=True, attempts=[])
        request = prompting.build(
            call,
            judgement,
            max_chars=self.config.max_input_chars,
            redact=self.config.redact,
            rule_id=decision.rule_id,
            rule_reason=decision.reason,
            guidance=guidance,
        )
        attempts: list[Attempt] = []
        for name, model in self.config.chain:
            answer = await self._ask(name, model, request, deadline, session, attempts)
            if answer is not None:
                self.state.cache.put(key, answer)
                return self._decision(decision, answer, started, cache_hit=False, attempts=attempts)
        return self._failed(decision, fail_mode, started, attempts)

    async def aclose(self) -> None:
        """Close the HTTP client (the server calls this on shutdown)."""
        client, self._client, self._client_loop = self._client, None, None
        if client is not None:
            await client.aclose()

    # --- one provider ---------------------------------------------------------------------

    async def _ask(
        self,
        name: str,
        model: str,
        request: prompting.Prompt,
        deadline: float,
        session: Sampler | None,
        attempts: list[Attempt],
    ) -> dict[str, Any] | None:
        """A clean answer from provider ``name`` (as cache data), or ``None``."""
        breaker = self.state.breaker(name)
        started = time.monotonic()
        allowed, state = breaker.acquire()
        if not allowed:
            attempts.append(Attempt(name, model, "breaker open", 0.0, state))
            return None
        outcome = "no time left"
        counted = False  # whether the breaker has been told the outcome
        try:
            provider = self._provider(name, model, session)
            tries = 0
            while True:
                left = deadline - time.monotonic()
                if left < _MIN_ATTEMPT_S:
                    outcome = "deadline passed" if tries else "no time left"
                    break
                budget = min(self.config.provider_timeout, left)
                tries += 1
                try:
                    text = await asyncio.wait_for(provider.complete(request, budget), budget)
                    answer = prompting.parse_answer(text)
                except ProviderError as exc:
                    outcome = str(exc)
                    wait = exc.retry_after if exc.retry_after is not None else _BACKOFF_S
                    if (
                        exc.retryable
                        and tries <= self.config.retries
                        and time.monotonic() + wait + _MIN_ATTEMPT_S < deadline
                    ):
                        await asyncio.sleep(wait)
                        continue
                    break
                except TimeoutError:
                    outcome = f"no answer within {budget:.1f} s"
                    break
                except prompting.AnswerError as exc:
                    outcome = f"unusable answer: {exc}"
                    break
                breaker.success()
                counted = True
                # MCP sampling learns the model from the client's answer.
                model = provider.model or model
                attempts.append(Attempt(name, model, "answered", _ms(started), state))
                return {
                    "decision": answer.decision,
                    "reason": answer.reason,
                    "risk": answer.risk,
                    "provider": name,
                    "model": model,
                }
            breaker.failure()
            counted = True
        except Unavailable as exc:
            outcome = f"unavailable: {str(exc).removeprefix(f'{name}: ')}"
        except Exception as exc:  # a bug in a provider: that provider failed, nothing more
            outcome = f"internal error ({type(exc).__name__})"
            breaker.failure()
            counted = True
        finally:
            if not counted:
                breaker.release()
        attempts.append(
            Attempt(name, model, outcome.removeprefix(f"{name}: "), _ms(started), state)
        )
        return None

    def _provider(self, name: str, model: str, session: Sampler | None) -> Provider:
        if name == "anthropic":
            return AnthropicProvider(model, self._http())
        if name == "openai":
            return OpenAIProvider(model, self._http())
        if name == "claude-cli":
            return ClaudeCliProvider(model, self.config.claude_command)
        if name == "mcp-sampling":
            if session is None:
                raise Unavailable("mcp-sampling: only inside an MCP request")
            return SamplingProvider(model, session)
        raise Unavailable(f"unknown provider {name!r}")

    def _http(self) -> httpx.AsyncClient:
        """One HTTP client per event loop (connection reuse in the server)."""
        import httpx

        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            # A client bound to a finished loop is dropped, not closed: its loop is gone.
            # Each request sets its own timeout (the budget left); no proxy from the env.
            self._client = httpx.AsyncClient(
                timeout=self.config.provider_timeout, follow_redirects=False, trust_env=False
            )
            self._client_loop = loop
        return self._client

    # --- results --------------------------------------------------------------------------

    def _cache_key(self, call: ToolCall, policy_digest: str, guidance: str | None) -> str:
        material = json.dumps(
            [
                policy_digest,
                self.config.chain,
                guidance,
                call.tool_name,
                call.cwd,
                call.project,
                call.tool_input,
            ],
            sort_keys=True,
            ensure_ascii=True,
            default=repr,
        )
        return hashlib.sha256(material.encode("ascii")).hexdigest()

    def _decision(
        self,
        decision: Decision,
        answer: dict[str, Any],
        started: float,
        *,
        cache_hit: bool,
        attempts: list[Attempt],
    ) -> Decision:
        provider, model = answer["provider"], answer["model"]
        state = self.state.breaker(provider).state()
        review = {
            "provider": provider,
            "model": model,
            "latency_ms": round(_ms(started), 1),
            "cache_hit": cache_hit,
            "breaker": state,
            "outcome": "answered",
            "decision": answer["decision"],
            "risk": answer["risk"],
            "reason": answer["reason"],
            "attempts": [a.to_dict() for a in attempts],
        }
        reason = (
            f"Superego's reviewer ({provider}) says {answer['decision']} "
            f"(risk {answer['risk']}): {answer['reason']}"
        )
        return Decision(answer["decision"], reason, decision.rule_id, review=review)

    def _failed(
        self,
        decision: Decision,
        fail_mode: FailMode,
        started: float,
        attempts: list[Attempt],
    ) -> Decision:
        last = attempts[-1] if attempts else None
        problems = "; ".join(f"{a.provider}: {a.outcome}" for a in attempts) or "no provider"
        review = {
            "provider": last.provider if last else None,
            "model": last.model if last else None,
            "latency_ms": round(_ms(started), 1),
            "cache_hit": False,
            "breaker": last.breaker if last else None,
            "outcome": "failed",
            "decision": None,
            "risk": None,
            "reason": problems,
            "attempts": [a.to_dict() for a in attempts],
        }
        reason = (
            f"{decision.reason} (rule {decision.rule_id} asked for a second opinion and the "
            f"reviewer gave no usable answer: {problems}; failing closed)"
        )
        return Decision(fail_mode, reason, decision.rule_id, review=review)


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000.0
