"""Container runs read for their isolation: ``docker|podman|nerdctl [container] run|create``
and ``compose run|exec`` (``docker compose``, ``docker-compose``, ``podman-compose``).

A container run executes an image's code, third-party code like a registry package run with
``npx``, but inside namespaces, without the host's devices, capabilities or files. What
decides how far it reaches is its options: ``--privileged``, a host namespace (``--pid host``,
``--network host``), an added capability or device, an unconfined security profile, a bind
mount of a host path, a host variable forwarded by name (``-e TOKEN`` hands the host's value
over). Each is read from tables of the CLIs' options (their reference pages), never from the
image's name. Whatever is not certain (an option the tables do not know, a value only known
at run time, joining another container's namespaces or volumes) is ``unread``: the run is
then not called isolated, and the rules keep the answer they had without this reading.

Imported only for commands of these programs (the hook pays for every import).
"""

from __future__ import annotations

from .model import Container

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Callable

    from .model import Bind
    from .words import Field

PROGRAMS = frozenset({"docker", "podman", "nerdctl", "docker-compose", "podman-compose"})
_COMPOSE_PROGRAMS = frozenset({"docker-compose", "podman-compose"})


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The CLIs' own options before the verb. Logging is harmless; a daemon chosen by option
# (`-H tcp://...`, `--context`, `--remote`, `--url`, `--namespace`) runs the container on
# another machine or store, whose paths are not this one's: unread.
_GLOBAL_FLAGS = _words("-D --debug")
_GLOBAL_VALUED_FINE = _words("-l --log-level")
_GLOBAL_VALUED_OTHER = _words(
    "-H --host -c --context --config --tlscacert --tlscert --tlskey --url --connection "
    "--root --runroot --storage-driver --namespace -n --address -a --cgroup-manager "
    "--runtime --network-cmd-path --tmpdir --identity --module"
)
# Variables that choose another daemon, configuration or compose file, set on the line
# (`DOCKER_HOST=ssh://prod docker run ...`): the run happens elsewhere or from another file.
DAEMON_VARIABLES = _words(
    "DOCKER_HOST DOCKER_CONTEXT DOCKER_CONFIG DOCKER_TLS_VERIFY DOCKER_CERT_PATH CONTAINER_HOST "
    "CONTAINER_CONNECTION CONTAINERS_CONF CONTAINERD_ADDRESS CONTAINERD_NAMESPACE "
    "COMPOSE_FILE COMPOSE_PROJECT_DIRECTORY COMPOSE_ENV_FILES NERDCTL_TOML"
)
# Compose's own options before `run`/`exec`: files it reads are host paths.
_COMPOSE_GLOBAL_PATHS = _words("-f --file --project-directory --env-file")
_COMPOSE_GLOBAL_VALUED = _words("-p --project-name --profile --ansi --progress --parallel")
_COMPOSE_GLOBAL_FLAGS = _words("--compatibility --dry-run --all-resources --verbose --no-ansi")

