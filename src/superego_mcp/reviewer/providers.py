"""The reviewer's providers. Each turns a :class:`~.prompt.Prompt` into the model's raw answer
text within a time budget, or raises :class:`ProviderError` / :class:`Unavailable`.

- ``anthropic``: the Messages API (``POST {ANTHROPIC_BASE_URL}/v1/messages``, key from
  ``ANTHROPIC_API_KEY``);
- ``openai``: any OpenAI-compatible chat-completions endpoint (``POST
  {OPENAI_BASE_URL}/chat/completions``; OpenAI, Azure OpenAI's v1 API, Ollama, vLLM,
  llama.cpp server, LM Studio), key optional;
- ``claude-cli``: ``claude -p --output-format json`` with no tools and no MCP servers (the
  user's own subscription, no key);
- ``mcp-sampling``: the calling MCP client's model (``sampling/createMessage``), only inside
  an MCP request from a client that declared the sampling capability.

HTTP goes through httpx (imported here, and this module is only imported for a review): one
small, well-typed async client for every HTTP vendor instead of two vendor SDKs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import warnings
from typing import TYPE_CHECKING, Any, Final

from superego_mcp.errors import SuperegoError

if TYPE_CHECKING:
    import httpx

    from superego_mcp.reviewer.prompt import Prompt

# Each provider's model when none is configured.
DEFAULT_MODELS: Final[dict[str, str]] = {
    "anthropic": "claude-haiku-4-5",
    "openai": "gpt-4.1-mini",
    "claude-cli": "haiku",
    "mcp-sampling": "",  # the client picks; a model given is sent as a hint
}
ANTHROPIC_VERSION: Final = "2023-06-01"
MAX_TOKENS: Final = 400
# Bytes of an HTTP or CLI answer read at most (a valid answer is a few hundred bytes).
MAX_RESPONSE: Final = 256 * 1024


class ProviderError(SuperegoError):
    """A request that failed. ``retry_after``: the server asked to retry after that many
    seconds (429); ``retryable``: a transient failure (5xx, connection) worth one more try."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, retryable: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.retryable = retryable


class Unavailable(SuperegoError):
    """The provider cannot be used here (no key, no MCP client with sampling, no CLI)."""


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # an HTTP date: treated as "no hint"
    return max(seconds, 0.0)


def _error_for(status: int, headers: httpx.Headers, vendor: str) -> ProviderError:
    if status == 429:
        return ProviderError(
            f"{vendor}: rate limited (HTTP 429)",
            retry_after=_retry_after(headers.get("retry-after")),
            retryable=True,
        )
    if status >= 500:
        return ProviderError(f"{vendor}: server error (HTTP {status})", retryable=True)
    return ProviderError(f"{vendor}: request refused (HTTP {status})")


async def _post(
    client: httpx.AsyncClient,
    vendor: str,
    url: str,
    headers: dict[str, str],
    body: dict[str, Any],
    timeout: float,
) -> Any:
    """POST JSON, return the decoded JSON body; every failure is a :class:`ProviderError`."""
    import httpx

    try:
        async with client.stream(
            "POST", url, headers=headers, json=body, timeout=httpx.Timeout(timeout)
        ) as response:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE:
                    raise ProviderError(f"{vendor}: answer larger than {MAX_RESPONSE} bytes")
                chunks.append(chunk)
            if response.status_code != 200:
                raise _error_for(response.status_code, response.headers, vendor)
    except httpx.TimeoutException:
        raise TimeoutError(f"{vendor}: no answer within {timeout:.1f} s") from None
    except httpx.HTTPError as exc:
        raise ProviderError(f"{vendor}: {type(exc).__name__}", retryable=True) from None
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        raise ProviderError(f"{vendor}: the answer is not JSON") from None


def cut_model(name: str) -> str:
    """A model name a client reported, bounded (it is shown and stored)."""
    return "".join(ch for ch in name[:100] if ch.isprintable())


class Provider:
    """Base of the providers: a name, a model, and :meth:`complete`."""

    name: str = ""

    def __init__(self, model: str) -> None:
        self.model = model

    async def complete(self, prompt: Prompt, timeout: float) -> str:  # pragma: no cover
        """The model's raw answer text for ``prompt`` within ``timeout`` seconds."""
        raise NotImplementedError


class AnthropicProvider(Provider):
    """Anthropic Messages API."""

    name = "anthropic"

    def __init__(self, model: str, client: httpx.AsyncClient) -> None:
        super().__init__(model)
        self.client = client

    async def complete(self, prompt: Prompt, timeout: float) -> str:
        """One Messages API request; the text blocks of the answer."""
        key = _env("ANTHROPIC_API_KEY")
        if key is None:
            raise Unavailable("anthropic: ANTHROPIC_API_KEY is not set")
        base = (_env("ANTHROPIC_BASE_URL") or "https://api.anthropic.com").rstrip("/")
        body = {
            "model": self.model,
            "max_tokens": MAX_TOKENS,
            "temperature": 0,
            "system": prompt.system,
            "messages": [{"role": "user", "content": prompt.user}],
        }
        headers = {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}
        data = await _post(self.client, "anthropic", f"{base}/v1/messages", headers, body, timeout)
        if not isinstance(data, dict) or not isinstance(data.get("content"), list):
            raise ProviderError("anthropic: the answer has no content list")
        if data.get("stop_reason") == "max_tokens":
            raise ProviderError("anthropic: the answer was cut at max_tokens")
        texts = [
            b["text"]
            for b in data["content"]
            if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)
        ]
        if not texts:
            raise ProviderError("anthropic: the answer has no text")
        return "".join(texts)


