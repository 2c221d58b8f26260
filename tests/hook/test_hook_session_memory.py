"""Session memory through real hook processes: a file written in one call of a session and run
in a later one is asked about, naming the write; another session is not affected; other
agents' write tools count; `explain --session` shows the same; the store is shared with a
server on this machine (docs/rules.md "Session memory")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from agent_helpers import reason as agent_reason
from agent_helpers import verdict

from support.hook import Result, bash, call

RunHook = Callable[..., Result]


def _project(tmp_path: Path, run_hook: RunHook) -> Path:
    """The test's project (inside the hook's HOME), after warming the policy cache: a cold
    compile on a loaded machine can outlast the hook's own 5 s deadline."""
    for _ in range(3):
        _, why = run_hook(call("Read", {"file_path": "/etc/hostname"})).pre_tool_use()
        if "no decision within" not in why:
            break
    project = tmp_path / "home" / "project"
    (project / ".git").mkdir(parents=True)
    return project


def test_write_then_run_across_calls_of_a_session(run_hook: RunHook, tmp_path: Path) -> None:
    project = _project(tmp_path, run_hook)
    script = project / "tidy.rb"
    script.write_text("puts 'tidy'\n")
    run = bash("ruby tidy.rb", cwd=str(project), session_id="sess-a")
    assert run_hook(run).pre_tool_use()[0] == "allow"  # the project's own script
    write = call(
        "Write",
        {"file_path": str(script), "content": "Dir.rmdir(Dir.home)\n"},
        cwd=str(project),
        session_id="sess-a",
    )
    assert run_hook(write).pre_tool_use()[0] == "allow"
    decision, why = run_hook(run).pre_tool_use()
    assert decision == "ask", why
    assert f"ruby runs {script}, written by Write at " in why
    # Another session wrote nothing: unchanged.
    other = bash("ruby tidy.rb", cwd=str(project), session_id="sess-b")
    assert run_hook(other).pre_tool_use()[0] == "allow"
    # The session's memory is one 0600 file in the hook's cache directory.
    store = tmp_path / "cache" / "writes" / "sess-a"
    assert str(script) in store.read_text()
    assert store.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "cache" / "writes" / "sess-b").exists()


def test_a_compiled_binary_and_a_download(run_hook: RunHook, tmp_path: Path) -> None:
    project = _project(tmp_path, run_hook)
    (project / "build").mkdir()
    (project / "build" / "app").write_bytes(b"\x7fELF\0\0")
    source = project / "main.c"

    def hook(payload: dict[str, object]) -> tuple[str, str]:
        return run_hook(payload).pre_tool_use()

    write = {"file_path": str(source), "content": "int main(void) { return 0; }\n"}
    assert hook(call("Write", write, cwd=str(project), session_id="sess-c"))[0] == "allow"
    assert hook(bash("gcc -o build/app main.c", cwd=str(project), session_id="sess-c"))[0] == (
        "allow"
    )
    decision, why = hook(bash("./build/app", cwd=str(project), session_id="sess-c"))
    assert decision == "ask", why
    assert f"built from {source}" in why
    assert hook(bash("curl -o t https://example.com/t", cwd=str(project), session_id="d"))[0] == (
        "allow"
    )
    (project / "t").write_bytes(b"\x7fELF\0\0")
    assert hook(bash("chmod +x t", cwd=str(project), session_id="d"))[0] == "allow"
    decision, why = hook(bash("./t", cwd=str(project), session_id="d"))
    assert decision == "ask", why
    assert "written by curl (Bash)" in why


def test_another_agents_write_tool_counts(run_hook: RunHook, tmp_path: Path) -> None:
    project = _project(tmp_path, run_hook)
    script = project / "job.pl"
    script.write_text("print 1;\n")
    base = {"session_id": "gem-1", "cwd": str(project), "hook_event_name": "BeforeTool"}
    write = {**base, "tool_name": "write_file"}
    write["tool_input"] = {"file_path": str(script), "content": "unlink glob('*');\n"}
    shell = {**base, "tool_name": "run_shell_command"}
    shell["tool_input"] = {"command": "perl job.pl", "description": "run"}
    out = run_hook(write, "--agent", "gemini")
    assert verdict("gemini", out.code, out.stdout) == "allow"
    out = run_hook(shell, "--agent", "gemini")
    assert verdict("gemini", out.code, out.stdout) == "ask", out.stdout
    assert "written by write_file at" in agent_reason(out.stdout)


def test_explain_names_the_write(
    run_hook: RunHook, tmp_path: Path, hook_env: dict[str, str]
) -> None:
    project = _project(tmp_path, run_hook)
    script = project / "gen.rb"
    write = call("Write", {"file_path": str(script), "content": "x"}, cwd=str(project))
    write["session_id"] = "sess-e"
    assert run_hook(write).pre_tool_use()[0] == "allow"
    script.write_text("puts 1\n")

    def explain(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "superego_mcp", "explain", "--cwd", str(project), *args],
            input=stdin,
            env=hook_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    shown = explain("--session", "sess-e", "--", "ruby", "gen.rb")
    assert shown.returncode == 1, shown.stdout + shown.stderr  # ask
    assert f"ruby runs {script}, written by Write at" in shown.stdout
    assert "review-run-session-write" in shown.stdout
    payload = json.dumps(bash("ruby gen.rb", cwd=str(project), session_id="sess-e"))
    assert "written by Write" in explain("-", stdin=payload).stdout
    # Without the session: the project's own script.
    assert explain("--", "ruby", "gen.rb").returncode == 0
    # Explaining never changes the memory.
    before = (tmp_path / "cache" / "writes" / "sess-e").read_bytes()
    explain("--session", "sess-e", "--", "cp", "a.rb", "b.rb")
    assert (tmp_path / "cache" / "writes" / "sess-e").read_bytes() == before


def test_the_memory_file_is_read_only_when_a_file_is_run(run_hook: RunHook, tmp_path: Path) -> None:
    project = _project(tmp_path, run_hook)
    store = tmp_path / "cache" / "writes"
    store.mkdir(parents=True)
    # A store the hook cannot read (a directory where the file should be): calls that run
    # nothing never look, and one that runs a file is still answered (not remembered).
    (store / "sess-f").mkdir()
    assert run_hook(bash("ls", cwd=str(project), session_id="sess-f")).pre_tool_use()[0] == (
        "allow"
    )
    (project / "x.rb").write_text("puts 1\n")
    decision, _ = run_hook(bash("ruby x.rb", cwd=str(project), session_id="sess-f")).pre_tool_use()
    assert decision == "allow"
    assert os.path.isdir(store / "sess-f")