# `run`/`create` options (docker, podman and nerdctl references), by what they do.
# Taking a value, harmless to the host: resources, names, labels, health checks, logging,
# the container's own user, directory and entrypoint, published ports, DNS.
_RUN_VALUED_FINE = _words(
    "-a --attach --add-host --annotation --blkio-weight --cpu-period --cpu-quota "
    "--cpu-rt-period --cpu-rt-runtime -c --cpu-shares --cpus --cpuset-cpus --cpuset-mems "
    "--detach-keys --dns --dns-option --dns-opt --dns-search --domainname --entrypoint "
    "--expose --health-cmd --health-interval --health-retries --health-start-interval "
    "--health-start-period --health-timeout -h --hostname --ip --ip6 -l --label --link "
    "--link-local-ip --log-driver --log-opt --mac-address -m --memory --memory-reservation "
    "--memory-swap --memory-swappiness --name --network-alias --oom-score-adj --pids-limit "
    "--platform -p --publish --pull --restart --shm-size --stop-signal --stop-timeout "
    "--storage-opt --sysctl --tmpfs --ulimit -u --user --group-add -w --workdir --cap-drop "
    "--kernel-memory --arch --os --variant --tz --umask --passwd-entry --group-entry --secret "
    "--unsetenv --requires --timeout --chrootdirs --cgroups --image-volume --personality "
    "--retry --retry-delay --shm-size-systemd --uidmap --gidmap --subuidname --subgidname "
    "--systemd --creds --health-on-failure --health-startup-cmd --health-startup-interval "
    "--health-startup-retries --health-startup-success --health-startup-timeout "
    "--health-log-destination --health-max-log-count --health-max-log-size --stop-timeout "
    "--pull-always --hostuser --cpu-count --cpu-percent --io-maxbandwidth "
    "--io-maxiops --memory-swap --ipc-mode --index"
)
# Taking a value that names a host file Superego must place (it is read or written).
_RUN_VALUED_PATHS = _words(
    "--env-file --label-file --cidfile --pidfile --conmon-pidfile --authfile --cert-dir "
    "--decryption-key --env-from-file --init-path"
)
# Without a value (`--rm`, `-it`), harmless.
_RUN_FLAGS_FINE = _words(
    "-d --detach -i --interactive -t --tty --rm --init --read-only -P --publish-all "
    "--no-healthcheck --oom-kill-disable --sig-proxy -q --quiet --disable-content-trust "
    "--help --read-only-tmpfs --replace --no-hosts --tls-verify --rmi --http-proxy "
    "--no-deps --quiet-pull --remove-orphans -T --no-TTY --service-ports --use-aliases "
    "--build --quiet-build"
)
# Joining another container's namespaces or volumes, another runtime, a host cgroup or
# hook directory, GPUs: not isolation this reading can vouch for.
_RUN_VALUED_UNREAD = _words(
    "--volumes-from --runtime --cgroup-parent --volume-driver --gpus --pod --pod-id-file "
    "--hooks-dir --preserve-fds --preserve-fd --sdnotify --cgroup-conf --seccomp-policy "
    "--isolation --device-read-bps --device-write-bps --device-read-iops "
    "--device-write-iops --blkio-weight-device --env-merge --rdt-class --mount-propagation"
)
# podman's --rootfs: the operand in the image's place is a host directory, the container's
# root filesystem (read and written): a host path like a mount's source.
_ROOTFS = "--rootfs"
# Breaking isolation, whatever the value.
_RUN_VALUED_BREAK = _words("--cap-add --device --device-cgroup-rule")
_RUN_FLAGS_BREAK = _words("--privileged --env-host --use-api-socket")
# Namespace options: `host` (or a namespace path) shares the host's.
_NAMESPACES = _words("--pid --network --net --ipc --uts --userns --cgroupns")
_SHORT_FLAGS = frozenset("ditPqT")
_SHORT_VALUED = frozenset("acehlmpuvw")

# Sockets of container runtimes: mounting one hands the container the whole machine.
RUNTIME_SOCKETS = _words(
    "docker.sock podman.sock containerd.sock crio.sock buildkitd.sock dockershim.sock"
)
_SECURITY_FINE = _words("no-new-privileges no-new-privileges:true no-new-privileges=true")


