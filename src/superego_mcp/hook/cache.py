"""The hook's compiled-policy cache: settings and policy resolved once, reused while unchanged.

Validating settings (pydantic) and compiling a policy (YAML) cost more than a whole hook call
may. So the first call does both through the one settings system (``config.load_settings``)
and the policy loader, and stores the result -- the compiled ``Policy`` plus the few resolved
settings the hook needs -- in one pickle file. Later calls check that nothing it was built
from changed and use it without importing pydantic or yaml.

An entry is used only when all of these are byte-for-byte what it was built from:

- the *key material*: cache format, Python, the installed code (file sizes and mtimes), the
  working directory, the project root, ``HOME``, ``XDG_CONFIG_HOME`` / ``XDG_STATE_HOME``, the
  ``--rules`` / ``--config`` flags and every ``SUPEREGO_*`` variable except the API token (the
  entry's file name is a checksum of it);
- the settings file's bytes;
- every policy layer file's bytes, and the absence of each layer file looked for and not
  found (a user or project policy created later is seen at once). Layer files are read
  *before* compiling, so a file edited during compilation makes the entry mismatch, never
  match stale.

Bytes are compared, not hashed: comparison costs microseconds and hashlib costs
milliseconds of import. Entries are written atomically (temp file + ``os.replace``, mode
0600); one that cannot be read, unpickled or matched is ignored and rebuilt.

The cache lives in ``$SUPEREGO_CACHE_DIR``, else ``$XDG_CACHE_HOME/superego-mcp``, else
``~/.cache/superego-mcp``: it must be found before the settings file is read, so a
``cache_dir`` written only in the settings file does not move it.
"""

# os.path, not pathlib: importing pathlib costs milliseconds on every hook call.
# ruff: noqa: PTH100, PTH103, PTH105, PTH108, PTH109, PTH118, PTH120

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import time
import zlib
from typing import TYPE_CHECKING, Any

from superego_mcp.places import cache_dir, settings_file

if TYPE_CHECKING:
    from superego_mcp.model import FailMode
    from superego_mcp.policy.engine import Policy

_FORMAT = 3
# Entries kept; older ones are removed when a new one is written.
# A temp entry older than this belongs to no live writer (the hook's deadline is 5 s).
STALE_TMP_SECONDS = 60
MAX_ENTRIES = 32
_TOKEN_VARS = frozenset({"SUPEREGO_API_TOKEN"})
# Analyzer limits: setting name -> keyword of Policy.evaluate / decide.
_LIMITS = {
    "shell_max_length": "max_length",
    "shell_max_depth": "max_depth",
    "shell_max_commands": "max_commands",
}

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The code a pickled Policy depends on: its classes, the analyzer, the bundled policy.
_CODE_DIRS = ("", "policy", "shell", "data")


class SetupError(Exception):
    """Settings or policy that cannot be used. ``fail_mode`` is the configured fail mode
    when the settings were read before the failure, else ``None``."""

    def __init__(self, message: str, fail_mode: str | None = None) -> None:
        super().__init__(message)
        self.fail_mode = fail_mode


class Compiled:
    """A compiled policy and the resolved settings the hook needs."""

    __slots__ = (
        "audit",
        "fail_mode",
        "files",
        "hit",
        "limits",
        "policy",
        "reviewer",
        "state_dir",
    )

    def __init__(
        self,
        policy: Policy,
        fail_mode: FailMode,
        limits: dict[str, int],
        files: tuple[tuple[str, bytes | None], ...],
        hit: bool,
        audit: tuple[str, str, str] | None = None,
        state_dir: str = "",
        reviewer: dict[str, Any] | None = None,
    ) -> None:
        self.policy = policy
        self.fail_mode = fail_mode
        self.limits = limits
        self.files = files  # every layer file and its bytes (None: looked for, absent)
        self.hit = hit  # True when this came from the cache
        # Where decisions are recorded: (backend, location, synchronous); None: audit off.
        self.audit = audit
        self.state_dir = state_dir  # where exceptions live (superego_mcp.exceptions)
        # Settings.reviewer_config(): builtins only, so unpickling imports nothing of the
        # reviewer; None when no reviewer is configured.
        self.reviewer = reviewer


def _code_stamp() -> str:
    parts: list[str] = []
    for sub in _CODE_DIRS:
        directory = os.path.join(_PACKAGE, sub)
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.name.endswith((".py", ".yaml")) and entry.is_file():
                        st = entry.stat()
                        parts.append(f"{sub}/{entry.name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{sub}:missing")
    parts.sort()
    return ";".join(parts)


def _key_material(rules: str | None, config: str | None, project: str) -> str:
    env = sorted(
        f"{k.upper()}={v}"
        for k, v in os.environ.items()
        if k.upper().startswith("SUPEREGO_") and k.upper() not in _TOKEN_VARS
    )
    return "\n".join(
        [
            f"format={_FORMAT}",
            f"python={sys.version}|{sys.executable}",
            f"code={_code_stamp()}",
            f"cwd={os.getcwd()}",
            f"project={project}",
            f"home={os.environ.get('HOME', '')}",
            f"xdg={os.environ.get('XDG_CONFIG_HOME', '')}|{os.environ.get('XDG_STATE_HOME', '')}",
            f"rules={rules!r}",
            f"config={config!r}",
            *env,
        ]
    )


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _read_or_none(path: str) -> bytes | None:
    """A layer file's bytes; ``None`` when it does not exist (one failed open)."""
    try:
        return _read(path)
    except FileNotFoundError:
        return None


