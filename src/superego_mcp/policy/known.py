"""Dangerous programs that are known (the ``known:`` condition): what a command does, read
from tables of well-known programs, their subcommands and options, not from its text.

Classes (issue 18 item 5):

- ``power``: shutting down, rebooting or switching the init state (``shutdown``, ``reboot``,
  ``halt``, ``poweroff``, ``systemctl poweroff|reboot|isolate|...``, ``init 0|6``,
  ``loginctl``);
- ``kill_all``: signals to PID 1, to every process (``-1``) or to its own group (``0``),
  ``killall5``, and ``pkill``/``killall`` of a pattern that matches everything or of a whole
  user's processes;
- ``secret_export``: programs that print a stored secret (``gpg --export-secret-keys``,
  ``security find-generic-password -w``, ``pass show``, ``op read``, ``vault read``,
  ``gh auth token``, ``gcloud auth print-access-token``, ``az account get-access-token``,
  ``aws secretsmanager get-secret-value``, ``kubectl get secret -o yaml``, ...);
- ``env_secrets``: the environment filtered for token-like names (``env | grep TOKEN``);
- ``disk``: mounting, partitions, volumes, pools and filesystem repair (read-only forms
  such as ``mount``, ``zpool status``, ``diskutil list`` are not counted);
- ``firewall``: firewall rules and network configuration (``iptables -A``, ``nft add``,
  ``ufw deny``, ``ip route add``, ``nmcli con up``, ``sysctl -w``; listing is not counted);
- ``user_admin``: users and groups (``useradd``, ``usermod``, ``passwd``, ``visudo``, ...);
- ``report``: system tools in the modes their manuals describe as only reporting (the
  opposite kind: an allow rule uses it): ``defaults read``, ``codesign -dv``, ``spctl
  --assess``, ``pkgutil --pkgs``, ``scutil --dns``, ``xattr -l``, ``sips -g``, ``lvs``,
  ``dmsetup ls``, ``btrfs subvolume list``, ``mdadm --detail``, ``service x status``, ...

The policy indexes a ``known:`` rule by :data:`PROGRAMS` (``conditions.required_programs``):
this module is imported only for a command whose program is one of them.
"""

from __future__ import annotations

from superego_mcp.lazyre import LazyPattern

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Callable

    from superego_mcp.shell.model import Command

CLASSES = (
    "power",
    "kill_all",
    "secret_export",
    "env_secrets",
    "disk",
    "firewall",
    "user_admin",
    "report",
)


def _words(text: str) -> frozenset[str]:
    """A set of words written as one string (tables stay readable)."""
    return frozenset(text.split())


def _operands(argv: tuple[str, ...], valued: frozenset[str] = frozenset()) -> list[str]:
    """The words that are not options (nor the values of ``valued`` options), in order."""
    out: list[str] = []
    skip = False
    rest = False
    for word in argv:
        if skip:
            skip = False
            continue
        if rest or not word.startswith("-") or word == "-":
            out.append(word)
        elif word == "--":
            rest = True
        elif word in valued:
            skip = True
    return out


def _seq(words: list[str], seq: tuple[str, ...]) -> bool:
    """True when ``seq`` appears as consecutive words of ``words``."""
    n = len(seq)
    return any(tuple(words[i : i + n]) == seq for i in range(len(words) - n + 1))


# --- power and init ----------------------------------------------------------------------------
_POWER_PROGRAMS = _words("shutdown reboot halt poweroff telinit killall5")
_SYSTEMCTL_POWER = _words(
    "poweroff reboot halt kexec isolate rescue emergency suspend hibernate hybrid-sleep "
    "suspend-then-hibernate soft-reboot default "
)
_LOGINCTL_POWER = _words(
    "poweroff reboot halt suspend hibernate terminate-user kill-user terminate-session "
    "kill-session terminate-seat "
)


