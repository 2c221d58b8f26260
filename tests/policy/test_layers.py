"""Policy layers: extends, overrides, final rules, the project layer's limits, real files."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest
from policy_helpers import HOME, bash, call

from superego_mcp.model import Decision, ToolCall
from superego_mcp.policy import PolicyError
from superego_mcp.policy.engine import Policy
from superego_mcp.policy.layers import load_layers
from superego_mcp.policy.loader import BUNDLED_POLICY


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def judge(p: Policy, c: ToolCall) -> Decision:
    return p.evaluate(c, home=HOME)


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """A user config dir and a project root (neither holds a policy yet)."""
    user = tmp_path / "config" / "superego"
    project = tmp_path / "project"
    project.mkdir()
    return user, project


def layers(dirs: tuple[Path, Path], rules: Path | None = None, *, project: bool = True) -> Policy:
    user, root = dirs
    return load_layers(
        str(rules) if rules else None,
        user=str(user / "policy.yaml"),
        project_dir=str(root) if project else None,
    )


TEAM = """\
    version: 1
    extends: bundled
    default: {action: deny, reason: "Not covered by the team policy."}
    overrides:
      ask-package-install: {action: allow, reason: "Installing packages is fine here."}
      allow-web-read: {enabled: false}
    rules:
      - id: deny-terraform-apply
        priority: 40
        action: deny
        reason: "Only CI applies Terraform."
        conditions: {shell: {program: terraform, subcommand: apply}}
    """


def test_no_files_means_the_bundled_policy(dirs: tuple[Path, Path]) -> None:
    p = layers(dirs)
    assert [layer.name for layer in p.layers if layer.exists] == ["bundled"]
    # The files looked for are recorded (and protected) even though they do not exist.
    assert {layer.name for layer in p.layers if not layer.exists} == {"user", "project"}
    assert judge(p, bash("rm -rf ~")).action == "deny"
    assert judge(p, bash("ls")).action == "allow"


def test_extends_bundled_overrides_adds_and_changes_the_default(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    team = write(tmp_path / "team.yaml", TEAM)
    p = layers(dirs, team)
    assert [(layer.name, layer.path) for layer in p.layers if layer.exists] == [
        ("bundled", BUNDLED_POLICY),
        ("rules", str(team)),
    ]
    assert judge(p, bash("pip install $PKG")).action == "allow"
    d = judge(p, bash("terraform apply"))
    assert (d.action, d.rule_id) == ("deny", "deny-terraform-apply")
    # The bundled rule is disabled; the team's default decides.
    d = judge(p, call("WebFetch", url="https://example.com", prompt="x"))
    assert (d.action, d.reason) == ("deny", "Not covered by the team policy.")
    # Bundled rules still apply, and say where they come from.
    d = judge(p, bash("rm -rf ~"))
    assert (d.action, d.rule_id) == ("deny", "deny-recursive-delete-home-or-root")
    rule = {r.id: r for r in p.rules}
    assert rule["deny-recursive-delete-home-or-root"].layer == "bundled"
    assert rule["deny-recursive-delete-home-or-root"].file == BUNDLED_POLICY
    assert rule["deny-terraform-apply"].where() == f"rules {team}:8"
    assert rule["ask-package-install"].overridden == f"rules {team}:5"


def test_relative_extends_and_ties_prefer_the_higher_file(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    write(
        tmp_path / "base" / "common.yaml",
        """\
        version: 1
        extends: none
        default: {action: ask, reason: common default}
        rules:
          - {id: read-ok, action: allow, reason: base allows, conditions: {tool: Read}}
        """,
    )
    top = write(
        tmp_path / "top.yaml",
        """\
        version: 1
        extends: base/common.yaml
        rules:
          - {id: read-no, action: deny, reason: top denies, conditions: {tool: Read}}
        """,
    )
    p = layers(dirs, top)
    assert [layer.extended_by for layer in p.layers if layer.exists] == [str(top), None]
    # Same priority: the higher file's rule is tried first.
    assert judge(p, call("Read", file_path="/x")).rule_id == "read-no"
    assert judge(p, call("Write", file_path="/x")).reason == "common default"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("extends: [bundled, nope.yaml]\n", 2, "cannot extend 'nope.yaml'"),
        ("extends: packs/nosuch\n", 2, "no rule pack 'nosuch'"),
        ("extends: [none, bundled]\n", 2, "'extends: none' cannot be combined"),
        (
            "extends: bundled\noverrides:\n  ask-pakage-install: {action: allow}\n",
            4,
            "did you mean 'ask-package-install'",
        ),
        ("extends: bundled\noverrides:\n  ask-force-push: {colour: red}\n", 4, "unknown key"),
        (
            "extends: bundled\nrules:\n  - {id: ask-force-push, action: ask, reason: x, "
            "conditions: {}}\n",
            4,
            "already defined in " + BUNDLED_POLICY,
        ),
        (
            "extends: bundled\noverrides:\n"
            "  deny-recursive-delete-home-or-root: {enabled: false}\n",
            4,
            "is final",
        ),
        (
            "extends: bundled\noverrides:\n  deny-recursive-delete-home-or-root: {action: ask}\n",
            4,
            "is final",
        ),
        (
            "extends: bundled\noverrides:\n  deny-recursive-delete-home-or-root: {priority: 500}\n",
            4,
            "is final",
        ),
    ],
)
def test_layer_errors_name_the_file_and_line(
    dirs: tuple[Path, Path], tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("version: 1\n" + text)
    with pytest.raises(PolicyError) as info:
        layers(dirs, f)
    assert info.value.file == str(f)
    assert info.value.line == line
    assert fragment in info.value.message


def test_extends_cycle_is_an_error(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "version: 1\nextends: b.yaml\n")
    write(tmp_path / "b.yaml", "version: 1\nextends: [bundled, a.yaml]\n")
    with pytest.raises(PolicyError) as info:
        layers(dirs, tmp_path / "a.yaml")
    assert (info.value.file, info.value.line) == (str(tmp_path / "b.yaml"), 2)
    assert "cycle" in info.value.message


def test_a_final_rule_cannot_be_outrun_by_an_earlier_allow(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    sneaky = write(
        tmp_path / "sneaky.yaml",
        """\
        version: 1
        extends: bundled
        overrides:
          deny-recursive-delete-home-or-root: {reason: "Stricter words are fine."}
        rules:
          - {id: allow-everything, priority: 0, action: allow, reason: yes, conditions: {}}
        """,
    )
    p = layers(dirs, sneaky)
    j = p.judge(bash("ls; rm -rf ~"), home=HOME)
    assert (j.decision.action, j.decision.rule_id) == ("deny", "deny-recursive-delete-home-or-root")
    assert j.decision.reason == "Stricter words are fine."
    assert j.decision.final
    assert "final: rule allow-everything may not loosen it" in j.units[1].note
    # What is not final, the earlier allow does decide.
    assert judge(p, bash("git push --force")).action == "allow"


PROJECT_LOOSE = """\
    version: 1
    extends: none
    default: {action: allow, reason: "the project says anything goes"}
    overrides:
      ask-force-push: {action: allow}
      ask-package-install: {enabled: false}
    rules:
      - id: allow-sudo
        priority: 1
        action: allow
        reason: ok
        conditions: {shell: {program: sudo}}
      - id: deny-make-release
        action: deny
        reason: "Releases come from CI."
        conditions: {shell: {program: make, args: {equals: release}}}
    """


def test_the_project_layer_tightens_but_does_not_loosen(dirs: tuple[Path, Path]) -> None:
    _, root = dirs
    write(root / ".superego" / "policy.yaml", PROJECT_LOOSE)
    p = layers(dirs)
    assert [layer.name for layer in p.layers if layer.exists] == ["bundled", "project"]
    # Tightening works.
    assert judge(p, bash("make release")).action == "deny"
    # Loosening a rule, disabling one, an earlier allow and the default: all held.
    for command, rule in [
        ("git push --force", "ask-force-push"),
        ("pip install $PKG", "ask-package-install"),
        ("sudo ls", "ask-privilege-escalation"),
    ]:
        j = p.judge(bash(command), home=HOME)
        assert (j.decision.action, j.decision.rule_id) == ("ask", rule), command
        assert f"may not loosen {rule}" in j.units[0].note
    # The project's default (allow) does not loosen the bundled one (defer).
    d = judge(p, call("SomeNewTool"))
    assert (d.action, d.rule_id) == ("defer", None)
    # What the project's rules allow where the layers below allow too stays allowed.
    assert judge(p, bash("ls")).action == "allow"


def test_the_user_layer_may_let_the_project_loosen(dirs: tuple[Path, Path]) -> None:
    user, root = dirs
    write(
        user / "policy.yaml",
        """\
        version: 1
        extends: bundled
        project_may_loosen: [ask-force-push, default]
        """,
    )
    write(root / ".superego" / "policy.yaml", PROJECT_LOOSE)
    p = layers(dirs)
    assert [layer.name for layer in p.layers if layer.exists] == ["bundled", "user", "project"]
    assert judge(p, bash("git push --force")).action == "allow"
    assert judge(p, call("SomeNewTool")).action == "allow"
    assert judge(p, bash("pip install $PKG")).action == "ask"  # not granted
    assert judge(p, bash("rm -rf ~")).action == "deny"


def test_a_project_cannot_grant_itself_loosening(dirs: tuple[Path, Path]) -> None:
    _, root = dirs
    f = write(root / ".superego" / "policy.yaml", "version: 1\nproject_may_loosen: '*'\n")
    with pytest.raises(PolicyError) as info:
        layers(dirs)
    assert (info.value.file, info.value.line) == (str(f), 2)


def test_a_standalone_user_policy_drops_the_bundled_one(dirs: tuple[Path, Path]) -> None:
    user, root = dirs
    write(
        user / "policy.yaml",
        """\
        version: 1
        extends: none
        default: {action: allow, reason: mine}
        rules:
          - {id: no-rm, action: deny, reason: no, conditions: {shell: {program: rm}}}
        """,
    )
    p = layers(dirs)
    assert [layer.name for layer in p.layers if layer.exists] == ["user"]
    assert judge(p, bash("git push --force")).action == "allow"
    # A project that extends the bundled policy brings its rules in as project rules: they
    # tighten (force push asks) but cannot loosen the user's deny.
    write(root / ".superego" / "policy.yaml", "version: 1\nextends: bundled\n")
    p = layers(dirs)
    assert [(la.name, la.path) for la in p.layers if la.exists][1] == ("project", BUNDLED_POLICY)
    assert judge(p, bash("git push --force")).action == "ask"
    assert judge(p, bash("rm notes.txt")).action == "deny"


def test_a_layered_policy_pickles(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    _, root = dirs
    write(root / ".superego" / "policy.yaml", PROJECT_LOOSE)
    p = layers(dirs, write(tmp_path / "team.yaml", TEAM))
    q = pickle.loads(pickle.dumps(p))
    assert q.floor is not None
    assert q.digest == p.digest
    for c in (bash("git push --force"), bash("terraform apply"), bash("make release")):
        assert judge(q, c) == judge(p, c)


def test_the_rules_layer_may_override_a_project_rule(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    _, root = dirs
    write(root / ".superego" / "policy.yaml", PROJECT_LOOSE)
    mine = write(
        tmp_path / "mine.yaml",
        """\
        version: 1
        extends: bundled
        overrides:
          deny-make-release: {action: ask, reason: "Ask before a release."}
        """,
    )
    p = layers(dirs, mine)
    d = judge(p, bash("make release"))
    assert (d.action, d.reason) == ("ask", "Ask before a release.")