class OpenAIProvider(Provider):
    """OpenAI-compatible chat completions (OpenAI, Azure OpenAI v1, Ollama, vLLM, ...)."""

    name = "openai"

    def __init__(self, model: str, client: httpx.AsyncClient) -> None:
        super().__init__(model)
        self.client = client

    async def complete(self, prompt: Prompt, timeout: float) -> str:
        """One chat-completions request; the first choice's message content."""
        base = (_env("OPENAI_BASE_URL") or "https://api.openai.com/v1").rstrip("/")
        key = _env("OPENAI_API_KEY")
        headers: dict[str, str] = {}
        if key is not None:
            # Azure OpenAI takes its key in `api-key`; everyone else in a bearer token.
            from urllib.parse import urlsplit

            host = (urlsplit(base).hostname or "").lower()
            if host.endswith(".azure.com"):
                headers["api-key"] = key
            else:
                headers["authorization"] = f"Bearer {key}"
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": prompt.user},
            ],
        }
        data = await _post(
            self.client, "openai", f"{base}/chat/completions", headers, body, timeout
        )
        try:
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise ProviderError("openai: the answer has no choices[0].message.content") from None
        if choice.get("finish_reason") == "length":
            raise ProviderError("openai: the answer was cut at the length limit")
        if not isinstance(content, str):
            raise ProviderError("openai: the answer's content is not text")
        return content


class ClaudeCliProvider(Provider):
    """``claude -p --output-format json``: no tools, no MCP servers, run in an empty
    directory (so no project's CLAUDE.md is read), the prompt on stdin."""

    name = "claude-cli"

    def __init__(self, model: str, command: str) -> None:
        super().__init__(model)
        self.command = command

    def argv(self, prompt: Prompt) -> list[str]:
        """The command line (the user message goes on stdin)."""
        exe = shutil.which(self.command)
        if exe is None:
            raise Unavailable(f"claude-cli: {self.command!r} is not on PATH")
        return [
            exe,
            "-p",
            "--output-format",
            "json",
            "--model",
            self.model,
            "--tools",
            "",
            "--strict-mcp-config",
            "--system-prompt",
            prompt.system,
        ]

    async def complete(self, prompt: Prompt, timeout: float) -> str:
        """Run the CLI once; the ``result`` of its JSON output."""
        argv = self.argv(prompt)
        env = dict(os.environ)
        env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1"
        with tempfile.TemporaryDirectory(prefix="superego-review-") as empty:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                cwd=empty,
                env=env,
                start_new_session=True,
            )
            try:
                out, _ = await asyncio.wait_for(
                    proc.communicate(prompt.user.encode("utf-8")), timeout
                )
            except BaseException:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, 9)
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(proc.wait(), 1.0)
                raise
        if proc.returncode != 0:
            raise ProviderError(f"claude-cli: exited with status {proc.returncode}")
        if len(out) > MAX_RESPONSE:
            raise ProviderError(f"claude-cli: output larger than {MAX_RESPONSE} bytes")
        try:
            data = json.loads(out)
        except ValueError:
            raise ProviderError("claude-cli: the output is not JSON") from None
        if not isinstance(data, dict) or data.get("type") != "result":
            raise ProviderError("claude-cli: the output is not a result object")
        if data.get("is_error") or data.get("subtype") != "success":
            raise ProviderError(f"claude-cli: the run failed ({data.get('subtype')})")
        result = data.get("result")
        if not isinstance(result, str):
            raise ProviderError("claude-cli: the result is not text")
        return result


class SamplingProvider(Provider):
    """MCP sampling: the calling client's own model answers ``sampling/createMessage``."""

    name = "mcp-sampling"

    def __init__(self, model: str, session: Any) -> None:
        super().__init__(model)
        self.session = session

    async def complete(self, prompt: Prompt, timeout: float) -> str:
        """One sampling request to the client over the MCP session of the current call."""
        from mcp import types

        if self.session is None:
            raise Unavailable("mcp-sampling: not inside an MCP request")
        capable = self.session.check_client_capability(
            types.ClientCapabilities(sampling=types.SamplingCapability())
        )
        if not capable:
            raise Unavailable("mcp-sampling: the MCP client did not declare sampling")
        message = types.TextContent(type="text", text=prompt.user)
        prefs = None
        if self.model:
            prefs = types.ModelPreferences(hints=[types.ModelHint(name=self.model)])
        with warnings.catch_warnings():
            # Sampling is deprecated from protocol 2026-07-28 on; clients of the earlier
            # protocol versions (the ones with a back-channel) still offer it.
            warnings.simplefilter("ignore")
            try:
                result = await asyncio.wait_for(
                    self.session.create_message(
                        [types.SamplingMessage(role="user", content=message)],
                        max_tokens=MAX_TOKENS,
                        system_prompt=prompt.system,
                        temperature=0,
                        include_context="none",
                        model_preferences=prefs,
                    ),
                    timeout,
                )
            except TimeoutError:
                raise
            except Exception as exc:
                name = type(exc).__name__
                if name == "NoBackChannelError":
                    raise Unavailable("mcp-sampling: this connection has no back-channel") from None
                raise ProviderError(f"mcp-sampling: {name}: {exc}") from None
        content = getattr(result, "content", None)
        text = getattr(content, "text", None)
        if not isinstance(text, str):
            raise ProviderError("mcp-sampling: the client's answer is not text")
        model = getattr(result, "model", None)
        if isinstance(model, str) and model:
            self.model = cut_model(model)
        return text