def _power(cmd: Command) -> bool:
    program = cmd.program
    if program in _POWER_PROGRAMS:
        return True
    words = _operands(cmd.argv)
    first = words[0] if words else ""
    if program == "systemctl":
        return first in _SYSTEMCTL_POWER
    if program == "init":
        return first in ("0", "1", "6", "s", "S")
    if program == "loginctl":
        return first in _LOGINCTL_POWER
    if program == "launchctl":
        return first == "reboot"
    if program == "pmset":
        return first in ("sleepnow", "restoredefaults")
    return False


# --- killing everything --------------------------------------------------------------------------
_BROAD_PATTERN = _words(" . .* .+ ^ $ ^.*$ ^.* .*$ *")
_PKILL_VALUED = _words(
    "-g -G -P -s -t -u -U -F --pidfile --ns --nslist --signal --group --pgroup --parent "
    "--session --terminal --euid --uid -q --queue "
)
_PKILL_SELECTORS = _words(
    "-g -G -P -s -t -u -U --group --pgroup --parent --session --terminal --euid --uid"
)
_KILLALL_VALUED = _words(
    "-u --user -o --older-than -y --younger-than -n --ns -s --signal -Z --context"
)


def _kill_all(cmd: Command) -> bool:
    program, argv = cmd.program, cmd.argv
    if program == "killall5":
        return True
    if program == "kill":
        i = 0
        if argv[:1] and argv[0] in ("-l", "-L", "--list", "--table"):
            return False
        if argv[:1] and argv[0] in ("-s", "-n", "--signal"):
            i = 2
        elif argv[:1] and argv[0].startswith("-") and argv[0] != "--":
            i = 1  # -9, -KILL, -SIGTERM: the signal
        targets = [w for w in argv[i:] if w != "--"]
        return any(t in ("1", "-1", "0") for t in targets)
    if program in ("pkill", "skill"):
        if any(w in ("-v", "--inverse") for w in argv):
            return True
        patterns = _operands(argv, _PKILL_VALUED)
        if not patterns:
            return any(w in _PKILL_SELECTORS or w[:2] in _PKILL_SELECTORS for w in argv)
        return any(p in _BROAD_PATTERN or len(p) == 1 for p in patterns)
    if program == "killall":
        names = _operands(argv, _KILLALL_VALUED)
        if not names:
            return any(w in ("-u", "--user") or w.startswith("--user=") for w in argv)
        regex = any(w in ("-r", "--regexp") for w in argv)
        return any(n in _BROAD_PATTERN or (regex and len(n) <= 2) for n in names)
    return False


# --- programs that print stored secrets ------------------------------------------------------
_SECRET_SEQS: dict[str, tuple[tuple[str, ...], ...]] = {
    "gh": (("auth", "token"),),
    "gcloud": (
        ("auth", "print-access-token"),
        ("auth", "print-identity-token"),
        ("application-default", "print-access-token"),
        ("secrets", "versions", "access"),
    ),
    "az": (
        ("account", "get-access-token"),
        ("keyvault", "secret", "show"),
        ("keyvault", "secret", "download"),
        ("storage", "account", "keys", "list"),
        ("ad", "sp", "credential", "reset"),
        ("acr", "login"),
    ),
    "aws": (
        ("secretsmanager", "get-secret-value"),
        ("secretsmanager", "batch-get-secret-value"),
        ("sts", "get-session-token"),
        ("sts", "assume-role"),
        ("sts", "get-federation-token"),
        ("configure", "export-credentials"),
        ("ecr", "get-login-password"),
        ("iam", "create-access-key"),
        ("codeartifact", "get-authorization-token"),
    ),
    "op": (("read",), ("inject",), ("item", "get"), ("document", "get"), ("signin",)),
    "vault": (("read",), ("kv", "get"), ("token", "create"), ("print", "token"), ("login",)),
    "bw": (("get",), ("export",)),
    "lpass": (("show",), ("export",)),
    "keepassxc-cli": (("show",), ("export",)),
    "secret-tool": (("lookup",),),
    "keyctl": (("print",), ("read",), ("pipe",)),
    "heroku": (("auth:token",),),
    "doppler": (("secrets",),),
    "git": (("credential", "fill"),),
    "security": (
        ("dump-keychain",),
        ("export",),
    ),
}
_PASS_NOT_SHOWING = _words(
    "ls list find search init git help version insert add edit generate rm remove delete "
    "mv rename cp copy "
)
_K8S_VALUED = _words(
    "-n --namespace -l --selector --context --kubeconfig --cluster --user -c --container "
    "--field-selector "
)
SECRET_NAME = LazyPattern(r"(?i)key|token|secret|pass|cred|auth|session|cookie|private|api")