class _Reading:
    """The run being read: what breaks isolation, what is unread, the host paths, and what
    the container's command needs (its binds, working directory, entrypoint)."""

    __slots__ = (
        "binds",
        "breaks",
        "compose_files",
        "cwd",
        "entrypoint",
        "env",
        "mounts",
        "project_dir",
        "pwd_known",
        "rootfs",
        "unknown",
        "unread",
        "workdir",
    )

    def __init__(self, cwd: str | None, pwd_known: bool) -> None:
        self.breaks: list[str] = []
        self.unread: list[str] = []
        self.mounts: list[str] = []
        self.binds: list[Bind] = []
        self.cwd = cwd
        self.pwd_known = pwd_known
        self.unknown = False  # some word is only known at run time
        self.rootfs = False  # the image's place holds a host directory (podman --rootfs)
        self.workdir: str | None = None  # -w: None, the image's own (not known here)
        self.entrypoint: str | None = None  # --entrypoint: None, the image's own
        self.compose_files: list[str] = []  # compose -f
        self.env: list[str] = []  # -e NAME=VALUE, for the container's command
        self.project_dir: str | None = None  # compose --project-directory

    def word(self, field: Field) -> str | None:
        """The word's text when known: ``$(pwd)`` and `` `pwd` `` stand for the command's
        directory; any other run-time value makes it unread (None)."""
        text, dynamic = field
        if not dynamic:
            return text
        # The directory as one word: no blank to split it, no pattern to glob it.
        cwd = self.cwd
        if self.pwd_known and cwd is not None and not any(c.isspace() or c in "*?[" for c in cwd):
            text = text.replace("$(pwd)", cwd).replace("`pwd`", cwd)
            if "$" not in text and "`" not in text:
                return text
        self.unread.append(f"{field[0]} (only known at run time)")
        self.unknown = True
        return None

    def host_path(self, text: str, target: str | None = None, readonly: bool = False) -> None:
        """A host path the run names; ``target``: where it is mounted in the container."""
        if target is not None:
            self.binds.append((text, target, readonly))
        if any(c in text for c in "*?["):
            self.unread.append(f"{text} (a pattern)")
        else:
            self.mounts.append(text)
        base = text.rstrip("/").rsplit("/", 1)[-1]
        if base in RUNTIME_SOCKETS:
            self.breaks.append(f"mounts the container runtime's socket {text}")


def read(program: str, fields: list[Field], cwd: str | None, pwd_known: bool) -> Container | None:
    """What the run ``program FIELDS`` says about its isolation, or None when it runs no
    container (``docker ps``, ``docker compose up``, ``docker exec``). ``cwd`` is the
    command's directory (None: unknown), ``pwd_known`` whether ``$(pwd)`` is the shell's
    own (no function or alias of that name). A word whose number of fields is only known at
    run time keeps its source text and is dynamic, so it is unread like any such value."""
    if program not in PROGRAMS:
        return None
    r = _Reading(cwd, pwd_known)
    i = 0
    n = len(fields)
    if program not in _COMPOSE_PROGRAMS:
        i = _globals(fields, i, r)
        verb = fields[i][0] if i < n else ""
        if verb == "container" and i + 1 < n:
            i += 1
            verb = fields[i][0]
        if verb in ("run", "create"):
            return _finish(fields, _options(fields, i + 1, r), r, f"{program} {verb}")
        if verb != "compose":
            return None
        i += 1
    i = _compose_globals(fields, i, r)
    verb = fields[i][0] if i < n else ""
    if verb not in ("run", "exec"):
        return None
    if not any(
        f[0].split("=", 1)[0] in ("-f", "--file", "--project-directory") for f in fields[:i]
    ):
        # No file named: compose reads the one in the command's directory, so that directory
        # says whose services run (another project's, from outside this one).
        r.mounts.insert(0, ".")
    label = program if program in _COMPOSE_PROGRAMS else f"{program} compose"
    return _finish(fields, _options(fields, i + 1, r), r, f"{label} {verb}")


def _globals(fields: list[Field], i: int, r: _Reading) -> int:
    """Skip the CLI's own options before its verb (docker/podman/nerdctl)."""
    while i < len(fields) and fields[i][0].startswith("-"):
        word = fields[i][0]
        name = word.split("=", 1)[0]
        if word in _GLOBAL_FLAGS:
            i += 1
        elif name in _GLOBAL_VALUED_FINE:
            i += 1 if "=" in word else 2
        elif name in _GLOBAL_VALUED_OTHER:
            r.unread.append(f"{name} (another daemon or store)")
            i += 1 if "=" in word else 2
        else:
            r.unread.append(f"{name} (an option Superego does not know)")
            i += 1
    return i