def _entry_path(material: str) -> str:
    crc = zlib.crc32(material.encode("utf-8", "surrogateescape"))
    return os.path.join(cache_dir(), f"policy-{crc:08x}.pickle")


def load(rules: str | None, config: str | None, project: str | None = None) -> Compiled:
    """The compiled policy and settings for these flags: from the cache when nothing changed,
    else validated, compiled and cached. Raises :class:`SetupError` naming the problem."""
    settings_path = settings_file(config)
    try:
        settings_bytes = b"" if settings_path is None else _read(settings_path)
    except OSError as exc:
        raise SetupError(f"cannot read settings file {settings_path}: {exc.strerror}") from None
    if project is None:
        from superego_mcp.policy.layers import default_project

        project = default_project()
    material = _key_material(rules, config, project)
    entry_path = _entry_path(material)
    cached = _lookup(entry_path, material, settings_bytes)
    if cached is not None:
        return cached
    compiled = _compile(rules, settings_path, project)
    _store(entry_path, material, settings_bytes, compiled)
    return compiled


def _lookup(entry_path: str, material: str, settings_bytes: bytes) -> Compiled | None:
    try:
        entry = pickle.loads(_read(entry_path))  # noqa: S301 -- our own 0600 file, see docs
        fmt, stored_material, stored_settings, files, fail_mode, limits, state = entry[:7]
        policy, audit, reviewer = entry[7], entry[8], entry[9]
        if fmt != _FORMAT or stored_material != material or stored_settings != settings_bytes:
            return None
        for path, data in files:
            if _read_or_none(path) != data:
                return None
    except Exception:  # missing, unreadable, corrupt, truncated: rebuild
        return None
    return Compiled(
        policy,
        fail_mode,
        limits,
        files,
        hit=True,
        audit=audit,
        state_dir=state,
        reviewer=reviewer,
    )


def _compile(rules: str | None, settings_path: str | None, project: str) -> Compiled:
    try:
        from superego_mcp.config import ConfigError, load_settings
    except Exception as exc:
        raise SetupError(f"cannot load the settings code: {exc!r}") from None
    try:
        settings = load_settings(settings_path, rules=rules)
    except ConfigError as exc:
        raise SetupError(str(exc)) from None
    fail_mode: FailMode = settings.fail_mode
    limits = {kw: int(getattr(settings, name)) for name, kw in _LIMITS.items()}
    from superego_mcp.audit.target import parse_target

    backend, location = parse_target(settings.audit)  # validated with the settings
    audit = None if backend == "off" else (backend, location, settings.audit_synchronous)
    try:
        from superego_mcp.config import load_effective
        from superego_mcp.policy.errors import PolicyError
    except Exception as exc:
        raise SetupError(f"cannot load the policy engine: {exc!r}", fail_mode) from None
    try:
        policy = load_effective(settings, settings_path, project=project).for_cache()
        # The bytes kept are checked against what was compiled: a file edited meanwhile
        # leaves a mark no later read can match, so the entry is rebuilt, never stale.
        files = tuple(
            (layer.path, _compiled_bytes(layer.path, layer.digest)) for layer in policy.layers
        )
    except PolicyError as exc:
        raise SetupError(f"broken policy: {exc}", fail_mode) from None
    except Exception as exc:
        raise SetupError(f"cannot load the policy: {exc!r}", fail_mode) from None
    state = str(settings.state_dir)
    return Compiled(
        policy,
        fail_mode,
        limits,
        files,
        hit=False,
        audit=audit,
        state_dir=state,
        reviewer=settings.reviewer_config(),
    )


def _compiled_bytes(path: str, digest: str) -> bytes | None:
    """The file's bytes if they are what was compiled (``digest``; ``""``: absent), else a
    value no file read can equal."""
    import hashlib

    data = _read_or_none(path)
    if data is None:
        return None if not digest else b"\0changed"
    return data if hashlib.sha256(data).hexdigest() == digest else b"\0changed"


def _store(entry_path: str, material: str, settings_bytes: bytes, c: Compiled) -> None:
    entry = (
        _FORMAT,
        material,
        settings_bytes,
        c.files,
        c.fail_mode,
        c.limits,
        c.state_dir,
        c.policy,
        c.audit,
        c.reviewer,
    )
    directory = os.path.dirname(entry_path)
    tmp = f"{entry_path}.{os.getpid()}.tmp"
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, entry_path)
    except Exception:  # a cache that cannot be written only costs speed
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return
    _prune(directory)


def _prune(directory: str) -> None:
    """Keep the newest :data:`MAX_ENTRIES` entries (one per working directory and code
    version accumulate), and remove temp files a writer killed mid-write left behind (older
    than :data:`STALE_TMP_SECONDS`, so a concurrent writer's file is left alone). Runs on a
    miss only; failures are ignored."""
    try:
        found: list[tuple[float, str]] = []
        stale_before = time.time() - STALE_TMP_SECONDS
        with os.scandir(directory) as it:
            for e in it:
                if not e.name.startswith("policy-"):
                    continue
                mtime = e.stat().st_mtime
                if e.name.endswith(".pickle"):
                    found.append((mtime, e.path))
                elif e.name.endswith(".tmp") and mtime < stale_before:
                    os.unlink(e.path)
        for _, path in sorted(found, reverse=True)[MAX_ENTRIES:]:
            os.unlink(path)
    except OSError:
        pass
