"""``POST /v1/replay`` on a real server with a real recorded trail: calls judged through the
server's Claude Code HTTP hook and REST route are recorded in its SQLite audit, then replayed
over HTTP through the policy in force, a pasted policy and a file offered beside the policy,
and compared with what ``superego-mcp replay --format json`` reports for the same store."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.server import Server, clean_env, start_server
from support.trail import LOOSER, TIGHTER, HttpHook, record

TOKEN = "replay-route-token-8d2e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BUNDLED = Path(__file__).resolve().parents[2] / "src/superego_mcp/data/default_policy.yaml"
SECRET = "AKIA" + "QWERTYUIOPASDFGH"
# Hook calls (command, the bundled policy's answer), from tests/corpus.
HOOK_CALLS = [
    ("git status", "allow"),
    ("git log --oneline -5", "allow"),
    ("ls -la", "allow"),
    ("pytest -q", "allow"),
    ("git push --force origin main", "ask"),
    ("rm -rf ~", "deny"),
    (f"git status # {SECRET}", "allow"),
]


class Trail:
    """The server under test, its policy directory and audit file."""

    def __init__(self, server: Server, base: Path, env: dict[str, str]) -> None:
        self.server = server
        self.url = server.url
        self.base = base
        self.env = env
        self.policy_dir = base / "policy"
        self.db = base / "audit.db"

    def replay(self, body: dict[str, Any], **kw: Any) -> httpx.Response:
        kw.setdefault("headers", AUTH)
        return httpx.post(f"{self.url}/v1/replay", json=body, timeout=120, **kw)

    def cli(self, *args: str) -> dict[str, Any]:
        """``superego-mcp replay --format json`` on the same store and environment."""
        proc = subprocess.run(
            [sys.executable, "-m", "superego_mcp", "replay", "--format", "json", *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.base,
            timeout=300,
            check=False,
        )
        assert proc.returncode in (0, 1), proc.stderr
        data: dict[str, Any] = json.loads(proc.stdout)
        return data


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trail]:
    base = tmp_path_factory.mktemp("replay-route")
    policy_dir = base / "policy"
    policy_dir.mkdir()
    (policy_dir / "policy.yaml").write_text(BUNDLED.read_text())
    (policy_dir / "looser.yaml").write_text(LOOSER)
    (policy_dir / "notes.txt").write_text("not a policy")
    outside = base / "outside.yaml"
    outside.write_text(LOOSER)
    (policy_dir / "linked.yaml").symlink_to(outside)  # a link out of the directory
    (base / "home").mkdir()
    env = clean_env(
        HOME=str(base / "home"),
        SUPEREGO_API_TOKEN=TOKEN,
        SUPEREGO_AUDIT=f"sqlite://{base / 'audit.db'}",
        SUPEREGO_RULES=str(policy_dir / "policy.yaml"),
        SUPEREGO_CACHE_DIR=str(base / "cache"),
        XDG_STATE_HOME=str(base / "state"),
        XDG_CONFIG_HOME=str(base / "config"),
    )
    server = start_server(env=env)
    t = Trail(server, base, env)
    try:
        record(HttpHook(t.url, base, AUTH), HOOK_CALLS)
        with httpx.Client(headers=AUTH, timeout=30) as client:
            for body in (
                {"tool_name": "Read", "tool_input": {"file_path": "/etc/hostname"}},
                {"tool_name": "Bash", "tool_input": {"command": "git diff"}},
            ):
                client.post(
                    f"{t.url}/v1/evaluate", json={**body, "cwd": str(base)}
                ).raise_for_status()
        yield t
    finally:
        server.stop()


RECORDED = len(HOOK_CALLS) + 2


def test_the_policy_in_force_replays_to_no_change(trail: Trail) -> None:
    answer = trail.replay({})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["rows"] == report["judged"] == RECORDED
    assert report["changed"] == 0
    assert report["changes"] == []
    assert report["judged_redacted"] == 1  # the AWS key was stored redacted
    assert all(t["old"] == t["new"] for t in report["transitions"])


def test_a_pasted_tighter_policy_shows_exactly_the_calls_it_now_asks(trail: Trail) -> None:
    answer = trail.replay({"yaml": TIGHTER})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    changed = {c["input"]["command"] for c in report["changes"]}
    assert changed == {
        "git status",
        "git log --oneline -5",
        f"git status # {SECRET}".replace(SECRET, "[REDACTED]"),
        "git diff",
    }
    assert report["loosened"] == 0
    for change in report["changes"]:
        assert change["old"]["decision"] == "allow"
        assert change["new"] == {
            "decision": "ask",
            "rule": "ask-git-here",
            "reason": "Git needs a person here.",
        }
        assert change["old"]["rule"] == "allow-git-everyday"
    assert {"old": "allow", "new": "ask", "count": 4} in report["transitions"]
    assert report["rules"]["ask-git-here"] == {"before": 0, "after": 5}


def test_the_report_is_the_command_lines(trail: Trail, tmp_path: Path) -> None:
    """The same store through the same policy text: the CLI's JSON, field for field (but
    the digest, which covers the policy's file name)."""
    policy = tmp_path / "tighter.yaml"
    policy.write_text(TIGHTER)
    over_http = trail.replay({"yaml": TIGHTER, "tool": "Bash"}).json()
    cli = trail.cli("--audit", f"sqlite://{trail.db}", "--rules", str(policy), "--tool", "Bash")
    over_http.pop("policy_digest")
    cli.pop("policy_digest")
    assert over_http == cli
    assert over_http["rows"] == RECORDED - 1


