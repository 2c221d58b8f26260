"""The image's runtime contract (nix/runtime-contract.json), run for real in podman.

Each promise is checked on a running container: a numeric non-root user, tini as PID 1
forwarding SIGTERM (exit 0 within the contract's stop timeout), `podman healthcheck run`
healthy within the healthcheck's start period, /healthz and MCP `initialize` through a port
published on 127.0.0.1 with a token, the port moved with `-e SUPEREGO_PORT`, a clear refusal
of a wildcard bind without a token, a read-only root with a tmpfs /tmp, state on the volume
across a restart, arguments after the image name reaching the program (MCP over the
container's stdio), the CA bundle the environment names, and no secrets in any layer or in
the config.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import image_archive
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from podman import LoadedImage

# The first test pays for the session's image: the stand-in build (debootstrap fetches Debian
# packages) and `podman load` take minutes on a loaded 2-core machine.
pytestmark = pytest.mark.timeout(1800)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _epoch(stamp: str) -> float:
    """Epoch seconds of a time podman writes (RFC 3339, nanoseconds, ``Z`` or an offset)."""
    from datetime import datetime

    found = re.fullmatch(r"(.+T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", stamp)
    assert found, f"not an RFC 3339 time: {stamp!r}"
    whole, fraction, zone = found.groups()
    fraction = (fraction or "0")[:6]
    zone = "+00:00" if zone == "Z" else zone
    return datetime.fromisoformat(f"{whole}.{fraction}{zone}").timestamp()


def _bash(command: str) -> dict[str, Any]:
    return {
        "session_id": "s1",
        "transcript_path": "/tmp/t.jsonl",
        "cwd": "/tmp",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command},
    }


class Running:
    """One detached container of the image, published on 127.0.0.1."""

    def __init__(self, image: LoadedImage, *extra: str, port: int | None = None) -> None:
        self.image = image
        self.podman = image.podman
        self.name = f"superego-{secrets.token_hex(4)}"
        self.token = secrets.token_urlsafe(24)
        self.container_port = port or image.contract["port"]
        self.host_port = _free_port()
        self.url = f"http://127.0.0.1:{self.host_port}"
        self.podman.run(
            "run",
            "--detach",
            "--name",
            self.name,
            "--read-only",
            "--tmpfs",
            "/tmp",
            "--publish",
            f"127.0.0.1:{self.host_port}:{self.container_port}",
            "--env",
            f"SUPEREGO_API_TOKEN={self.token}",
            *extra,
            image.id,
        )

    def healthy_after(self) -> float:
        """Seconds from the container's start to its server's first answer on /healthz (the
        check the healthcheck command makes), once `podman healthcheck run` is healthy too.

        The start period counts from the container's start (podman's ``StartedAt``), not
        from when `podman run` was called, and the server's answer is watched every 50 ms
        through the published port: neither podman's own time to create the container nor
        the gap between two `podman healthcheck run` (each a podman process, a second or
        more apart on a loaded machine) is counted against the image."""
        ready = self._answering(within=60)
        self.podman.wait_healthy(self.name, within=60)
        return ready - _epoch(self.inspect()["State"]["StartedAt"])

    def _answering(self, within: float) -> float:
        """When (epoch seconds) /healthz first answered 200 through the published port."""
        deadline = time.monotonic() + within
        polls = 0
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return time.time()
            except httpx.TransportError:
                pass
            polls += 1
            if polls % 40 == 0 and not self.inspect()["State"]["Running"]:
                break  # wait_healthy names why
            time.sleep(0.05)
        self.podman.wait_healthy(self.name, within=0)  # fails, with the container's logs
        raise AssertionError(f"{self.name}: /healthz never answered but the healthcheck did")

    def inspect(self) -> dict[str, Any]:
        return self.podman.inspect(self.name)

    def remove(self) -> None:
        self.podman.run("rm", "--force", "--time", "0", self.name, check=False)


@pytest.fixture
def start(image: LoadedImage) -> Iterator[Callable[..., Running]]:
    """Start containers of the image; all are removed after the test."""
    started: list[Running] = []

    def _start(*extra: str, port: int | None = None) -> Running:
        started.append(Running(image, *extra, port=port))
        return started[-1]

    yield _start
    for container in started:
        container.remove()


@pytest.fixture(scope="module")
def served(image: LoadedImage) -> Iterator[tuple[Running, float]]:
    """One container as the docs run it, and how long it took to be healthy."""
    container = Running(image)
    try:
        yield container, container.healthy_after()
    finally:
        container.remove()


def _host_pids(container: Running) -> tuple[int, list[int]]:
    """The container's PID 1 as the host sees it, and its children."""
    pid = int(container.inspect()["State"]["Pid"])
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return pid, [int(c) for c in children]


