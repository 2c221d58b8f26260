"""A ``review`` rule of the bundled policy (interpreter one-liners) reaches the reviewer from
every entry point: the command hook, REST, MCP (streamable HTTP, and stdio with MCP
sampling answered by a real client) and the HTTP hook endpoint. ``reviewer test`` too."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastmcp import Client
from mcp import types
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from reviewer_helpers import ALLOW, DENY, FakeVendor, Reply, vendor_env

from superego_mcp.hook.runner import _MAX_EXTENSION_S, _REVIEW_MARGIN_S, DEADLINE_S
from superego_mcp.reviewer import MAX_TIMEOUT_S
from support.hook import call, warm
from support.hook import run_hook as run_process
from support.server import Server, clean_env, start_server

SCRIPT = str(Path(sys.executable).parent / "superego-mcp")
ONE_LINER = "perl -e 'print 6*7'"  # inline code Superego does not read
CALL = {"tool_name": "Bash", "tool_input": {"command": ONE_LINER}, "cwd": "/tmp"}


def hook_input(command: str = ONE_LINER) -> bytes:
    return json.dumps(call("Bash", {"command": command})).encode()


@pytest.fixture
def hook_env(fake: FakeVendor, tmp_path: Path) -> dict[str, str]:
    env = clean_env(**vendor_env(fake))
    env.update(
        HOME=str(tmp_path / "home"),
        SUPEREGO_CACHE_DIR=str(tmp_path / "cache"),
        SUPEREGO_REVIEWER="openai:test-model",
    )
    warm(env, "/tmp", json.loads(hook_input()))
    return env


def run_hook(env: dict[str, str], stdin: bytes) -> tuple[dict[str, Any], float]:
    start = time.monotonic()
    r = run_process(stdin, env=env, timeout=90)
    elapsed = time.monotonic() - start
    assert r.code == 0, r.stderr
    return r.json()["hookSpecificOutput"], elapsed  # type: ignore[return-value]


def test_command_hook_asks_the_reviewer_and_caches_in_its_state_file(
    fake: FakeVendor, hook_env: dict[str, str], tmp_path: Path
) -> None:
    fake.script(Reply(ALLOW))
    out, _ = run_hook(hook_env, hook_input())
    assert out["permissionDecision"] == "allow", out
    assert "reviewer (openai) says allow" in out["permissionDecisionReason"]
    assert len(fake.seen) == 1
    assert fake.seen[0].body["model"] == "test-model"
    state = tmp_path / "cache" / "reviewer-state.json"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert "sk-" not in state.read_text()  # no key is ever written
    # The same call again: answered from the state file's cache, no request.
    out, _ = run_hook(hook_env, hook_input())
    assert out["permissionDecision"] == "allow"
    assert len(fake.seen) == 1
    # A call the rules decide never reaches the reviewer.
    out, _ = run_hook(hook_env, hook_input("ls -la"))
    assert out["permissionDecision"] == "allow"
    out, _ = run_hook(hook_env, hook_input("rm -rf ~"))
    assert out["permissionDecision"] == "deny"
    assert len(fake.seen) == 1


def test_command_hook_breaker_state_survives_between_calls(
    fake: FakeVendor, hook_env: dict[str, str]
) -> None:
    hook_env.update(SUPEREGO_REVIEWER_RETRIES="0", SUPEREGO_REVIEWER_BREAKER_FAILURES="2")
    warm(hook_env, "/tmp", json.loads(hook_input()))  # SUPEREGO_* settings are part of the key
    fake.script(Reply(status=500))
    for i in range(3):
        out, _ = run_hook(hook_env, hook_input(f"perl -e 'print {i}*7'"))
        assert out["permissionDecision"] == "ask"
    assert len(fake.seen) == 2  # the third call found the breaker open in the state file
    assert "breaker open" in out["permissionDecisionReason"]


def test_command_hook_deadline_grows_for_a_review(
    fake: FakeVendor, hook_env: dict[str, str]
) -> None:
    # The answer comes after the hook's own 5 s deadline, inside the review's deadline.
    fake.script(Reply(DENY, delay=DEADLINE_S + 0.7))
    # Room for a loaded machine: the review's deadline counts importing httpx too.
    hook_env["SUPEREGO_REVIEWER_TIMEOUT"] = str(DEADLINE_S + 10)
    warm(hook_env, "/tmp", json.loads(hook_input()))
    out, elapsed = run_hook(hook_env, hook_input())
    assert out["permissionDecision"] == "deny", out
    assert elapsed > DEADLINE_S


def test_command_hook_review_past_its_deadline_fails_closed(
    fake: FakeVendor, hook_env: dict[str, str]
) -> None:
    fake.script(Reply(ALLOW, delay=30))
    hook_env["SUPEREGO_REVIEWER_TIMEOUT"] = "3"
    warm(hook_env, "/tmp", json.loads(hook_input()))
    out, elapsed = run_hook(hook_env, hook_input())
    assert out["permissionDecision"] == "ask"
    # The review's own deadline; on a machine so loaded that the hook's 5 s passed before
    # the review even began, the hook's.
    reason = out["permissionDecisionReason"]
    assert "reviewer gave no usable answer" in reason or "no decision within" in reason
    assert elapsed < DEADLINE_S + 3 + 1 + 3


def test_budgets_agree() -> None:
    # The runner's cap on the extension, the settings' cap on the review deadline and the
    # installer's default Claude Code timeout must fit together.
    assert _MAX_EXTENSION_S == MAX_TIMEOUT_S + _REVIEW_MARGIN_S
    from superego_mcp.cli import build_parser

    args = build_parser().parse_args(["hooks", "install"])
    assert args.timeout > DEADLINE_S + _MAX_EXTENSION_S


@pytest.mark.parametrize("agent", ["claude", "codex", "gemini"])
def test_installer_refuses_a_timeout_shorter_than_a_review(tmp_path: Path, agent: str) -> None:
    env = clean_env(HOME=str(tmp_path), SUPEREGO_REVIEWER="anthropic")
    env["SUPEREGO_REVIEWER_TIMEOUT"] = "20"
    r = subprocess.run(
        [SCRIPT, "hooks", "install", "--agent", agent, "--timeout", "15", "--scope", "user"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert r.returncode != 0
    assert "too short for the configured reviewer" in r.stderr
    assert "use at least 28" in r.stderr


@pytest.fixture(scope="module")
def review_server(vendor: FakeVendor) -> Iterator[Server]:
    env = clean_env(**vendor_env(vendor))
    env["SUPEREGO_REVIEWER"] = "anthropic:test-model"
    env["SUPEREGO_REVIEWER_CACHE_TTL"] = "0"
    s = start_server(env=env)
    yield s
    s.stop()


def test_rest_evaluate_shows_the_review(fake: FakeVendor, review_server: Server) -> None:
    fake.script(Reply(DENY))
    r = httpx.post(f"{review_server.url}/v1/evaluate", json=CALL, timeout=30)
    body = r.json()
    assert body["decision"] == "deny"
    assert body["rule_id"] == "review-code-execution"
    review = body["review"]
    assert review["provider"] == "anthropic"
    assert review["model"] == "test-model"
    assert review["outcome"] == "answered"
    assert review["risk"] == "critical"
    assert review["cache_hit"] is False
    assert review["breaker"] == "closed"
    assert isinstance(review["latency_ms"], float)
    assert len(fake.seen) == 1
    # A rules-decided call: no review, no request.
    r = httpx.post(
        f"{review_server.url}/v1/evaluate",
        json={**CALL, "tool_input": {"command": "ls"}},
        timeout=30,
    )
    assert r.json()["review"] is None
    assert len(fake.seen) == 1


def test_http_hook_endpoint_asks_the_reviewer(fake: FakeVendor, review_server: Server) -> None:
    fake.script(Reply(ALLOW))
    r = httpx.post(f"{review_server.url}/v1/hooks/claude-code", content=hook_input(), timeout=30)
    out = r.json()["hookSpecificOutput"]
    assert out["permissionDecision"] == "allow"
    assert "reviewer (anthropic)" in out["permissionDecisionReason"]
    assert len(fake.seen) == 1


def test_server_reviews_concurrently(fake: FakeVendor, review_server: Server) -> None:
    fake.script(Reply(ALLOW, delay=1.0))

    async def many() -> list[Any]:
        async with httpx.AsyncClient(timeout=30) as client:
            calls = [
                {**CALL, "tool_input": {"command": f"perl -e 'print {i}*7'"}} for i in range(6)
            ]
            responses = []

            async def one(c: dict[str, Any]) -> None:
                responses.append(await client.post(f"{review_server.url}/v1/evaluate", json=c))

            async with anyio.create_task_group() as tg:
                for c in calls:
                    tg.start_soon(one, c)
            return [r.json()["decision"] for r in responses]

    start = time.monotonic()
    decisions = anyio.run(many)
    elapsed = time.monotonic() - start
    assert decisions == ["allow"] * 6
    assert elapsed < 3.5, elapsed  # six reviews of 1 s each, at once


def test_mcp_streamable_http_shows_the_review(fake: FakeVendor, review_server: Server) -> None:
    fake.script(Reply(ALLOW))

    async def call() -> Any:
        async with Client(f"{review_server.url}/mcp") as client:
            evaluated = (await client.call_tool("evaluate_tool_call", CALL)).structured_content
            explained = (await client.call_tool("explain_tool_call", CALL)).structured_content
            return evaluated, explained

    evaluated, explained = anyio.run(call)
    assert evaluated["decision"] == "allow"
    assert evaluated["review"]["provider"] == "anthropic"
    assert any(line.startswith("reviewer: anthropic") for line in explained["trace"])
    assert len(fake.seen) == 2


def _stdio_params(reviewer: str) -> StdioServerParameters:
    env = clean_env()
    env["SUPEREGO_REVIEWER"] = reviewer
    return StdioServerParameters(
        command=sys.executable, args=["-m", "superego_mcp", "--transport", "stdio"], env=env
    )


def test_mcp_sampling_asks_the_calling_clients_model() -> None:
    asked: list[types.CreateMessageRequestParams] = []

    async def sampling(context: Any, params: types.CreateMessageRequestParams) -> Any:
        asked.append(params)
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(type="text", text=DENY),
            model="the-clients-model",
        )

    async def run() -> Any:
        with anyio.fail_after(60):
            async with (
                stdio_client(_stdio_params("mcp-sampling")) as (r, w),
                ClientSession(r, w, sampling_callback=sampling) as s,
            ):
                await s.initialize()
                return (await s.call_tool("evaluate_tool_call", CALL)).structured_content

    result = anyio.run(run)
    assert result["decision"] == "deny"
    assert result["review"]["provider"] == "mcp-sampling"
    assert result["review"]["model"] == "the-clients-model"
    [params] = asked
    assert params.system_prompt is not None
    assert params.system_prompt.startswith("You are the reviewer of Superego")
    text = params.messages[0].content.text  # type: ignore[union-attr]
    assert "BEGIN-CALL-" in text
    assert params.include_context == "none"


def test_mcp_sampling_without_the_capability_falls_back_then_fails_closed(
    fake: FakeVendor,
) -> None:
    async def run(reviewer: str, extra: dict[str, str]) -> Any:
        params = _stdio_params(reviewer)
        assert params.env is not None
        params.env.update(extra)
        with anyio.fail_after(60):
            async with stdio_client(params) as (r, w), ClientSession(r, w) as s:
                await s.initialize()
                return (await s.call_tool("evaluate_tool_call", CALL)).structured_content

    result = anyio.run(run, "mcp-sampling", {})
    assert result["decision"] == "ask"
    assert "did not declare sampling" in result["reason"]
    fake.script(Reply(ALLOW))
    result = anyio.run(run, "mcp-sampling,anthropic", vendor_env(fake))
    assert result["decision"] == "allow"
    assert [a["provider"] for a in result["review"]["attempts"]] == ["mcp-sampling", "anthropic"]


def test_reviewer_test_command(fake: FakeVendor) -> None:
    fake.script(Reply(ALLOW), Reply(DENY))
    env = clean_env(**vendor_env(fake), SUPEREGO_REVIEWER="openai")
    r = subprocess.run(
        [SCRIPT, "reviewer", "test"], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert "harmless: python3 -c 'print(sum(range(10)))'" in r.stdout
    assert "allow (risk low) from openai gpt-4.1-mini in" in r.stdout
    assert "deny (risk critical) from openai" in r.stdout
    assert len(fake.seen) == 2
    fake.script(Reply("not json"))
    r = subprocess.run(
        [SCRIPT, "reviewer", "test"], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 1
    assert "NO USABLE ANSWER" in r.stdout
    r = subprocess.run(
        [SCRIPT, "reviewer", "test"], capture_output=True, text=True, env=clean_env(), timeout=60
    )
    assert r.returncode == 2
    assert "no reviewer is configured" in r.stderr
    assert os.environ.get("SUPEREGO_REVIEWER") is None
