"""Issue 20's everyday families on the bundled policy, in a real temp project: scripts whose
every command was read and allowed, the project's own build outputs run by path (a real
compiled program, symlinks), build systems, dev servers, MCP file tools judged as
Write/Edit, MCP pull requests as `gh pr create`, and browser navigation to loopback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy
from superego_mcp.shell import analyze

TRUE = shutil.which("true") or "/bin/true"


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    home = (tmp_path / "home").resolve()
    proj = home / "project"
    (proj / "scripts").mkdir(parents=True)
    (proj / "src").mkdir()
    (proj / "src" / "a.py").write_text("print(1)\n")
    (proj / "build.sh").write_text("#!/bin/sh\nset -e\nmkdir -p build\ncc -o build/app src/m.c\n")
    (proj / "scripts" / "wipe.sh").write_text("#!/bin/sh\necho cleaning\nrm -rf ~/Documents\n")
    (proj / "scripts" / "fetch.sh").write_text("#!/bin/sh\ncurl -s http://10.0.0.5/api\n")
    (proj / "scripts" / "deploy.sh").write_text("#!/bin/sh\necho shipping\n")
    (proj / "CHANGES").write_text("a file git checkout would overwrite\n")
    for rel in ("build/myapp", "target/debug/server", "node_modules/.bin/tool", "build/deploy"):
        dest = proj / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(TRUE, dest)  # a real compiled program: not read as a script
    (proj / "build" / "rm").symlink_to("/bin/rm")
    (proj / "build" / "outside").symlink_to(TRUE)
    return proj, home


def decide(policy: Policy, proj: Path, home: Path, tool: str, **tool_input: object) -> str:
    call = ToolCall(tool, dict(tool_input), str(proj))
    return policy.evaluate(call, home=str(home)).action


def sh(policy: Policy, proj: Path, home: Path, command: str) -> str:
    return decide(policy, proj, home, "Bash", command=command)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # A script Superego read, every command allowed: the script itself is allowed.
        ("bash build.sh", "allow"),
        ("./build.sh", "allow"),
        ("sh ./build.sh", "allow"),
        # ... and one of its commands decides when it is not.
        ("bash scripts/wipe.sh", "deny"),
        ("bash scripts/fetch.sh", "ask"),
        # Named for shipping: left to the agent even though every command is harmless.
        ("bash scripts/deploy.sh", "defer"),
        # The project's own build outputs, run by path.
        ("./build/myapp --version", "allow"),
        ("./target/debug/server --port 8080", "allow"),
        ("./node_modules/.bin/tool --check src", "allow"),
        (f"{'{'}proj{'}'}/build/myapp", "allow"),
        ("./build/deploy --prod", "defer"),
        # Through a symlink the program is what it points to: rm is judged as rm, a program
        # outside the project is not the project's.
        ("./build/rm -rf src", "ask"),
        ("./build/outside", "defer"),
        ("./build/myapp > /etc/motd", "ask"),
        ("./build/myapp ~/Documents/x", "ask"),
        # Build systems and loops.
        ("cmake -S . -B build -DCMAKE_BUILD_TYPE=Release", "allow"),
        ("cmake -GNinja -S . -B build -DBUILD_TESTING=ON", "allow"),
        ("cmake -E rm -rf /", "ask"),
        ("meson setup build -Dbuildtype=release", "allow"),
        ("ninja -C build", "allow"),
        ("bazel build //...", "allow"),
        ("bazel test //src:all --test_output=errors", "allow"),
        ('for f in src/*.py; do python -m py_compile "$f"; done', "allow"),
        # A CPU count is a number, never a path: the build stays the project's build.
        ("make -j$(nproc)", "allow"),
        ('make -j"$(sysctl -n hw.logicalcpu)" check', "allow"),
        ("ctest -j `nproc` --test-dir build", "allow"),
        ("make -j$(nproc; rm -rf ~)", "deny"),
        ("make -j$(cat /tmp/n)", "defer"),
        # ctest -C names the build configuration, not a directory or a release target.
        ("ctest -j 10 -C Release --output-on-failure", "allow"),
        # git checkout X switches branches when X names no file; a file would be overwritten.
        ("git checkout v3.10.2", "allow"),
        ("git checkout HEAD^2", "allow"),
        ("git checkout CHANGES", "defer"),
        ("git checkout -- v3.10.2", "ask"),
        # Linters, formatters and checkers known by their name, over project files only.
        ("pccritic --min-score 98 build/libcurl.pc", "allow"),
        ("clang-format-21 -i src/a.py", "allow"),
        ("proselint check README.md", "allow"),
        ("proselint ~/notes.md", "ask"),
        ("xlint https://example.com/x", "defer"),
        # npx's twins and profilers run a command that is judged on its own.
        ("pnpx playwright test", "allow"),
        ("pnpm dlx prettier --check .", "allow"),
        ("pnpm dlx rm -rf ~", "deny"),
        ("flamegraph -- pytest -q", "allow"),
        ("flamegraph --root -- pytest -q", "defer"),
        # Dart's and maturin's installs are the install family's.
        ("dart pub get", "allow"),
        ("maturin develop --release", "allow"),
        # A program told to change directory first names its relative paths from there.
        ("uv pip install --directory scripts -e ..", "allow"),
        ("uv pip --directory scripts install -e ../src", "allow"),
        ("uv pip install --directory scripts -e ../..", "ask"),
        ("uv pip install --directory /tmp/x -e .", "ask"),
        ("uv pip --directory src list", "allow"),
        ("pnpm -C src add ../scripts", "allow"),
        # A copy's source and a symbolic link's text are not written; their destination is.
        ("cp /usr/bin/busybox build/", "allow"),
        ("ln -sf ../bin/busybox build/poweroff", "allow"),
        ("cp build/myapp ~/.local/bin/", "ask"),
        ("cp ~/notes.txt build/", "ask"),
        # The project's task runners by task name, never a task named for shipping.
        ("uv run task lint", "allow"),
        ("uv run task deploy_prod", "defer"),
        ("bundle exec rake spec", "allow"),
        ("rake release:gem", "defer"),
        ("yarn test:unit", "allow"),
        ("yarn publish", "ask"),
        # Dev servers.
        ("npx vite --port 5173", "allow"),
        ("next dev", "allow"),
        ("uvicorn app.main:app --reload", "allow"),
        ("flask --app app run --debug", "allow"),
        ("bin/rails server -p 3001", "allow"),
        ("bundle exec jekyll serve", "allow"),
        # A runner is not a dev server; one that mass-deletes records is asked
        # (ask-code-in-live-application), any other is left to the agent.
        ("rails runner 'User.delete_all'", "ask"),
        ("rails runner 'puts User.count'", "defer"),
    ],
)
def test_everyday_families(
    bundled: Policy, project: tuple[Path, Path], command: str, expected: str
) -> None:
    proj, home = project
    command = command.replace("{proj}", str(proj))
    assert sh(bundled, proj, home, command) == expected, command


def test_an_install_inside_a_read_script_still_decides(
    bundled: Policy, project: tuple[Path, Path]
) -> None:
    proj, home = project
    (proj / "scripts" / "setup.sh").write_text(
        "#!/bin/bash\nset -euo pipefail\npython3 -m venv .venv\n. .venv/bin/activate\n"
        "cargo install --git https://example.com/tool.git tool\n"
    )
    got = bundled.evaluate(
        ToolCall("Bash", {"command": "./scripts/setup.sh"}, str(proj)), home=str(home)
    )
    assert got.action == "ask"
    assert got.rule_id != "allow-project-own-programs"


def test_the_analyzer_says_which_script_and_program_file(project: tuple[Path, Path]) -> None:
    proj, home = project
    got = analyze("bash build.sh && ./build/myapp -v", cwd=str(proj), home=str(home))
    by_text = {c.text: c for c in got.commands if c.origin is None}
    assert by_text["bash build.sh"].script == str(proj / "build.sh")
    assert by_text["bash build.sh"].program_files == ()
    app = by_text["./build/myapp -v"]
    assert app.script is None  # a compiled program is not read
    assert app.program_files == (str(proj / "build" / "myapp"),)
    link = analyze("./build/rm x", cwd=str(proj), home=str(home)).commands[0]
    assert link.program_files[0] == str(proj / "build" / "rm")
    assert link.program_files[-1] == str(Path("/bin/rm").resolve())


@pytest.mark.parametrize(
    ("tool", "tool_input", "expected"),
    [
        ("mcp__filesystem__write_file", {"path": "src/b.py", "content": "x"}, "allow"),
        ("mcp__filesystem__edit_file", {"path": "src/a.py", "edits": []}, "allow"),
        ("mcp__filesystem__create_directory", {"path": "src/pkg"}, "allow"),
        ("mcp__filesystem__move_file", {"source": "src/a.py", "destination": "src/c.py"}, "allow"),
        ("mcp__filesystem__write_file", {"path": "/etc/hosts", "content": "x"}, "ask"),
        ("mcp__filesystem__write_file", {"path": "{home}/.bashrc", "content": "x"}, "ask"),
        ("mcp__filesystem__write_file", {"path": "{home}/.ssh/id_rsa", "content": "x"}, "deny"),
        ("mcp__filesystem__write_file", {"path": ".claude/settings.json", "content": "{}"}, "ask"),
        ("mcp__filesystem__write_file", {"content": "no path"}, "ask"),
        ("mcp__filesystem__move_file", {"source": "{proj}", "destination": "/tmp/x"}, "ask"),
        (
            "mcp__github__create_pull_request",
            {"title": "Fix", "head": "f", "base": "main"},
            "allow",
        ),
        ("mcp__github__create_issue", {"title": "Bug"}, "allow"),
        ("mcp__github__merge_pull_request", {"pull_number": 1}, "ask"),
        ("mcp__playwright__browser_navigate", {"url": "http://localhost:3000"}, "allow"),
        ("mcp__playwright__browser_navigate", {"url": "http://127.0.0.1:5173/login"}, "allow"),
        ("mcp__puppeteer__puppeteer_navigate", {"url": "http://[::1]:8080/"}, "allow"),
        ("mcp__playwright__browser_navigate", {"url": "http://192.168.1.1/"}, "ask"),
        ("mcp__playwright__browser_navigate", {"url": "http://169.254.169.254/"}, "ask"),
        ("mcp__playwright__browser_navigate", {"url": "http://0.0.0.0:2375/"}, "ask"),
        ("mcp__playwright__browser_navigate", {"url": "http://router.local/"}, "ask"),
        ("mcp__fetch__fetch", {"url": "http://localhost:3000/admin"}, "ask"),
    ],
)
def test_mcp_tools_judged_as_their_builtin_twins(
    bundled: Policy,
    project: tuple[Path, Path],
    tool: str,
    tool_input: dict[str, str],
    expected: str,
) -> None:
    proj, home = project
    filled = {
        k: v.replace("{home}", str(home)).replace("{proj}", str(proj)) if isinstance(v, str) else v
        for k, v in tool_input.items()
    }
    assert decide(bundled, proj, home, tool, **filled) == expected, (tool, filled)


def test_a_defer_names_what_had_no_opinion(bundled: Policy, project: tuple[Path, Path]) -> None:
    proj, home = project
    got = bundled.evaluate(
        ToolCall("Bash", {"command": "frobnicate x && git checkout CHANGES && ls"}, str(proj)),
        home=str(home),
    )
    assert got.action == "defer"
    assert got.rule_id is None
    assert got.reason.endswith("No rule has an opinion on `frobnicate`, `git checkout`.")
    from superego_mcp.model import no_opinion_names

    assert no_opinion_names(got.reason) == ["frobnicate", "git checkout"]
    sysctl = bundled.evaluate(ToolCall("Bash", {"command": "sysctl -w vm.x=1"}, str(proj)))
    assert sysctl.action != "allow"
    tool = bundled.evaluate(ToolCall("mcp__notes__annotate", {}, str(proj)), home=str(home))
    assert no_opinion_names(tool.reason) == ["mcp__notes__annotate"]
    # Not on answers a rule gave.
    assert (
        no_opinion_names(bundled.evaluate(ToolCall("Bash", {"command": "ls"}, str(proj))).reason)
        == []
    )


def test_explain_shows_the_script_read_and_the_program_file(project: tuple[Path, Path]) -> None:
    import json
    import subprocess
    import sys

    proj, home = project
    out = subprocess.run(
        [sys.executable, "-m", "superego_mcp", "explain", "--json", "--project", str(proj),
         "--cwd", str(proj), "--", "bash build.sh && ./build/myapp -v"],
        capture_output=True, text=True, timeout=120, check=False,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    data = json.loads(out.stdout)
    by_text = {c["text"]: c for c in data["commands"] if c["origin"] is None}
    assert by_text["bash build.sh"]["script"] == str(proj / "build.sh")
    assert by_text["./build/myapp -v"]["program_files"] == [str(proj / "build" / "myapp")]
    assert data["decision"]["decision"] == "allow"
