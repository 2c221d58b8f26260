"""Which running processes a signalling command would reach, and whether one is Superego.

An http hook fails open when its server is gone, and the audit trail stops with the server,
so stopping a running Superego server is switching the guard off. Naming it
(``pkill -f superego``) is caught by :func:`policy.selfguard.removes`; this module answers
for the commands that reach it without naming it: ``kill 4242`` of its PID, ``pkill python``
when it runs as ``python -m superego_mcp``, ``fuser -k 8642/tcp`` or
``kill $(lsof -t -i :8642)`` of its port, ``kill -- -PGID`` of its process group.

:func:`reach` judges one unit against the processes running now (read from ``/proc``):

- ``"superego"``: it would signal a running Superego server (a process running Superego's
  ``serve`` or ``stdio``; a one-shot ``hook`` or ``explain`` run is over before the command
  runs);
- ``"unknown"``: it signals processes that cannot be known before it runs (``kill $PID``,
  ``kill $(cat app.pid)``, ``fuser -k FILE``) while a Superego is running;
- ``None``: neither (nothing of Superego's runs, or the targets are known and are not it).

A judgement that looked at processes is marked volatile (``observe``): the next call with the
same text is judged again. Without ``/proc`` (macOS) no process is known: only the commands
naming Superego are caught there.

Imported only for the programs of :data:`SIGNALLERS` and the PID finders feeding one.
"""

# os.path, not pathlib: on the hook path.
# ruff: noqa: PTH115, PTH119, PTH208

from __future__ import annotations

import os
import re

from superego_mcp import observe

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from superego_mcp.shell.model import Command

# Programs that send signals themselves; programs whose output, fed to a signaller, selects
# its targets (``ps`` lists every process: the selection is made by what filters it).
SIGNALLERS = frozenset({"kill", "pkill", "killall", "skill", "slay", "fuser", "kill-port"})
# Programs that take over a process by its PID (ptrace: stop it, change its memory; or its
# limits): the option that names the PID (a bare number counts too: ``gdb prog 1234``).
ATTACHERS: dict[str, tuple[str, ...]] = {
    "gdb": ("-p", "--pid"),
    "lldb": ("-p", "--attach-pid"),
    "strace": ("-p",),
    "ltrace": ("-p",),
    "gcore": (),
    "prlimit": ("-p", "--pid"),
    "pyrasite": (),
    "py-spy": ("-p", "--pid"),
    "criu": ("-t", "--tree"),
}
SELECTORS = frozenset({"pgrep", "pidof", "lsof", "fuser", "grep", "egrep"})
_FINDERS = SELECTORS - {"grep", "egrep"}  # judged inside ``$(...)`` too
_PROC = "/proc"
# Superego's program, as :data:`policy.selfguard._SELF_PROGRAM` (not imported: cheaper).
_SELF = re.compile(r"^\.?superego[-_]mcp([-_.@][\w.@-]*)?$")
_PORT = re.compile(r"^(?:(?:tcp|udp)?:)?(\d{1,5})(?:/(?:tcp|udp))?$")
_PID = re.compile(r"^-?\d+$")


class Process:
    """A running process as ``/proc`` shows it."""

    __slots__ = ("argv", "comm", "pgid", "pid")

    def __init__(self, pid: int, comm: str, argv: tuple[str, ...], pgid: int) -> None:
        self.pid = pid
        self.comm = comm
        self.argv = argv
        self.pgid = pgid

    def names(self) -> tuple[str, ...]:
        """The names ``killall``/``pidof`` match: the process name, and the base names of
        its program and of the script an interpreter runs (``python3 .../bin/superego-mcp``)."""
        found = [self.comm]
        found.extend(os.path.basename(w) for w in self.argv[:2] if w)
        return tuple(found)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(1 << 16)
    except OSError:
        return None


