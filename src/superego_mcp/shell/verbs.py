"""What a command's verbs say: destructive (any CLI), or read-only (well-known CLIs).

Command-line tools name their actions with words: ``stripe prices delete``, ``vault secrets
disable``, ``rclone sync --delete-excluded``, ``aws ec2 describe-instances``, ``kubectl get
pods``. Rules test these with ``shell: {verb: destructive}`` and ``shell: {verb: read}``.

- *destructive*: a word of the command's subcommand path (its leading operands that read
  like words, not file names or values) or one of its long options says delete, destroy,
  purge, drop, terminate, disable, revoke, wipe, remove, prune, ... -- for any program, known
  or not. The program name counts too when it is compound (``kafka-delete-records``) or is
  the verb itself (``dropdb``, ``shred``).
- *read*: the program is in :data:`CATALOGUE` (well-known CLIs whose documentation names
  their read-only verbs the same way), some word of its subcommand path is a read verb
  (list, get, describe, show, status, info, version, help, view, inspect, logs, search, ...,
  or a ``list-``/``get-``/``describe-`` compound), and no word says it changes, runs,
  connects, downloads or reveals a secret (``get-secret-value``, ``keys list``,
  ``get-credentials``).

Lexical: the words are classified as written. A word that is not in any list decides
nothing, so an unknown verb is never read-only. Imported only when a rule tests a verb.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from .model import Command


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (the lists below read as prose)."""
    return frozenset(text.split())


# Word parts that destroy or disable something.
DESTRUCTIVE = _words("""
    delete del deletes deleted deletion destroy destroyed purge drop dropdb terminate
    disable revoke wipe rm rmi rmdir rb remove removes erase prune forget kill truncate
    flush flushall flushdb nuke shred expunge deregister unregister decommission
    reset cleanup clear deactivate unpublish yank evict discard obliterate rdelete vacuum
    compact dedupe recreate sync move
    """)
# In an option only these count: `--delete-excluded` destroys, while `--rm`, `--disable-x`,
# `--reset-cache` or `--clear` tune what a command does.
_DESTRUCTIVE_OPTION = _words("""
    delete del destroy purge drop wipe remove erase prune truncate shred expunge nuke
    obliterate vacuum
    """)
# Verbs written run together with their object (`rclone deletefile`, `tmutil
# deletelocalsnapshots`, `removeall`): a word starting with one of these is destructive.
_DESTRUCTIVE_PREFIXES = (
    "delete",
    "remove",
    "destroy",
    "purge",
    "drop",
    "wipe",
    "erase",
    "deregister",
    "unregister",
    "terminate",
    "revoke",
    "truncate",
)
# Programs whose name alone is the destroying verb (PostgreSQL's `dropdb`, `shred`, a
# `delete` or `drop` on PATH): whatever their operands, they destroy them.
_DESTRUCTIVE_PROGRAMS = _words("""
    delete remove destroy purge drop wipe erase nuke shred srm dropdb dropuser droplang
    """)
# Word parts that change, run, connect, transfer or reveal: never read-only.
MUTATING = _words("""
    create update set put add apply deploy run exec execute start stop restart send publish
    push upload sync copy cp mv move write edit patch replace import enable install upgrade
    login logout attach detach invoke scale rollback restore rename tag untag connect ssh
    shell console proxy forward port-forward mount unmount reboot shutdown reload trigger
    approve merge commit generate init new clone pull download fetch submit cancel pause
    resume lock unlock grant assign register modify associate disassociate reboot resize
    rotate renew issue sign encrypt decrypt open receive consume produce acquire release
    claim transfer migrate build rebuild compile bootstrap provision reconcile rerun retry
    redeliver recover reimage regenerate reindex refresh repair reset suspend unsuspend
    archive unarchive promote demote accept reject invite join leave configure config-set
    token tokens secret secrets password passwords passwd credential credentials creds
    apikey apikeys key keys kv sas auth oauth cert certs certificate certificates private
    decrypted export backup snapshot dump edit-config env shellenv change fix activate
    deactivate relinquish vacuum flush verify audit watch explore bump masterkey
    append prepend insert load unload save bind unbind toggle switch select use checkout
    link unlink label annotate taint untaint cordon uncordon drain expose autoscale
    """)