def _output_format(argv: tuple[str, ...]) -> str | None:
    """kubectl's ``-o``/``--output`` value, if any."""
    for i, word in enumerate(argv):
        if word in ("-o", "--output") and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith("--output="):
            return word.split("=", 1)[1]
        if word.startswith("-o") and len(word) > 2 and not word.startswith("--"):
            return word[2:].lstrip("=")
    return None


def _secret_export(cmd: Command) -> bool:
    program, argv = cmd.program, cmd.argv
    if program in ("gpg", "gpg2"):
        return any(w.startswith("--export-secret") for w in argv)
    if program in _CREDENTIAL_HELPERS:
        return "get" in argv
    words = _operands(argv, _K8S_VALUED if program in ("kubectl", "oc") else frozenset())
    if program == "pass":
        return bool(words) and words[0] not in _PASS_NOT_SHOWING
    if program == "security" and words[:1] in (
        ["find-generic-password"],
        ["find-internet-password"],
    ):
        return any(w in ("-w", "-g") for w in argv)
    if program in ("kubectl", "oc"):
        # `get secret x`, `get secrets,configmaps`, `get secret/x`: a format other than the
        # table's (name, wide) prints the data; so does a template.
        kinds = {k.split("/")[0].lower() for k in words[1:2] for k in k.split(",")}
        if words[:1] == ["get"] and kinds & {"secret", "secrets"}:
            fmt = _output_format(argv)
            templated = any(w.split("=", 1)[0] == "--template" for w in argv)
            return templated or (fmt is not None and fmt not in ("name", "wide"))
        if words[:2] == ["config", "view"]:
            return any(w in ("--raw", "--flatten") for w in argv)
        return words[:1] == ["view-secret"] or words[:2] == ["create", "token"]
    if program == "aws":
        if words[:2] == ["ssm", "get-parameter"] or words[:2] == ["ssm", "get-parameters"]:
            return "--with-decryption" in argv
        # anywhere in the words: `aws --profile prod configure get ...` puts a value first
        for i in range(len(words) - 1):
            if words[i : i + 2] == ["configure", "get"]:
                return any(SECRET_NAME().search(w) for w in words[i + 2 :])
    if program == "gh" and words[:2] == ["auth", "status"]:
        return any(w in ("-t", "--show-token") for w in argv)
    if program == "sops":
        return any(w in ("-d", "--decrypt", "decrypt") for w in argv)
    return any(_seq(words, s) for s in _SECRET_SEQS.get(program, ()))


_CREDENTIAL_HELPERS = frozenset(
    {
        *(
            f"docker-credential-{h}"
            for h in (
                "desktop",
                "osxkeychain",
                "pass",
                "secretservice",
                "wincred",
                "ecr-login",
                "gcloud",
                "acr-env",
            )
        ),
        *(
            f"git-credential-{h}"
            for h in (
                "osxkeychain",
                "manager",
                "manager-core",
                "libsecret",
                "store",
                "cache",
                "wincred",
                "gnome-keyring",
            )
        ),
    }
)
_ENV_DUMPERS = _words("env printenv set export declare compgen typeset")
_FILTERS = _words("grep egrep fgrep rg ag awk sed ack")


def _env_secrets(cmd: Command) -> bool:
    """A filter reading the environment's dump for token-like names."""
    if cmd.program not in _FILTERS or not _ENV_DUMPERS & set(cmd.piped_from):
        return False
    return any(SECRET_NAME().search(w) for w in cmd.argv)


