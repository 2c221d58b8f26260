"""Programs that run another program: sudo, env, timeout, xargs, find -exec, ...

:func:`unwrap` skips a wrapper's own options and says what it runs: an argv (``sudo rm``),
or a shell string to parse (``watch 'rm x'``, ``flock f -c 'rm x'``, ``su -c 'rm x'``).
"""

from __future__ import annotations

from .words import Field

# Per wrapper: options taking a value (short letters as "-x", long as "--name"), options
# that mean "runs nothing" (sudo -l), number of operands before the command (timeout's
# DURATION), and how the command is given.
_VALUED: dict[str, str] = {
    "sudo": (
        "-u --user -g --group -h --host -p --prompt -C --close-from -D --chdir -r --role "
        "-t --type -T --command-timeout -U --other-user"
    ),
    "doas": "-u -C",
    "env": "-u --unset -C --chdir -S --split-string -P --block-signal --default-signal",
    "timeout": "-s --signal -k --kill-after",
    "nice": "-n --adjustment",
    "ionice": "-c --class -n --classdata -p --pid -P --pgid -u --uid",
    "nohup": "",
    # macOS caffeinate keeps the machine awake, while a command it runs lasts (-t SECONDS,
    # -w PID: until then); -d -i -m -s -u choose what stays awake
    "caffeinate": "-t -w",
    "setsid": "",
    "stdbuf": "-i --input -o --output -e --error",
    "time": "-f --format -o --output",
    "command": "",
    "builtin": "",
    "exec": "-a",
    # -R, -S and -J are BSD xargs' (replacements, replace size, a replace string).
    "xargs": (
        "-a --arg-file -d --delimiter -E -I -L -n --max-args -P --max-procs -s --max-chars "
        "--process-slot-var -J -R -S"
    ),
    "parallel": (
        "-j --jobs -N -n --max-args -S --sshlogin --joblog -a --arg-file --delay --timeout "
        "-I --colsep -d --delimiter -E --results --tmpdir --workdir --env -L --max-lines "
        "--sshloginfile --memfree --load --retries --tag-string --basefile --return --header "
        "--tagstring --halt --termseq --shebang-wrap --limit --trc --transfer-file --tf"
    ),
    "watch": "-n --interval -d --differences -q --equexit",
    "flock": "-w --timeout --wait -E --conflict-exit-code -c --command",
    "chroot": "--userspec --groups",
    "strace": "-o -e -p -s -u -E -a -b -I -O -S -P -X",
    "ltrace": "-o -e -p -s -u -n -a -A -D -L -x",
    "su": "-c --command -s --shell -g --group -G --supp-group -w --whitelist-environment",
    "runuser": "-c --command -s --shell -g --group -G --supp-group -u --user",
    "uv run": (
        "--with --with-editable --with-requirements -p --python --directory --project "
        "--package --env-file --extra --group --index --index-url --extra-index-url"
    ),
    "uvx": "--from --with -p --python --index-url --extra-index-url",
    "uv tool run": "--from --with -p --python --index-url --extra-index-url",
    "pipx run": "--spec --python --pip-args --index-url",
    "npx": "-p --package -c --call",
    "pnpx": "-p --package -c --call",
    "bunx": "-p --package",
    "pnpm dlx": "--package",
    "yarn dlx": "-p --package",
    # The package managers' own "run this program of the project's dependencies".
    "npm exec": "-c --call -w --workspace -p --package",
    "pnpm exec": "-c --shell-mode --resume-from --filter -F --workspace-concurrency",
    "yarn exec": "",
    # mise runs the command after `--` with the tools it names (installing them first, as
    # `mise install` does); -c is a shell string.
    "mise x": "-c --command -C --cd -j --jobs",
    "mise exec": "-c --command -C --cd -j --jobs",
    # cargo-flamegraph profiles the command after `--` (or -p PID: runs nothing new).
    "flamegraph": (
        "-o --output -F --freq -c --cmd -p --pid --perfdata --palette --title --subtitle "
        "--notes --min-width --image-width --skip-after --completions"
    ),
    "poetry run": "-C --directory -P --project",
    "pdm run": "-p --project -v --venv",
    "hatch run": "",
    "rye run": "--pyproject",
    "pipenv run": "",
    "bundle exec": "--gemfile",
    "busybox": "",
    # Commands run somewhere else: in a container, a pod, on another host, under a pty
    # recorder. What they run is judged as if it ran here (its paths may be the other
    # side's): a destructive command stays destructive wherever it runs.
    "docker exec": "-e --env --env-file -u --user -w --workdir --detach-keys",
    "podman exec": "-e --env --env-file -u --user -w --workdir --detach-keys --preserve-fds",
    "nerdctl exec": "-e --env --env-file -u --user -w --workdir",
    "kubectl exec": (
        "-c --container -n --namespace -f --filename --context --kubeconfig --cluster "
        "--pod-running-timeout -l --selector"
    ),
    "ssh": "-b -B -c -D -E -e -F -I -i -J -L -l -m -O -o -p -P -Q -R -S -W -w",
    "script": "-c --command -t -T --log-timing -I --log-in -O --log-out -B --log-io -E --echo -m",
}