# Whole words (and compound prefixes) that read.
READ_WORDS = _words("""
    list ls get describe show status info version help view inspect logs log search whoami
    explain top history stats health ping events outdated deps tree display cat diff doctor
    tail lookup find stat size du head count exists validate lint check about
    completion who-am-i snapshots installed healthcheck syntax-check lsd lsl lsf lsjson
    md5sum sha1sum hashsum report diagnostic diagnostics
    """)
_READ_PREFIXES = (
    "list-",
    "list_",
    "get-",
    "describe-",
    "show-",
    "view-",
    "search-",
    "batch-get-",
    "head-",
    "check-",
    "validate-",
)
# Parts of MUTATING that name secrets: they keep a word from reading even after a read
# verb (`get-password-data`, `list-keys`, `secret list`), since reading them reveals them.
SECRET_PARTS = _words("""
    token tokens secret secrets password passwords passwd credential credentials creds
    apikey apikeys key keys kv sas auth oauth cert certs certificate certificates private
    decrypted masterkey login session env
    """)
# MUTATING words that also name things (`velero backup describe`, `gh run list`): before a
# read verb later in the path, they are the object, not the action.
_NOUNS_TOO = _words("""
    backup snapshot restore run build release tag deploy archive import export migrate
    audit proxy job trigger schedule lock mount pipeline console output change config
    """)
_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_:][A-Za-z0-9]+)*$")
_SPLIT = re.compile(r"[-_:]")
# How many leading operands make the subcommand path.
_PATH_WORDS = 5
# Parts that make a word a question about the thing, whatever else it says.
_READ_PARTS = frozenset({"status", "info", "list", "describe", "show"})
# Options that make a command only print help or simulate.
_SAFE_MODES = frozenset(
    {"--help", "help", "--dry-run", "dry-run", "--dryrun", "--what-if", "--noop", "--simulate"}
)
# Programs whose operands name things to look up or print, never actions they take; and
# git and the container CLIs, whose destroying verbs have rules of their own (a mixed
# `git reset` keeps work, `docker run --rm` only cleans up after itself).
_NAMES_ARE_DATA = _words("""
    man hash help type which whereis whatis apropos info tldr echo printf command builtin
    cheat git docker podman nerdctl
    """)

# Well-known CLIs that name their read-only verbs as above (from each tool's own command
# reference): cloud, cluster, infrastructure, VCS hosting, system and service tools, SaaS CLIs.
CATALOGUE = _words("""
    aws gcloud gsutil bq az azcopy doctl linode-cli hcloud scw oci ibmcloud aliyun
    kubectl oc helm kustomize minikube kind k3d eksctl istioctl linkerd argocd flux velero
    crictl ctr nerdctl podman docker docker-compose
    terraform tofu terragrunt pulumi packer vault consul nomad cdk sam wrangler vercel
    netlify flyctl fly heroku railway supabase firebase
    gh glab tea
    brew port apt-cache dpkg-query snap flatpak rustup conda mamba
    systemctl journalctl launchctl loginctl timedatectl hostnamectl localectl networkctl
    resolvectl busctl coredumpctl ip nmcli tmutil diskutil hdiutil pkgutil profiles
    softwareupdate sw_vers system_profiler mdls defaults
    auth0 stripe twilio sentry-cli datadog-ci newrelic pd okta circleci doppler op
    rclone restic borg mc s3cmd kopia
    nats rabbitmqctl rabbitmqadmin rabbitmq-diagnostics kafka-topics kafka-consumer-groups
    kafka-configs kafka-acls kafka-broker-api-versions
    flipt ldcli unleash fastly deck kong apigeecli algolia square gitlab-runner traefik
    jenkins-cli sample
    ansible-playbook ansible-doc ansible-inventory ansible-config ansible-galaxy
    ansible ansible-console ansible-pull ansible-vault ansible-test prometheus
    zpool zfs 7z 7za 7zr 7zz
    """)
