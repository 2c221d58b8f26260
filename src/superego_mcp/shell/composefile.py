"""A compose service as its file declares it, for the command ``compose run|exec`` gives
it: its bind mounts, working directory, entrypoint and command
(:func:`.simple_command.container_command` walks that command through the mounts).

Only what is certain is used: a service that extends another, takes another's volumes, or
has a mount, directory or entrypoint with a variable (compose fills those in from the
environment) is not read (None), and the run keeps the answer its options give. A command
word with a variable is only known at run time. Imported only for such a command; ``yaml``
with it.
"""

from __future__ import annotations

import os

from .. import paths as _paths
from .containers import RUNTIME_SOCKETS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from .model import Bind
    from .words import Field

# The files compose reads from the project directory when none is named, in its order, and
# the override it merges over the first one found.
NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDES = (
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
)


class Service:
    """What the files say of one service: ``binds`` (host path, target, read-only), the
    ``workdir``, the ``entrypoint`` and ``command`` as fields (None: not declared), what
    breaks its isolation (``breaks``, as ``shell.containers`` names it) and the other host
    files it reads (``paths``: env files); ``forwards``: the host variables it is given
    by name when it starts (``compose run``; ``exec`` joins a running one)."""

    __slots__ = ("binds", "breaks", "command", "entrypoint", "forwards", "paths", "workdir")

    def __init__(self) -> None:
        self.binds: list[Bind] = []
        self.breaks: list[str] = []
        self.forwards: list[str] = []
        self.paths: list[str] = []
        self.workdir: str | None = None
        self.entrypoint: list[Field] | None = None
        self.command: list[Field] | None = None


class _Unsure(Exception):
    """Something of the service this reading cannot vouch for."""


def candidates(directory: str) -> tuple[str, ...]:
    """The files compose would look for in ``directory``: its default names, then the
    overrides (the caller reads the first of each that exists)."""
    # os.path, not pathlib: on the hook path, where imports cost per call
    return tuple(os.path.join(directory, n) for n in (*NAMES, *OVERRIDES))  # noqa: PTH118


def service(texts: list[tuple[str, str]], name: str, base: str, home: str) -> Service | None:
    """Service ``name`` as the compose files (path, text), merged in order, declare it:
    relative mount sources are placed from ``base`` (the project directory). None when no
    file declares it or something of it is not certain."""
    import yaml

    found = Service()
    seen = False
    try:
        for _path, text in texts:
            try:
                data = yaml.safe_load(text)
            except (yaml.YAMLError, RecursionError):
                return None
            services = data.get("services") if isinstance(data, dict) else None
            spec = services.get(name) if isinstance(services, dict) else None
            if spec is None:
                continue
            if not isinstance(spec, dict) or "extends" in spec or "volumes_from" in spec:
                return None
            seen = True
            volumes = spec.get("volumes") or []
            if not isinstance(volumes, list):
                return None
            for entry in volumes:
                bind = _volume(entry, base, home)
                if bind is not None:
                    found.binds.append(bind)
            _isolation(spec, found, base, home)
            if "working_dir" in spec:
                found.workdir = _text(spec["working_dir"])
            if "entrypoint" in spec:
                found.entrypoint = _words(spec["entrypoint"])
            if "command" in spec:
                found.command = _words(spec["command"])
    except _Unsure:
        return None
    found.breaks = list(dict.fromkeys(found.breaks))
    found.forwards = list(dict.fromkeys(found.forwards))
    return found if seen else None


# Service keys that share a host namespace when set to `host`.
_NAMESPACES = ("network_mode", "pid", "ipc", "uts", "userns_mode", "cgroup")


def _isolation(spec: dict[str, object], found: Service, base: str, home: str) -> None:
    """What the service's own keys say about its isolation, as ``docker run``'s options
    would (privileges, capabilities, devices, host namespaces, unconfined profiles, host
    variables passed by name, the runtime's socket mounted); its env files are host paths.
    Only what is certain counts: a value with a variable counts for nothing."""
    if spec.get("privileged") is True:
        found.breaks.append("privileged: true")
    for key in ("cap_add", "devices", "device_cgroup_rules"):
        value = spec.get(key)
        if value:
            found.breaks.append(f"{key}: {value}")
    for key in _NAMESPACES:
        value = spec.get(key)
        if isinstance(value, str) and value.lower() == "host":
            found.breaks.append(f"{key}: host")
    for opt in _items(spec.get("security_opt")):
        low = str(opt).lower().replace(" ", "")
        if "unconfined" in low or low in ("label=disable", "label:disable"):
            found.breaks.append(f"security_opt: {opt}")
    env = spec.get("environment")
    if isinstance(env, dict):  # NAME: (nothing) takes the host's value
        names = [str(n) for n, v in env.items() if v is None]
    else:  # - NAME, without `=`, too
        names = [str(e) for e in env if "=" not in str(e)] if isinstance(env, list) else []
    found.forwards.extend(f"forwards the host's ${n}" for n in names)
    for entry in _items(spec.get("env_file")):
        path = entry.get("path") if isinstance(entry, dict) else entry
        if isinstance(path, str) and "$" not in path:
            found.paths.append(_paths.lexical(path, base, home))
    for bind_source in [b[0] for b in found.binds]:
        if bind_source.rstrip("/").rsplit("/", 1)[-1] in RUNTIME_SOCKETS:
            found.breaks.append(f"mounts the container runtime's socket {bind_source}")


def _items(value: object) -> list[object]:
    """A key's entries: its list, or its one value."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, (str, dict)) else []


def _text(value: object) -> str:
    """A setting's text, certain: no variable compose would fill in."""
    if not isinstance(value, str) or "$" in value.replace("$$", ""):
        raise _Unsure
    return value.replace("$$", "$")


def _volume(entry: object, base: str, home: str) -> Bind | None:
    """One ``volumes`` entry: a bind mount as (host path, target, read-only), or None for
    a named or anonymous volume or a tmpfs (the container's own)."""
    if isinstance(entry, str):
        parts = _text(entry).split(":")
        if len(parts) == 1:
            return None
        source, target = parts[0], parts[1]
        readonly = len(parts) > 2 and bool({"ro", "O"} & set(parts[2].split(",")))
    elif isinstance(entry, dict):
        kind = entry.get("type", "volume")
        source = _text(entry.get("source", ""))
        target = _text(entry.get("target", ""))
        readonly = entry.get("read_only") is True
        if kind != "bind":
            if kind not in ("volume", "tmpfs", "image", "npipe", "cluster"):
                raise _Unsure
            return None
        if not source:
            raise _Unsure
    else:
        raise _Unsure
    if isinstance(entry, str) and not source.startswith(("/", ".", "~")):
        return None  # a named volume
    if not target:
        raise _Unsure
    return (_paths.lexical(source, base, home), target, readonly)


def _words(value: object) -> list[Field]:
    """An entrypoint or command: a list of words, or a string compose splits like a shell
    (no shell runs it); a word with a variable is only known at run time."""
    if isinstance(value, list):
        words = value
    elif isinstance(value, str):
        import shlex

        try:
            words = shlex.split(value)
        except ValueError as exc:
            raise _Unsure from exc
    elif value is None:
        return []
    else:
        raise _Unsure
    out: list[Field] = []
    for word in words:
        if not isinstance(word, (str, int, float)):
            raise _Unsure
        text = str(word)
        out.append((text.replace("$$", "$"), "$" in text.replace("$$", "")))
    return out