# Options after which nothing is run (the wrapper only lists, validates, or edits).
_RUNS_NOTHING: dict[str, frozenset[str]] = {
    "sudo": frozenset(
        {
            "-l",
            "--list",
            "-v",
            "--validate",
            "-k",
            "-K",
            "--reset-timestamp",
            "--remove-timestamp",
            "-e",
            "--edit",
            "-V",
            "--version",
            "-h",
            "--help",
        }
    ),
    "command": frozenset({"-v", "-V"}),
    "flamegraph": frozenset({"-p", "--pid", "--perfdata", "--completions"}),
    "parallel": frozenset({"--dry-run", "--version"}),  # prints the commands, runs none
}
# Options whose value is a shell command string.
_SHELL_STRING: dict[str, frozenset[str]] = {
    "flock": frozenset({"-c", "--command"}),
    "su": frozenset({"-c", "--command"}),
    "runuser": frozenset({"-c", "--command"}),
    "npx": frozenset({"-c", "--call"}),
    "pnpx": frozenset({"-c", "--call"}),
    "npm exec": frozenset({"-c", "--call"}),
    "pnpm exec": frozenset({"-c", "--shell-mode"}),
    "mise x": frozenset({"-c", "--command"}),
    "mise exec": frozenset({"-c", "--command"}),
    "env": frozenset({"-S", "--split-string"}),
    "script": frozenset({"-c", "--command"}),
}
# Operands a wrapper takes before the command.
_LEADING_OPERANDS = {
    "timeout": 1,
    "flock": 1,
    "chroot": 1,
    "docker exec": 1,
    "podman exec": 1,
    "nerdctl exec": 1,
    "kubectl exec": 1,
    "ssh": 1,
    "script": 1,
}
# Wrappers whose operands form a shell string (run via "sh -c" by the wrapper; ssh joins
# them with spaces for the remote shell).
_JOINED_SHELL = frozenset({"watch", "parallel", "ssh"})
# Wrappers whose command follows a "--" wherever it is (`kubectl exec pod -c x -- ls`).
_AFTER_DASHES = frozenset({"kubectl exec", "mise x", "mise exec"})
# Package runners: the first word is a package, maybe with a version (`npx eslint@8 .`,
# `npx @scope/cli@1 x`, `uvx ruff@0.5 check`); the program it runs is the package's, so
# rules about `eslint` or `playwright` apply whatever version is asked for.
_PACKAGE_RUNNERS = frozenset({"npx", "pnpx", "bunx", "pnpm dlx", "yarn dlx", "uvx", "uv tool run"})
# Wrappers that append unknown arguments (from their input) to the command.
_APPENDS_INPUT = frozenset({"xargs", "parallel"})
# Short options whose value is optional and attached (xargs -i, -e, -l).
_OPTIONAL_ATTACHED = {"xargs": frozenset({"-i", "-e", "-l", "--replace", "--eof", "--max-lines"})}

WRAPPERS = frozenset(k for k in _VALUED if " " not in k)
# "uv run", "poetry run": wrappers only with this subcommand.
SUB_WRAPPERS = frozenset(k for k in _VALUED if " " in k)


class Unwrapped:
    """What a wrapper runs.

    - ``argv``: the command it runs, as fields (None when it runs nothing known).
    - ``shell``: a shell string it runs instead (``flock f -c STRING``), else None.
    - ``own``: the wrapper's own words (options and operands), for its Command.
    - ``operands``: its operands that are paths (flock's lock file, chroot's root).
    - ``assignments``: ``NAME=value`` words it sets in the command's environment.
    - ``appends_input``: the command gets more arguments at run time (xargs).
    - ``flags``: the wrapper's own options as written (``-u``, ``--preserve-env``).
    """

    __slots__ = (
        "appends_input",
        "argv",
        "assignments",
        "flags",
        "operands",
        "own",
        "replace",
        "shell",
    )

    def __init__(self) -> None:
        self.flags: set[str] = set()  # the wrapper's own options: "-u", "--user"
        self.argv: list[Field] | None = None
        self.shell: list[Field] | None = None
        self.own: list[Field] = []
        self.operands: list[Field] = []
        self.assignments: list[Field] = []
        self.appends_input = False
        self.replace = ""  # xargs -I/-J: the string input replaces


