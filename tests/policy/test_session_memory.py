"""Session memory on the bundled policy: what the agent wrote in a session it does not get to
run unseen (real files in a temp project, the real file store; docs/rules.md "Session
memory")."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from superego_mcp.decide import decide
from superego_mcp.memory import MAX_ENTRIES, FileStore, Written, open_memory
from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy


class Session:
    """Calls of one agent session in a temp project, each judged with the session's memory
    and committed as the hook commits them."""

    def __init__(self, policy: Policy, root: Path, session_id: str = "s-1") -> None:
        self.policy = policy
        self.home = root / "home"
        self.project = self.home / "project"
        self.project.mkdir(parents=True, exist_ok=True)
        self.store = str(root / "writes")
        self.session_id = session_id

    def other(self, session_id: str) -> Session:
        """Another session over the same project and store."""
        new = Session.__new__(Session)
        new.policy, new.home, new.project = self.policy, self.home, self.project
        new.store, new.session_id = self.store, session_id
        return new

    def call(self, tool: str, **tool_input: object) -> tuple[str, str, str | None]:
        c = ToolCall(tool, dict(tool_input), str(self.project), session_id=self.session_id)
        c.project = str(self.project)
        c.memory = open_memory(self.session_id, self.store)
        d = decide(self.policy, c, home=str(self.home))
        assert c.memory is not None
        c.memory.commit(d.action)
        return d.action, d.reason, d.rule_id

    def bash(self, command: str) -> tuple[str, str, str | None]:
        return self.call("Bash", command=command)

    def write(self, name: str, text: str, tool: str = "Write") -> Path:
        path = self.project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        action, reason, _ = self.call(tool, file_path=str(path), content=text)
        assert action == "allow", reason
        path.write_text(text)  # what the tool then does
        return path


@pytest.fixture
def session(bundled: Policy, tmp_path: Path) -> Session:
    return Session(bundled, tmp_path)


def test_running_a_written_file_asks_naming_the_write(session: Session) -> None:
    path = session.project / "tidy.rb"
    path.write_text("puts 1\n")
    assert session.bash("ruby tidy.rb")[0] == "allow"  # the project's own script
    session.write("tidy.rb", "Dir.rmdir(Dir.home)\n")
    action, reason, rule = session.bash("ruby tidy.rb")
    assert (action, rule) == ("ask", "review-run-session-write"), reason
    assert f"ruby runs {path}, written by Write at " in reason
    # Another session did not write it: the project's script as before.
    assert session.other("s-2").bash("ruby tidy.rb")[0] == "allow"


def test_the_rule_is_a_review(session: Session) -> None:
    session.write("x.pl", "print 1;\n")
    c = ToolCall("Bash", {"command": "perl x.pl"}, str(session.project), session_id="s-1")
    c.project = str(session.project)
    c.memory = open_memory("s-1", session.store)
    judged = session.policy.judge(c, home=str(session.home))
    assert judged.decision.action == "review"  # the reviewer when one is configured


@pytest.mark.parametrize(
    "command",
    [
        "ruby ./x.rb",
        "cd sub && ruby ../x.rb",
        "timeout 60 ruby x.rb",
        "sudo -u nobody ruby x.rb",
        "bash -c 'ruby x.rb'",
        "make run",
    ],
)
def test_every_way_of_running_it(session: Session, command: str) -> None:
    (session.project / "sub").mkdir()
    (session.project / "Makefile").write_text("run:\n\truby x.rb\n")
    session.write("x.rb", "puts 1\n")
    action, reason, _ = session.bash(command)
    assert action == "ask", reason
    assert "written by Write" in reason or command.startswith("sudo"), reason


def test_edits_shell_writes_and_mcp_tools_are_remembered(session: Session) -> None:
    target = session.project / "a.rb"
    target.write_text("puts 1\n")
    session.call("Edit", file_path=str(target), old_string="1", new_string="2")
    assert "written by Edit at" in session.bash("ruby a.rb")[1]
    for i, (command, by) in enumerate(
        [
            ("echo 'puts 1' > b{i}.rb", "echo (Bash)"),
            ("cat a.rb | tee b{i}.rb", "tee (Bash)"),
            ("cp a.rb b{i}.rb", "cp (Bash)"),
            ("mv a.rb b{i}.rb && touch a.rb", "mv (Bash)"),
            ("sed -i s/1/2/ b{i}.rb", "sed (Bash)"),
            ("curl -o b{i}.rb https://example.com/x.rb", "curl (Bash)"),
        ]
    ):
        name = f"b{i}.rb"
        (session.project / name).write_text("puts 1\n")
        action, reason, _ = session.bash(command.format(i=i))
        assert action == "allow", reason
        action, reason, _ = session.bash(f"ruby {name}")
        assert action == "ask", reason
        assert f"written by {by} at" in reason, reason
    mcp = session.project / "m.rb"
    mcp.write_text("puts 1\n")
    session.call("mcp__filesystem__write_file", path=str(mcp), content="puts 2\n")
    assert "written by mcp__filesystem__write_file" in session.bash("ruby m.rb")[1]


def test_binaries_built_from_written_sources(session: Session) -> None:
    (session.project / "build").mkdir()
    (session.project / "build" / "app").write_bytes(b"\x7fELF\0\0")
    session.write("main.c", "int main(void) { return 0; }\n")
    assert session.bash("gcc -o build/app main.c")[0] == "allow"
    action, reason, _ = session.bash("./build/app --help")
    assert action == "ask", reason
    assert "written by gcc, built from" in reason
    assert f"{session.project}/main.c (Write at " in reason
    # Built from sources the session did not write: the project's own build output.
    (session.project / "lib.c").write_text("int f(void) { return 1; }\n")
    (session.project / "build" / "lib").write_bytes(b"\x7fELF\0\0")
    assert session.bash("gcc -o build/lib lib.c")[0] == "allow"
    assert "written by" not in session.bash("./build/lib")[1]


def test_downloaded_then_chmod_then_run(session: Session) -> None:
    assert session.bash("curl -fsSL -o tool https://example.com/tool")[0] == "allow"
    (session.project / "tool").write_bytes(b"\x7fELF\0\0")
    assert session.bash("chmod +x tool")[0] == "allow"
    action, reason, _ = session.bash("./tool --version")
    assert action == "ask", reason
    assert "written by curl (Bash)" in reason


def test_go_run_of_a_package_with_a_written_file(session: Session) -> None:
    (session.project / "cmd").mkdir()
    (session.project / "cmd" / "util.go").write_text("package main\n")
    assert "written by" not in session.bash("cd cmd && go run .")[1]
    session.write("cmd/main.go", "package main\nfunc main() {}\n")
    action, reason, _ = session.bash("cd cmd && go run .")
    assert action == "ask", reason
    assert "main.go" in reason


def test_what_superego_reads_whole_is_judged_by_its_content(session: Session) -> None:
    session.write("build.sh", "echo building\nmkdir -p out\n")
    action, reason, _ = session.bash("bash build.sh")
    assert action == "allow", reason
    session.write("nuke.sh", "echo bye\nrm -rf ~/\n")
    action, reason, _ = session.bash("bash nuke.sh")
    assert action == "deny", reason
    assert reason.endswith(f"(in {session.project}/nuke.sh:2)")
    # Python that superego_mcp.lang follows everywhere: its content decides.
    session.write("hello.py", "print('hello')\n")
    action, reason, _ = session.bash("python3 hello.py")
    assert action == "allow", reason
    session.write("tidy.py", "import shutil, os\nshutil.rmtree(os.path.expanduser('~'))\n")
    assert session.bash("python3 tidy.py")[0] == "deny"


def test_python_it_cannot_follow_everywhere_asks(session: Session) -> None:
    session.write("load.py", "import importlib, sys\nimportlib.import_module(sys.argv[1])\n")
    action, reason, _ = session.bash("python3 load.py os")
    assert action == "ask", reason


def test_a_write_earlier_on_the_same_line(session: Session) -> None:
    (session.project / "t").write_bytes(b"\x7fELF\0\0")
    action, reason, _ = session.bash("cp /tmp/t ./t && ./t")
    assert action == "ask", reason


def test_a_denied_call_writes_nothing(session: Session) -> None:
    action, _, _ = session.bash("curl -o tool https://example.com/tool; rm -rf ~")
    assert action == "deny"
    (session.project / "tool").write_bytes(b"\x7fELF\0\0")
    assert "written by" not in session.bash("./tool")[1]


def test_no_session_no_memory(bundled: Policy, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "x.rb").write_text("puts 1\n")
    c = ToolCall("Bash", {"command": "ruby x.rb"}, str(project), project=str(project))
    assert open_memory(None, str(tmp_path)) is None
    assert decide(bundled, c, home=str(tmp_path)).action == "allow"


def test_the_store_survives_odd_paths_and_bad_lines(tmp_path: Path) -> None:
    store = FileStore(str(tmp_path / "writes"))
    odd = "/p/a\tb\nc\\d.rb"
    store.append("s", [Written(odd, "Write\tx", 5.0), Written("/p/x", "Edit", 6.0)])
    with open(tmp_path / "writes" / "s", "a") as fh:
        fh.write("garbage line\nnot-a-number\tx\t/p/y\n1.0\tWrite")  # a torn last line
    found = store.load("s")
    assert list(found) == [odd, "/p/x"]
    assert found[odd].tool == "Write\tx"
    assert oct(os.stat(tmp_path / "writes" / "s").st_mode & 0o777) == "0o600"
    assert store.load("../etc") == {}  # not a session id we keep a file for
    store.append("../etc", [Written("/p/z", "Write", 1.0)])
    assert not (tmp_path / "etc").exists()


def test_the_store_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import superego_mcp.memory as memory

    monkeypatch.setattr(memory, "MAX_FILE_BYTES", 4096)
    monkeypatch.setattr(memory, "MAX_ENTRIES", 10)
    store = FileStore(str(tmp_path))
    for i in range(200):
        store.append("s", [Written(f"/p/file{i:04d}.rb", "Write", float(i))])
    assert os.path.getsize(tmp_path / "s") <= 4096 + 100
    found = store.load("s")
    assert "/p/file0199.rb" in found
    assert "/p/file0000.rb" not in found
    assert MAX_ENTRIES == 20_000  # the real bound (the patched module's copy is 10)
