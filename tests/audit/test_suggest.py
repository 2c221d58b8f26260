"""``superego-mcp suggest`` on a real recorded trail: the real hook process records what it
judged and what ran (PostToolUse), then ``suggest`` (a real process), its ``--write`` and the
real server's ``GET /v1/suggestions`` / ``POST /v1/suggestions/accept`` learn from it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.hook import SCRIPT
from support.server import clean_env, start_server
from support.trail import LEARNING_POLICY, HookProcesses, record_approvals


class Trail:
    """A recorded trail: its project, the policy, the audit database, the hook's
    environment."""

    def __init__(self, root: Path, env: dict[str, str], policy: Path, db: Path) -> None:
        self.root = root
        self.env = env
        self.policy = policy
        self.db = db

    @property
    def target(self) -> str:
        return f"sqlite://{self.db}"


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory) -> Trail:
    """Real hook processes record what people approved and refused
    (:func:`support.trail.record_approvals`) under :data:`LEARNING_POLICY`."""
    base = tmp_path_factory.mktemp("suggest")
    root = base / "project"
    (root / ".git").mkdir(parents=True)
    home = base / "home"
    home.mkdir()
    policy = base / "rules.yaml"
    policy.write_text(LEARNING_POLICY)
    db = base / "audit.db"
    env = clean_env(
        HOME=str(home),
        XDG_CONFIG_HOME=str(base / "config"),
        XDG_STATE_HOME=str(base / "state"),
        SUPEREGO_CACHE_DIR=str(base / "cache"),
        SUPEREGO_AUDIT=f"sqlite://{db}",
        CLAUDE_PROJECT_DIR=str(root),
    )
    record_approvals(HookProcesses(env, root, "--rules", str(policy)), "secret.txt")
    return Trail(root, env, policy, db)


def suggest(trail: Trail, *args: str, env: dict[str, str] | None = None) -> Any:
    assert SCRIPT is not None
    return subprocess.run(
        [SCRIPT, "suggest", "--rules", str(trail.policy), "--audit", trail.target, *args],
        capture_output=True,
        text=True,
        env=env or trail.env,
        cwd=trail.root,
        timeout=120,
        check=False,
    )


def test_five_sessions_approving_one_command_give_one_narrow_rule(trail: Trail) -> None:
    proc = suggest(trail, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["approved"] == 5 + 5 + 2 + 1
    assert result["refused"] == 1
    (only,) = result["suggestions"]
    rule = only["rule"]
    assert only["id"] == rule["id"] == "allow-learned-docker-compose-up-d"
    assert (only["approved"], only["sessions"]) == (5, 5)
    assert rule["action"] == "allow"
    assert rule["conditions"] == {
        "shell": {
            "program": "docker",
            "subcommand": "compose up",
            "flags": ["-d"],
            "dynamic": False,
        }
    }
    assert rule["priority"] < 200  # before the rule that asked, after the deny (40)
    assert rule["priority"] > 40
    assert rule["examples"]["match"] == ["docker compose up -d"]
    # The nearest refused and denied calls of the trail come first.
    assert rule["examples"]["no_match"][:2] == [
        "docker compose down -v",
        "docker run --privileged alpine",
    ]
    # The replay of the whole trail under it: exactly the five approvals change.
    replay = only["replay"]
    assert replay["changed"] == 5
    moved = [t for t in replay["transitions"] if t["old"] != t["new"]]
    assert moved == [{"old": "ask", "new": "allow", "count": 5}]
    assert {c["input"]["command"] for c in replay["changes"]} == {"docker compose up -d"}
    # Never a rule for a final rule's calls, however often they were approved.
    skipped = {s["shape"]: s["why"] for s in result["skipped"]}
    assert "final rule ask-force-push" in skipped["git push --force origin main"]
    assert not any("push" in json.dumps(s["rule"]) for s in result["suggestions"])
    # Possible evasion: cat denied, then the same file read with another tool.
    (evasion,) = result["evasions"]
    assert evasion["denied"]["input"]["command"] == "cat secret.txt"
    assert evasion["then"]["tool"] == "Read"
    assert "another tool on the same file" in evasion["why"]


def test_the_proposed_rule_passes_check_and_write_appends_it(trail: Trail) -> None:
    target = trail.root.parent / "team.yaml"
    original = (
        "# the team's rules: comments stay\n"
        "version: 1\n"
        "extends: bundled\n"
        "rules:\n"
        "  - id: ask-make-release  # ours\n"
        "    action: ask\n"
        '    reason: "Releases are made by CI."\n'
        "    conditions: {shell: {program: make, args: {equals: release}}}\n"
        "# end of file\n"
    )
    target.write_text(original)
    target.chmod(0o640)
    proc = suggest(trail, "--write", str(target), "--accept", "allow-learned-docker-compose-up-d")
    assert proc.returncode == 0, proc.stderr
    assert "wrote 1 rule(s)" in proc.stdout
    text = target.read_text()
    assert text.startswith(original.split("# end of file")[0])  # the old text, untouched
    assert "# end of file" in text
    assert "  - id: allow-learned-docker-compose-up-d" in text
    assert oct(target.stat().st_mode & 0o777) == "0o640"
    assert SCRIPT is not None
    check = subprocess.run(
        [SCRIPT, "check", "--rules", str(target)],
        capture_output=True,
        text=True,
        env=trail.env,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_write_never_breaks_a_working_file(trail: Trail) -> None:
    target = trail.root.parent / "flow.yaml"
    broken = "version: 1\nextends: bundled\nrules: [{id: x, action: allow, reason: r}]\n"
    target.write_text(broken)
    proc = suggest(trail, "--write", str(target))
    assert proc.returncode == 2
    assert "not a block list" in proc.stderr
    assert target.read_text() == broken
    unknown = suggest(trail, "--write", str(target), "--accept", "allow-nothing")
    assert unknown.returncode == 2
    assert "no suggestion allow-nothing" in unknown.stderr
    assert target.read_text() == broken


def test_write_project_creates_the_project_layer(trail: Trail) -> None:
    proc = suggest(trail, "--project", str(trail.root), "--write", "project")
    assert proc.returncode == 0, proc.stderr
    layer = trail.root / ".superego" / "policy.yaml"
    text = layer.read_text()
    # What the layers in effect extend: here the rules file stands alone, so none.
    assert text.startswith("version: 1\nextends: none\nrules:\n")
    assert "allow-learned-docker-compose-up-d" in text
    layer.unlink()
    layer.parent.rmdir()


def test_the_routes_list_and_only_the_token_accepts(trail: Trail) -> None:
    user_policy = trail.root.parent / "config" / "superego" / "policy.yaml"
    env = {
        **trail.env,
        "SUPEREGO_RULES": str(trail.policy),
        "SUPEREGO_API_TOKEN": "t0ken-for-tests-only",
    }
    server = start_server(env=env)
    try:
        auth = {"Authorization": "Bearer t0ken-for-tests-only"}
        listed = httpx.get(f"{server.url}/v1/suggestions", headers=auth, timeout=120)
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert [s["id"] for s in body["suggestions"]] == ["allow-learned-docker-compose-up-d"]
        assert body["files"]["user"] == str(user_policy)
        assert httpx.get(f"{server.url}/v1/suggestions", timeout=30).status_code == 401
        bad = httpx.get(f"{server.url}/v1/suggestions?min_sessions=0", headers=auth, timeout=30)
        assert (bad.status_code, bad.json()["error"]) == (422, "bad_query")
        # The dashboard's cookie reads, and cannot accept.
        signed = httpx.post(
            f"{server.url}/dashboard/login",
            content="token=t0ken-for-tests-only",
            headers={"content-type": "application/x-www-form-urlencoded"},
            timeout=30,
        )
        cookies = {"superego_dashboard": signed.cookies["superego_dashboard"]}
        assert httpx.get(f"{server.url}/v1/suggestions", cookies=cookies, timeout=120).is_success
        accept = {"ids": ["allow-learned-docker-compose-up-d"], "file": "user"}
        refused = httpx.post(
            f"{server.url}/v1/suggestions/accept", json=accept, cookies=cookies, timeout=30
        )
        assert refused.status_code == 401
        assert not user_policy.exists()
        path = httpx.post(
            f"{server.url}/v1/suggestions/accept",
            json={**accept, "file": "/etc/passwd"},
            headers=auth,
            timeout=30,
        )
        assert (path.status_code, path.json()["error"]) == (422, "bad_body")
        done = httpx.post(
            f"{server.url}/v1/suggestions/accept", json=accept, headers=auth, timeout=120
        )
        assert done.status_code == 200, done.text
        assert done.json()["accepted"] == ["allow-learned-docker-compose-up-d"]
        assert done.json()["written"] == str(user_policy)
        written = user_policy.read_text()
        assert "allow-learned-docker-compose-up-d" in written
        # The bundled policy is not in effect here (the rules file stands alone): a new
        # file extending it would bring in rule ids that clash, and break the policy.
        assert written.startswith("version: 1\nextends: none\nrules:\n")
        assert httpx.get(f"{server.url}/readyz", headers=auth, timeout=30).json()["error"] is None
        # The server reloaded: the calls are allowed now, nothing left to propose for them.
        again = httpx.get(f"{server.url}/v1/suggestions", headers=auth, timeout=120).json()
        assert again["suggestions"] == []
    finally:
        server.stop()
        if user_policy.exists():
            user_policy.unlink()


def test_a_server_without_a_token_accepts_nothing(trail: Trail) -> None:
    env = {**trail.env, "SUPEREGO_RULES": str(trail.policy)}
    server = start_server(env=env)
    try:
        answer = httpx.post(
            f"{server.url}/v1/suggestions/accept",
            json={"ids": ["allow-learned-docker-compose-up-d"]},
            timeout=60,
        )
        assert (answer.status_code, answer.json()["error"]) == (403, "no_token")
    finally:
        server.stop()


def test_suggest_is_a_read_and_suggest_write_is_denied_to_the_agent(trail: Trail) -> None:
    """From a tool call: the agent may look at suggestions, never accept them."""
    from superego_mcp.model import ToolCall
    from superego_mcp.policy.layers import load_policy

    bundled = load_policy(None)

    home = str(trail.root.parent / "home")
    for command, expected in (
        ("superego-mcp suggest --since 7d", "allow"),
        ("superego-mcp suggest --write user", "deny"),
        ("uvx superego-mcp suggest --accept x --write=.superego/policy.yaml", "deny"),
    ):
        c = ToolCall("Bash", {"command": command}, str(trail.root), project=str(trail.root))
        d = bundled.evaluate(c, home=home)
        assert d.action == expected, (command, d.rule_id, d.reason)