# Catalogue members whose first operand is a verb of the tool itself, even when no
# generic read word appears (`brew desc`, `systemctl is-active`).
_TOOL_READS: dict[str, frozenset[str]] = {
    "brew": _words(
        "desc options tap-info missing leaves deps uses config doctor dr home homepage commands"
        " formulae casks log"
    ),
    "systemctl": _words(
        "is-active is-enabled is-failed is-system-running list-units list-unit-files"
        " list-timers list-sockets list-dependencies cat show-environment"
    ),
    "launchctl": _words(
        "print print-cache print-disabled blame procinfo dumpstate plist hostinfo resolveport"
        " dumpjpcategory managerpid manageruid managername error variant getenv"
    ),
    "hdiutil": _words("verify checksum imageinfo isencrypted plugins pmap"),
    # ip's objects, alone or abbreviated, show them (`ip a`, `ip r`, `ip netconf`); ip xfrm
    # state prints IPsec keys and is left out
    "ip": _words(
        "a ad addr address l li link r ro route ru rule n ne neigh neighbor neighbour m"
        " maddr maddress mr mroute monitor mo tunnel tun tuntap tunt netns netconf netc"
        " ntable st stats identify pids"
    ),
    "tmutil": _words(
        "listbackups latestbackup machinedirectory destinationinfo isexcluded"
        " listlocalsnapshotdates listlocalsnapshots uniquesize verifychecksums compare"
        " calculatedrift"
    ),
    "diskutil": _words("list info information activity listfilesystems"),
    "kubectl": _words("api-resources api-versions cluster-info"),
    "docker": _words("ps images"),
    "zpool": _words("iostat"),
    "ansible-inventory": _words("graph"),
    "ansible-config": _words("dump view"),
    # 7-Zip's commands (its manual): l list, t test, h hash, b benchmark, i information
    **dict.fromkeys(("7z", "7za", "7zr", "7zz"), _words("l t h b i")),
    # AWS CLI's read operations not named describe/list/get (dynamodb query/scan, iam
    # simulate-*, cloudformation estimate-/detect-drift, route53 test-dns-answer, rds log
    # portions printed to the terminal); cognito's admin-get-/admin-list- compounds
    "aws": _words(
        "query scan transact-get-items simulate-principal-policy simulate-custom-policy"
        " estimate-template-cost detect-stack-drift detect-stack-resource-drift"
        " detect-stack-set-drift test-dns-answer download-db-log-file-portion"
        " generate-credential-report admin-get-user admin-get-device admin-list-groups-for-user"
        " admin-list-user-auth-events admin-list-devices"
    ),
    # az: a blob's URL, Log Analytics / Boards / table queries, policy state summaries,
    # downloads into the project (the destination must be a project file)
    "az": _words("url query summarize download download-batch"),
    "gcloud": _words("topic"),
    "gsutil": _words("hash"),
    "helm": _words("verify"),
    # the AWS CDK: synthesising templates (the project's app), docs, notices, context
    "cdk": _words("synth synthesize docs doc metadata notices acknowledge ack context"),
    "packer": _words("fmt validate inspect console required"),
    "kong": _words("check health parse"),
    # gh: artifacts and release assets into the project, attestation and release checks
    "gh": _words("download verify verify-asset trusted-root ports"),
    "ansible-galaxy": _words("verify"),
    # NRQL and Algolia's browse only read; azcopy env prints its settings (sensitive ones
    # only with --show-sensitive); decK's dump writes the gateway's configuration to a
    # project file; Flipt evaluates a flag for an entity
    "newrelic": _words("query"),
    "algolia": _words("browse"),
    "azcopy": _words("env"),
    "deck": _words("dump"),
    "flipt": _words("evaluate"),
}
# Programs read-only with no subcommand at all (their options only select what to show).
# Catalogue members' own options that only print where things are or how they are set up.
_TOOL_READ_OPTIONS: dict[str, frozenset[str]] = {
    "brew": _words("prefix cache cellar caskroom repository repo env config taps"),
    "ansible-inventory": _words("host graph list"),
}
# (macOS's sample profiles a running process for a while and writes its report to /tmp or
# -file; it changes nothing.)
_READ_WITHOUT_VERB = frozenset(
    {
        "journalctl",
        "sw_vers",
        "system_profiler",
        "mdls",
        "ansible-doc",
        "kafka-broker-api-versions",
        "sample",
    }
)
# CLIs with a raw API command (`auth0 api [METHOD] PATH`), and the options that send data.
_API_PASSTHROUGH: dict[str, frozenset[str]] = {"auth0": frozenset({"-d", "--data"})}
_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
# Catalogue members that print their usage when run with nothing (7-Zip).
_USAGE_WHEN_BARE = frozenset({"7z", "7za", "7zr", "7zz"})
# Help and simulations: the command says what it would do and does nothing (`--dry-run=false`
# is dropped by the parser, so it is no simulation).
_SHOWS_HELP = frozenset({"--help", "-help"})
_SIMULATES = frozenset({"--dry-run", "--dryrun", "-dry-run", "--what-if", "--simulate"})
# CLIs whose command is the last word of the subcommand path, every operand being an option
# (the Azure CLI: `az <group> [<subgroup> ...] <command> --name x`).
_COMMAND_LAST = frozenset({"az"})
_VERSION_FLAGS = frozenset({"-v", "-V", "-version", "--version"})
# Options whose value is a command the tool runs (the AWS CDK's `--app`, `-a`).
_RUNS_GIVEN: dict[str, frozenset[str]] = {"cdk": frozenset({"--app", "-a"})}
# Servers and runners with no verbs (nginx, haproxy, prometheus, ad-hoc ansible): only these
# options make them report and stop (their manuals: test the configuration, print the
# version or help, list the hosts, run in check mode), and never with the second set.
_READ_FLAGS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "prometheus": (_words("-h --help --help-long --help-man --version"), frozenset()),
    "ansible": (_words("--list-hosts --check -C --help -h --version"), frozenset()),
    "ansible-console": (_words("--list-hosts --help -h --version"), frozenset()),
    "ansible-pull": (_words("--help -h --version"), frozenset()),
    "ansible-vault": (_words("--help -h --version"), frozenset()),
    "ansible-test": (_words("--help -h --version"), frozenset()),
}


