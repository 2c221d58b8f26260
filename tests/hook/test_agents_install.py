"""`superego-mcp hooks install | uninstall | status --agent NAME|all` for the other agents,
run as a real process on a temp HOME; and OpenCode's plugin, run for real under node."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest
from agent_helpers import warmed

from support.hook import SCRIPT
from system_parts import require

JSON_AGENTS = {
    # agent: (user file under HOME, project file under the project, event)
    "codex": (".codex/hooks.json", ".codex/hooks.json", "PreToolUse"),
    "gemini": (".gemini/settings.json", ".gemini/settings.json", "BeforeTool"),
    "copilot": (".copilot/hooks/superego.json", ".github/hooks/superego.json", "preToolUse"),
    "cursor": (".cursor/hooks.json", ".cursor/hooks.json", "preToolUse"),
}


def hooks(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert SCRIPT is not None
    return subprocess.run(
        [SCRIPT, "hooks", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


@pytest.fixture
def env(hook_env: dict[str, str]) -> dict[str, str]:
    """A PATH on which no agent is found, and no agent home overrides."""
    out = {**hook_env, "PATH": "/usr/bin:/bin"}
    for k in ("CODEX_HOME", "COPILOT_HOME", "XDG_CONFIG_HOME"):
        out.pop(k, None)
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    p = tmp_path / "proj"
    p.mkdir()
    return p


def commands(agent: str, data: dict[str, object], event: str) -> list[str]:
    """Every command under ``event`` (nested groups for Codex and Gemini)."""
    entries = data["hooks"][event]  # type: ignore[index]
    if agent in ("codex", "gemini"):
        entries = [h for g in entries for h in g["hooks"]]
    return [e.get("command") or e.get("bash") for e in entries]


@pytest.mark.parametrize("agent", list(JSON_AGENTS))
@pytest.mark.parametrize("scope", ["user", "project"])
def test_install_merges_is_idempotent_backs_up_and_uninstalls(
    env: dict[str, str], project: Path, agent: str, scope: str
) -> None:
    user_rel, project_rel, event = JSON_AGENTS[agent]
    path = Path(env["HOME"], user_rel) if scope == "user" else project / project_rel
    path.parent.mkdir(parents=True)
    theirs = {"command": "/usr/local/bin/their-guard", "type": "command"}
    entry = {"matcher": "*", "hooks": [theirs]} if agent in ("codex", "gemini") else theirs
    original: dict[str, object] = {
        "model": "keep-me",
        "hooks": {event: [entry], "Stop": [{"x": 1}]},
    }
    if agent in ("copilot", "cursor"):
        original["version"] = 1  # their files carry it (we add it when missing)
    path.write_text(json.dumps(original))
    args = ("--agent", agent, "--scope", scope, "--project-dir", str(project))
    for _ in range(2):  # twice: still one entry of ours
        r = hooks(env, project, "install", *args)
        assert r.returncode == 0, r.stderr
    data = json.loads(path.read_text())
    assert data["model"] == "keep-me"
    assert data["hooks"]["Stop"] == [{"x": 1}]
    cmds = commands(agent, data, event)
    assert cmds[0] == "/usr/local/bin/their-guard"
    assert len(cmds) == 2
    assert cmds[1].endswith(" || exit 2")  # fails closed when the program is gone
    argv = shlex.split(cmds[1].removesuffix(" || exit 2"))
    assert Path(argv[0]).is_file()
    assert os.access(argv[0], os.X_OK)
    assert argv[1:] == ["hook", "--agent", agent]
    if agent in ("copilot", "cursor"):
        assert data["version"] == 1
    if agent == "cursor":
        assert data["hooks"][event][1]["failClosed"] is True
        # Beside it, postToolUse records that a call ran; it never blocks (docs/replay.md).
        assert data["hooks"]["postToolUse"] == [
            {"command": cmds[1].removesuffix(" || exit 2"), "timeout": 60}
        ]
    if agent == "gemini":
        # the default --timeout (60 s, room for a review), in milliseconds
        assert data["hooks"][event][1]["hooks"][0]["timeout"] == 60_000
    assert Path(str(path) + ".bak").is_file()
    status = hooks(env, project, "status", "--agent", agent, "--project-dir", str(project))
    assert status.returncode == 0
    assert f"{agent} {scope}: {event} {cmds[1]}" in status.stdout
    r = hooks(env, project, "uninstall", *args)
    assert r.returncode == 0, r.stderr
    assert json.loads(path.read_text()) == original


@pytest.mark.parametrize("agent", list(JSON_AGENTS))
def test_a_broken_file_is_left_untouched(env: dict[str, str], project: Path, agent: str) -> None:
    path = Path(env["HOME"], JSON_AGENTS[agent][0])
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    r = hooks(env, project, "install", "--agent", agent)
    assert r.returncode == 2
    assert str(path) in r.stderr
    assert path.read_text() == "{not json"


def test_options_an_agent_does_not_have_are_refused(env: dict[str, str], project: Path) -> None:
    r = hooks(env, project, "install", "--agent", "codex", "--scope", "local")
    assert r.returncode == 2
    assert "no 'local' scope" in r.stderr
    r = hooks(env, project, "install", "--agent", "gemini", "--mode", "http", "--url", "http://x")
    assert r.returncode == 2
    assert "no http hooks" in r.stderr
    r = hooks(env, project, "install", "--agent", "cursor", "--timeout", "3")
    assert r.returncode == 2
    assert not Path(env["HOME"], ".cursor").exists()


def test_install_all_installs_where_agents_are_found_and_reports_the_rest(
    env: dict[str, str], project: Path, tmp_path: Path
) -> None:
    home = Path(env["HOME"])
    (home / ".gemini").mkdir()
    (home / ".claude").mkdir()
    bin_dir = tmp_path / "bin"  # an agent found by its program on PATH
    bin_dir.mkdir()
    (bin_dir / "codex").write_text("#!/bin/sh\n")
    (bin_dir / "codex").chmod(0o755)
    env = {**env, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    r = hooks(env, project, "install", "--agent", "all")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "claude: installed PreToolUse" in out
    assert "codex: installed PreToolUse" in out
    assert "gemini: installed BeforeTool" in out
    for agent in ("copilot", "cursor", "opencode"):
        assert f"{agent}: skipped (not found" in out
    assert (home / ".codex" / "hooks.json").is_file()
    assert not (home / ".cursor").exists()
    status = hooks(env, project, "status", "--agent", "all", "--project-dir", str(project))
    assert status.returncode == 0
    assert "gemini user: BeforeTool" in status.stdout
    assert "cursor user: not installed" in status.stdout
    r = hooks(env, project, "uninstall", "--agent", "all")
    assert r.returncode == 0
    assert "gemini: removed 1 Superego hook entry" in r.stdout
    assert json.loads((home / ".gemini" / "settings.json").read_text()) == {}


def test_status_reports_a_broken_installation(env: dict[str, str], project: Path) -> None:
    path = Path(env["HOME"], ".cursor", "hooks.json")
    path.parent.mkdir(parents=True)
    gone = "/nonexistent/bin/superego-mcp hook --agent cursor"
    path.write_text(json.dumps({"version": 1, "hooks": {"preToolUse": [{"command": gone}]}}))
    r = hooks(env, project, "status", "--agent", "cursor", "--project-dir", str(project))
    assert r.returncode == 2
    assert "BROKEN: /nonexistent/bin/superego-mcp" in r.stdout


# --- OpenCode ------------------------------------------------------------------------------


def plugin_path(project: Path) -> Path:
    return project / ".opencode" / "plugins" / "superego.js"


def test_opencode_plugin_install_and_uninstall(env: dict[str, str], project: Path) -> None:
    args = ("--agent", "opencode", "--scope", "project", "--project-dir", str(project))
    r = hooks(env, project, "install", *args)
    assert r.returncode == 0, r.stderr
    text = plugin_path(project).read_text()
    assert text.startswith("// superego-mcp plugin for OpenCode")
    assert "__SUPEREGO_" not in text
    r = hooks(env, project, "status", "--agent", "opencode", "--project-dir", str(project))
    assert "opencode project: plugin" in r.stdout
    assert hooks(env, project, "install", *args).returncode == 0
    assert Path(str(plugin_path(project)) + ".bak").is_file()
    r = hooks(env, project, "uninstall", *args)
    assert r.returncode == 0
    assert not plugin_path(project).exists()
    # Someone else's file of that name is never replaced or removed.
    plugin_path(project).write_text("export const Mine = async () => ({})\n")
    r = hooks(env, project, "install", *args)
    assert r.returncode == 2
    assert "not Superego's plugin" in r.stderr
    r = hooks(env, project, "uninstall", *args)
    assert "left untouched" in r.stdout
    assert plugin_path(project).read_text().startswith("export const Mine")


HARNESS = """\
const mod = await import(process.argv[2])
const hooks = await mod.SuperegoPlugin({ directory: process.argv[3], worktree: process.argv[3] })
const results = []
for (const call of JSON.parse(process.argv[4])) {
  const output = { args: call.args }
  try {
    await hooks["tool.execute.before"]({ tool: call.tool, sessionID: "ses_1", callID: "c" }, output)
    results.push({ ran: true })
  } catch (err) {
    results.push({ ran: false, message: String(err.message) })
  }
}
console.log(JSON.stringify(results))
"""


def run_plugin(
    env: dict[str, str], project: Path, plugin: Path, calls: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Load the plugin under node (as OpenCode would under Bun) and run its hook."""
    node = require("node")
    module = project / "plugin.mjs"  # node needs .mjs for an ES module outside a package
    module.write_text(plugin.read_text())
    harness = project / "harness.mjs"
    harness.write_text(HARNESS)
    proc = subprocess.run(
        [node, str(harness), module.as_uri(), str(project), json.dumps(calls)],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert isinstance(results, list)
    return results


def test_opencode_plugin_under_node(env: dict[str, str], project: Path) -> None:
    rules = warmed(project)
    args = ("--agent", "opencode", "--scope", "project", "--project-dir", str(project))
    assert hooks(env, project, "install", *args, "--rules", str(rules)).returncode == 0
    calls: list[dict[str, object]] = [
        {"tool": "read", "args": {"filePath": str(project / "README.md")}},  # allow
        {"tool": "bash", "args": {"command": "rm -rf dist"}},  # deny
        {"tool": "edit", "args": {"filePath": "/etc/hosts", "oldString": "a", "newString": "b"}},
        {"tool": "todowrite", "args": {"todos": []}},  # no rule: the policy default, ask
    ]
    got = run_plugin(env, project, plugin_path(project), calls)
    assert got[0] == {"ran": True}
    assert got[1]["ran"] is False
    assert "(rule deny-rm)" in str(got[1]["message"])
    assert got[2]["ran"] is False
    assert "wants a person to confirm" in str(got[2]["message"])
    assert got[3]["ran"] is False


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["/nonexistent/superego-mcp"], "could not run"),
        (["/bin/sh", "-c", "exit 1"], "no usable answer (exit 1)"),
        (["/bin/sh", "-c", 'echo \'{"decision": "allow"\''], "no usable answer"),
        (["/bin/sh", "-c", "echo 'nope' >&2; exit 2"], "nope"),
        (["/bin/sh", "-c", "sleep 30"], "did not answer within 500 ms"),
    ],
)
def test_opencode_plugin_fails_closed(
    env: dict[str, str], project: Path, command: list[str], expected: str
) -> None:
    args = ("--agent", "opencode", "--scope", "project", "--project-dir", str(project))
    assert hooks(env, project, "install", *args).returncode == 0
    text = plugin_path(project).read_text()
    lines = text.splitlines()
    for i, line in enumerate(lines):  # the same plugin, pointed at a broken command
        if line.startswith("const COMMAND = "):
            lines[i] = f"const COMMAND = {json.dumps(command)}"
        if line.startswith("const TIMEOUT_MS = "):
            lines[i] = "const TIMEOUT_MS = 500"
    broken = project / "broken.js"
    broken.write_text("\n".join(lines))
    got = run_plugin(env, project, broken, [{"tool": "bash", "args": {"command": "ls"}}])
    assert got[0]["ran"] is False
    assert expected in str(got[0]["message"])