def test_a_file_beside_the_policy_is_offered_and_replayed(trail: Trail) -> None:
    listing = httpx.get(f"{trail.url}/v1/replay/policies", headers=AUTH, timeout=10).json()
    paths = {f["path"]: f for f in listing["files"]}
    looser = str(trail.policy_dir / "looser.yaml")
    assert set(paths) == {str(BUNDLED), str(trail.policy_dir / "policy.yaml"), looser}
    assert paths[str(trail.policy_dir / "policy.yaml")]["in_force"] is True
    assert paths[looser] == {"path": looser, "layer": "rules", "in_force": False}
    report = trail.replay({"file": looser}).json()
    assert report["loosened"] == 1
    [change] = report["changes"]
    assert change["input"]["command"] == "git push --force origin main"
    assert change["old"]["decision"] == "ask"
    assert change["new"]["decision"] == "allow"
    assert change["new"]["reason"] == "Force pushes are fine here."
    assert change["loosens"] is True


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "policy/../outside.yaml",
        "{dir}/../outside.yaml",
        "{dir}/linked.yaml",
        "{dir}/notes.txt",
        "{dir}/missing.yaml",
    ],
)
def test_no_other_file_is_read(trail: Trail, path: str) -> None:
    answer = trail.replay({"file": path.format(dir=trail.policy_dir)})
    assert answer.status_code == 422
    assert answer.json()["error"] == "not_offered"


@pytest.mark.parametrize(
    ("text", "status", "detail"),
    [
        ("version: 1\nrules: [\n", 422, "<pasted>:3: YAML syntax error"),
        ("version: 1\nextends: [bundled, /etc/passwd]\n", 422, "<pasted>:2: a pasted policy"),
        ("version: 1\nextends: ../policy/policy.yaml\n", 422, "<pasted>:2: a pasted policy"),
        ("version: 1\nextends: ~/x.yaml\n", 422, "<pasted>:2: a pasted policy"),
        (
            "version: 1\nrules:\n  - id: x\n    action: maybe\n    reason: r\n"
            "    conditions: {tool: Read}\n",
            422,
            "<pasted>:4: rule x:",
        ),
        ("[" * 500 + "]" * 500, 422, "<pasted>:1: the pasted policy nests deeper than 64"),
        ("x: " + "y" * 300_000, 413, "over 262144 bytes"),
    ],
)
def test_a_bad_pasted_policy_is_refused_naming_its_line(
    trail: Trail, text: str, status: int, detail: str
) -> None:
    answer = trail.replay({"yaml": text})
    assert answer.status_code == status, answer.text
    assert detail in answer.json()["detail"]