def _compose_globals(fields: list[Field], i: int, r: _Reading) -> int:
    """Skip compose's own options before ``run``/``exec``; the files they name are host
    paths."""
    while i < len(fields) and fields[i][0].startswith("-"):
        word = fields[i][0]
        name, eq, attached = word.partition("=")
        if name in _COMPOSE_GLOBAL_PATHS or name in _COMPOSE_GLOBAL_VALUED:
            value_field = (attached, fields[i][1]) if eq else _at(fields, i + 1)
            i += 1 if eq else 2
            value = r.word(value_field)
            if value is not None and name in _COMPOSE_GLOBAL_PATHS:
                r.host_path(value)
                if name in ("-f", "--file"):
                    r.compose_files.append(value)
                elif name == "--project-directory":
                    r.project_dir = value
        elif name in _COMPOSE_GLOBAL_FLAGS:
            i += 1
        else:
            r.unread.append(f"{name} (an option Superego does not know)")
            i += 1
    return i


def _at(fields: list[Field], i: int) -> Field:
    return fields[i] if i < len(fields) else ("", False)


def _options(fields: list[Field], i: int, r: _Reading) -> int:
    """Read the run's options up to its first operand (the image or service); return that
    operand's index."""
    n = len(fields)
    while i < n:
        word = fields[i][0]
        if word == "--":
            return i + 1
        if not word.startswith("-") or word == "-":
            return i
        if word.startswith("--"):
            name, eq, attached = word.partition("=")
            if eq:
                _option(name, (attached, fields[i][1]), r)
                i += 1
            elif _takes_value(name):
                _option(name, _at(fields, i + 1), r)
                i += 2
            else:
                _option(name, None, r)
                i += 1
            continue
        # A cluster of short options: `-it`, `-p8080:80`, `-v/x:/y`, `-eA=b`.
        i += 1
        for k, letter in enumerate(word[1:], start=1):
            name = "-" + letter
            if letter in _SHORT_FLAGS:
                _option(name, None, r)
                continue
            if letter in _SHORT_VALUED:
                rest = word[k + 1 :]
                if rest:
                    _option(name, (rest.removeprefix("="), fields[i - 1][1]), r)
                else:
                    _option(name, _at(fields, i), r)
                    i += 1
                break
            r.unread.append(f"{name} (an option Superego does not know)")
            break
    return i


def _takes_value(name: str) -> bool:
    return (
        name in _RUN_VALUED_FINE
        or name in _RUN_VALUED_PATHS
        or name in _RUN_VALUED_UNREAD
        or name in _RUN_VALUED_BREAK
        or name in _NAMESPACES
        or name in ("-v", "--volume", "--mount", "-e", "--env", "--security-opt")
    )


def _option(name: str, field: Field | None, r: _Reading) -> None:
    """One option and its value (None: written without one)."""
    if field is None:
        if name in _RUN_FLAGS_FINE or name in ("-d", "-i", "-t", "-P", "-q", "-T"):
            return
        if name == _ROOTFS:
            r.rootfs = True
            return
        if name in _RUN_FLAGS_BREAK:
            r.breaks.append(name)
        else:
            r.unread.append(f"{name} (an option Superego does not know)")
        return
    if name in _RUN_FLAGS_FINE or name in _RUN_FLAGS_BREAK:
        # `--rm=true`, `--privileged=false`: a boolean written with its value
        value = field[0].lower()
        if name in _RUN_FLAGS_BREAK and value not in ("false", "0"):
            r.breaks.append(name)
        return
    value_or_none = r.word(field)
    if value_or_none is None:
        return
    value = value_or_none
    if name in _RUN_VALUED_FINE:
        if name in ("-w", "--workdir"):
            r.workdir = value
        elif name == "--entrypoint":
            r.entrypoint = value
        return
    if name in _RUN_VALUED_PATHS:
        r.host_path(value)
    elif name in _RUN_VALUED_BREAK:
        r.breaks.append(f"{name} {value}")
    elif name in _RUN_VALUED_UNREAD:
        r.unread.append(f"{name} {value}")
    elif name in _NAMESPACES:
        _namespace(name, value, r)
    elif name in ("-v", "--volume"):
        _volume(value, r)
    elif name == "--mount":
        _mount(value, r)
    elif name in ("-e", "--env"):
        if "=" not in value or "*" in value.split("=", 1)[0]:
            r.breaks.append(f"forwards the host's ${value.split('=', 1)[0]}")
        else:
            r.env.append(value)
    elif name == "--security-opt":
        _security(value, r)
    else:
        r.unread.append(f"{name} (an option Superego does not know)")


