#!/usr/bin/env python3
"""Check flake.lock against flake.nix's inputs, offline.

Nix 2.8 (what Debian 12 ships) reads a lock lazily: `nix flake metadata --offline` accepts a
lock that lost a `follows`, because it copies unchanged inputs from the old lock without
looking. This script fills that gap with only the standard library plus `nix-instantiate`
(to read the `inputs` attribute set of flake.nix, which is plain data):

- lock version 7, root node named "root";
- the root node lists exactly flake.nix's inputs;
- each input's `original` is what its `url` says, and `locked` pins a rev and a narHash;
- every `follows` in flake.nix appears in the lock as a path list (["nixpkgs"]), and every
  path list in the lock points at an existing root input;
- no node is unreachable from the root.

Usage: python3 nix/check_flake_lock.py [FLAKE_DIR]   (exit 1 with one line per problem)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

_REV = re.compile(r"^[0-9a-f]{40}$")
_NAR_HASH = re.compile(r"^sha256-[A-Za-z0-9+/]{43}=$")


def flake_inputs(flake_dir: Path) -> dict[str, Any]:
    """flake.nix's `inputs` attribute set, evaluated by nix-instantiate (no fetching)."""
    out = subprocess.run(
        [  # noqa: S607 - nix-instantiate from PATH, as the CI script installs it
            "nix-instantiate",
            "--eval",
            "--strict",
            "--json",
            "-E",
            f"(import {flake_dir.resolve() / 'flake.nix'}).inputs",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"flake.nix: cannot evaluate inputs: {out.stderr.strip()}")
    inputs: dict[str, Any] = json.loads(out.stdout)
    return inputs


def original_from_url(url: str) -> dict[str, str]:
    """The lock's `original` attrs for a `github:owner/repo[/ref]` flake URL."""
    match = re.fullmatch(r"github:([^/]+)/([^/?]+)(?:/([^?]+))?", url)
    if match is None:
        raise ValueError(f"unsupported input url {url!r} (this checker knows github: URLs)")
    owner, repo, ref = match.groups()
    original = {"type": "github", "owner": owner, "repo": repo}
    if ref:
        original["ref"] = ref
    return original


def _check_node(name: str, spec: dict[str, Any], node: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    try:
        expected = original_from_url(spec["url"])
    except (KeyError, ValueError) as exc:
        return [f"input {name}: {exc}"]
    if node.get("original") != expected:
        problems.append(f"input {name}: original {node.get('original')} != url {expected}")
    locked = node.get("locked", {})
    for key in ("type", "owner", "repo"):
        if str(locked.get(key, "")).lower() != expected[key].lower():
            problems.append(f"input {name}: locked.{key} {locked.get(key)!r} != {expected[key]!r}")
    if not _REV.match(str(locked.get("rev", ""))):
        problems.append(f"input {name}: locked.rev is not a 40-hex commit")
    if not _NAR_HASH.match(str(locked.get("narHash", ""))):
        problems.append(f"input {name}: locked.narHash is not an SRI sha256")
    if not isinstance(locked.get("lastModified"), int):
        problems.append(f"input {name}: locked.lastModified is not an integer")
    for sub, sub_spec in spec.get("inputs", {}).items():
        follows = sub_spec.get("follows")
        if follows is None:
            continue
        got = node.get("inputs", {}).get(sub)
        if got != follows.split("/"):
            problems.append(f"input {name}: {sub} should follow {follows!r}, lock has {got!r}")
    return problems


def check(flake_dir: Path, inputs: dict[str, Any]) -> list[str]:
    """Every problem found in flake_dir/flake.lock, as one-line messages (empty: all good)."""
    lock = json.loads((flake_dir / "flake.lock").read_text())
    problems: list[str] = []
    if lock.get("version") != 7:
        problems.append(f"flake.lock: version {lock.get('version')!r}, expected 7")
    nodes: dict[str, Any] = lock.get("nodes", {})
    root_inputs: dict[str, Any] = nodes.get(lock.get("root", ""), {}).get("inputs", {})
    if set(root_inputs) != set(inputs):
        problems.append(f"root inputs {sorted(root_inputs)} != flake.nix {sorted(inputs)}")
    for name, spec in inputs.items():
        node_name = root_inputs.get(name)
        if not isinstance(node_name, str) or node_name not in nodes:
            problems.append(f"input {name}: no lock node")
            continue
        problems += _check_node(name, spec, nodes[node_name])
    # Path lists must resolve, and every node must be reachable from the root.
    reachable = {lock.get("root", "")}
    for node_name, node in nodes.items():
        for sub, target in node.get("inputs", {}).items():
            if isinstance(target, list):
                if not target or target[0] not in root_inputs:
                    problems.append(f"node {node_name}: {sub} follows unknown path {target}")
            else:
                reachable.add(target)
    for unreachable in sorted(set(nodes) - reachable):
        problems.append(f"node {unreachable}: not reachable from the root")
    return problems


def main() -> int:
    """Command-line entry: print problems, exit 1 if any."""
    flake_dir = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    problems = check(flake_dir, flake_inputs(flake_dir))
    for problem in problems:
        print(f"flake.lock: {problem}", file=sys.stderr)
    if not problems:
        print("flake.lock: consistent with flake.nix")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