def _parts(word: str) -> list[str]:
    return [p for p in _SPLIT.split(word.lower()) if p]


def path_words(cmd: Command, *, skip: bool = False) -> list[str]:
    """The leading operands that read like words (the subcommand path), at most a few; the
    path stops at the first operand that is a file name, URL or value (``skip``: steps over
    it, as `java -jar cli.jar -s URL delete-job` puts its verb after them)."""
    words: list[str] = []
    if cmd.program in _COMMAND_LAST:  # every operand is an option's: the path ends at one
        for word in cmd.argv[:_PATH_WORDS]:
            if word.startswith("-") or not _WORD.match(word):
                break
            words.append(word)
        return words
    if cmd.subcommand:
        words.extend(cmd.subcommand.split())
    for word in cmd.positionals:
        if len(words) >= _PATH_WORDS:
            break
        if _WORD.match(word):
            words.append(word)
        elif not skip:
            break
    return words


def _option_words(cmd: Command) -> list[str]:
    """Long options as words (``--delete-excluded`` -> ``delete-excluded``); ``--no-x``
    negates and says nothing."""
    out: list[str] = []
    for flag in cmd.flags:
        name = flag.lstrip("-")
        if name and not name.startswith("no-") and _WORD.match(name):
            out.append(name)
    return out


def is_destructive(cmd: Command) -> bool:
    """Whether a word of the command's subcommand path, a long option, or a compound
    program name says it destroys or disables something (not when it only shows help, is
    a dry run, or names a thing to look up: ``man rm``, ``--disable-status``)."""
    if cmd.program in _NAMES_ARE_DATA or _SAFE_MODES & cmd.flags:
        return False
    if cmd.program.lower() in _DESTRUCTIVE_PROGRAMS and cmd.positionals:
        return True  # with something to destroy (bare `shred` only prints its usage)
    words = path_words(cmd, skip=True)
    if "-" in cmd.program or "_" in cmd.program:
        words.append(cmd.program)
    for w in words:
        parts = _parts(w)
        if parts and (parts[0] in READ_WORDS or _READ_PARTS & set(parts)):
            continue  # list-deleted, get-deletion-status: reads
        if any(p in DESTRUCTIVE or p.startswith(_DESTRUCTIVE_PREFIXES) for p in parts):
            return True
    for option in _option_words(cmd):
        parts = _parts(option)
        if parts and parts[0] in _DESTRUCTIVE_OPTION and not _READ_PARTS & set(parts):
            return True
    return False