def _namespace(name: str, value: str, r: _Reading) -> None:
    low = value.lower()
    if low == "host" or low.startswith("ns:"):
        r.breaks.append(f"{name} {value}")
    elif "allow_host_loopback=true" in low:
        # podman's slirp4netns option: the container reaches services listening on the
        # host's 127.0.0.1, which are there because nothing else may reach them
        r.breaks.append(f"{name} {value}")
    elif low.startswith(("container:", "service:")):
        r.unread.append(f"{name} {value} (another container's namespace)")
    elif ":" in low and name in ("--network", "--net"):
        r.unread.append(f"{name} {value} (network options)")  # pasta:--map-gw, ...


def _volume(value: str, r: _Reading) -> None:
    """``-v SRC:DST[:OPTS]`` or ``-v DST``: a host path when SRC is one, else a named or
    anonymous volume."""
    parts = value.split(":")
    if len(parts) == 1:
        return  # an anonymous volume at that path in the container
    source = parts[0]
    if source.startswith(("/", ".", "~")):
        options = parts[2].split(",") if len(parts) > 2 else []
        # `ro`, and podman's overlay `O` (writes go to an overlay, not the host directory)
        r.host_path(source, parts[1], readonly="ro" in options or "O" in options)
    elif not _is_volume_name(source) or parts[1].startswith("\\"):
        r.unread.append(f"-v {value}")


def _is_volume_name(text: str) -> bool:
    return bool(text) and text[0].isalnum() and all(c.isalnum() or c in "_.-" for c in text)


def _mount(value: str, r: _Reading) -> None:
    """``--mount type=bind,source=/x,target=/y``: a bind's source is a host path; options
    that make a volume a host directory (``volume-opt``) are unread."""
    kind = "volume"
    source = ""
    target = ""
    readonly = False
    for item in value.split(","):
        key, eq, val = item.partition("=")
        key = key.strip().lower()
        val = val.strip().strip("\"'")
        if key == "type":
            kind = val.lower()
        elif key in ("source", "src"):
            source = val
        elif key in ("target", "dst", "destination"):
            target = val
        elif key in ("readonly", "ro"):
            readonly = not eq or val.lower() not in ("false", "0")
        elif key in ("volume-opt", "volume-driver"):
            r.unread.append(f"--mount {value}")
            return
    if kind == "bind" or source.startswith(("/", ".", "~")):
        if not source:
            r.unread.append(f"--mount {value}")
        else:
            r.host_path(source, target, readonly)
    elif kind not in ("volume", "tmpfs", "image", "ramfs") or (
        source and not _is_volume_name(source)
    ):
        r.unread.append(f"--mount {value}")


def _security(value: str, r: _Reading) -> None:
    low = value.lower().replace(" ", "")
    if low in _SECURITY_FINE:
        return
    if "unconfined" in low or low in ("label=disable", "label:disable") or "unmask" in low:
        r.breaks.append(f"--security-opt {value}")
    else:
        r.unread.append(f"--security-opt {value}")


def _finish(fields: list[Field], i: int, r: _Reading, verb: str) -> Container:
    """The words after the options: the image (or service) and the container's command;
    a host value only known at run time handed to it is unread. The container is
    ``dynamic`` when some word (an option's too) is only known at run time; ``$(pwd)`` is
    known."""
    if r.rootfs and i < len(fields):
        root = r.word(fields[i])
        if root is not None:
            r.host_path(root.removesuffix(":O"), "/", root.endswith(":O"))
    for field in fields[i:]:
        if field[1]:
            r.word(field)
    unknown = r.unknown
    if not unknown:
        probe = _Reading(r.cwd, r.pwd_known)
        unknown = any(f[1] and probe.word(f) is None for f in fields)
    found = Container(tuple(r.breaks), tuple(r.unread), tuple(r.mounts))
    found.dynamic = unknown
    found.verb = verb
    found.binds = tuple(r.binds)
    found.workdir = r.workdir
    found.command = _command(fields[i + 1 :], r.entrypoint)
    found.entrypoint = r.entrypoint
    found.opaque = found.command is None and "compose" not in verb  # compose: its file's
    found.env = tuple(r.env)
    if "compose" in verb and i < len(fields) and not fields[i][1]:
        found.compose = (fields[i][0], tuple(r.compose_files), r.project_dir)
    return found