# --- disks and filesystems -------------------------------------------------------------------
_DISK_ALWAYS = _words(
    "umount lvcreate lvremove lvextend lvreduce lvresize lvrename lvchange lvconvert "
    "vgremove vgcreate vgextend vgreduce vgchange vgrename vgmerge vgsplit pvremove "
    "pvcreate pvmove pvresize pvchange resize2fs xfs_growfs xfs_repair sg_format growpart "
    "partprobe e4defrag xfs_fsr zramctl mkswap swaplabel e2label fatlabel debugfs "
    "xfs_admin btrfstune "
)
# program -> (words that only read, as the first operand), or a predicate on the command.
_DISK_READ_FIRST: dict[str, frozenset[str]] = {
    "zpool": _words("status list iostat get history events version help"),
    "zfs": _words("list get help version diff holds userspace groupspace projectspace"),
    "dmsetup": _words("ls info status table deps version targets"),
    "nvme": _words(
        "list id-ctrl id-ns smart-log error-log fw-log list-ns list-ctrl show-regs version help "
    ),
    "diskutil": _words(
        "list info information activity listFilesystems verifyVolume verifyDisk apfs"
    ),
    "cryptsetup": frozenset({"status", "isLuks", "luksDump", "tcryptDump", "bitlkDump"}),
}
_FSCKS = _words(
    "tune2fs e2fsck fsck btrfsck fsck.ext2 fsck.ext3 fsck.ext4 fsck.xfs fsck.vfat "
    "fsck.fat fsck.msdos fsck.btrfs fsck.exfat fsck.f2fs "
)
_BTRFS_CHANGES = _words(
    "delete remove rm resize add balance replace rescue restore convert zero-log chunk- "
    "recover set create snapshot quota qgroup "
)


def _disk(cmd: Command) -> bool:
    program, argv = cmd.program, cmd.argv
    if program in _DISK_ALWAYS:
        return True
    words = _operands(argv, frozenset({"-t", "-o", "-O", "--types", "--options"}))
    if program == "mount":
        return bool(words) or any(w in ("-a", "--all") for w in argv)
    if program in ("swapon", "swapoff"):
        return program == "swapoff" or bool(words) or "-a" in argv
    if program == "losetup":
        return bool(words) or any(w in ("-d", "-D", "--detach", "--detach-all", "-f") for w in argv)
    if program == "mdadm":
        return not any(w in ("--detail", "-D", "--examine", "-E", "--query", "-Q") for w in argv)
    if program in _DISK_READ_FIRST:
        first = words[0] if words else ""
        if program == "diskutil" and first == "apfs":
            return (words[1:2] or [""])[0] not in ("list", "listCryptoUsers", "listSnapshots")
        return bool(first) and first not in _DISK_READ_FIRST[program]
    if program == "btrfs":
        # `btrfs check` only reads unless told to repair or rebuild trees
        repairs = ("--repair", "--init-csum-tree", "--init-extent-tree")
        return any(w in _BTRFS_CHANGES for w in words) or any(w in repairs for w in argv)
    if program == "nbd-client":
        return not any(w in ("-l", "--list", "-h", "--help", "-V", "--version") for w in argv)
    if program in _FSCKS:
        return not any(w in ("-l", "-n") for w in argv)
    if program == "hdparm":
        read = {"-I", "-i", "-t", "-T", "-g", "-C", "-h", "--help", "-V", "-tT", "-Tt"}
        return any(w.startswith("-") and w not in read for w in argv)
    if program == "blockdev":
        return any(w.startswith("--set") or w in ("--rereadpt", "--flushbufs") for w in argv)
    if program == "badblocks":
        return any(w in ("-w", "-n") for w in argv)
    if program == "kpartx":
        return not any(w == "-l" for w in argv)
    return False


# --- firewall and network configuration -------------------------------------------------------
_IPTABLES = _words(
    "iptables ip6tables iptables-nft ip6tables-nft iptables-legacy ip6tables-legacy "
    "ebtables arptables "
)
_IPTABLES_READ_LONG = _words(
    "--list --list-rules --numeric --verbose --exact --line-numbers --wait --help "
    "--version --table "
)
_IP_READ_VERBS = _words("show list lst sh ls get help monitor s")
_NET_CHANGES = _words(
    "up down add delete del modify mod edit reload load import connect disconnect set off "
    "on reapply clone hotspot block unblock toggle addbr delbr addif delif change replace "
    "flush reset revert setconf addconf syncconf set-hostname set-time set-timezone set- "
    "ntp enable disable allow deny reject limit route insert append prepend "
)