def _process(pid: int) -> Process | None:
    base = f"{_PROC}/{pid}"
    cmdline = _read(base + "/cmdline")
    stat = _read(base + "/stat")
    if cmdline is None or stat is None:
        return None  # gone, or a kernel thread
    argv = tuple(w.decode("utf-8", "replace") for w in cmdline.split(b"\0") if w)
    # stat: "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    head, _, tail = stat.decode("utf-8", "replace").rpartition(")")
    comm = head.partition("(")[2]
    fields = tail.split()
    pgid = int(fields[2]) if len(fields) > 2 and fields[2].lstrip("-").isdigit() else 0
    return Process(pid, comm, argv, pgid)


# Superego's options that take a value before its subcommand (``--rules x serve``).
_VALUED = frozenset({"--rules", "--config", "--transport", "--host", "--port"})


def _serves(args: tuple[str, ...]) -> bool:
    """Whether Superego's arguments ``args`` run a server (``serve``, ``stdio``, or the old
    ``--transport`` without a subcommand): the long-running processes. The one-shot runs
    (``hook``, ``explain``, ``check``...) are over before the call they judge runs."""
    words = iter(args)
    for word in words:
        if word in _VALUED:
            next(words, None)
        elif not word.startswith("-"):
            return word in ("serve", "stdio")
    return any(w.partition("=")[0] == "--transport" for w in args)


def is_superego(proc: Process) -> bool:
    """True when ``proc`` is a running Superego server: its program (or the script an
    interpreter runs) is ``superego-mcp``, or it is ``python -m superego_mcp``, and its
    arguments run a server (see :func:`_serves`)."""
    argv = proc.argv
    for k, word in enumerate(argv[:2]):
        if _SELF.match(os.path.basename(word)):
            return _serves(argv[k + 1 :])
    if "-m" in argv[:4]:
        k = argv.index("-m")
        if k + 1 < len(argv) and argv[k + 1].split(".")[0] == "superego_mcp":
            return _serves(argv[k + 2 :])
    return False


def running() -> list[Process]:
    """Every running Superego server (see :func:`is_superego`) this user can see."""
    observe.volatile()  # processes come and go: an answer that looked is not remembered
    try:
        pids = [int(name) for name in os.listdir(_PROC) if name.isdigit()]
    except OSError:
        return []
    found = []
    for pid in pids:
        proc = _process(pid)
        if proc is not None and is_superego(proc):
            found.append(proc)
    return found


def _listening(port: int) -> set[str]:
    """The socket inodes listening on ``port`` (TCP or UDP, IPv4 or IPv6)."""
    inodes: set[str] = set()
    for table in ("tcp", "tcp6", "udp", "udp6"):
        text = _read(f"{_PROC}/net/{table}")
        for line in (text or b"").decode("ascii", "replace").splitlines()[1:]:
            cols = line.split()
            if len(cols) > 9 and int(cols[1].rpartition(":")[2], 16) == port:
                inodes.add(cols[9])
    return inodes