def unwrap(key: str, args: list[Field]) -> Unwrapped:
    """Split a wrapper's ``args`` into its own words and the command it runs.

    ``key`` is the wrapper's name (``sudo``) or name and subcommand (``uv run``).
    """
    valued = frozenset(_VALUED.get(key, "").split())
    nothing = _RUNS_NOTHING.get(key, frozenset())
    shell_opts = _SHELL_STRING.get(key, frozenset())
    optional = _OPTIONAL_ATTACHED.get(key, frozenset())
    out = Unwrapped()
    i, n = 0, len(args)
    runs_nothing = False
    replace = ""
    while i < n:
        text, dynamic = args[i]
        if text == "--":
            out.own.append(args[i])
            i += 1
            break
        if key == "parallel" and text.startswith(":::"):
            break
        if not text.startswith("-") or text == "-":
            break
        out.own.append(args[i])
        i += 1
        if key == "nice" and text[1:].isdigit():
            out.flags.add("-n")  # "nice -10 cmd"
            continue
        name, eq, value = text.partition("=")
        if name.startswith("--"):
            out.flags.add(name)
        if not name.startswith("--") and len(name) > 2:
            # A cluster ("-Eu root", "-uroot"): letters until one that takes a value, which
            # takes the rest of the word, or else the next word.
            name, value, eq = "", "", ""
            for pos in range(1, len(text)):
                letter = "-" + text[pos]
                out.flags.add(letter)
                runs_nothing = runs_nothing or letter in nothing
                if letter in valued or letter in optional:
                    name, value = letter, text[pos + 1 :]
                    eq = "=" if value or letter in optional else ""
                    break
            if not name:
                continue
        elif not name.startswith("--"):
            out.flags.add(name)
        runs_nothing = runs_nothing or name in nothing
        if key == "xargs" and name in ("-I", "-i", "--replace", "-J"):
            optional_name = name in ("-i", "--replace")
            replace = value or ("{}" if eq or optional_name else args[i][0] if i < n else "")
        if eq or name in optional:
            if name in shell_opts:
                out.shell = [(value, dynamic)]
            continue
        if name in valued and i < n:
            if name in shell_opts:
                out.shell = [args[i]]
            out.own.append(args[i])
            i += 1
    if runs_nothing and not (key == "parallel" and any("{=" in f[0] for f in args)):
        return out  # (parallel evaluates `{= perl =}` even for --dry-run)
    if key == "env":
        while i < n and "=" in args[i][0] and not args[i][0].startswith("="):
            out.assignments.append(args[i])
            out.own.append(args[i])
            i += 1
    for _ in range(_LEADING_OPERANDS.get(key, 0)):
        if i < n:
            out.operands.append(args[i])
            out.own.append(args[i])
            i += 1
    rest = args[i:]
    if key in _AFTER_DASHES:
        cut = next((k for k, f in enumerate(rest) if f[0] == "--"), -1)
        out.own.extend(rest[: cut + 1])
        rest = rest[cut + 1 :]
    if key == "flock" and len(rest) >= 2 and rest[0][0] in ("-c", "--command"):
        out.own.extend(rest[:2])
        out.shell, rest = [rest[1]], []
    if key in ("su", "runuser") and out.shell is not None:
        rest = []  # the user name (and arguments to the shell), not a command
    if replace:
        # xargs -I{}: the replace string stands for input read at run time.
        rest = [(text, dynamic or replace in text) for text, dynamic in rest]
        out.replace = replace
    if key == "parallel":
        cut = next((k for k, f in enumerate(rest) if f[0].startswith(":::")), len(rest))
        rest = rest[:cut]
    out.appends_input = key in _APPENDS_INPUT
    if key in _PACKAGE_RUNNERS and rest and not rest[0][1]:
        rest = [(_unversioned(rest[0][0]), False), *rest[1:]]
    if key in _JOINED_SHELL and rest and "-x" not in {f[0] for f in out.own}:
        out.shell = rest
    elif rest:
        out.argv = rest
    elif key == "xargs":
        out.argv = [("echo", False)]
    return out


