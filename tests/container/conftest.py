"""Fixtures for the container contract tests: the image archive under test, loaded into a
private podman.

The image is `$SUPEREGO_IMAGE_ARCHIVE` when set (GitHub Actions passes the Nix-built
`./result`; `tests/container/run-contract IMAGE` sets it), else the stand-in built here from
the project's wheel by build_standin.py. These tests need root, podman and (for the stand-in)
debootstrap; without them they are skipped (tests/system_parts.py), unless
`SUPEREGO_REQUIRE_CONTAINER` is set (as `.ci/run` does), which turns a missing prerequisite
into a failure.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from podman import LoadedImage, Podman, sweep

from system_parts import missing_reason

ROOT = Path(__file__).resolve().parents[2]
GIVEN = os.environ.get("SUPEREGO_IMAGE_ARCHIVE")
# A value that sits in the builder's environment as a token and an API key while the
# stand-in is built: it must not end up in any layer or in the config.
BUILD_CANARY = "build-canary-" + secrets.token_hex(16)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # SUPEREGO_REQUIRE_CONTAINER (set by .ci/run) turns a missing prerequisite into a failure.
    reason = missing_reason("container")
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


def _build_standin(work: Path) -> Path:
    dist = work / "dist"
    uv = [sys.executable, str(ROOT / "scripts" / "uv.py")]
    subprocess.run(
        [*uv, "build", "--wheel", "--out-dir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
        env=dict(os.environ, UV_PYTHON_DOWNLOADS="never"),
    )
    wheel = next(dist.glob("*.whl"))
    archive = work / "standin.tar"
    env = dict(os.environ, SUPEREGO_API_TOKEN=BUILD_CANARY, ANTHROPIC_API_KEY=BUILD_CANARY)
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).parent / "build_standin.py"),
            "--wheel",
            str(wheel),
            "--out",
            str(archive),
            "--work",
            str(work / "build"),
        ],
        check=True,
        timeout=1200,
        env=env,
    )
    shutil.rmtree(work / "build", ignore_errors=True)
    return archive


@pytest.fixture(scope="session")
def image() -> Iterator[LoadedImage]:
    """The image archive, loaded into a private podman; its folder (storage, volumes and the
    stand-in's build) is removed at the end of the session whatever happened, and what a
    killed earlier session left is removed first (``podman.sweep``)."""
    sweep()
    podman = Podman()
    try:
        work = podman.base / "image"
        work.mkdir()
        archive = Path(GIVEN).resolve() if GIVEN else _build_standin(work)
        canaries = [] if GIVEN else [BUILD_CANARY]
        contract = json.loads((ROOT / "nix" / "runtime-contract.json").read_text())
        yield LoadedImage(archive, podman.load(archive), podman, contract, canaries)
    finally:
        podman.close()