def _status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {k: v.strip() for k, _, v in (line.partition(":") for line in lines)}


# --- the image itself ----------------------------------------------------------------------


def test_the_archive_has_the_contract_files_and_no_secrets(image: LoadedImage) -> None:
    loaded = image_archive.load(image.archive, canaries=image.canaries)
    assert image_archive.problems(loaded, image.contract) == []
    config = loaded.config["config"]
    assert config["Entrypoint"] == image.contract["entrypoint"]
    assert config["Cmd"] == image.contract["command"]


def test_the_secret_scan_finds_a_planted_key_and_a_canary(tmp_path: Path) -> None:
    # The scan above must be able to fail: plant a private key and a canary in an archive.
    import io
    import tarfile

    layer = io.BytesIO()
    key = b"-----BEGIN RSA PRIVATE KEY-----\n" + b"A" * 64 * 3 + b"\n"
    with tarfile.open(fileobj=layer, mode="w") as tar:
        for name, data in (("root/key.pem", key), ("etc/app.conf", b"token = canary-123\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    config = json.dumps({"config": {"Env": ["SUPEREGO_API_TOKEN=x"], "User": "0"}}).encode()
    archive = tmp_path / "bad.tar"
    with tarfile.open(archive, mode="w") as tar:
        manifest = json.dumps([{"Config": "c.json", "Layers": ["l/layer.tar"]}]).encode()
        for name, data in (
            ("l/layer.tar", layer.getvalue()),
            ("c.json", config),
            ("manifest.json", manifest),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    found = "\n".join(image_archive.problems(image_archive.load(archive, ["canary-123"])))
    assert "/root/key.pem: contains a secret" in found
    assert "/etc/app.conf: contains a secret" in found
    assert "SUPEREGO_API_TOKEN looks like a secret" in found
    assert "SSL_CERT_FILE is not set" in found
    assert "not a numeric non-root uid" in found


def test_the_ca_bundle_named_by_ssl_cert_file_is_in_the_container(
    image: LoadedImage, tmp_path: Path
) -> None:
    podman = image.podman
    config_env = dict(
        item.partition("=")[::2] for item in podman.inspect(image.id, kind="image")["Config"]["Env"]
    )
    bundle = config_env["SSL_CERT_FILE"]
    assert bundle == image.contract["environment"]["SSL_CERT_FILE"]
    name = f"superego-ca-{secrets.token_hex(4)}"
    podman.run("create", "--name", name, image.id)
    try:
        # podman cp resolves the path inside the container, symlinks included.
        podman.run("cp", f"{name}:{bundle}", str(tmp_path / "bundle.pem"))
    finally:
        podman.run("rm", "--force", name, check=False)
    context = ssl.create_default_context(cafile=str(tmp_path / "bundle.pem"))
    assert context.cert_store_stats()["x509_ca"] > 50


# --- a running container -------------------------------------------------------------------


def test_healthy_within_the_start_period(served: tuple[Running, float]) -> None:
    container, seconds = served
    limit = container.image.contract["healthcheck"]["start_period_seconds"]
    assert seconds <= limit, f"healthy after {seconds:.1f}s, the contract allows {limit}s"


def test_runs_as_a_numeric_non_root_user_under_tini_as_pid_1(
    served: tuple[Running, float],
) -> None:
    container, _ = served
    user = container.image.contract["user"]
    assert container.podman.inspect(container.image.id, kind="image")["Config"]["User"] == (
        f"{user['uid']}:{user['gid']}"
    )
    init, children = _host_pids(container)
    argv = Path(f"/proc/{init}/cmdline").read_bytes().split(b"\0")
    assert argv[0].endswith(b"/tini"), argv
    assert _status(init)["NSpid"].split()[-1] == "1"  # PID 1 inside the container
    assert len(children) == 1
    server = Path(f"/proc/{children[0]}/cmdline").read_bytes().split(b"\0")
    assert b"serve" in server, server
    for pid in (init, children[0]):
        uids = _status(pid)["Uid"].split()
        assert uids == [str(user["uid"])] * 4, (pid, uids)


def test_read_only_root_with_a_tmpfs_tmp(served: tuple[Running, float]) -> None:
    container, _ = served
    host = container.inspect()["HostConfig"]
    assert host["ReadonlyRootfs"] is True
    assert "/tmp" in host["Tmpfs"]
    # ...and it serves (the fixture saw it healthy) with nothing writable but /tmp and the volume.


def test_healthz_and_mcp_initialize_through_the_published_port_with_a_token(
    served: tuple[Running, float],
) -> None:
    container, _ = served
    assert httpx.get(f"{container.url}/healthz", timeout=10).json() == {"status": "ok"}
    denied = httpx.post(f"{container.url}/v1/hooks/claude-code", json=_bash("ls"), timeout=10)
    assert denied.status_code == 401
    answer = httpx.post(
        f"{container.url}/v1/hooks/claude-code",
        json=_bash("rm -rf ~"),
        headers={"Authorization": f"Bearer {container.token}"},
        timeout=30,
    )
    assert answer.json()["hookSpecificOutput"]["permissionDecision"] == "deny"

    # The JSON-RPC `initialize` request itself, as any MCP client opens a session.
    auth = {"Authorization": f"Bearer {container.token}"}
    init = httpx.post(
        f"{container.url}/mcp",
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "contract-test", "version": "0"},
            },
        },
        headers={**auth, "Accept": "application/json, text/event-stream"},
        timeout=30,
    )
    assert init.status_code == 200, init.text
    body = init.text
    if init.headers["content-type"].startswith("text/event-stream"):
        body = next(line[5:] for line in body.splitlines() if line.startswith("data:"))
    assert json.loads(body)["result"]["serverInfo"]["name"] == "superego-mcp"
    no_token = httpx.post(f"{container.url}/mcp", json={"jsonrpc": "2.0"}, timeout=10)
    assert no_token.status_code == 401

    async def evaluate() -> Any:
        transport = StreamableHttpTransport(f"{container.url}/mcp", headers=auth)
        with anyio.fail_after(60):
            async with Client(transport) as client:
                args = {"tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": "/tmp"}
                return (await client.call_tool("evaluate_tool_call", args)).structured_content

    assert anyio.run(evaluate)["decision"] == "allow"


