"""Fixtures for the hook tests: a private HOME / cache, and the real hook executable."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hermetic import is_setting
from support.hook import Result
from support.hook import run_hook as run_hook_process


@pytest.fixture(scope="session")
def pycache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One .pyc prefix for every hook process of the session (outside the source tree),
    filled once by a throw-away call: compiling pydantic's modules on a busy machine can
    take longer than the hook's 5 s deadline, which would make the first test flaky."""
    prefix = tmp_path_factory.mktemp("pycache")
    home = tmp_path_factory.mktemp("warm-home")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SUPEREGO_")}
    env.update(HOME=str(home), SUPEREGO_CACHE_DIR=str(home / "cache"))
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    code = (
        "import superego_mcp.config, superego_mcp.policy.loader, superego_mcp.shell.analyzer, "
        "superego_mcp.hook.runner, superego_mcp.hook.cache, superego_mcp.hook.client"
    )
    subprocess.run([sys.executable, "-c", code], env=env, timeout=120, check=False)
    return prefix


@pytest.fixture
def hook_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pycache: Path) -> dict[str, str]:
    """An environment with its own HOME and cache dir and no SUPEREGO_* settings (also
    applied to this process, for in-process tests)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SUPEREGO_")}
    for k in os.environ:
        if is_setting(k):  # test-control variables (SUPEREGO_TEST_HIDE...) stay
            monkeypatch.delenv(k)
    env.update(HOME=str(home), SUPEREGO_CACHE_DIR=str(tmp_path / "cache"))
    # Hook processes keep their .pyc files, as an installation does: compiling pydantic from
    # source on every cache miss would make these tests slow, not more truthful.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.pop("XDG_CACHE_HOME", None)
    # Set when the suite itself runs under an agent; it would name the hooks' project.
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "CLAUDE_PROJECT_DIR"):
        env.pop(k, None)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SUPEREGO_CACHE_DIR", str(tmp_path / "cache"))
    return env


RunHook = Callable[..., Result]


@pytest.fixture
def run_hook(hook_env: dict[str, str], tmp_path: Path) -> RunHook:
    """Run the real `superego-mcp hook` with stdin bytes (or a dict, sent as JSON)."""

    def run(
        payload: bytes | dict[str, object],
        *args: str,
        module: bool = False,
        env: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Result:
        return run_hook_process(
            payload,
            *args,
            env={**hook_env, **(env or {})},
            cwd=tmp_path,
            timeout=timeout,
            module=module,
        )

    return run