def _holds(proc: Process, inodes: set[str]) -> bool:
    """Whether ``proc`` has one of the sockets ``inodes`` open."""
    fd_dir = f"{_PROC}/{proc.pid}/fd"
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return True  # cannot look: it may hold it
    for name in names:
        try:
            target = os.readlink(f"{fd_dir}/{name}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False


def _pattern(word: str, flags: str) -> re.Pattern[str] | None:
    try:
        return re.compile(word, re.IGNORECASE if "i" in flags else 0)
    except re.error:
        return None


def _pkill_hits(argv: tuple[str, ...], procs: list[Process]) -> bool:
    """``pkill``/``pgrep``/``skill``: a pattern matched against the process name, or its
    whole command line with ``-f``; selectors narrowing it are not read (it may hit)."""
    flags = ""
    patterns: list[str] = []
    valued = set("sugtGPUcF") | {"--signal", "--euid", "--uid", "--group", "--terminal"}
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word.startswith("--"):
            flags += {"--full": "f", "--exact": "x", "--ignore-case": "i"}.get(word, "")
            skip = word in valued and "=" not in word
        elif word.startswith("-") and len(word) > 1 and not word[1:].isdigit():
            letters = word[1:]
            flags += letters
            skip = letters[-1] in valued and len(letters) == 1
        elif not word.startswith("-"):
            patterns.append(word)
    if not patterns:
        return bool(procs)  # only selectors: every process they pick, perhaps Superego
    compiled = [c for c in (_pattern(word, flags) for word in patterns) if c is not None]
    if len(compiled) < len(patterns):
        return True  # a pattern Python cannot read: it may match
    whole = "x" in flags
    for proc in procs:
        subject = " ".join(proc.argv) if "f" in flags else proc.comm
        for found in compiled:
            if (whole and found.fullmatch(subject)) or (not whole and found.search(subject)):
                return True
    return False


def _names_hit(argv: tuple[str, ...], procs: list[Process]) -> bool:
    """``killall``/``pidof``: exact names (or ``-r`` patterns) against a process's names."""
    regex = any(w in ("-r", "--regexp") for w in argv)
    fold = any(w in ("-I", "--ignore-case") for w in argv)
    words = [w for w in argv if not w.startswith("-")]
    if not words:
        return bool(procs)
    for proc in procs:
        names = proc.names()
        for word in words:
            if regex:
                found = _pattern(word, "i" if fold else "")
                if found is None or any(found.search(n) for n in names):
                    return True
            elif any(word == n or (fold and word.lower() == n.lower()) for n in names):
                return True
            elif any(len(word) > 15 and n == word[:15] for n in names):
                return True  # the kernel keeps 15 characters of a process name
    return False


def _ports(argv: tuple[str, ...]) -> list[int] | None:
    """The ports an ``lsof -i``, ``fuser PORT/tcp`` or ``kill-port`` names; ``None`` when
    it names something else (a file, a mount), which cannot be tied to a process here."""
    ports = []
    for word in argv:
        text = word
        if text.startswith("-") and ":" in text:
            text = text[text.index(":") :]  # lsof -ti:8642
        elif text.startswith("-"):
            continue
        if text.startswith("@") or ("@" in text and ":" in text):
            text = text.rpartition(":")[2]  # lsof -i tcp@127.0.0.1:8642
        match = _PORT.match(text.lstrip(":") if text.startswith(":") else text)
        if match is None:
            return None
        ports.append(int(match.group(1)))
    return ports


def _port_hit(argv: tuple[str, ...], procs: list[Process]) -> str | None:
    ports = _ports(argv)
    if ports is None:
        return "unknown"
    for port in ports:
        inodes = _listening(port)  # the socket tables, read once per port
        if inodes and any(_holds(p, inodes) for p in procs):
            return "superego"
    return None


def _kill_targets(cmd: Command, procs: list[Process]) -> str | None:
    unknown = False
    end = False
    for word in cmd.argv:
        if not end and word == "--":
            end = True
        elif not end and word.startswith("-") and not _PID.match(word):
            continue  # a signal (-9, -KILL, -s X) or -l
        elif _PID.match(word):
            pid = int(word)
            if pid == -1 and procs:
                return "superego"
            if pid < -1 and any(p.pgid == -pid for p in procs):
                return "superego"
            if pid > 0 and any(p.pid == pid for p in procs):
                return "superego"
        elif word.startswith("%") or word == "$!":
            continue  # a job or the last background command of this shell: its own
        elif word.startswith("$("):
            found = _substituted(word[2:], procs)
            if found == "superego":
                return found
            unknown = unknown or found == "unknown"
        else:
            unknown = True
    return "unknown" if unknown else None


def _substituted(text: str, procs: list[Process]) -> str | None:
    """A ``$(...)`` a killer's word comes from: a PID finder in it is a unit of its own,
    judged there; a ``grep`` selecting lines of ``ps`` is judged here (it is not fed to the
    killer by a pipe); anything else selects what is only known when it runs."""
    stages = [stage.split() for stage in re.split(r"[|;&]+", text.rstrip(")"))]
    if any(stage and stage[0] in _FINDERS for stage in stages):
        return None
    for stage in stages:
        if stage and stage[0] in ("grep", "egrep"):
            return _grep_hit(tuple(w.strip("'\"") for w in stage[1:]), procs)
    return "unknown"


def _grep_hit(argv: tuple[str, ...], procs: list[Process]) -> str | None:
    """``grep PATTERN`` selecting lines of ``ps`` for a killer: the pattern against each
    Superego's command line (``-v``, ``-f FILE``: what it selects is unknown)."""
    patterns: list[str] = []
    flags = ""
    words = iter(argv)
    for word in words:
        if word in ("-e", "--regexp"):
            patterns.append(next(words, ""))
        elif word.startswith("--"):
            if word in ("--invert-match", "--file") or word.startswith("--file="):
                return "unknown"
            flags += "i" if word == "--ignore-case" else ""
        elif word.startswith("-") and len(word) > 1:
            if "v" in word or "f" in word:
                return "unknown"
            flags += "i" if "i" in word else ""
        elif not patterns:
            patterns.append(word)
    compiled = [(word, _pattern(word, flags)) for word in patterns]
    for proc in procs:
        line = " ".join((proc.comm, *proc.argv))
        for word, found in compiled:
            if found is None or found.search(line) or word in line:
                return "superego"
    return None


def reach(cmd: Command) -> str | None:
    """``"superego"``, ``"unknown"`` or ``None`` for one unit (see the module docstring):
    a signaller, or a PID finder whose output feeds one. Looked up afresh every time (an
    analysis may be remembered; the processes running may not)."""
    program = cmd.program
    piped = "kill" in cmd.piped_to  # `| xargs kill`, `| parallel kill`
    fed = piped or ("$()" in cmd.via and program in _FINDERS)
    signaller = program in SIGNALLERS and not (program == "fuser" and not _kills(cmd.argv))
    if not signaller and not (program in SELECTORS and fed) and program not in ATTACHERS:
        return None
    procs = running()
    if not procs:
        return None
    if program in ATTACHERS:
        return _attached(cmd, procs)
    if program == "kill":
        if "xargs" in cmd.via or "parallel" in cmd.via:
            # Its targets are what the pipeline feeding it selects: judged at the selector.
            return None if set(cmd.piped_from) & SELECTORS else "unknown"
        return _kill_targets(cmd, procs)
    if program in ("grep", "egrep"):
        return _grep_hit(cmd.argv, procs) if piped else None
    if program in ("pkill", "pgrep", "skill", "slay"):
        return "superego" if _pkill_hits(cmd.argv, procs) else None
    if program in ("killall", "pidof"):
        return "superego" if _names_hit(cmd.argv, procs) else None
    if program == "fuser":
        rest = tuple(w for w in cmd.argv if w not in ("-k", "-n", "tcp", "udp", "-km", "-mk"))
        return _port_hit(rest, procs)
    if program == "kill-port":
        return _port_hit(cmd.argv, procs)
    if program == "lsof":
        ports = [cmd.argv[k + 1] for k, w in enumerate(cmd.argv[:-1]) if w in ("-i", "-ti")]
        ports += [w for w in cmd.argv if w.startswith("-") and ":" in w]
        return _port_hit(tuple(ports), procs) if ports else "unknown"
    return "unknown"


def _attached(cmd: Command, procs: list[Process]) -> str | None:
    """A process-taking program's target: the value of its PID option, or a bare number."""
    flags = ATTACHERS[cmd.program]
    argv = cmd.argv
    targets = [argv[k + 1] for k, w in enumerate(argv[:-1]) if w in flags]
    targets += [w.partition("=")[2] for w in argv if w.partition("=")[0] in flags]
    targets += [w for w in argv if w.isdigit()]
    pids = {int(t) for t in targets if t.isdigit()}
    if any(p.pid in pids for p in procs):
        return "superego"
    return "unknown" if any(t.startswith("$") for t in targets) else None


def _kills(argv: tuple[str, ...]) -> bool:
    return any(w.startswith("-") and not w.startswith("--") and "k" in w for w in argv)