def is_read(cmd: Command) -> bool:
    """Whether the command is a catalogued CLI in one of its read-only verbs (see the module
    docstring). Never true for a destructive command."""
    program = cmd.program
    if program == "java" and not is_destructive(cmd):
        inner = _jar_cli(cmd)
        return inner is not None and is_read(inner)
    if program not in CATALOGUE or is_destructive(cmd):
        return False
    if program in _READ_FLAGS:  # no verbs: only these options make it report and stop
        shows, never = _READ_FLAGS[program]
        return bool(shows & cmd.flags) and not never & cmd.flags
    if not cmd.argv:
        return program in _USAGE_WHEN_BARE or program in _READ_WITHOUT_VERB
    if (_SHOWS_HELP & cmd.flags or _SIMULATES & cmd.flags) and not _hands_on(cmd):
        return True  # `cdk deploy --help`, `aws s3 sync ... --dryrun`: nothing is changed
    if _RUNS_GIVEN.get(program, frozenset()) & cmd.flags:
        return False  # `cdk synth --app CMD` runs the command it is given
    words = path_words(cmd)
    if words[:1] == ["help"]:
        return True  # `brew help install`, `launchctl help bootstrap`
    if program in ("gh", "glab") and words[:1] == ["api"]:
        return False  # its endpoint is no verb: gh api's own rule judges its method
    if program in _API_PASSTHROUGH and words[:1] == ["api"]:
        # `auth0 api [METHOD] PATH`: GET unless a method or data says otherwise
        method = words[1].lower() if len(words) > 1 and words[1].lower() in _METHODS else "get"
        return method == "get" and not _API_PASSTHROUGH[program] & cmd.flags
    options = _option_words(cmd)
    extra = _TOOL_READS.get(program, frozenset())
    nouns = _TOOL_NOUNS.get(program, frozenset())
    reads = [_reads(w.lower(), extra) for w in words]
    for i, w in enumerate(words):
        low = w.lower()
        parts = _parts(low)
        mutating = {p for p in parts if p in MUTATING}
        if not mutating or low in READ_WORDS or low in extra or low in nouns:
            continue
        if _names_secrets(program, low, words[i + 1 :]):
            continue  # gh secret list: names only
        about = reads[i] and low.startswith(_READ_PREFIXES) and parts[-1] in _ABOUT
        if mutating & SECRET_PARTS and not about:
            return False  # get-secret-value, keys list; not get-account-password-policy
        if reads[i] and low.startswith(_READ_PREFIXES):
            continue  # get-console-output, list-builds: the rest names what is read
        if any(reads[:i]) and (parts[0] not in MUTATING or parts[0] in _NOUNS_TOO):
            continue  # `velero backup describe daily-backup`: after the verb, its object
        if not (mutating <= _NOUNS_TOO and any(reads[i + 1 :])):
            return False  # velero backup describe: the noun before a read verb is fine
    if any(_option_changes(o) for o in options):
        return False
    if program in _READ_WITHOUT_VERB:
        return True
    if not words:  # options only: `ansible-inventory --list`, `vault --version`, `cdk -h`
        own = _READ_OPTIONS | _TOOL_READ_OPTIONS.get(program, frozenset())
        if cmd.flags and cmd.flags <= _VERSION_FLAGS:
            return True  # `kong -v`, `wrangler -v`: the version, alone
        return _asks_help(cmd) or any(_lists(o.lower(), own) for o in options)
    if program in _COMMAND_LAST:
        # `az webapp log config`: az's command is the last word of its path (its operands
        # are options), so an earlier read word is a group, not the command
        low = words[-1].lower()
        if reads[-1] or _names_secrets(program, words[-2].lower() if len(words) > 1 else "", [low]):
            return True
    elif any(reads):
        return True
    # `ansible-playbook site.yml --list-hosts`: an operand that is no verb, and an option
    # that only lists (not `--version 1.2` nor `--logs`, which tune a run)
    own = _TOOL_READ_OPTIONS.get(program, frozenset()) | {"help"}
    return _asks_help(cmd) or any(_lists(o.lower(), own) for o in options)


