"""The server's decision cache (``policy.judgecache``) against a real server: an answer is
reused (the metrics count the hit) and stops being reused when anything it depended on
changes: a policy reload, a new policy layer, an exception granted or expired, the
session's memory of written files, a script's content, a symlink."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from superego_mcp.grants import grant
from support.server import Server, clean_env, start_server

HOOK = "/v1/hooks/claude-code"

POLICY = """\
version: 1
default: {{action: allow, reason: nothing matched}}
rules:
  - id: read-{read}
    action: {read}
    reason: reading is {read} here
    conditions:
      tool: Read
  - id: ask-me
    action: ask
    reason: a person decides this one
    conditions:
      shell: {{program: echo, args: {{equals: ask-me}}}}
  - id: ask-run-written
    action: ask
    reason: "this runs a file the session wrote: {{details}}"
    conditions:
      shell: {{finding: runs_session_write}}
  - id: no-ssh-write
    action: deny
    reason: ssh files stay as they are
    conditions:
      tool: Write
      path: ["~/.ssh/**"]
"""

USER_LAYER = """\
version: 1
rules:
  - id: user-says-no
    action: deny
    reason: the user layer forbids this
    conditions:
      shell: {program: echo, args: {equals: layered}}
"""


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _within(seconds: float, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"not true within {seconds}s")


class Place:
    """One server and the directories it reads."""

    def __init__(self, server: Server, root: Path) -> None:
        self.server = server
        self.root = root
        self.rules = root / "rules.yaml"
        self.user_layer = root / "config" / "superego" / "policy.yaml"
        self.state = root / "state"
        self.project = root / "project"

    def hook(self, tool: str, session: str = "cache-test", **tool_input: Any) -> tuple[str, str]:
        payload = {
            "session_id": session,
            "cwd": str(self.project),
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": tool_input,
        }
        r = httpx.post(self.server.url + HOOK, json=payload, timeout=30)
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()["hookSpecificOutput"]
        return out["permissionDecision"], out["permissionDecisionReason"]

    def hits(self) -> int:
        text = httpx.get(self.server.url + "/metrics", timeout=10).text
        found = re.search(r'superego_decision_cache_lookups_total\{result="hit"\} (\S+)', text)
        assert found, "the decision cache's lookups are not in /metrics"
        return int(float(found.group(1)))

    def reloads(self) -> int:
        status: dict[str, Any] = httpx.get(self.server.url + "/readyz", timeout=10).json()
        return int(status["policy"]["reloads"])

    def cached(self, tool: str, **tool_input: Any) -> tuple[str, str]:
        """The answer for a call asked twice, the second time from the cache."""
        first = self.hook(tool, **tool_input)
        before = self.hits()
        assert self.hook(tool, **tool_input) == first
        assert self.hits() == before + 1, "the second ask was not answered from the cache"
        return first


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Place]:
    root = tmp_path_factory.mktemp("decision-cache")
    (root / "project").mkdir()
    (root / "rules.yaml").write_text(POLICY.format(read="deny"))
    env = clean_env(
        XDG_CONFIG_HOME=str(root / "config"),
        SUPEREGO_STATE_DIR=str(root / "state"),
        SUPEREGO_CACHE_DIR=str(root / "cache"),
        SUPEREGO_AUDIT="off",
    )
    server = start_server("--rules", str(root / "rules.yaml"), env=env)
    yield Place(server, root)
    server.stop()


def test_a_policy_reload_empties_it(place: Place) -> None:
    assert place.cached("Read", file_path="/etc/hostname")[0] == "deny"
    before = place.reloads()
    _write(place.rules, POLICY.format(read="allow"))
    _within(10, lambda: place.reloads() > before)
    assert place.hook("Read", file_path="/etc/hostname")[0] == "allow"
    _write(place.rules, POLICY.format(read="deny"))
    _within(10, lambda: place.hook("Read", file_path="/etc/hostname")[0] == "deny")


def test_a_new_layer_empties_it(place: Place) -> None:
    assert place.cached("Bash", command="echo layered")[0] == "allow"
    before = place.reloads()
    place.user_layer.parent.mkdir(parents=True, exist_ok=True)
    _write(place.user_layer, USER_LAYER)
    _within(10, lambda: place.reloads() > before)
    decision, why = place.hook("Bash", command="echo layered")
    assert decision == "deny", why
    assert "user layer forbids" in why
    place.user_layer.unlink()
    _within(10, lambda: place.hook("Bash", command="echo layered")[0] == "allow")


def test_an_exception_applies_at_once_and_ends_at_its_expiry(place: Place) -> None:
    assert place.cached("Bash", command="echo ask-me")[0] == "ask"
    entry = grant(
        str(place.state),
        "Bash",
        {"command": "echo ask-me"},
        once=False,
        seconds=3,
        reason="test",
        by="test",
    )
    decision, why = place.hook("Bash", command="echo ask-me")
    assert decision == "allow", why
    assert entry["id"] in why or "exception" in why.lower()
    time.sleep(max(0.0, entry["expires"] - time.time()) + 0.2)
    assert place.hook("Bash", command="echo ask-me")[0] == "ask"


def test_a_once_exception_is_used_up(place: Place) -> None:
    assert place.cached("Bash", command="echo ask-me")[0] == "ask"
    grant(str(place.state), "Bash", {"command": "echo ask-me"}, once=True, seconds=None,
          reason="test", by="test")  # fmt: skip
    assert place.hook("Bash", command="echo ask-me")[0] == "allow"
    assert place.hook("Bash", command="echo ask-me")[0] == "ask"


def test_a_write_in_the_session_is_seen(place: Place) -> None:
    job = place.project / "job.rb"
    job.write_text("puts 1\n")
    assert place.cached("Bash", command="ruby job.rb")[0] == "allow"
    assert place.hook("Write", file_path=str(job), content="puts 2\n")[0] == "allow"
    decision, why = place.hook("Bash", command="ruby job.rb")
    assert decision == "ask", why
    assert f"ruby runs {job}, written by Write at" in why
    # Another session wrote nothing: its answer is the one from before.
    assert place.hook("Bash", session="other-session", command="ruby job.rb")[0] == "allow"


def _old_enough(path: Path) -> None:
    """Past observe.RACY_NS: a file changed this recently is never cached."""
    info = path.lstat()
    time.sleep(max(0.0, 2.2 - (time.time() - max(info.st_mtime, info.st_ctime))))


def test_a_script_whose_content_changes_is_judged_again(place: Place) -> None:
    script = place.project / "tidy.sh"
    script.write_text("#!/bin/sh\necho tidy\n")
    script.chmod(0o755)
    _old_enough(script)
    assert place.cached("Bash", command="./tidy.sh")[0] == "allow"
    script.write_text("#!/bin/sh\necho ask-me\n")  # same inode, new content
    decision, why = place.hook("Bash", command="./tidy.sh")
    assert decision == "ask", why
    assert "tidy.sh" in why


def test_a_symlink_pointed_elsewhere_is_judged_again(place: Place) -> None:
    home = Path(os.environ["HOME"])
    (place.project / "notes.txt").write_text("notes\n")
    link = place.project / "current"
    link.symlink_to(place.project / "notes.txt")
    _old_enough(link)
    assert place.cached("Write", file_path=str(link), content="x")[0] == "allow"
    link.unlink()
    link.symlink_to(home / ".ssh" / "authorized_keys")
    decision, why = place.hook("Write", file_path=str(link), content="x")
    assert decision == "deny", why
    assert "ssh files stay" in why
