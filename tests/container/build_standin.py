#!/usr/bin/env python3
"""Build the stand-in image: the project's wheel on Debian 12 minbase, configured from the
SAME nix/runtime-contract.json that nix/image.nix reads, written as a docker-archive.

Nix cannot build here, so the contract test runs on this image; GitHub Actions runs the same
test on the Nix-built one. What differs from the Nix image, and why:

- the base is `debootstrap --variant=minbase` with python3, tini and ca-certificates (the Nix
  image has only the application's closure, Python 3.13, tini and cacert);
- the packages are uv.lock's exact runtime versions installed with `uv pip install --target`
  into /opt/superego-mcp/lib (a .pth file puts them on Debian's python3 path) and compiled
  to bytecode inside the image's own Python;
- Debian's bundle is /etc/ssl/certs/ca-certificates.crt; the contract's SSL_CERT_FILE path
  (cacert's name) is made a link to it, so the image carries the bundle the contract names.

Everything the contract says (user, entrypoint, command, environment, port, volume, /tmp mode,
healthcheck, stop signal) is applied from the JSON, the way image.nix applies it.

    build_standin.py --wheel dist/superego_mcp-*.whl --out image.tar [--work DIR]

Needs root (debootstrap, chroot, file owners), debootstrap and tar.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "nix" / "runtime-contract.json"
SUITE = "bookworm"
MIRROR = os.environ.get("SUPEREGO_DEBIAN_MIRROR", "http://deb.debian.org/debian")
PACKAGES = ("python3", "tini", "ca-certificates")
LIB = "/opt/superego-mcp/lib"
# Files a runtime image does not need (docs, man pages, apt's state): smaller layer, same behaviour.
TRIM = (
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
    "var/cache/apt",
    "var/lib/apt/lists",
    "var/log",
)


def _run(argv: list[str], **kwargs: Any) -> None:
    started = time.monotonic()
    subprocess.run(argv, check=True, **kwargs)
    print(
        f"build_standin: {argv[0]} {argv[1] if len(argv) > 1 else ''}: "
        f"{time.monotonic() - started:.1f}s",
        file=sys.stderr,
    )


def _uv(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "scripts" / "uv.py"), *args]


def bootstrap(rootfs: Path) -> None:
    """Debian minbase plus the stand-in's packages, trimmed."""
    _run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(PACKAGES)}",
            SUITE,
            str(rootfs),
            MIRROR,
        ],
        stdout=subprocess.DEVNULL,
    )
    for rel in TRIM:
        target = rootfs / rel
        if target.exists():
            shutil.rmtree(target)
            target.mkdir(parents=True)