def _asks_help(cmd: Command) -> bool:
    """``-h`` written as a word of its own: a letter h inside a cluster or a glued value
    (7-Zip's ``-o../out``, ``-ohome``) is no request for help."""
    return "-h" in cmd.argv


def _hands_on(cmd: Command) -> bool:
    """Whether the command runs another command it is given (`docker compose run web sh -c
    ...`, `heroku run`, `gcloud compute ssh`): an option after it may be that command's, so
    `--help` or `--dry-run` says nothing about what runs."""
    return any(p in _RUNS_VERBS for w in path_words(cmd, skip=True) for p in _parts(w.lower()))


# Verbs that run a command given on the line, here or elsewhere.
_RUNS_VERBS = frozenset(
    {"run", "exec", "execute", "ssh", "shell", "console", "attach", "invoke", "debug", "x"}
)


def _jar_cli(cmd: Command) -> Command | None:
    """A catalogued CLI shipped as a jar (``java -jar jenkins-cli.jar -s URL list-jobs``) as
    the command it is: its name, then its words after its own valued options; else None."""
    from .model import Command

    argv = list(cmd.argv)
    at = argv.index("-jar") + 1 if "-jar" in argv[:-1] else -1
    if at <= 0 or any(not w.startswith("-") for w in argv[: at - 1]):
        return None  # `java Main -jar x.jar`: a class runs, the jar is its argument
    name = argv[at].rsplit("/", 1)[-1].lower()
    program = _JARS.get(name.removesuffix(".jar"))
    if program is None:
        return None
    valued = _JAR_VALUED.get(program, frozenset())
    flags: set[str] = set()
    positionals: list[str] = []
    rest = argv[at + 1 :]
    i = 0
    while i < len(rest):
        word = rest[i]
        if word.startswith("-") and word != "-":
            flags.add(word.split("=", 1)[0])
            i += 2 if word in valued else 1
            continue
        positionals.append(word)
        i += 1
    return Command(
        program,
        cmd.program_path,
        tuple(rest),
        flags=frozenset(flags),
        positionals=tuple(positionals),
        dynamic=cmd.dynamic,
    )


# CLIs shipped as jars, by the jar's name, and their options that take a value (the Jenkins
# CLI: `java -jar jenkins-cli.jar -s URL -auth USER:TOKEN COMMAND`).
_JARS = {"jenkins-cli": "jenkins-cli"}
_JAR_VALUED = {"jenkins-cli": frozenset({"-s", "-i", "-auth", "-bearer", "-user", "-logger"})}


def _option_changes(option: str) -> bool:
    """Whether a long option's name says the command changes something or reveals a secret
    (``--delete``, ``--create-namespace``, ``--with-decryption``, ``--include-values``); a
    secret's name in an option only says which thing is meant (``--secret-id``,
    ``--key-name``), the verb says what is done with it."""
    parts = _parts(option)
    if option in _REVEALING_OPTIONS or _REVEALING_PARTS & set(parts):
        return True
    if parts[:1] == ["start"] and parts[-1] in _WHEN_WHERE:
        return False  # --start-time, --start-date, --start-after: where a read begins
    if parts[:1] == ["clear"]:
        return True  # `cdk context --clear`: empties what it would list
    if parts and parts[-1] in _RUNS_PARTS:
        return True  # --password-command CMD (not --command-id ID)
    if SECRET_PARTS & set(parts) and _SHOWING_PARTS & set(parts):
        return True  # --show-credentials, --print-token, --include-secrets
    return any(p in MUTATING and p not in _HARMLESS_OPTION_PARTS for p in parts)


def _names_secrets(program: str, word: str, rest: list[str]) -> bool:
    """Whether ``word`` (a secret's noun) is the object of a listing that, by the tool's
    documentation, prints only names and metadata (``gh secret list``, ``docker secret
    ls``, ``vault secrets list``), never values."""
    listed = _SECRET_LISTINGS.get(program)
    if listed is None or word not in listed[0] or not rest:
        return False
    return rest[0].lower() in listed[1]


# Options that, alone, make a catalogued CLI print something and do nothing else.
_READ_OPTIONS = frozenset({"help", "version", "list", "describe", "syntax-check"})