def _iptables_changes(argv: tuple[str, ...]) -> bool:
    """True unless every option only lists (``-L``, ``-S``, ``-n``, ``-v``, ``-t TABLE``...)."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in ("-t", "--table"):
            skip = True
        elif word.startswith("--"):
            if word.split("=", 1)[0] not in _IPTABLES_READ_LONG:
                return True
        elif word.startswith("-") and len(word) > 1 and not set(word[1:]) <= set("LSnvxwhVc"):
            return True
    return False


def _firewall(cmd: Command) -> bool:
    program, argv = cmd.program, cmd.argv
    if program in _IPTABLES:
        return _iptables_changes(argv)
    if program.endswith("tables-restore") or program in ("wg-quick", "netplan", "ifup", "ifdown"):
        return program != "netplan" or bool(set(argv) & {"apply", "try", "set"})
    words = _operands(argv, _words("-f -a --zone -n -4 -6"))
    first = words[0] if words else ""
    if program == "nft":
        return first not in ("list", "describe", "") or "-f" in argv
    if program == "ufw":
        return first not in ("status", "show", "version", "help", "app", "")
    if program == "firewall-cmd":
        read = ("--list", "--get", "--query", "--state", "--info", "--help", "--version", "--zone")
        return any(w.startswith("-") and not w.startswith(read) for w in argv)
    if program == "pfctl":
        return any(
            w.startswith("-") and w[1:2] in set("dEeFfkKTX") and not w.startswith("-s")
            for w in argv
        )
    if program == "ip":
        if len(words) < 2:
            return False  # `ip a`, `ip route`: show
        obj, verb = words[0], words[1]
        if obj in ("monitor", "mon"):
            return False  # `ip monitor route`: watches changes, makes none
        if obj == "netns" and verb == "exec":
            return True
        return verb not in _IP_READ_VERBS and verb in _NET_CHANGES | {"attach", "detach"}
    if program == "ifconfig":
        # an interface's name with any option but the listing ones (`eth0 -arp`) changes it
        sets = bool(words) and not _option_names(argv) <= _IFCONFIG_LISTS
        return sets or len(words) > 1 or any(w in ("up", "down") for w in words)
    if program == "route":
        return first in ("add", "del", "delete", "change", "flush", "replace")
    if program == "sysctl":
        return any(w in ("-w", "--write", "-p", "--load", "--system") for w in argv) or any(
            "=" in w for w in words
        )
    if program in (
        "nmcli",
        "tc",
        "iw",
        "rfkill",
        "brctl",
        "wg",
        "netsh",
        "hostnamectl",
        "timedatectl",
        "resolvectl",
        "networkctl",
        "connmanctl",
    ):
        if program == "resolvectl" and first in ("dns", "domain") and len(words) < 3:
            return False
        return any(w in _NET_CHANGES for w in words) or (
            program == "resolvectl"
            and first
            in (
                "dns",
                "domain",
                "default-route",
                "llmnr",
                "mdns",
                "dnssec",
                "dnsovertls",
                "nta",
            )
        )
    if program == "networksetup":
        lists = ("-get", "-list", "-print", "-is", "-show", "-version", "-help")
        return any(w.startswith("-") and not w.startswith(lists) for w in argv)
    if program == "scutil":
        return "--set" in argv
    if program == "ethtool":
        changes = (
            "-s",
            "--change",
            "-K",
            "--features",
            "--offload",
            "-A",
            "-C",
            "-G",
            "-L",
            "-E",
            "-f",
            "--flash",
            "-r",
            "--negotiate",
            "--set",
        )
        return any(w.startswith(changes) for w in argv)
    return False


# --- users and groups --------------------------------------------------------------------------
_USER_ALWAYS = _words(
    "useradd userdel usermod groupadd groupdel groupmod chpasswd adduser deluser addgroup "
    "delgroup gpasswd vipw vigr chsh chfn newusers pwconv pwunconv grpconv grpunconv "
    "sysadminctl dseditgroup smbpasswd newgrp lusermod luseradd luserdel "
)


def _user_admin(cmd: Command) -> bool:
    program, argv = cmd.program, cmd.argv
    if program in _USER_ALWAYS:
        return True
    if program == "passwd":
        return not any(w in ("-S", "--status") for w in argv)
    if program == "chage":
        return not any(w in ("-l", "--list") for w in argv)
    if program == "visudo":
        return not any(w in ("-c", "--check") for w in argv)
    if program == "dscl":
        changes = {"create", "delete", "passwd", "append", "merge", "change"}
        return any(w.lstrip("-") in changes for w in argv)
    if program == "pw":
        words = _operands(argv)
        return bool(words) and not words[0].endswith("show")
    if program == "net":
        words = _operands(argv)
        return (
            bool(words)
            and words[0].lower() in ("user", "localgroup", "group")
            and (len(words) > 2 or any(w.lower().startswith("/") for w in words))
        )
    return False


# --- reporting modes of system tools ----------------------------------------------------------
# From each tool's manual: program -> (first operands that only report, options that switch
# to a reporting mode, options that change something). A command reports when no option of
# the third set is given and its first operand is in the first set or some option is in the
# second; a program in _REPORT_BARE also reports with neither (``xattr f``, ``lvs``).
_REPORT: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    "defaults": (_words("read read-type domains find help"), frozenset(), frozenset()),
    "codesign": (
        frozenset(),
        _words("-d --display -v --verify --validate-constraint -h --hosting"),
        _words("-s --sign --remove-signature --extract-certificates -f --force"),
    ),
    "spctl": (
        frozenset(),
        _words("-a --assess --status"),
        _words(
            "--add --remove --enable --disable --master-enable --master-disable "
            "--global-enable --global-disable --label --reset-default"
        ),
    ),
    "scutil": (frozenset(), _words("--get --dns --proxy --nwi -r -w"), _words("--set --nc")),
    "sips": (
        frozenset(),
        _words("-g --getProperty --verify --help -h"),
        _words(
            "-s --setProperty -d --deleteProperty -e --embedProfile -E --embedProfileIfNone "
            "-m --matchTo -M --matchToWithIntent -r --rotate -f --flip -c "
            "--cropToHeightWidth -p --padToHeightWidth -z --resampleHeightWidth -Z "
            "--resampleHeightWidthMax --resampleWidth --resampleHeight -i --addIcon -o --out "
            "-j --js -x --extractProfile -X --extractTag --optimizeColorForSharing"
        ),
    ),
    "xattr": (frozenset(), _words("-l -p -x"), _words("-w -d -c")),
    "plutil": (
        frozenset(),
        _words("-p -lint -help -type"),
        _words("-convert -insert -replace -remove -extract -o -e -create"),
    ),
    # mdimport -t -d1..4: test an import, printing at a debugging level (mdimport(1))
    "mdimport": (frozenset(), _words("-t -L -A -X -h"), _words("-r -i")),
    "qlmanage": (frozenset(), _words("-m -p -h -t"), _words("-o -r -d")),
    "pkgutil": (
        frozenset(),
        _words(
            "--packages --pkgs --pkgs-plist --files --export-plist --pkg-info "
            "--pkg-info-plist --pkg-groups --groups --groups-plist --group-pkgs "
            "--payload-files --check-signature --file-info --file-info-plist -h --help"
        ),
        _words("--forget --learn --expand --flatten --unlink"),
    ),
    "security": (
        _words(
            "find-certificate find-identity dump-trust-settings error list-smartcards "
            "translocate-policy-check translocate-status-check translocate-original-path "
            "requirement-evaluate help verify-cert"
        ),
        frozenset(),
        frozenset(),
    ),
    "dmsetup": (_words("ls info status table deps version targets help"), frozenset(), frozenset()),
    # macOS: a binary's symbols (symbols(1), not -saveSignature), a document's information
    # or its text printed (textutil -info, -stdout), old Mac encodings probed or decoded to
    # the terminal, compression_tool to the terminal (no -o)
    "symbols": (frozenset(), frozenset(), _words("-saveSignature -symbolsPackageDir")),
    "textutil": (frozenset(), _words("-info -help -stdout"), _words("-output")),
    **dict.fromkeys(
        _words("binhex applesingle macbinary"),
        (_words("probe help"), _words("-h --help -c --pipe --to-stdout"), _words("-o")),
    ),
    "compression_tool": (frozenset(), _words("-h -encode -decode"), _words("-o")),
    # a name made up and printed, nothing created (mktemp -u, --dry-run)
    "mktemp": (frozenset(), _words("-u --dry-run"), frozenset()),
    # servers' configuration tests and versions (nginx -t/-T, haproxy -c), never with a
    # signal or a daemon to start; Prometheus's rule and configuration checks
    "nginx": (frozenset(), _words("-t -T -v -V -h -?"), _words("-s -g")),
    "haproxy": (frozenset(), _words("-c -v -vv -V -h"), _words("-D -sf -st -x -W")),
    "promtool": (_words("check test query"), frozenset(), frozenset()),
    "kong": (_words("check health version help"), _words("-v --version -h --help"), frozenset()),
    # Time Machine's reports (tmutil(8)): backups, snapshots, exclusions, sizes, checksums
    # and comparisons of what is on disk, wherever the paths they name are
    "tmutil": (
        _words(
            "listbackups latestbackup machinedirectory destinationinfo isexcluded "
            "listlocalsnapshotdates listlocalsnapshots uniquesize verifychecksums compare "
            "calculatedrift version help"
        ),
        frozenset(),
        frozenset(),
    ),
    "mdadm": (frozenset(), _words("--detail -D --examine -E --query -Q"), frozenset()),
    "nbd-client": (frozenset(), _words("-l --list"), frozenset()),
    "open": (frozenset(), _words("-R --reveal"), _words("-a -b -e -t -f -n --new -F")),
    "say": (frozenset(), frozenset(), _words("-o --output-file -n --network-send")),
    **dict.fromkeys(
        _words("lvs vgs pvs lvdisplay vgdisplay pvdisplay"),
        (frozenset(), frozenset(), frozenset()),
    ),
    # the agent's loaded keys (public halves, fingerprints); a key file's fingerprint
    "ssh-add": (frozenset(), _words("-l -L"), _words("-d -D -x -X -k -K -s -e -c -t -T -S -H")),
    "ssh-keygen": (
        frozenset(),
        _words("-l -B -F"),
        _words("-p -c -R -H -s -A -k -u -e -i -y -D -G -T -M -Y -N -O -r"),
    ),
}
_IFCONFIG_LISTS = _words("-a -s -v -l -u -d -L -m -C")
_REPORT_BARE = _words(
    "xattr plutil say lvs vgs pvs lvdisplay vgdisplay pvdisplay symbols sips compression_tool"
)
_REPORT_VALUED = _words("-host -t -s -v -r -w")  # options whose value may look like a verb
# dscl's reading commands (dscl(1)); -create, -append, -merge, -delete, -change, -passwd
# and -auth change or authenticate.
_DSCL_READS = _words("read readall readpl readpli list search diff cd ls")
# btrfs reports in these two-word commands (``device stats`` only without resetting: -z).
_BTRFS_REPORTS = frozenset(
    {
        ("subvolume", "list"),
        ("subvolume", "show"),
        ("filesystem", "show"),
        ("filesystem", "df"),
        ("filesystem", "usage"),
        ("device", "stats"),
        ("device", "usage"),
        ("qgroup", "show"),
        ("property", "get"),
        ("property", "list"),
    }
)


def _option_names(argv: tuple[str, ...], clusters: bool = True) -> set[str]:
    """Every option as written (``--pkgs=x`` as ``--pkgs``), and each letter of a short
    cluster (``-dvv`` as ``-d``, ``-v``) too unless the program's options are words after
    one dash (``compression_tool -encode``)."""
    out: set[str] = set()
    for word in argv:
        if word == "--":
            break
        if word.startswith("-") and len(word) > 1:
            name = word.split("=", 1)[0]
            out.add(name)
            if clusters and not name.startswith("--") and len(name) > 2:
                out.update("-" + letter for letter in name[1:])
    return out


# Report programs whose options are words after one dash, never clusters of letters.
_WORD_OPTIONS = _words("compression_tool textutil symbols")


def _report(cmd: Command) -> bool:
    program, argv = cmd.program, cmd.argv
    if program == "btrfs":
        words = _operands(argv)
        return tuple(words[:2]) in _BTRFS_REPORTS and "-z" not in argv
    if program == "service":
        words = _operands(argv)
        return words[1:2] == ["status"] or argv == ("--status-all",)
    if program == "dscl":
        # dscl [options] DATASOURCE COMMAND ...: its commands are words, with or without a
        # dash (`-read`, `read`); only the reading ones, with no password given (-P, -p)
        words = [w for w in argv if w not in ("-plist", "-raw", "-url", "-q")]
        if words[:1] and words[0] in ("-P", "-p", "-u", "-f"):
            return False
        return len(words) > 1 and words[1].lstrip("-") in _DSCL_READS
    if program == "ifconfig":
        # a listing: at most an interface's name, only the listing options of the manuals
        # (`ifconfig eth0 -arp` switches ARP off)
        return len(_operands(argv)) <= 1 and _option_names(argv) <= _IFCONFIG_LISTS
    spec = _REPORT.get(program)
    if spec is None:
        return False
    first_reads, read_options, changes = spec
    options = _option_names(argv, clusters=program not in _WORD_OPTIONS)
    if options & changes:
        return False
    words = _operands(argv, _REPORT_VALUED if program in ("defaults", "scutil") else frozenset())
    if words[:1] and words[0] in first_reads:
        return True
    if options & read_options:
        return True
    return program in _REPORT_BARE and not first_reads


_TESTS: dict[str, Callable[[Command], bool]] = {
    "power": _power,
    "kill_all": _kill_all,
    "secret_export": _secret_export,
    "env_secrets": _env_secrets,
    "disk": _disk,
    "firewall": _firewall,
    "user_admin": _user_admin,
    "report": _report,
}

# Every program some class looks at (the condition's cheap test); plus prefixes below.
PROGRAMS = frozenset(
    {
        *_POWER_PROGRAMS,
        "systemctl",
        "init",
        "loginctl",
        "launchctl",
        "pmset",
        "kill",
        "pkill",
        "skill",
        "killall",
        "gpg",
        "gpg2",
        "pass",
        "security",
        "kubectl",
        "oc",
        "aws",
        "sops",
        *_SECRET_SEQS,
        *_CREDENTIAL_HELPERS,
        *_FILTERS,
        *_DISK_ALWAYS,
        "mount",
        "swapon",
        "swapoff",
        "losetup",
        "mdadm",
        *_DISK_READ_FIRST,
        "btrfs",
        *_FSCKS,
        "hdparm",
        "blockdev",
        "badblocks",
        "kpartx",
        "nbd-client",
        *_IPTABLES,
        "wg-quick",
        "netplan",
        "ifup",
        "ifdown",
        "nft",
        "ufw",
        "firewall-cmd",
        "pfctl",
        "ip",
        "ifconfig",
        "route",
        "sysctl",
        "nmcli",
        "tc",
        "iw",
        "rfkill",
        "brctl",
        "wg",
        "netsh",
        "hostnamectl",
        "timedatectl",
        "resolvectl",
        "networkctl",
        "connmanctl",
        "networksetup",
        "scutil",
        "ethtool",
        *_USER_ALWAYS,
        "passwd",
        "chage",
        "visudo",
        "dscl",
        "pw",
        "net",
        *_REPORT,
        "service",
    }
)


def classes(cmd: Command, wanted: frozenset[str]) -> bool:
    """True when ``cmd`` (whose program is one of :data:`PROGRAMS`) belongs to one of the
    ``wanted`` classes."""
    return any(_TESTS[name](cmd) for name in wanted)
