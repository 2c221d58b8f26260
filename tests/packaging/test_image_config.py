"""The image configuration nix/image.nix computes matches nix/runtime-contract.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from packaging_helpers import (
    contract,
    image_arguments,
    project_version,
)

from system_parts import skip_unless

ROOT = Path(__file__).resolve().parents[2]
pytestmark = skip_unless("nix")


@pytest.fixture(scope="module")
def image() -> dict[str, Any]:
    return image_arguments()


def test_runs_as_the_contract_user_not_root(image: dict[str, Any]) -> None:
    user = contract()["user"]
    assert user["uid"] != 0
    assert user["gid"] != 0
    assert image["config"]["User"] == f"{user['uid']}:{user['gid']}"
    passwd = next(c for c in image["contents"] if isinstance(c, dict) and c["path"] == "etc/passwd")
    assert f"{user['name']}:x:{user['uid']}:{user['gid']}:" in passwd["text"]
    group = next(c for c in image["contents"] if isinstance(c, dict) and c["path"] == "etc/group")
    assert f"{user['name']}:x:{user['gid']}:" in group["text"]


def test_tini_is_pid_1_and_the_command_is_the_contracts(image: dict[str, Any]) -> None:
    c = contract()
    assert image["config"]["Entrypoint"] == c["entrypoint"]
    assert image["config"]["Entrypoint"][0].endswith("/tini")
    assert "TINI" in image["contents"]
    assert image["config"]["Cmd"] == c["command"]
    assert image["config"]["StopSignal"] == c["stop_signal"]


def test_environment_port_volume_and_healthcheck(image: dict[str, Any]) -> None:
    c = contract()
    config = image["config"]
    assert sorted(config["Env"]) == sorted(f"{k}={v}" for k, v in c["environment"].items())
    assert config["ExposedPorts"] == {f"{c['port']}/tcp": {}}
    assert config["Volumes"] == {c["state_volume"]: {}}
    health = config["Healthcheck"]
    assert health["Test"] == c["healthcheck"]["test"]
    assert health["Interval"] == c["healthcheck"]["interval_seconds"] * 10**9
    assert health["Timeout"] == c["healthcheck"]["timeout_seconds"] * 10**9
    assert health["Retries"] == c["healthcheck"]["retries"]
    # One source for the port: the environment the server and the healthcheck both read.
    assert c["environment"]["SUPEREGO_PORT"] == str(c["port"])
    assert not any(a.startswith(("--port", "--host")) for a in config["Entrypoint"] + config["Cmd"])


def test_tmp_is_world_writable_and_the_state_volume_belongs_to_the_user_and_group_0(
    image: dict[str, Any],
) -> None:
    c = contract()
    commands = image["fakeRootCommands"]
    assert f"chmod {c['tmp_mode']} ./tmp" in commands
    owner = c["state_owner"]
    # The image's user owns it; group 0 may write it too (an arbitrary uid in group 0).
    assert owner == {"uid": c["user"]["uid"], "gid": 0}
    assert int(c["state_mode"], 8) & 0o070 == 0o070
    assert f"chown -R {owner['uid']}:{owner['gid']} .{c['state_volume']}" in commands
    assert f"chmod {c['state_mode']} .{c['state_volume']}" in commands


def test_ca_certificates_and_labels(image: dict[str, Any]) -> None:
    assert "CACERT" in image["contents"]
    labels = image["config"]["Labels"]
    assert labels["org.opencontainers.image.version"] == project_version()
    assert labels["org.opencontainers.image.revision"] == "REVISION"
    assert image["tag"] == project_version()


def test_created_is_the_commit_time(image: dict[str, Any]) -> None:
    # The harness passes the flake's self.lastModifiedDate for a commit at 2026-12-04 14:52:17.
    assert image["created"] == "2026-12-04T14:52:17Z"


def test_the_flake_builds_the_wheel_and_image_with_the_commit_time() -> None:
    # flake.nix cannot be evaluated here (no nixpkgs); its wiring is checked as text: the
    # wheel's SOURCE_DATE_EPOCH (-> _build_info.built_at) and the image's created both come
    # from the flake's own lastModified, never the wall clock or stdenv's 1980 default.
    flake = (ROOT / "flake.nix").read_text()
    assert "lastModified = self.lastModified or 1;" in flake
    assert "SOURCE_DATE_EPOCH = toString lastModified;" in flake
    assert "inherit lib revision lastModifiedDate;" in flake
