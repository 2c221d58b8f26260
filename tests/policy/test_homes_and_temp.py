"""Every user's home (``~`` in globs) and temp directories that do not swallow a project or a
home living in them. The bundled policy, judged as a server running as another user would."""

from __future__ import annotations

import pytest
from policy_helpers import rules

from superego_mcp.model import ToolCall
from superego_mcp.policy import load_policy
from superego_mcp.policy.matchers import home_of

BUNDLED = load_policy(None)
# The evaluating process's home: a service account, not the agent's user.
SERVER_HOME = "/var/lib/superego"


def _bash(command: str, cwd: str, home: str = SERVER_HOME, project: str | None = None) -> str:
    call = ToolCall("Bash", {"command": command}, cwd, project=project or cwd)
    return BUNDLED.evaluate(call, home=home).action


def _tool(tool: str, cwd: str, home: str = SERVER_HOME, **tool_input: object) -> str:
    call = ToolCall(tool, dict(tool_input), cwd, project=cwd)
    return BUNDLED.evaluate(call, home=home).action


@pytest.mark.parametrize(
    "path",
    [
        "/home/alice/.aws/credentials",
        "/home/alice/.ssh/id_ed25519",
        "/Users/bob/.ssh/id_rsa",
        "/root/.kube/config",
        "/var/root/.netrc",
        "/var/lib/jenkins/.git-credentials",
        "/home/alice/.config/gh/hosts.yml",
    ],
)
def test_credentials_of_any_user_are_denied(path: str) -> None:
    assert _tool("Read", "/home/alice/project", file_path=path) == "deny"
    assert _bash(f"cat {path}", "/home/alice/project") == "deny"


def test_credential_directories_of_any_user_are_denied() -> None:
    assert _bash("tar czf /tmp/k.tgz /home/alice/.ssh", "/home/alice/project") == "deny"
    assert _bash("ls /home/alice/.ssh", "/home/alice/project") != "deny"


def test_persistence_files_of_any_user_are_asked() -> None:
    edit = {"old_string": "a", "new_string": "b"}
    assert _tool("Edit", "/srv/app", file_path="/home/alice/.bashrc", **edit) == "ask"
    assert _bash("echo x >> /Users/bob/.zshrc", "/srv/app") == "ask"


def test_wiping_any_home_is_denied() -> None:
    assert _bash("rm -rf /home/alice", "/srv/app") == "deny"
    assert _bash("rm -rf /Users/bob/*", "/srv/app") == "deny"


def test_the_agents_home_from_the_call_resolves_tilde() -> None:
    # The server's HOME is elsewhere; the call says whose home `~` is.
    call = ToolCall(
        "Write",
        {"file_path": "~/project/notes.md", "content": "x"},
        "/home/alice/project",
        project="/home/alice/project",
        home="/home/alice",
    )
    assert BUNDLED.evaluate(call).action == "allow"
    call.home = None  # `~` is then the evaluating process's home: not the project
    assert BUNDLED.evaluate(call, home=SERVER_HOME).action == "ask"


def test_own_home_outside_the_project_is_still_asked_not_denied() -> None:
    assert _tool("Read", "/home/user/project", "/home/user", file_path="~/notes.txt") == "ask"
    assert _tool("Read", "/home/user/project", "/home/user", file_path="/home/bob/x.txt") == ("ask")


def test_dollar_home_means_only_the_calls_own_home() -> None:
    p = rules(
        """
        - id: own-notes
          action: allow
          reason: own notes
          conditions: {tool: Read, path: "${home}/notes/**"}
        - id: any-ssh
          action: deny
          reason: keys
          conditions: {tool: Read, path: "~/.ssh/**"}
        """
    )

    def read(path: str) -> str:
        return p.evaluate(ToolCall("Read", {"file_path": path}, "/srv"), home="/home/me").action

    assert read("/home/me/notes/a.md") == "allow"
    assert read("/home/bob/notes/a.md") == "ask"
    assert read("/home/bob/.ssh/config") == "deny"
    assert read("/homeless/.ssh/config") == "ask"


def test_home_of() -> None:
    assert home_of("/home/alice/.ssh/id_rsa") == "/home/alice"
    assert home_of("/home/alice") == "/home/alice"
    assert home_of("/root") == "/root"
    assert home_of("/rootfs/x") is None
    assert home_of("/Users/bob") == "/Users/bob"
    assert home_of("/var/lib/postgresql/.pgpass") == "/var/lib/postgresql"
    assert home_of("/home/") is None
    assert home_of("/etc/passwd") is None


# --- temp directories ------------------------------------------------------------------


def test_files_created_in_temp_dirs_are_ordinary_scratch() -> None:
    cwd = "/home/user/project"
    assert _tool("Write", cwd, "/home/user", file_path="/tmp/out.txt", content="x") == "allow"
    assert _bash("rm -rf /tmp/scratch", cwd, "/home/user") == "allow"


def test_a_project_under_tmp_keeps_its_protections() -> None:
    # Before: everything under /tmp was scratch, so `rm -rf .git` here was allowed.
    assert _bash("rm -rf .git", "/tmp/proj", "/home/user") == "ask"
    assert _bash("rm -rf src", "/tmp/proj", "/home/user") == "ask"
    assert _bash("rm -rf build", "/tmp/proj", "/home/user") == "allow"
    assert _bash("rm -rf /tmp/other-scratch", "/tmp/proj", "/home/user") == "allow"
    edit = {"old_string": "a", "new_string": "b"}
    assert _tool("Edit", "/tmp/proj", "/home/user", file_path=".git/hooks/pre-commit", **edit) == (
        "ask"
    )


def test_a_home_under_tmp_keeps_its_protections() -> None:
    home = "/tmp/home"
    assert _bash("rm -rf ~", "/home/user/project", home) == "deny"
    assert _bash("rm -rf ~/Documents/old", "/home/user/project", home) == "deny"
    assert _tool("Write", "/home/user/project", home, file_path="~/.config/x", content="") == (
        "ask"
    )
    assert _tool("Write", "/home/user/project", home, file_path="/tmp/x", content="") == "allow"


def test_an_agent_started_in_tmp_does_not_make_a_home_in_tmp_project_files() -> None:
    home = "/tmp/home"
    assert _bash("rm -rf ~/Documents/old", "/tmp", home) == "deny"
    assert _tool("Write", "/tmp", home, file_path="~/.config/x", content="") == "ask"
    assert _tool("Write", "/tmp", home, file_path="/tmp/x", content="") == "allow"
