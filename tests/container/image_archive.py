#!/usr/bin/env python3
"""Read a docker-archive image (what `nix build .#image` and tests/container/build_standin.py
write; plain or gzipped) without a container runtime: its config, its merged file tree, and
the checks both the Nix `image-config` check and the container contract test make on it.

    python3 image_archive.py check IMAGE.tar[.gz] [--canary VALUE ...]

exits 1 naming every problem: SSL_CERT_FILE is not a file in the image, the entrypoint's
program or /tmp or the state volume are missing or wrong, or a token, key or password is in
a layer or in the config. Standard library only (it runs inside a Nix build as well).
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

# Secrets that must never be baked into an image. Patterns for well-known credential formats,
# plus any literal value the caller passes (e.g. a token that was in the builder's env).
_SECRET_PATTERNS = re.compile(
    # a PEM private key with a body (libraries carry the bare header as a constant)
    rb"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]{64}"
    rb"|\bAKIA[0-9A-Z]{16}\b"
    rb"|\bsk-ant-[A-Za-z0-9_-]{20,}"
    rb"|\bsk-proj-[A-Za-z0-9_-]{20,}"
    rb"|\bgh[pousr]_[A-Za-z0-9]{36,}"
    rb"|\bgithub_pat_[A-Za-z0-9_]{40,}"
    rb"|\bxox[abpr]-[A-Za-z0-9-]{10,}"
)
# Cheap substring tests first: the regular expression runs only on chunks that have one.
_SECRET_HINTS = (
    b"PRIVATE KEY-----",
    b"AKIA",
    b"sk-ant-",
    b"sk-proj-",
    b"ghp_",
    b"gho_",
    b"ghu_",
    b"ghs_",
    b"ghr_",
    b"github_pat_",
    b"xoxa-",
    b"xoxb-",
    b"xoxp-",
    b"xoxr-",
)
# Public test keys, not secrets: GnuTLS embeds the keys of its FIPS power-on self-tests
# (the stand-in's Debian base carries it for apt; the Nix image does not).
_KNOWN_TEST_KEYS = ("libgnutls.so",)
_SECRET_FILE_NAMES = {
    ".env",
    ".netrc",
    ".pypirc",
    ".git-credentials",
    ".npmrc",
    "id_rsa",
    "id_ecdsa",
    "id_ed25519",
    "credentials.json",
}
_SECRET_ENV_NAME = re.compile(r"TOKEN|SECRET|PASSW(OR)?D|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.I)
_CHUNK = 1 << 20


@dataclass
class Entry:
    """One path in the merged file tree."""

    kind: str  # "file", "dir", "symlink", "other"
    mode: int
    uid: int
    gid: int
    size: int = 0
    target: str = ""  # symlink target


@dataclass
class Image:
    """An image archive's config and merged file tree."""

    config: dict[str, Any]
    files: dict[str, Entry] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)


def _norm(name: str) -> str:
    """An archive member name ("./etc/passwd", "etc/passwd") as an absolute path."""
    if name == "." or name.startswith("./"):
        name = name[1:]
    return posixpath.normpath("/" + name.lstrip("/"))


def _entry(info: tarfile.TarInfo) -> Entry:
    kind = (
        "file"
        if info.isreg()
        else "dir"
        if info.isdir()
        else "symlink"
        if info.issym()
        else "other"
    )
    return Entry(kind, info.mode, info.uid, info.gid, info.size, info.linkname)


def _has_secret(data: bytes, canaries: list[bytes], patterns: bool = True) -> bool:
    if any(c in data for c in canaries):
        return True
    if not patterns or not any(h in data for h in _SECRET_HINTS):
        return False
    return _SECRET_PATTERNS.search(data) is not None


def _scan(stream: IO[bytes], name: str, canaries: list[bytes], findings: list[str]) -> None:
    # A file known to embed public test keys is still searched for the canaries.
    patterns = not posixpath.basename(name).startswith(_KNOWN_TEST_KEYS)
    tail = b""
    while chunk := stream.read(_CHUNK):
        data = tail + chunk
        if _has_secret(data, canaries, patterns):
            findings.append(f"{name}: contains a secret (credential pattern or a canary value)")
            return
        tail = data[-256:]


def _read_layer(stream: IO[bytes], canaries: list[bytes], findings: list[str]) -> dict[str, Entry]:
    files: dict[str, Entry] = {}
    with tarfile.open(fileobj=stream, mode="r|*") as layer:
        for info in layer:
            path = _norm(info.name)
            base = posixpath.basename(path)
            if base.startswith(".wh."):  # whiteouts: nothing of ours writes them
                continue
            if info.islnk():  # a hard link: same content as its target in this layer
                linked = files.get(_norm(info.linkname))
                files[path] = linked if linked else _entry(info)
                continue
            files[path] = _entry(info)
            if info.isreg():
                if base in _SECRET_FILE_NAMES:
                    findings.append(f"{path}: a credentials file")
                fh = layer.extractfile(info)
                if fh is not None:
                    _scan(fh, path, canaries, findings)
    return files