def _command(rest: list[Field], entrypoint: str | None) -> tuple[Field, ...] | None:
    """The command the container runs, as fields, when the line gives it: the words after
    the image, after ``--entrypoint`` if one is named. None when the image's own
    entrypoint or command runs (no words, or words that start with ``-``: arguments to
    it) or the entrypoint is a JSON list (podman): opaque."""
    if entrypoint:
        if entrypoint.startswith("["):
            return None
        return ((entrypoint, False), *rest)
    if not rest or (entrypoint is None and rest[0][0].startswith("-")):
        return None
    return tuple(rest)


def host_paths(
    container: Container, forms: Callable[[str], tuple[str, ...]]
) -> tuple[tuple[str, ...], bool]:
    """The normalized forms of ``container``'s host paths (``forms`` normalizes one against
    the command's directory), and whether every one could be placed."""
    out: list[str] = []
    placed = True
    for word in container.mounts:
        found = forms(word)
        if not found:
            placed = False
        out.extend(f for f in found if f not in out)
    return tuple(out), placed


# Where the analysis places a path of the container that no bind mount reaches: the
# container's own files, which the run cannot take from the host. Rules see them as a
# place in a temp directory (scratch), never read from disk.
LOCAL = "/tmp/(container)"  # noqa: S108 (a name, never created or read)


def _under(path: str, root: str) -> bool:
    return path == root or root == "/" or path.startswith(root + "/")


class Mounts:
    """A container's bind mounts, as the walk of its command maps its paths: a path under a
    mount's target is the mount's host path; a path above targets (``/``, the target's
    parent) reaches every host path mounted under it, besides the container's own files;
    any other path is the container's own (:data:`LOCAL`). A path already in host form
    (the working directory, ``$PWD``, a mount's source) stays as it is."""

    __slots__ = ("binds",)
    local = LOCAL

    def __init__(self, binds: list[tuple[str, tuple[str, ...], bool]]) -> None:
        # (target, the source's normalized forms, read-only), longest target first
        self.binds = sorted(binds, key=lambda b: -len(b[0]))

    def forms(self, path: str) -> tuple[str, ...]:
        """The host forms of ``path`` (absolute, ``..`` folded), lexical: one each for
        every reading of it (a container path may also be a host form)."""
        if _under(path, LOCAL):
            return (path,)
        out: list[str] = []
        local = True
        for target, sources, _readonly in self.binds:
            if any(_under(path, s) for s in sources):
                out.append(path)
                local = False
            if _under(path, target):
                rest = path if target == "/" else path[len(target) :]
                out.extend((s.rstrip("/") + rest).rstrip("/") or "/" for s in sources)
                local = False
            elif _under(target, path):
                out.extend(sources)
        if local:
            out.append(LOCAL if path == "/" else LOCAL + path)
        return tuple(dict.fromkeys(out))

    def inside(self, host: str) -> str:
        """The container path of a directory in host form (the one the command runs in),
        so that a relative name climbs (``..``) the container's tree, not the host's."""
        if _under(host, LOCAL):
            return host[len(LOCAL) :] or "/"
        for target, sources, _readonly in self.binds:
            for s in sources:
                if _under(host, s):
                    return (target.rstrip("/") + host[len(s.rstrip("/")) :]) or "/"
        return host

    def directory(self, path: str) -> str | None:
        """The host form of a directory the command runs in (``-w``, ``cd``), None when it
        has several (``/``, above a mount: relative names are then not known)."""
        found = self.forms(path)
        return found[0] if len(found) == 1 else None