def _unversioned(package: str) -> str:
    """``eslint@8`` -> ``eslint``, ``@scope/cli@1.2`` -> ``@scope/cli``; else unchanged."""
    at = package.rfind("@")
    return package[:at] if at > 0 else package


# At most this many input items are turned into the command lines they make.
_MAX_ITEMS = 16


def with_input(key: str, args: list[Field], text: str) -> list[str]:
    """The command lines xargs or parallel runs when ``text`` is its input (known when a
    literal ``echo``/``printf`` feeds it, or parallel's ``:::`` arguments): xargs appends
    the input's words to its command (or puts each line where ``-I`` says); parallel runs
    each line as a command when it has none, else gives it to its command (at ``{}``)."""
    u = unwrap(key, args)
    if u.flags & _RUNS_NOTHING.get(key, frozenset()):
        return []
    if key == "xargs":
        command = [f[0] for f in u.argv] if u.argv else ["echo"]
        replace = _replace_string(args)
        if replace:
            items = [line.strip() for line in text.splitlines() if line.strip()]
            return [
                " ".join(_quote(a.replace(replace, item)) for a in command)
                for item in items[:_MAX_ITEMS]
            ]
        import shlex  # only here: most lines pipe nothing to xargs (hook path)

        try:
            words = shlex.split(text)
        except ValueError:
            words = text.split()
        return [" ".join(_quote(a) for a in [*command, *words])] if words else []
    items = [line for line in text.splitlines() if line.strip()][:_MAX_ITEMS]
    if u.shell is None:
        return items  # parallel without a command: each line is one
    code = " ".join(f[0] for f in u.shell)
    return [
        code.replace("{}", _quote(item)) if "{}" in code else f"{code} {_quote(item)}"
        for item in items
    ]


def _replace_string(args: list[Field]) -> str:
    """xargs's replace string (``-I R``, ``-i``, ``--replace[=R]``, BSD ``-J R``), or ""."""
    for i, (text, _) in enumerate(args):
        if not text.startswith("-") or text == "--":
            return ""
        name, _, value = text.partition("=")
        if name in ("-i", "--replace"):
            return value or "{}"
        for flag in ("-I", "-J"):
            if text.startswith(flag):
                return text[2:] or (args[i + 1][0] if i + 1 < len(args) else "")
    return ""


def parallel_arguments(args: list[Field]) -> str | None:
    """parallel's ``:::`` arguments as input lines, or None (none, or one only known at run
    time)."""
    if not any(f[0] == ":::" for f in args):
        return None
    after = args[next(i for i, f in enumerate(args) if f[0] == ":::") + 1 :]
    if any(f[1] for f in after):
        return None
    return "\n".join(f[0] for f in after if not f[0].startswith(":::"))


def _quote(word: str) -> str:
    if word and all(c.isalnum() or c in "-_./=:,@%+{}" for c in word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


# hatch's own options before its command (`hatch -e lint run X`): those taking a value.
_HATCH_VALUED = frozenset({"-e", "--env", "-p", "--project", "--data-dir", "--cache-dir",
                           "--config"})  # fmt: skip
# `hatch env run`'s options taking a value (-e ENV, -i/-x matrix filters, -f a filter).
_HATCH_ENV_RUN_VALUED = frozenset({"-e", "--env", "-i", "--include", "-x", "--exclude",
                                   "-f", "--filter"})  # fmt: skip


def hatch_run(argv: list[str]) -> tuple[int, str | None] | None:
    """Where the command of ``hatch [OPTIONS] run X`` / ``hatch [OPTIONS] env run [OPTIONS]
    -- X`` starts in ``argv`` (the words after ``hatch``) and the environment named by
    ``-e``/``--env`` (None for the default); None when it is no such command."""
    env: str | None = None
    i = 0
    for valued, verbs in ((_HATCH_VALUED, ("run", "env")), (_HATCH_ENV_RUN_VALUED, ())):
        while i < len(argv) and argv[i].startswith("-") and argv[i] != "--":
            name, eq, value = argv[i].partition("=")
            i += 1
            if name in valued:
                if not eq and i < len(argv):
                    value = argv[i]
                    i += 1
                if name in ("-e", "--env"):
                    env = value
        if not verbs:
            return i, env
        if argv[i : i + 1] == ["run"]:
            return i + 1, env
        if argv[i : i + 2] != ["env", "run"]:
            return None
        i += 2
    return None
