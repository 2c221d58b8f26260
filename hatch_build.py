"""Hatchling build hook: validate the bundled policy, write build metadata into the wheel.

Runs in the build environment, so it imports only the standard library, hatchling and
PyYAML (``[build-system].requires``).

1. The bundled policy (``src/superego_mcp/data/default_policy.yaml``) is checked on every
   build, editable ones included: a YAML structure check with file:line, then the policy
   loader's own compile step when it can be imported without runtime-only dependencies. A
   broken policy fails the build with ``FILE:LINE: message``.
2. Wheel builds get ``superego_mcp/_build_info.json``: name, version, git revision, the build
   time taken from ``SOURCE_DATE_EPOCH`` (null when unset: never the wall clock), and the
   sha256 of every data file shipped in the package. Keys are sorted, so two builds of the
   same tree with the same ``SOURCE_DATE_EPOCH`` give byte-identical wheels.

The revision is ``$SUPEREGO_GIT_REVISION`` when set (the Nix flake passes ``self.rev``),
else ``git rev-parse HEAD`` when the tree is a git checkout, else null.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "superego_mcp"
POLICY = Path("src") / PACKAGE / "data" / "default_policy.yaml"
BUILD_INFO = f"{PACKAGE}/_build_info.json"
# Files in the package that are code, not data.
_CODE_SUFFIXES = frozenset({".py", ".pyc", ".pyi"})


class PolicyBuildError(Exception):
    """The bundled policy is broken; ``str()`` is ``FILE:LINE: message``."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys, which PyYAML silently overwrites."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise PolicyBuildError(f"{{file}}:{line}: duplicate key {key!r}")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def check_policy_structure(path: Path, shown: str) -> None:
    """Parse the policy and check its outline (a mapping; ``rules`` a list of mappings).

    Raises PolicyBuildError naming ``shown`` and the line of the first problem.
    """
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=_UniqueKeyLoader)
        yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except PolicyBuildError as exc:
        raise PolicyBuildError(str(exc).format(file=shown)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise PolicyBuildError(f"{shown}:{line}: {exc.problem or exc}") from None
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        raise PolicyBuildError(f"{shown}:{line}: a policy is a mapping (with a `rules` list)")
    for key_node, value_node in root.value:
        if key_node.value != "rules":
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            line = value_node.start_mark.line + 1
            raise PolicyBuildError(f"{shown}:{line}: `rules` must be a list of rules")
        for item in value_node.value:
            if not isinstance(item, yaml.MappingNode):
                line = item.start_mark.line + 1
                raise PolicyBuildError(f"{shown}:{line}: each rule must be a mapping")


def compile_policy(root: Path, path: Path) -> str | None:
    """Run the policy loader (``superego_mcp.policy.layers.load_policy``) from the source tree.

    Returns None when it ran and accepted the file, or a note saying why it could not run
    (it imports something the build environment lacks). Raises PolicyBuildError when the
    loader rejects the policy.
    """
    src = str(root / "src")
    sys.path.insert(0, src)
    try:
        try:
            loader = importlib.import_module(f"{PACKAGE}.policy.layers")
        except ImportError as exc:
            return f"policy loader not importable at build time ({exc}); structure checked only"
        try:
            loader.load_policy(str(path))
        except Exception as exc:
            # The loader's PolicyError already reads FILE:LINE: message.
            raise PolicyBuildError(str(exc)) from None
        return None
    finally:
        sys.path.remove(src)
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def git_revision(root: Path) -> str | None:
    """The commit being built: $SUPEREGO_GIT_REVISION, else git's HEAD, else None."""
    given = os.environ.get("SUPEREGO_GIT_REVISION", "").strip()
    if given:
        return None if given == "unknown" else given
    if not (root / ".git").exists() or shutil.which("git") is None:
        return None
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, like any developer
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    rev = out.stdout.strip()
    return rev if out.returncode == 0 and rev else None


def source_date_epoch() -> int | None:
    """$SOURCE_DATE_EPOCH as an integer, None when unset; a bad value is an error."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"SOURCE_DATE_EPOCH must be an integer, got {raw!r}") from None


def data_checksums(package_dir: Path) -> dict[str, str]:
    """sha256 of every non-code file in the package, keyed by its path inside the wheel."""
    sums: dict[str, str] = {}
    for path in sorted(package_dir.rglob("*")):
        if not path.is_file() or path.suffix in _CODE_SUFFIXES or "__pycache__" in path.parts:
            continue
        if path.name == Path(BUILD_INFO).name:
            continue
        inside = f"{PACKAGE}/{path.relative_to(package_dir).as_posix()}"
        sums[inside] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


def build_info(root: Path, name: str, version: str) -> dict[str, Any]:
    """The JSON object written to ``superego_mcp/_build_info.json``."""
    epoch = source_date_epoch()
    built_at = (
        None
        if epoch is None
        else datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    return {
        "name": name,
        "version": version,
        "revision": git_revision(root),
        "source_date_epoch": epoch,
        "built_at": built_at,
        "files": data_checksums(root / "src" / PACKAGE),
    }


class SuperegoBuildHook(BuildHookInterface):  # type: ignore[misc]
    """Validates the bundled policy and writes build metadata into the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Validate the policy; for wheel builds add ``_build_info.json``."""
        root = Path(self.root)
        editable = version == "editable"
        self._validate_policy(root, editable=editable)
        if editable or self.target_name != "wheel":
            return
        info = build_info(root, self.metadata.name, self.metadata.version)
        self._tmp = tempfile.mkdtemp(prefix="superego-build-info-")
        out = Path(self._tmp) / "_build_info.json"
        out.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        build_data["force_include"][str(out)] = BUILD_INFO

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary build-info file."""
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    def _validate_policy(self, root: Path, *, editable: bool) -> None:
        path = root / POLICY
        shown = POLICY.as_posix()
        if not path.is_file():
            if editable:
                # Editable installs of a tree still being written keep working; wheels do not.
                self.app.display_warning(f"superego build: bundled policy missing: {shown}")
                return
            raise PolicyBuildError(f"{shown}: bundled policy missing")
        check_policy_structure(path, shown)
        note = compile_policy(root, path)
        if note is not None:
            self.app.display_info(f"superego build: {note}")