def test_the_port_moves_with_superego_port_and_the_healthcheck_follows(
    start: Callable[..., Running],
) -> None:
    container = start("--env", "SUPEREGO_PORT=9000", port=9000)
    container.healthy_after()
    assert httpx.get(f"{container.url}/healthz", timeout=10).status_code == 200


def test_a_wildcard_bind_without_a_token_is_refused_with_a_clear_message(
    image: LoadedImage,
) -> None:
    proc = image.podman.run("run", "--rm", "--read-only", image.id, check=False, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "refusing to listen on non-loopback address '0.0.0.0'" in proc.stderr
    assert "SUPEREGO_API_TOKEN" in proc.stderr


def test_arguments_after_the_image_name_reach_the_program(image: LoadedImage) -> None:
    # `docker run -i IMAGE --transport stdio`: an MCP client over the container's stdio.
    argv = image.podman.command(
        "run", "--rm", "-i", "--read-only", image.id, "--transport", "stdio"
    )
    params = StdioServerParameters(command=argv[0], args=argv[1:], env=image.podman.env)

    async def run() -> tuple[list[str], Any]:
        with anyio.fail_after(120):
            async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
                await s.initialize()
                tools = sorted(t.name for t in (await s.list_tools()).tools)
                args = {"tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}, "cwd": "/"}
                result = await s.call_tool("evaluate_tool_call", args)
                return tools, result.structured_content

    tools, result = anyio.run(run)
    assert tools == ["evaluate_tool_call", "explain_tool_call"]
    assert result["decision"] == "deny"


def _stop(container: Running) -> tuple[int, float]:
    """SIGTERM to the container (to tini, which forwards it); exit code and seconds taken."""
    started = time.monotonic()
    container.podman.run("kill", "--signal", "TERM", container.name)
    code = int(container.podman.run("wait", container.name, timeout=60).stdout.strip())
    return code, time.monotonic() - started


def test_sigterm_stops_the_server_with_exit_0_in_time(start: Callable[..., Running]) -> None:
    container = start()
    container.healthy_after()
    code, seconds = _stop(container)
    limit = container.image.contract["stop_timeout_seconds"]
    assert code == 0, container.podman.run("logs", container.name, check=False).stderr
    assert seconds <= limit, f"stopped after {seconds:.1f}s, the contract allows {limit}s"


# --- state on the volume -------------------------------------------------------------------


def _volume_files(image: LoadedImage, volume: str) -> dict[str, str]:
    """Every file on a named volume: relative path -> sha256."""
    mount = Path(
        image.podman.run("volume", "inspect", volume, "--format", "{{.Mountpoint}}").stdout.strip()
    )
    return {
        str(p.relative_to(mount)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(mount.rglob("*"))
        if p.is_file()
    }


# What the image keeps in its state volume, produced through the product's own entry points.
# Add a line when a feature starts keeping state there (the audit database, for one): each
# producer runs in the first container, and every file it leaves must be there, unchanged
# or grown, after the container is replaced.
def _produce_hook_cache(image: LoadedImage, volume: str, container: Running) -> None:
    """The command hook's compiled-policy cache ($XDG_CACHE_HOME/superego-mcp)."""
    proc = image.podman.run(
        "run",
        "--rm",
        "-i",
        "--read-only",
        "--volume",
        f"{volume}:{image.contract['state_volume']}",
        image.id,
        "hook",
        stdin=json.dumps(_bash("ls")).encode(),
    )
    assert json.loads(proc.stdout)["hookSpecificOutput"]["permissionDecision"] == "allow"


def _produce_server_decision(image: LoadedImage, volume: str, container: Running) -> None:
    """A decision through the running server (recorded wherever the server keeps state)."""
    answer = httpx.post(
        f"{container.url}/v1/hooks/claude-code",
        json=_bash("rm -rf /"),
        headers={"Authorization": f"Bearer {container.token}"},
        timeout=30,
    )
    assert answer.status_code == 200


STATE_PRODUCERS = (_produce_hook_cache, _produce_server_decision)


def _check_audit_kept(image: LoadedImage, second: Running, before: dict[str, str]) -> None:
    """The audit database ($XDG_STATE_HOME/superego/audit.db, SQLite by default) is on the
    volume, and the replacement container serves the first one's decision from it."""
    assert "state/superego/audit.db" in before, sorted(before)
    _assert_recorded_deny(second)


def _assert_recorded_deny(container: Running) -> None:
    """The container's /v1/audit holds the denied `rm -rf /` of _produce_server_decision."""
    page = httpx.get(
        f"{container.url}/v1/audit",
        params={"decision": "deny", "entry": "http-hook"},
        headers={"Authorization": f"Bearer {container.token}"},
        timeout=30,
    ).json()
    assert any("rm -rf /" in json.dumps(item) for item in page["items"]), page


# Checks on the second container, after the first one's state was carried over.
STATE_CHECKS = (_check_audit_kept,)


def test_state_on_the_volume_survives_a_restart(
    image: LoadedImage, start: Callable[..., Running]
) -> None:
    volume = f"superego-state-{secrets.token_hex(4)}"
    mount = f"{volume}:{image.contract['state_volume']}"
    first = start("--volume", mount)
    first.healthy_after()
    for produce in STATE_PRODUCERS:
        produce(image, volume, first)
    code, _ = _stop(first)
    assert code == 0
    before = _volume_files(image, volume)
    assert any(path.startswith("cache/superego/") for path in before), before

    second = start("--volume", mount)
    second.healthy_after()
    after = _volume_files(image, volume)
    missing = sorted(set(before) - set(after))
    assert not missing, f"lost across the restart: {missing}"
    for check in STATE_CHECKS:
        check(image, second, before)
    # The cache is content-addressed: the second container reuses the same entries.
    for path, digest in before.items():
        if path.startswith("cache/"):
            assert after[path] == digest, path


# --- an arbitrary uid in group 0 (OpenShift's restricted SCC) -----------------------------

ARBITRARY_USER = "1000770000:0"


@pytest.mark.parametrize("with_volume", [False, True], ids=["no-volume", "volume"])
def test_runs_under_an_arbitrary_uid_in_group_0(
    image: LoadedImage, start: Callable[..., Running], with_volume: bool
) -> None:
    """The state directory is group 0 and group-writable, so a uid the image has never
    heard of (no passwd entry) serves, records its decision, and keeps its state."""
    extra: list[str] = ["--user", ARBITRARY_USER]
    volume = f"superego-anyuid-{secrets.token_hex(4)}"
    if with_volume:
        extra += ["--volume", f"{volume}:{image.contract['state_volume']}"]
    container = start(*extra)
    container.healthy_after()
    _produce_server_decision(image, volume, container)
    _assert_recorded_deny(container)
    # The command hook, too, as the same uid (its policy cache goes to the state dir).
    proc = image.podman.run(
        "run",
        "--rm",
        "-i",
        "--read-only",
        "--user",
        ARBITRARY_USER,
        *(["--volume", f"{volume}:{image.contract['state_volume']}"] if with_volume else []),
        image.id,
        "hook",
        stdin=json.dumps(_bash("rm -rf /")).encode(),
    )
    answer = json.loads(proc.stdout)["hookSpecificOutput"]["permissionDecision"]
    assert answer == "deny", proc.stderr
    if with_volume:
        files = _volume_files(image, volume)
        assert "state/superego/audit.db" in files, sorted(files)


# --- the sizes the docs quote ------------------------------------------------------------


def test_the_stand_in_size_in_the_docs_is_measured(image: LoadedImage) -> None:
    """docs/container-usage.md quotes the stand-in's size; it must be today's (±15%)."""
    if image.canaries == []:
        pytest.skip("a given image archive (not the stand-in): the docs quote the stand-in")
    docs = (Path(__file__).resolve().parents[2] / "docs" / "container-usage.md").read_text()
    quoted = re.search(r"It is (\d+) MB \(`podman image inspect`", docs)
    assert quoted, "docs/container-usage.md no longer quotes the stand-in's size"
    size = int(image.podman.run("image", "inspect", image.id, "--format", "{{.Size}}").stdout)
    measured = size / 1e6
    assert abs(measured - int(quoted[1])) <= 0.15 * measured, (
        f"the stand-in is {measured:.0f} MB; docs/container-usage.md says {quoted[1]} MB"
    )


def test_skopeo_reads_the_decompressed_archive_as_the_release_does(
    image: LoadedImage, tmp_path: Path
) -> None:
    """release.yml decompresses the gzipped archive once and hands the .tar to skopeo, grype
    and syft: skopeo 1.9 (Debian 12) cannot read the gzipped archive by path ("invalid tar
    header"), but reads the .tar, with the configuration the contract promises."""
    import gzip
    import shutil
    import subprocess

    from system_parts import require

    skopeo = require("skopeo")
    tar = tmp_path / "image.tar"
    with open(image.archive, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    with opener(image.archive, "rb") as src, open(tar, "wb") as dst:
        shutil.copyfileobj(src, dst)
    proc = subprocess.run(
        [skopeo, "inspect", "--config", f"docker-archive:{tar}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    config = json.loads(proc.stdout)["config"]
    contract = image.contract
    assert config["User"] == f"{contract['user']['uid']}:{contract['user']['gid']}"
    assert config["Entrypoint"] == contract["entrypoint"]