def install_app(rootfs: Path, wheel: Path, work: Path) -> None:
    """The wheel and uv.lock's runtime dependencies, for the image's own Python."""
    version = subprocess.run(
        [
            "chroot",
            str(rootfs),
            "python3",
            "-c",
            "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    reqs = work / "requirements.txt"
    _run(
        _uv(
            "export",
            "--frozen",
            "--no-dev",
            "--no-hashes",
            "--no-emit-project",
            "--output-file",
            str(reqs),
        ),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    machine = os.uname().machine
    _run(
        _uv(
            "pip",
            "install",
            "--quiet",
            "--target",
            str(rootfs / LIB.lstrip("/")),
            "--python-version",
            version,
            "--python-platform",
            f"{machine}-manylinux_2_36",
            "-r",
            str(reqs),
            str(wheel),
        ),
        env=dict(os.environ, UV_PYTHON_DOWNLOADS="never", UV_LINK_MODE="copy"),
    )
    # Scripts uv wrote for the host's interpreter path are replaced by ours below.
    shutil.rmtree(rootfs / LIB.lstrip("/") / "bin", ignore_errors=True)
    site = rootfs / "usr" / "lib" / "python3" / "dist-packages"
    site.mkdir(parents=True, exist_ok=True)
    (site / "superego-mcp.pth").write_text(LIB + "\n")
    script = rootfs / "usr" / "bin" / "superego-mcp"
    script.write_text(
        "#!/usr/bin/python3\nimport sys\nfrom superego_mcp.cli import main\nsys.exit(main())\n"
    )
    script.chmod(0o755)
    _run(
        ["chroot", str(rootfs), "python3", "-m", "compileall", "-q", "-j", "0", LIB],
        stdout=subprocess.DEVNULL,
    )


def apply_contract(rootfs: Path, contract: dict[str, Any]) -> None:
    """User, state volume, /tmp and the CA bundle path, as the contract says."""
    user = contract["user"]
    with open(rootfs / "etc" / "passwd", "a") as fh:
        fh.write(
            f"{user['name']}:x:{user['uid']}:{user['gid']}:Superego MCP:{user['home']}:"
            "/usr/sbin/nologin\n"
        )
    with open(rootfs / "etc" / "group", "a") as fh:
        fh.write(f"{user['name']}:x:{user['gid']}:\n")
    state = rootfs / contract["state_volume"].lstrip("/")
    state.mkdir(parents=True, exist_ok=True)
    owner = contract["state_owner"]  # group 0, group-writable: arbitrary uids in group 0 run
    os.chown(state, owner["uid"], owner["gid"])
    state.chmod(int(contract["state_mode"], 8))
    tmp = rootfs / "tmp"
    tmp.mkdir(exist_ok=True)
    tmp.chmod(int(contract["tmp_mode"], 8))
    bundle = rootfs / contract["environment"]["SSL_CERT_FILE"].lstrip("/")
    if not bundle.exists():
        bundle.symlink_to("ca-certificates.crt")


def _git_revision() -> str:
    out = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def image_config(contract: dict[str, Any], version: str, diff_id: str) -> dict[str, Any]:
    """The image config, field for field what nix/image.nix gives dockerTools."""
    health = contract["healthcheck"]
    user = contract["user"]
    seconds = 1_000_000_000
    return {
        "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, "amd64"),
        "os": "linux",
        "config": {
            "User": f"{user['uid']}:{user['gid']}",
            "Entrypoint": contract["entrypoint"],
            "Cmd": contract["command"],
            "Env": [f"{k}={v}" for k, v in contract["environment"].items()],
            "WorkingDir": contract["state_volume"],
            "ExposedPorts": {f"{contract['port']}/tcp": {}},
            "Volumes": {contract["state_volume"]: {}},
            "StopSignal": contract["stop_signal"],
            "Healthcheck": {
                "Test": health["test"],
                "Interval": health["interval_seconds"] * seconds,
                "Timeout": health["timeout_seconds"] * seconds,
                "StartPeriod": health["start_period_seconds"] * seconds,
                "Retries": health["retries"],
            },
            "Labels": {
                "org.opencontainers.image.title": "superego-mcp",
                "org.opencontainers.image.version": version,
                "org.opencontainers.image.revision": _git_revision(),
                "org.opencontainers.image.licenses": "MIT",
                "org.opencontainers.image.description": "stand-in for the Nix image (tests)",
            },
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }


def write_archive(
    rootfs: Path, contract: dict[str, Any], version: str, out: Path, work: Path
) -> None:
    """One layer (the root file system, numeric owners) and the config, as a docker-archive."""
    layer = work / "layer.tar"
    _run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(layer), "."])
    digest = hashlib.sha256()
    with open(layer, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    layer_hex = digest.hexdigest()
    config = json.dumps(
        image_config(contract, version, f"sha256:{layer_hex}"), sort_keys=True
    ).encode()
    config_name = f"{hashlib.sha256(config).hexdigest()}.json"
    manifest = json.dumps(
        [
            {
                "Config": config_name,
                "RepoTags": [f"superego-mcp:{version}"],
                "Layers": [f"{layer_hex}/layer.tar"],
            }
        ]
    ).encode()
    with tarfile.open(out, "w") as tar:
        tar.add(layer, arcname=f"{layer_hex}/layer.tar")
        for name, data in ((config_name, config), ("manifest.json", manifest)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _wheel_version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def build(wheel: Path, out: Path, work: Path) -> None:
    """The whole stand-in build into ``out``, using ``work`` for scratch."""
    contract = json.loads(CONTRACT.read_text())
    rootfs = work / "rootfs"
    bootstrap(rootfs)
    install_app(rootfs, wheel, work)
    apply_contract(rootfs, contract)
    write_archive(rootfs, contract, _wheel_version(wheel), out, work)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="docker-archive to write")
    parser.add_argument("--work", type=Path, help="scratch directory (default: a temp dir)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        parser.error("needs root (debootstrap, chroot and file owners)")
    work = args.work or Path(tempfile.mkdtemp(prefix="superego-standin-"))
    try:
        build(args.wheel.resolve(), args.out.resolve(), work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