def _lists(option: str, also: frozenset[str]) -> bool:
    """An option that lists (``--list``, ``--list-hosts``, ``--show-config``) or is one of
    ``also``."""
    return option in also or option == "list" or option.startswith(("list-", "show-"))


def _reads(low: str, extra: frozenset[str]) -> bool:
    """Whether one word of a subcommand path (or an option's name) is a read verb: a read
    word, a tool's own read verb, a read compound (``list-*``, ``get-*``), or a word with a
    question part (``cluster_status``, ``field-list``) and nothing that changes."""
    if low in READ_WORDS or low in extra or low.startswith(_READ_PREFIXES):
        return True
    parts = _parts(low)
    return bool(_READ_PARTS & set(parts)) and not any(p in MUTATING for p in parts)


# Option words that carry a mutating part but only shape the output or the query
# (`--output`, `--query`, `--no-pager`, `--filter`, ...), or name which secret, key,
# token or session is meant (`--secret-id`, `--key-name`, `--password-length`).
_HARMLESS_OPTION_PARTS = (
    frozenset({"output", "key", "keys", "set", "tag", "config", "env", "open", "bootstrap"})
    | SECRET_PARTS
) - frozenset({"decrypted", "masterkey"})
# Options that make a read print secret values (`aws ssm get-parameter --with-decryption`,
# `aws apigateway get-api-key --include-value`, `--show-secrets`, `--reveal`).
_REVEALING_PARTS = frozenset(
    {"decryption", "decrypt", "decrypted", "reveal", "plaintext", "unmask", "unredacted"}
)
_REVEALING_OPTIONS = frozenset(
    {
        "include-value",
        "include-values",
        "show-secret",
        "show-secrets",
        "show-value",
        "show-values",
        "with-values",
        "show-token",
        "show-sensitive",
        "sensitive",
        "raw",
    }
)
_WHEN_WHERE = frozenset({"time", "date", "after", "from", "index", "position", "key", "token"})
# With a secret's noun in an option, these make it print the secret.
_SHOWING_PARTS = frozenset(
    {"show", "print", "display", "dump", "export", "include", "with", "get", "emit", "expose"}
)
# Options whose value is a program or command line the tool runs (restic's and rclone's
# `--password-command`, `--exec`, `--editor`, `--ssh-program`, `--hook`): the value is
# code Superego does not read.
_RUNS_PARTS = frozenset(
    {"command", "cmd", "program", "script", "hook", "helper", "editor", "pager", "askpass"}
)
# The last part of a read compound that says it reads about a secret, not the secret
# (`get-account-password-policy`, `get-credential-report`, `get-access-key-last-used`,
# `get-login-profile`, `get-access-key-info`), per the AWS, Azure and Google Cloud
# references: policies, reports, profiles, usage, metadata and state.
_ABOUT = frozenset(
    {"policy", "policies", "report", "profile", "used", "info", "metadata", "status", "summary"}
)
# Per tool: secret nouns whose listing prints names and metadata only, and the verbs that
# list them (gh: "Secret values are never shown"; Docker: a secret's data is never returned;
# Vault: secrets engines, auth methods and kv key names; az keyvault secret list: ids and
# attributes).
_SECRET_LISTINGS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "gh": (_words("secret ssh-key gpg-key"), _words("list ls")),
    "glab": (_words("ssh-key gpg-key"), _words("list ls")),
    "docker": (_words("secret"), _words("ls list inspect")),
    "podman": (_words("secret"), _words("ls list inspect")),
    "vault": (_words("secrets auth kv"), _words("list ls")),
    "az": (_words("secret"), _words("list")),
    "gcloud": (_words("secrets"), _words("list describe")),
}
# Per tool: words that are the object of the verb after them, not an action (`aws
# configure get region`, `aws configure list`: printing a setting; secret settings are
# denied by deny-secret-export).
_TOOL_NOUNS: dict[str, frozenset[str]] = {
    # Auth0's settings groups named for what they configure, not secrets they print
    "auth0": _words("universal-login ul breached-password-detection"),
    "aws": _words("configure"),
    "az": _words("configure"),  # `az devops configure --list`
}
