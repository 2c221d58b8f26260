"""/metrics read by prometheus_client's own text parser (one process and several sharing a
multiprocess directory); audit write errors counted while decisions go on; JSON logs with
request ids and no secrets."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from support.server import READ_DENY_POLICY, clean_env, start_server

TOKEN = "metrics-t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def scrape(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Samples by name, parsed by prometheus_client's parser."""
    r = httpx.get(f"{url}/metrics", headers=AUTH, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            samples.setdefault(s.name, []).append((s.labels, s.value))
    return samples


def value(samples: dict[str, Any], name: str, **labels: str) -> float:
    return sum(
        v for lab, v in samples.get(name, []) if all(lab.get(k) == x for k, x in labels.items())
    )


def evaluate(url: str, tool: str, tool_input: dict[str, Any], **headers: str) -> httpx.Response:
    body = {"tool_name": tool, "tool_input": tool_input, "cwd": "/tmp"}
    return httpx.post(f"{url}/v1/evaluate", json=body, headers={**AUTH, **headers}, timeout=10)


def test_metrics_count_decisions_latency_reloads_and_audit_errors(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(READ_DENY_POLICY)
    db = tmp_path / "audit.db"
    env = clean_env(SUPEREGO_API_TOKEN=TOKEN, SUPEREGO_AUDIT=f"sqlite://{db}")
    server = start_server("--rules", str(rules), env=env)
    try:
        assert httpx.get(f"{server.url}/metrics", timeout=10).status_code == 401
        for _ in range(3):
            assert evaluate(server.url, "Read", {"file_path": "/x"}).json()["decision"] == "deny"
        assert evaluate(server.url, "Bash", {"command": "ls"}).json()["decision"] == "allow"
        # A policy change and a broken one: one reload of each outcome.
        rules.write_text(READ_DENY_POLICY.replace("reading is off", "reading is still off"))
        _wait(lambda: value(scrape(server.url), "superego_policy_reloads_total", outcome="ok") == 1)
        rules.write_text("rules: [oops")
        _wait(
            lambda: (
                value(scrape(server.url), "superego_policy_reloads_total", outcome="failed") >= 1
            )
        )
        # The audit table disappears under the server: decisions are still answered, and
        # every one of them is counted as an audit write error.
        conn = sqlite3.connect(db)
        conn.execute("DROP TABLE decisions")
        conn.commit()
        conn.close()
        for _ in range(2):
            assert evaluate(server.url, "Read", {"file_path": "/y"}).json()["decision"] == "deny"
        m = scrape(server.url)
    finally:
        server.stop()
    assert value(m, "superego_decisions_total", decision="deny", tool="Read", rule="no-read") == 5
    assert value(m, "superego_decisions_total", decision="allow", tool="Bash", entry="rest") == 1
    assert value(m, "superego_decision_duration_seconds_count", entry="rest") == 6
    assert value(m, "superego_http_request_duration_seconds_count", route="/v1/evaluate") == 6
    assert value(m, "superego_audit_rows_written_total") == 4
    assert value(m, "superego_audit_write_errors_total") == 2
    assert value(m, "superego_build_info") == 1
    assert "audit write failed" in server.log.read_text()


def _wait(check: Any, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def test_several_processes_report_one_sum(tmp_path: Path) -> None:
    shared = tmp_path / "prom"
    shared.mkdir()
    env = clean_env(
        SUPEREGO_API_TOKEN=TOKEN,
        SUPEREGO_AUDIT="off",
        PROMETHEUS_MULTIPROC_DIR=str(shared),
    )
    a = start_server(env=env)
    b = start_server(env=env)
    try:
        # With the audit off the stream still shows this server's own decisions.
        with (
            httpx.Client(timeout=20, headers=AUTH) as http,
            http.stream("GET", f"{a.url}/v1/decisions/stream") as stream,
        ):
            lines = stream.iter_lines()
            assert next(lines).startswith(":")
            for _ in range(2):
                evaluate(a.url, "Read", {"file_path": "/etc/shadow"})
            ids: list[str] = []
            for line in lines:
                if line.startswith("id: "):
                    ids.append(line)
                    if len(ids) == 2:
                        break
        assert ids == ["id: 1", "id: 2"]
        off = httpx.get(f"{a.url}/v1/audit", headers=AUTH, timeout=10)
        assert off.status_code == 503
        assert off.json()["error"] == "audit_off"
        for _ in range(3):
            evaluate(b.url, "Read", {"file_path": "/etc/shadow"})
        from_a, from_b = scrape(a.url), scrape(b.url)
    finally:
        a.stop()
        b.stop()
    for m in (from_a, from_b):
        assert value(m, "superego_decisions_total", decision="deny", tool="Read") == 5
        assert value(m, "superego_decision_duration_seconds_count") == 5


def test_json_logs_carry_request_ids_and_no_secrets(tmp_path: Path) -> None:
    env = clean_env(
        SUPEREGO_API_TOKEN=TOKEN,
        SUPEREGO_AUDIT=f"sqlite://{tmp_path / 'a.db'}",
        SUPEREGO_LOG_FORMAT="json",
        SUPEREGO_LOG_LEVEL="debug",
    )
    server = start_server(env=env)
    secret = "sk-ant-api03-" + "S" * 30
    try:
        r = evaluate(
            server.url,
            "Bash",
            {"command": f"ANTHROPIC_API_KEY={secret} claude"},
            **{"X-Request-ID": "req-4711"},
        )
        assert r.headers["x-request-id"] == "req-4711"
        generated = evaluate(server.url, "Bash", {"command": "ls"}).headers["x-request-id"]
        assert len(generated) == 16
        time.sleep(0.5)
    finally:
        server.stop()
    lines = [line for line in server.log.read_text().splitlines() if line.strip()]
    events = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(e) for e in events)
    decisions = [e for e in events if e["message"] == "decision"]
    assert any(e.get("request_id") == "req-4711" and e["tool"] == "Bash" for e in decisions)
    assert any(e.get("request_id") == generated for e in decisions)
    assert any("Uvicorn running" in e["message"] for e in events)  # uvicorn's lines too
    assert secret not in server.log.read_text()
    assert TOKEN not in server.log.read_text()
