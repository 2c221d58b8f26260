"""The release workflow is all or nothing: nothing a user can pull by version is published
before the images are attested and signed, and no registry token is on a command line.

Reads .github/workflows/release.yml as a graph (jobs, `needs`, steps in order). A step
*publishes* when it uploads to PyPI, creates the GitHub release, or gives an image the
version tag; the gate is a job that attests build provenance and signs with cosign
--recursive. Every publishing step must come after the gate: later in the gate's own job, or
in a job that needs the gate's job (directly or through others).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / ".github" / "workflows" / "release.yml"


def _workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(RELEASE.read_text())
    return data


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def _ancestors(jobs: dict[str, Any], name: str) -> set[str]:
    seen: set[str] = set()
    stack = _needs(jobs[name])
    while stack:
        job = stack.pop()
        if job not in seen:
            seen.add(job)
            stack.extend(_needs(jobs[job]))
    return seen


def _publishes(step: dict[str, Any]) -> bool:
    run = step.get("run", "")
    if re.search(r"\buv publish\b|\bgh release create\b|\btwine upload\b", run):
        return True
    # An image given the version tag: the tag users pull.
    return bool(re.search(r"docker://[^\s\"']*:\$\{?VERSION\b", run))


def _attests(step: dict[str, Any]) -> bool:
    return str(step.get("uses", "")).startswith("actions/attest-build-provenance@")


def _signs(step: dict[str, Any]) -> bool:
    run = step.get("run", "")
    return bool(re.search(r"\bcosign sign\b", run)) and "--recursive" in run


def problems(workflow: dict[str, Any]) -> list[str]:
    """Every publishing step that is not preceded by attest + sign, as readable lines."""
    jobs: dict[str, Any] = workflow["jobs"]
    gated: dict[str, int] = {}  # job -> index of the step after which the job is gated
    for name, job in jobs.items():
        steps = job.get("steps", [])
        attest = next((i for i, s in enumerate(steps) if _attests(s)), None)
        sign = next((i for i, s in enumerate(steps) if _signs(s)), None)
        if attest is not None and sign is not None:
            gated[name] = max(attest, sign)
    out: list[str] = []
    if not gated:
        out.append("no job both attests (attest-build-provenance) and signs (cosign --recursive)")
    for name, job in jobs.items():
        for index, step in enumerate(job.get("steps", [])):
            if not _publishes(step):
                continue
            after_own_gate = name in gated and index > gated[name]
            after_needed_gate = bool(_ancestors(jobs, name) & set(gated))
            if not (after_own_gate or after_needed_gate):
                label = step.get("name") or step.get("run", "")[:40]
                out.append(f"{name}: {label!r} publishes before attest + sign")
    return out


def secrets_on_command_lines(workflow: dict[str, Any]) -> list[str]:
    """Run lines that put a secret on a command line (argv is visible to every process)."""
    out: list[str] = []
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            run = step.get("run", "")
            secret_vars = [
                key for key, value in step.get("env", {}).items() if "secrets." in str(value)
            ]
            if "secrets." in run:
                out.append(f"{name}: a secret expanded into a run script")
            if re.search(r"--(dest-|src-)?creds\b|--password[ =](?!-stdin)", run):
                out.append(f"{name}: credentials flag on a command line: {run.strip()[:60]!r}")
            for line in run.replace("\\\n", " ").splitlines():  # continuation lines joined
                for var in secret_vars:
                    if re.search(rf"\$\{{?{var}\b", line) and not re.search(
                        r"^\s*(printf '%s'|echo) \"\$\{?\w+\}?\" \|.*--password-stdin", line
                    ):
                        # GH_TOKEN is read from the environment by gh itself.
                        out.append(f"{name}: ${var} used outside a --password-stdin pipe")
    return out


def test_nothing_publishes_before_attest_and_sign() -> None:
    assert problems(_workflow()) == []


def test_no_secret_on_a_command_line() -> None:
    assert secrets_on_command_lines(_workflow()) == []


def test_pypi_waits_for_the_signed_images() -> None:
    jobs = _workflow()["jobs"]
    assert "manifest" in _ancestors(jobs, "pypi")


@pytest.mark.parametrize(
    "mutate",
    [
        # PyPI no longer waits for the manifest job (the bug this test was written for).
        lambda w: w["jobs"]["pypi"].update(needs=["dist", "image"]),
        # The version tag moves before the signature in the same job.
        lambda w: w["jobs"]["manifest"]["steps"].insert(
            1, {"name": "early", "run": 'skopeo copy --all a "docker://$REPO:$VERSION"'}
        ),
        # cosign signs only the index.
        lambda w: [
            s.update(run=s["run"].replace(" --recursive", ""))
            for s in w["jobs"]["manifest"]["steps"]
            if "cosign sign" in s.get("run", "")
        ],
    ],
    ids=["pypi-without-manifest", "tag-before-sign", "sign-not-recursive"],
)
def test_the_graph_check_catches_a_broken_release(mutate: Any) -> None:
    workflow = copy.deepcopy(_workflow())
    mutate(workflow)
    assert problems(workflow), "the mutated workflow should have been refused"


def test_the_secret_check_catches_a_token_on_the_command_line() -> None:
    workflow = copy.deepcopy(_workflow())
    step = next(s for s in workflow["jobs"]["image"]["steps"] if "skopeo copy" in s.get("run", ""))
    step["run"] = 'skopeo copy --dest-creds "$GITHUB_ACTOR:$GHCR_TOKEN" a b'
    assert secrets_on_command_lines(workflow)
