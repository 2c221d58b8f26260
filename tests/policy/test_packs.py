"""Rule packs shipped in the package (src/superego_mcp/data/packs/*.yaml): each is a valid
policy whose examples pass `superego-mcp check`, and each keeps its promises."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from policy_helpers import HOME, bash, call

from superego_mcp.policy import load_policy

PACKS = ("cloud", "docker", "kubernetes", "sql", "terraform")
SCRIPT = shutil.which("superego-mcp", path=str(Path(sys.executable).parent))


def _pack(name: str) -> Path:
    return Path(str(resources.files("superego_mcp") / "data" / "packs" / f"{name}.yaml"))


def test_the_agreed_packs_are_shipped() -> None:
    shipped = sorted(p.stem for p in _pack("x").parent.glob("*.yaml"))
    assert shipped == sorted(PACKS)


@pytest.mark.parametrize("name", PACKS)
def test_check_runs_every_example(name: str) -> None:
    assert SCRIPT is not None
    r = subprocess.run(
        [SCRIPT, "check", "--rules", str(_pack(name))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert " 0 failed: ok" in r.stdout
    policy = load_policy(str(_pack(name)))
    assert policy.default_action == "defer"
    for rule in policy.rules:
        assert rule.match_examples, rule.id
        assert rule.no_match, rule.id
        assert rule.description, rule.id


@pytest.mark.parametrize(
    ("name", "command", "expected"),
    [
        ("terraform", "terraform destroy -auto-approve", "deny"),
        ("terraform", "terraform apply", "ask"),
        ("terraform", "terraform plan", "allow"),
        ("kubernetes", "kubectl delete namespace prod", "deny"),
        ("kubernetes", "kubectl get secret db -o yaml", "ask"),
        ("kubernetes", "kubectl -n prod get pods", "allow"),
        ("docker", "docker run -v /:/host alpine", "deny"),
        ("docker", "docker run --rm alpine", "ask"),
        ("docker", "docker compose ps", "allow"),
        ("cloud", "aws s3 rb s3://prod --force", "deny"),
        ("cloud", "aws ec2 terminate-instances --instance-ids i-1", "ask"),
        ("cloud", "aws ec2 describe-instances", "allow"),
        ("sql", "psql -c 'DROP DATABASE prod'", "deny"),
        ("sql", 'psql -c "INSERT INTO t VALUES (1)"', "ask"),
        ("sql", "psql -c 'SELECT 1'", "allow"),
        ("sql", "frobnicate", "defer"),
    ],
)
def test_pack_decisions(name: str, command: str, expected: str) -> None:
    policy = load_policy(str(_pack(name)))
    assert policy.evaluate(bash(command), home=HOME).action == expected


def test_sql_pack_judges_mcp_tools() -> None:
    policy = load_policy(str(_pack("sql")))
    drop = call("mcp__postgres__query", sql="DROP DATABASE prod")
    read = call("mcp__postgres__query", sql="SELECT id FROM users")
    assert policy.evaluate(drop, home=HOME).action == "deny"
    assert policy.evaluate(read, home=HOME).action == "allow"


def test_a_pack_layered_on_the_bundled_policy(tmp_path: Path) -> None:
    # extends: [bundled, packs/NAME] -- the pack's stricter rules join the bundled ones,
    # and calls neither has a rule for keep the bundled default (defer).
    team = tmp_path / "team.yaml"
    team.write_text("version: 1\nextends: [bundled, packs/terraform]\nrules: []\n")
    assert SCRIPT is not None
    r = subprocess.run(
        [SCRIPT, "explain", "--rules", str(team), "--", "terraform", "destroy", "-auto-approve"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "DENY (rule tf-deny-unattended-destroy)" in r.stdout, r.stdout + r.stderr
    for command, expected in (("rm -rf ~", "DENY"), ("frobnicate", "DEFER")):
        r = subprocess.run(
            [SCRIPT, "explain", "--rules", str(team), "--", command],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert f"result: {expected}" in r.stdout, r.stdout + r.stderr
