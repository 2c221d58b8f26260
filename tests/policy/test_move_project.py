"""Moving the project root, a directory above it, or home away is asked about (issue 18):
one `mv` takes the whole working tree out of the agent's and the person's view, while moving
what is inside the project stays allowed (bundled policy, a real project on disk)."""

from __future__ import annotations

from pathlib import Path

import pytest

from superego_mcp.model import ToolCall
from superego_mcp.policy.engine import Policy


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project inside a home (not under a temp directory's special cases: both are real
    directories the call names)."""
    project = tmp_path / "home" / "proj"
    (project / "src").mkdir(parents=True)
    (project / "build").mkdir()
    (project / "src" / "a.py").write_text("x = 1\n")
    return project


def judge(policy: Policy, project: Path, command: str, cwd: Path | None = None) -> tuple[str, str]:
    home = project.parent
    call = ToolCall("Bash", {"command": command}, str(cwd or project), project=str(project))
    d = policy.evaluate(call, home=str(home))
    return d.action, d.rule_id or ""


AWAY = [
    "mv . /tmp/x",
    "mv {p} /tmp/gone",
    "mv {p}/ /tmp/gone",
    "mv ../proj x",
    "mv ../proj ../proj-old",
    "cd .. && mv proj proj-old",
    "mv -t /tmp/x {p}",
    "mv {p}/.. /tmp/x",
    "command mv {p} /srv/x",
    "rsync -a --remove-source-files ./ /tmp/x",
    "rsync -a --remove-source-files {p} /tmp/x",
]


@pytest.mark.parametrize("template", AWAY)
def test_moving_the_project_or_above_it_away_is_asked(
    bundled: Policy, project: Path, template: str
) -> None:
    action, rule = judge(bundled, project, template.format(p=project))
    assert action in ("ask", "deny"), (template, rule)
    assert rule == "ask-move-project-away"


def test_from_a_subdirectory_too(bundled: Policy, project: Path) -> None:
    assert judge(bundled, project, "mv ../../proj /tmp/x", cwd=project / "src") == (
        "ask",
        "ask-move-project-away",
    )


@pytest.mark.parametrize(
    "command",
    [
        "mv src/a.py src/b.py",
        "mv build /tmp/x",
        "mv /tmp/x .",
        "mv src/a.py .",
        "rsync -a ./ /tmp/x",
        "mv -t /tmp/x src/a.py",
    ],
)
def test_moving_what_is_inside_stays_allowed(bundled: Policy, project: Path, command: str) -> None:
    action, rule = judge(bundled, project, command)
    assert rule != "ask-move-project-away", command
    if command.startswith("mv"):
        assert action == "allow", (command, rule)