def load(archive: Path, canaries: list[str] | None = None) -> Image:
    """Read the archive's manifest, config and layers (two streaming passes)."""
    needles = [c.encode() for c in canaries or [] if c]
    manifest: list[dict[str, Any]] = []
    blobs: dict[str, bytes] = {}
    with tarfile.open(archive, mode="r|*") as tar:
        for info in tar:
            if info.name.endswith(".json"):
                fh = tar.extractfile(info)
                if fh is not None:
                    blobs[_norm(info.name)] = fh.read()
    manifest = json.loads(blobs["/manifest.json"])
    raw_config = blobs[_norm(manifest[0]["Config"])]
    image = Image(config=json.loads(raw_config))
    if _has_secret(raw_config, needles):
        image.findings.append("image config: contains a secret (credential pattern or canary)")
    layers = [_norm(name) for name in manifest[0]["Layers"]]
    per_layer: dict[str, dict[str, Entry]] = {}
    with tarfile.open(archive, mode="r|*") as tar:
        for info in tar:
            path = _norm(info.name)
            if path in layers:
                fh = tar.extractfile(info)
                if fh is not None:
                    per_layer[path] = _read_layer(fh, needles, image.findings)
    for layer in layers:
        image.files.update(per_layer.get(layer, {}))
    return image


def resolve(image: Image, path: str, depth: int = 0) -> str | None:
    """``path`` with every symlink followed inside the image (as the kernel would in the
    container); None when some component does not exist."""
    if depth > 40:
        return None
    current = "/"
    parts = [p for p in _norm(path).split("/") if p]
    for i, part in enumerate(parts):
        candidate = posixpath.join(current, part)
        entry = image.files.get(candidate)
        if entry is None:
            return None
        if entry.kind == "symlink":
            target = entry.target
            if not target.startswith("/"):
                target = posixpath.join(current, target)
            rest = "/".join(parts[i + 1 :])
            return resolve(
                image, posixpath.join(_norm(target), rest) if rest else target, depth + 1
            )
        current = candidate
    return current


def env(image: Image) -> dict[str, str]:
    """The config's Env as a dict."""
    pairs = (item.partition("=") for item in image.config["config"].get("Env") or [])
    return {k: v for k, _, v in pairs}


def problems(image: Image, contract: dict[str, Any] | None = None) -> list[str]:
    """Everything wrong with the image, as messages (empty when it is fine)."""
    out = list(image.findings)
    cfg = image.config["config"]
    variables = env(image)
    for name in variables:
        if _SECRET_ENV_NAME.search(name):
            out.append(f"image config: environment variable {name} looks like a secret")
    bundle = variables.get("SSL_CERT_FILE")
    if not bundle:
        out.append("image config: SSL_CERT_FILE is not set")
    else:
        real = resolve(image, bundle)
        entry = image.files.get(real) if real else None
        if entry is None or entry.kind != "file" or entry.size == 0:
            out.append(f"SSL_CERT_FILE={bundle}: no such non-empty file in the image")
    entrypoint = cfg.get("Entrypoint") or []
    if not entrypoint or resolve(image, entrypoint[0]) is None:
        out.append(f"entrypoint {entrypoint[:1]}: not in the image")
    tmp = image.files.get(resolve(image, "/tmp") or "")
    if tmp is None or tmp.kind != "dir" or tmp.mode & 0o7777 != 0o1777:
        out.append("/tmp: missing or not mode 1777")
    user = cfg.get("User", "")
    uid = user.split(":")[0]
    if not uid.isdigit() or int(uid) == 0:
        out.append(f"User {user!r}: not a numeric non-root uid")
    if contract is not None:
        state = image.files.get(resolve(image, contract["state_volume"]) or "")
        owner = contract["state_owner"]
        if (
            state is None
            or state.kind != "dir"
            or (state.uid, state.gid) != (owner["uid"], owner["gid"])
            or state.mode & 0o7777 != int(contract["state_mode"], 8)
        ):
            out.append(
                f"{contract['state_volume']}: missing, or not {owner['uid']}:{owner['gid']}"
                f" mode {contract['state_mode']} as the contract says"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: ``check IMAGE [--contract JSON] [--canary VALUE ...]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check an image archive; exit 1 naming each problem")
    check.add_argument("archive", type=Path)
    check.add_argument("--contract", type=Path, help="nix/runtime-contract.json")
    check.add_argument("--canary", action="append", default=[], help="a value that must not appear")
    args = parser.parse_args(argv)
    contract = json.loads(args.contract.read_text()) if args.contract else None
    found = problems(load(args.archive, args.canary), contract)
    for message in found:
        print(f"{args.archive}: {message}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
