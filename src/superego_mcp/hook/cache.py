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

An entry is pickle, and unpickling runs code: so no byte of an entry is unpickled unless
(1) the cache directory is owned by this user (a directory of ours with a wider mode is set
back to 0700), (2) the entry and the key file are regular files owned by this user with no
group or other permission bits, opened without following a symbolic link, and (3) the
entry carries a keyed BLAKE2b tag, made with this user's 32-byte random key (``key`` in the
cache directory, created 0600 on first use), over every other byte of it. A directory or file
that fails a check is neither read nor written: the policy is compiled afresh for the call
(slower, never unsafe). See docs/hook.md "The policy cache".

The cache lives in ``$SUPEREGO_CACHE_DIR``, else ``$XDG_CACHE_HOME/superego``, else
``~/.cache/superego``: it must be found before the settings file is read, so a
``cache_dir`` written only in the settings file does not move it.
"""

# os.path, not pathlib: importing pathlib costs milliseconds on every hook call.
# ruff: noqa: PTH100, PTH101, PTH103, PTH108, PTH109, PTH116, PTH118, PTH120

from __future__ import annotations

import _pickle
import os
import stat
import sys
import time
import zlib

from superego_mcp.errors import SuperegoError
from superego_mcp.places import cache_dir, settings_file

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from typing import Any

    from superego_mcp.config import ShellLimits
    from superego_mcp.model import FailMode
    from superego_mcp.policy.engine import Policy

_FORMAT = 4
# The per-user key of the entries' tags, and the tag's length.
_KEY_FILE = "key"
# Held while compiling (see _compiling).
_LOCK_FILE = "compile.lock"
_TAG_BYTES = 32
# Entries kept; older ones are removed when a new one is written.
# A temp entry older than this belongs to no live writer (the hook's deadline is 5 s).
STALE_TMP_SECONDS = 60
MAX_ENTRIES = 32
_TOKEN_VARS = frozenset({"SUPEREGO_API_TOKEN"})

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The code a pickled Policy depends on: its classes, the analyzer, the bundled policy.
_CODE_DIRS = ("", "policy", "shell", "data")


class SetupError(SuperegoError):
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
        limits: ShellLimits,
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
        self.state_dir = state_dir  # where exceptions live (superego_mcp.grants)
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
            # What ${superego} protects depends on the program run (places.running_code).
            f"argv0={sys.argv[0] if sys.argv else ''}",
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
    lock = _lock_compiling(os.path.dirname(entry_path))
    try:
        # Another hook may have compiled it while this one waited for the lock.
        cached = _lookup(entry_path, material, settings_bytes)
        if cached is not None:
            return cached
        compiled = _compile(rules, settings_path, project)
        _store(entry_path, material, settings_bytes, compiled)
    finally:
        if lock >= 0:
            os.close(lock)  # releases the lock
    return compiled


def _lock_compiling(directory: str) -> int:
    """Wait for the cache's compile lock; its descriptor (close it to release), or -1.

    One compile at a time per cache (single flight): hooks started together with a cold cache
    (a policy edit, a burst of parallel tool calls) wait for the first one's entry instead of
    each compiling the policy, which on busy cores made every one of them miss the deadline.
    The wait is bounded by the hook's own deadline (its alarm interrupts it). Where the lock
    cannot be had (a foreign or unwritable cache), each hook compiles for itself."""
    if not private_dir(directory, create=True):
        return -1
    import fcntl

    try:
        fd = os.open(
            os.path.join(directory, _LOCK_FILE),
            os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
            0o600,
        )
    except OSError:
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:  # a file system without locks
        os.close(fd)
        return -1
    except BaseException:  # the deadline's alarm
        os.close(fd)
        raise
    return fd


def _blake2b(data: bytes, key: bytes) -> bytes:
    # _blake2 directly: hashlib's import (OpenSSL) costs milliseconds on every hook call.
    try:
        from _blake2 import blake2b
    except ImportError:  # a Python built without it
        from hashlib import blake2b
    return blake2b(data, key=key, digest_size=_TAG_BYTES).digest()


def _tags_equal(a: bytes, b: bytes) -> bool:
    from _operator import _compare_digest  # hmac.compare_digest, without importing hmac

    return bool(_compare_digest(a, b))


def private_dir(directory: str, *, create: bool) -> bool:
    """Whether ``directory`` is this user's own (created 0700 when absent and ``create``; a
    directory of ours with a wider mode is set back to 0700). ``False`` for anything else:
    another owner, not a directory, or an error."""
    try:
        try:
            st = os.stat(directory)
        except FileNotFoundError:
            if not create:
                return False
            os.makedirs(directory, mode=0o700, exist_ok=True)
            st = os.stat(directory)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
            return False
        if st.st_mode & 0o077:
            os.chmod(directory, 0o700)
    except OSError:
        return False
    return True


def _read_private(path: str) -> bytes:
    """A file's bytes if it is a regular file of this user's, 0600 or narrower, not reached
    through a symbolic link; else ``PermissionError``."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
            raise PermissionError(f"{path}: not a private file of this user")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _key(directory: str, *, create: bool) -> bytes | None:
    """This user's key for tagging entries (made on first use when ``create``), or ``None``
    when there is none that passes the checks."""
    path = os.path.join(directory, _KEY_FILE)
    for _ in range(2):
        try:
            key = _read_private(path)
            return key if len(key) == _TAG_BYTES else None
        except FileNotFoundError:
            if not create:
                return None
        except OSError:
            return None
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:  # another hook made it meanwhile: read theirs
            continue
        except OSError:
            return None
        key = os.urandom(_TAG_BYTES)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        return key
    return None


def _lookup(entry_path: str, material: str, settings_bytes: bytes) -> Compiled | None:
    try:
        directory = os.path.dirname(entry_path)
        if not private_dir(directory, create=False):
            return None
        key = _key(directory, create=False)
        if key is None:
            return None
        data = _read_private(entry_path)
        tag, body = data[:_TAG_BYTES], data[_TAG_BYTES:]
        if not _tags_equal(tag, _blake2b(body, key)):
            return None
        # Tagged with this user's key, in this user's private directory: written by us.
        # _pickle (the C unpickler pickle.loads is): the pickle module's Python layer costs
        # milliseconds of import on every hook call.
        entry = _pickle.loads(body)
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
    limits = settings.shell_limits()
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
    try:
        if not private_dir(directory, create=True):
            return  # someone else's directory: nothing of ours goes there
        key = _key(directory, create=True)
        if key is None:
            return
        import pickle

        from superego_mcp.files import write_atomic

        body = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        data = _blake2b(body, key) + body
        write_atomic(entry_path, data)
    except Exception:  # a cache that cannot be written only costs speed
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
