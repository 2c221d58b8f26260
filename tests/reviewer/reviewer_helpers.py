"""A fake LLM vendor on 127.0.0.1 speaking the real wire formats (the one boundary that
cannot be reached from here), and small helpers for the reviewer tests.

:class:`FakeVendor` is a real ``http.server.ThreadingHTTPServer`` in a thread. It answers
``POST /v1/messages`` in the Anthropic Messages API format and ``POST /v1/chat/completions``
in the OpenAI chat-completions format. What it answers is scripted: a queue of
:class:`Reply` objects (the last one repeats), each a model text to wrap in the vendor's
format, or an HTTP error, a delay, or raw bytes. Every request is recorded (path, headers,
JSON body) so tests can assert on the exact prompt bytes sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ALLOW = '{"decision": "allow", "reason": "It only prints a number.", "risk": "low"}'
DENY = '{"decision": "deny", "reason": "It deletes the home directory.", "risk": "critical"}'


class Reply:
    """One scripted answer. ``text``: the model's answer, wrapped in the vendor's format;
    ``status`` (with ``headers``): an error answer; ``delay``: seconds to wait first;
    ``raw``: bytes sent as the body instead of any vendor JSON; ``text_of``: computes the
    model's answer from the request body."""

    def __init__(
        self,
        text: str | None = None,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        raw: bytes | None = None,
        text_of: Callable[[dict[str, Any]], str] | None = None,
    ) -> None:
        self.text = text
        self.status = status
        self.headers = headers or {}
        self.delay = delay
        self.raw = raw
        self.text_of = text_of


class Seen:
    """One request the fake received."""

    def __init__(self, path: str, headers: dict[str, str], body: dict[str, Any], at: float):
        self.path = path
        self.headers = headers
        self.body = body
        self.at = at

    @property
    def user_prompt(self) -> str:
        """The user message text, whichever the vendor format."""
        messages = self.body["messages"]
        return str(messages[-1]["content"])

    @property
    def system_prompt(self) -> str:
        """The system prompt, whichever the vendor format."""
        if "system" in self.body:
            return str(self.body["system"])
        return str(self.body["messages"][0]["content"])


def anthropic_body(text: str) -> dict[str, Any]:
    """A Messages API response carrying ``text`` (the real shape)."""
    return {
        "id": "msg_01FakeForSuperegoTests",
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 812, "output_tokens": 31},
    }


def openai_body(text: str) -> dict[str, Any]:
    """A chat-completions response carrying ``text`` (the real shape)."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": "gpt-4.1-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 812, "completion_tokens": 31, "total_tokens": 843},
    }


class FakeVendor:
    """The fake server (see the module docstring)."""

    def __init__(self) -> None:
        self.replies: list[Reply] = [Reply(ALLOW)]
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"_raw": raw.decode(errors="replace")}
                with fake._lock:
                    fake.seen.append(
                        Seen(self.path, dict(self.headers.items()), body, time.monotonic())
                    )
                    reply = fake.replies.pop(0) if len(fake.replies) > 1 else fake.replies[0]
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    data = json.dumps(
                        {"type": "error", "error": {"type": "fake", "message": "scripted"}}
                    ).encode()
                elif reply.raw is not None:
                    data = reply.raw
                else:
                    text = reply.text_of(body) if reply.text_of else (reply.text or "")
                    wrap = anthropic_body if self.path.endswith("/messages") else openai_body
                    if self.path not in ("/v1/messages", "/v1/chat/completions"):
                        self.send_error(404)
                        return
                    data = json.dumps(wrap(text)).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a deadline test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies`` (the last one repeats; none: allow),
        and forget the requests seen so far."""
        with self._lock:
            self.replies = list(replies) or [Reply(ALLOW)]
            self.seen = []

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def fake_vendor() -> Iterator[FakeVendor]:
    """A running :class:`FakeVendor`, stopped afterwards."""
    fake = FakeVendor()
    try:
        yield fake
    finally:
        fake.close()


def vendor_env(fake: FakeVendor) -> dict[str, str]:
    """The vendors' standard variables pointing at ``fake``."""
    return {
        "ANTHROPIC_API_KEY": "sk-ant-test-not-a-secret",
        "ANTHROPIC_BASE_URL": fake.url,
        "OPENAI_API_KEY": "sk-test-not-a-secret",
        "OPENAI_BASE_URL": f"{fake.url}/v1",
    }
