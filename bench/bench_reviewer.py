"""What the LLM reviewer costs: nothing for calls the rules decide, little for a review.

In one process, interleaved round by round:

- rule-decided calls per second through ``decide()`` without a reviewer and with one
  configured (the reviewer must never be built or imported for them: target ratio >= 0.95,
  and ``superego_mcp.reviewer`` must not be in ``sys.modules`` afterwards);
- one review through ``adecide()`` (the server's path, cache off) against a fake provider
  on 127.0.0.1 that answers instantly in the OpenAI wire format, against one bare httpx
  POST of the same size to the same server: the difference is our own code per review
  (prompt, validation, breaker, cache, decision).

Usage: ``uv run --frozen python bench/bench_reviewer.py [--rounds N] [--no-check]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from superego_mcp.decide import adecide, decide
from superego_mcp.model import ToolCall
from superego_mcp.policy import load_policy

TARGET_RULES_RATIO = 0.95
ANSWER = json.dumps(
    {
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": '{"decision": "allow", "reason": "prints", "risk": "low"}',
                },
                "finish_reason": "stop",
            }
        ]
    }
).encode()

RULE_DECIDED = [
    ToolCall("Bash", {"command": "git status && ls -la | head -5"}, "/home/u/p"),
    ToolCall("Bash", {"command": "rm -rf ~"}, "/home/u/p"),
    ToolCall("Read", {"file_path": "/home/u/p/README.md"}, "/home/u/p"),
    ToolCall("Write", {"file_path": "/home/u/p/x.py", "content": "print(1)\n"}, "/home/u/p"),
]


class _Instant(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)


def _rules_rate(policy: object, reviewer: object, seconds: float) -> float:
    n = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for call in RULE_DECIDED:
            decide(policy, call, home="/home/u", reviewer=reviewer)  # type: ignore[arg-type]
            n += 1
    return n / seconds


async def _reviews(url: str, rounds: int) -> tuple[list[float], list[float]]:
    import httpx

    from superego_mcp.reviewer.core import Reviewer, ReviewerConfig

    policy = load_policy(None)
    reviewer = Reviewer(ReviewerConfig([("openai", "bench")], cache_ttl=0))
    review_ms: list[float] = []
    bare_ms: list[float] = []
    body = {"model": "bench", "messages": [{"role": "user", "content": "x" * 3000}]}
    async with httpx.AsyncClient(trust_env=False) as client:
        for i in range(rounds):
            call = ToolCall("Bash", {"command": f"perl -e 'print {i}*7'"}, "/home/u/p")
            start = time.perf_counter()
            d = await adecide(policy, call, home="/home/u", reviewer=lambda: reviewer)
            review_ms.append((time.perf_counter() - start) * 1000)
            if d.review is None or d.review["outcome"] != "answered":
                sys.exit(f"the review failed: {d.reason}")
            start = time.perf_counter()
            r = await client.post(f"{url}/v1/chat/completions", json=body)
            r.json()
            bare_ms.append((time.perf_counter() - start) * 1000)
    await reviewer.aclose()
    return review_ms, bare_ms


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rule-rate rounds (default 5)")
    parser.add_argument("--reviews", type=int, default=300, help="reviews timed (default 300)")
    parser.add_argument("--no-check", action="store_true", help="do not fail on the target")
    opts = parser.parse_args()

    policy = load_policy(None)
    with_reviewer = []
    without = []

    def never_built() -> None:
        raise AssertionError("the reviewer was built for a rule-decided call")

    for _ in range(opts.rounds):
        without.append(_rules_rate(policy, None, 1.0))
        with_reviewer.append(_rules_rate(policy, never_built, 1.0))
    imported = "superego_mcp.reviewer" in sys.modules
    ratio = statistics.median(with_reviewer) / statistics.median(without)
    plain, configured = statistics.median(without), statistics.median(with_reviewer)
    print(f"rule-decided calls/s, no reviewer          median {plain:9.0f}")
    print(f"rule-decided calls/s, reviewer configured  median {configured:9.0f}")
    print(f"ratio {ratio:.3f} (target >= {TARGET_RULES_RATIO}); reviewer imported: {imported}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Instant)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    os.environ["OPENAI_BASE_URL"] = f"{url}/v1"
    os.environ.pop("OPENAI_API_KEY", None)
    review_ms, bare_ms = asyncio.run(_reviews(url, opts.reviews))
    server.shutdown()
    med_review, med_bare = statistics.median(review_ms), statistics.median(bare_ms)
    print(f"one review, instant fake provider   median {med_review:6.2f} ms")
    print(f"one bare httpx POST, same server    median {med_bare:6.2f} ms")
    print(f"our code per review                 median {med_review - med_bare:6.2f} ms")
    ok = ratio >= TARGET_RULES_RATIO and not imported
    print(f"target: {'meets' if ok else 'MISSES'}")
    return 0 if ok or opts.no_check else 1


if __name__ == "__main__":
    raise SystemExit(main())