def test_an_alias_bomb_is_refused_before_it_expands(trail: Trail) -> None:
    lines = ['l0: &l0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 10) + "]")
    started = time.monotonic()
    answer = trail.replay({"yaml": "\n".join(lines) + "\n"})
    assert answer.status_code == 422
    assert (
        "<pasted>:6: the pasted policy expands to more than 200000 YAML nodes"
        in (answer.json()["detail"])
    )
    assert time.monotonic() - started < 30


def test_filters_and_bad_requests(trail: Trail) -> None:
    report = trail.replay({"yaml": TIGHTER, "tool": "Read"}).json()
    assert report["rows"] == 1
    assert report["changed"] == 0
    report = trail.replay({"decision": "deny", "until": str(time.time() + 60)}).json()
    assert report["rows"] == 1
    assert trail.replay({"until": "0"}).json()["rows"] == 0
    for body, detail in [
        ({"decision": "maybe"}, "decision must be one of"),
        ({"since": "yesterday-ish"}, "since"),
        ({"colour": "red"}, "unknown field(s): colour"),
        ({"file": str(BUNDLED), "yaml": TIGHTER}, "not both"),
        ({"limit": 5000}, "'limit' must be"),
        ({"yaml": 7}, "'yaml' must be a string"),
    ]:
        answer = trail.replay(body)
        assert answer.status_code == 422, body
        assert detail in answer.json()["detail"], body
    assert trail.replay({"limit": 1, "yaml": TIGHTER}).json()["changed"] == 4
    assert len(trail.replay({"limit": 1, "yaml": TIGHTER}).json()["changes"]) == 1


def test_the_cookie_may_replay_but_not_evaluate(trail: Trail) -> None:
    assert trail.replay({}, headers={}).status_code == 401
    login = httpx.post(
        f"{trail.url}/dashboard/login", data={"token": TOKEN}, timeout=10, follow_redirects=False
    )
    jar = dict(login.cookies)
    assert jar
    answer = httpx.post(f"{trail.url}/v1/replay", json={}, cookies=jar, timeout=120)
    assert answer.status_code == 200, answer.text
    assert answer.json()["rows"] == RECORDED
    evaluate = httpx.post(
        f"{trail.url}/v1/evaluate",
        json={"tool_name": "Read", "tool_input": {"file_path": "/x"}, "cwd": "/"},
        cookies=jar,
        timeout=10,
    )
    assert evaluate.status_code == 401
    # A form post (what another site could make a browser send) is not a replay.
    form = httpx.post(f"{trail.url}/v1/replay", data={"yaml": TIGHTER}, cookies=jar, timeout=10)
    assert form.status_code == 415
    duplicate = httpx.post(
        f"{trail.url}/v1/replay",
        content=b'{"tool": "Read", "tool": "Bash"}',
        headers={**AUTH, "content-type": "application/json"},
        timeout=10,
    )
    assert duplicate.status_code == 422


def test_a_replay_that_runs_too_long_is_stopped_and_its_process_killed(
    trail: Trail, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A regular expression that backtracks for ever, on a recorded call: the child process
    is killed at the deadline and the answer says so. The child never sees a credential of
    the server's environment."""
    from superego_mcp.audit.store import Query
    from superego_mcp.config import Settings
    from superego_mcp.server.replay import BadReplay, run_job
    from superego_mcp.server.replay_worker import Job

    evil = (
        "version: 1\nextends: bundled\nrules:\n  - id: slow\n    priority: 1\n"
        "    action: deny\n    reason: slow\n    conditions:\n"
        "      param: {command: {regex: '^(a+)+$'}}\n"
    )
    httpx.post(
        f"{trail.url}/v1/evaluate",
        json={"tool_name": "Bash", "tool_input": {"command": "a" * 40 + "!"}, "cwd": "/"},
        headers=AUTH,
        timeout=30,
    ).raise_for_status()
    monkeypatch.setenv("SUPEREGO_API_TOKEN", TOKEN)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    settings = Settings(audit=f"sqlite://{trail.db}", rules=None)
    job = Job(settings, query=Query(text="a" * 40), until=None, limit=5, text=evil)
    before = set(_children())
    seen: list[str] = []

    async def watch() -> None:
        task = asyncio.create_task(run_job(job, timeout=3))
        while not task.done():
            for pid in set(_children()) - before:
                with contextlib.suppress(OSError):  # it may have ended meanwhile
                    seen.append(Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace"))
            await asyncio.sleep(0.2)
        await task

    started = time.monotonic()
    with pytest.raises(BadReplay) as caught:
        asyncio.run(watch())
    assert caught.value.status == 504
    assert time.monotonic() - started < 20
    assert not set(_children()) - before  # no replay process left behind
    assert seen  # the child was looked at while it ran
    assert all("HOME=" in env for env in seen)
    assert not any(TOKEN in env or "sk-test-not-a-key" in env for env in seen)


def _children() -> list[int]:
    """This process's child process ids (from /proc)."""
    me = str(os.getpid())
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[1] == me:
                found.append(int(entry))
    return found


ADDED = """\
version: 1
rules:
  - id: ask-ls-here
    priority: 5
    action: ask
    reason: "Listing needs a person here."
    conditions:
      shell: {program: ls}
"""


def test_add_puts_the_pasted_rules_over_the_policy_in_force(trail: Trail) -> None:
    """With `add`, the pasted rules join the policy in force (here the --rules file, which
    a pasted --rules layer would replace): only the calls they decide change."""
    report = trail.replay({"yaml": ADDED, "add": True}).json()
    assert [c["input"]["command"] for c in report["changes"]] == ["ls -la"]
    [change] = report["changes"]
    assert change["new"] == {
        "decision": "ask",
        "rule": "ask-ls-here",
        "reason": "Listing needs a person here.",
    }
    assert report["rules"] == {
        change["old"]["rule"]: {"before": 1, "after": 0},
        "ask-ls-here": {"before": 0, "after": 1},
    }
    assert change["old"]["decision"] == "allow"
    in_force = trail.replay({}).json()
    assert report["policy_digest"] != in_force["policy_digest"]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (ADDED.replace("version: 1\n", "version: 1\nextends: bundled\n"), "<pasted>:2: rules"),
        (
            "version: 1\nrules:\n  - id: allow-git-everyday\n    action: ask\n    reason: r\n"
            "    conditions: {tool: Read}\n",
            "<pasted>:3: rule allow-git-everyday: the policy in force already has",
        ),
        ("version: 1\ndefault: {action: allow}\nrules: []\n", "<pasted>:2: rules added"),
        ("version: 1\noverrides:\n  ask-force-push: {action: allow}\n", "<pasted>:3: rules"),
    ],
)
def test_add_takes_new_rules_only(trail: Trail, text: str, detail: str) -> None:
    answer = trail.replay({"yaml": text, "add": True})
    assert answer.status_code == 422, answer.text
    assert detail in answer.json()["detail"]
    assert trail.replay({"add": True}).status_code == 422  # add needs yaml
