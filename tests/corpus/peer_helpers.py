"""The peer corpus: other guards' labelled test cases, judged as Claude Code's hook would.

Shared by ``tests/corpus/test_peer_corpus.py`` and ``bench/bench_peer.py``. The corpus is
not part of this repository (it is the peers' test data): it is read from
``$SUPEREGO_TEST_PEER_CORPUS`` when set, else ``../shared/peer-corpus/corpus3.jsonl`` beside the
clone. Each case is run in a throwaway home with the cwd at a project inside it (``{HOME}``
and ``{CWD}`` in the case are replaced by those paths), judged by the hook's own code: the
hook's compiled-policy cache, its input parser, its project placement and its decision path
(``hook.runner``), in this process for speed. :func:`hook_subprocess` runs the real
``superego-mcp hook`` process on a case, to show the two agree.

Labels (see the corpus README): ``block`` wants deny or ask; ``allow`` wants allow and never
ask/deny; ``confirm`` wants anything but allow. Cases we think are mislabelled are listed,
with the reason, in ``docs/peer-corpus.md`` (:func:`disagreements`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO.parent / "shared" / "peer-corpus" / "corpus3.jsonl"
DISAGREEMENTS = REPO / "docs" / "peer-corpus.md"
EXPECTS = ("block", "allow", "confirm")
ACTIONS = ("allow", "defer", "ask", "deny")


def corpus_path() -> Path | None:
    """Where the corpus is, or ``None`` when it is not on this machine."""
    given = os.environ.get("SUPEREGO_TEST_PEER_CORPUS")
    path = Path(given) if given else DEFAULT_CORPUS
    return path if path.is_file() else None


class PeerCase:
    """One labelled call: its id, command family, label, peers and the tool call (with the
    ``{HOME}``/``{CWD}`` placeholders still in it)."""

    __slots__ = ("cls", "expect", "id", "peers", "source", "tool_input", "tool_name")

    def __init__(self, row: dict[str, Any]) -> None:
        self.id: str = row["id"]
        self.cls: str = row["class"]
        self.expect: str = row["expect"]
        self.peers: tuple[str, ...] = tuple(row["peers"])
        self.source: tuple[str, ...] = tuple(row.get("source", ()))
        self.tool_name: str = row["tool_name"]
        self.tool_input: dict[str, Any] = row["tool_input"]
        if self.expect not in EXPECTS:
            raise ValueError(f"{self.id}: unknown expect {self.expect!r}")

    @property
    def text(self) -> str:
        """How the case reads in a report: the command, else the tool and its input."""
        command = self.tool_input.get("command")
        if self.tool_name == "Bash" and isinstance(command, str):
            return command
        return f"{self.tool_name} {json.dumps(self.tool_input, sort_keys=True)}"


def load(path: Path) -> list[PeerCase]:
    """Every case of the corpus file, in file order."""
    with path.open(encoding="utf-8") as f:
        return [PeerCase(json.loads(line)) for line in f if line.strip()]


def _substitute(value: Any, home: str, cwd: str) -> Any:
    if isinstance(value, str):
        return value.replace("{HOME}", home).replace("{CWD}", cwd)
    if isinstance(value, list):
        return [_substitute(v, home, cwd) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, home, cwd) for k, v in value.items()}
    return value


class Sandbox:
    """A throwaway home with a project directory in it, and the environment a hook process
    gets there: HOME, its own cache and config, no ``SUPEREGO_*`` settings of the caller's,
    the audit trail off (it does not change answers), ``CLAUDE_PROJECT_DIR`` the project."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.project = self.home / "project"
        self.project.mkdir(parents=True)
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SUPEREGO_")}
        for k in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "http_proxy", "https_proxy"):
            env.pop(k, None)
        env.update(
            HOME=str(self.home),
            SUPEREGO_CACHE_DIR=str(root / "cache"),
            SUPEREGO_AUDIT="off",
            XDG_STATE_HOME=str(root / "state"),
            CLAUDE_PROJECT_DIR=str(self.project),
        )
        self.env = env

    def payload(self, case: PeerCase) -> dict[str, object]:
        """The PreToolUse hook input Claude Code would send for ``case`` here."""
        home, cwd = str(self.home), str(self.project)
        return {
            "session_id": "peer-corpus",
            "transcript_path": str(self.home / "transcript.jsonl"),
            "cwd": cwd,
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": case.tool_name,
            "tool_input": _substitute(case.tool_input, home, cwd),
            "tool_use_id": f"toolu_{case.id}",
        }


@contextmanager
def sandbox() -> Iterator[Sandbox]:
    """A :class:`Sandbox` in a temp dir, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="superego-peer-"))
    try:
        yield Sandbox(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def action_of(code: int, stdout: bytes) -> str:
    """The answer Claude Code takes from a hook's exit code and PreToolUse output:
    ``allow`` / ``ask`` / ``deny``, ``defer`` for no decision (``{}``), exit 2 = deny."""
    if code == 2:
        return "deny"
    if code != 0:
        return f"error (exit {code})"
    out = json.loads(stdout)
    if out == {}:
        return "defer"
    decision = out["hookSpecificOutput"]["permissionDecision"]
    return str(decision)


class InProcessHook:
    """The hook's decision path without the process: one compiled policy (through the
    hook's own cache), then per call the hook's parser, placement and ``_judge``."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        with self._environment():
            from superego_mcp.hook.cache import load as load_compiled

            self.compiled = load_compiled(None, None, str(box.project))

    @contextmanager
    def _environment(self) -> Iterator[None]:
        saved = dict(os.environ)
        cwd = Path.cwd()
        os.environ.clear()
        os.environ.update(self.box.env)
        os.chdir(self.box.project)
        try:
            yield
        finally:
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(saved)

    def judge_all(self, cases: Iterable[PeerCase]) -> list[tuple[PeerCase, str]]:
        """Each case and the answer the hook gives it."""
        from superego_mcp.hook import runner
        from superego_mcp.hook.agents import claude, wire

        mode = self.compiled.fail_mode
        results: list[tuple[PeerCase, str]] = []
        with self._environment():
            for case in cases:
                raw = json.dumps(self.box.payload(case)).encode()
                request = claude.parse_hook_input(
                    wire.decode_hook_input(raw), default_cwd=str(self.box.project)
                )
                call = request.call
                assert call is not None
                runner._place(call)
                out = runner._judge(self.compiled, claude, request, call, mode)
                results.append((case, action_of(out.code, out.stdout)))
        return results


def hook_script() -> str:
    """The installed ``superego-mcp`` console script next to this interpreter."""
    found = shutil.which("superego-mcp", path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError("superego-mcp is not installed next to this interpreter (uv sync)")
    return found


def hook_subprocess(box: Sandbox, case: PeerCase, timeout: float = 60) -> str:
    """The answer of a real ``superego-mcp hook`` process to ``case`` (cwd the project)."""
    proc = subprocess.run(
        [hook_script(), "hook"],
        input=json.dumps(box.payload(case)).encode(),
        capture_output=True,
        env=box.env,
        cwd=box.project,
        timeout=timeout,
        check=False,
    )
    return action_of(proc.returncode, proc.stdout)


# A table row whose first cell holds one case id, or several (a group disputed for one reason).
_ROW = re.compile(r"^\|((?:\s*`?p\d{4,}`?,?)+)\s*\|", re.MULTILINE)
_ID = re.compile(r"p\d{4,}")


def disagreements(path: Path = DISAGREEMENTS) -> set[str]:
    """Ids of the cases whose label we dispute (table rows of ``docs/peer-corpus.md`` whose
    first cell is a case id or a list of them)."""
    if not path.is_file():
        return set()
    text = path.read_text(encoding="utf-8")
    return {i for cell in _ROW.findall(text) for i in _ID.findall(cell)}


def wrong(case: PeerCase, action: str) -> bool:
    """Whether ``action`` misses the case's label (``block``: not deny/ask; ``allow``: not
    allow; ``confirm``: allow)."""
    if case.expect == "block":
        return action not in ("deny", "ask")
    if case.expect == "allow":
        return action != "allow"
    return action == "allow"


class Rates:
    """Counts of answers per label for one group of cases."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {e: Counter() for e in EXPECTS}

    def add(self, case: PeerCase, action: str) -> None:
        """Count one judged case."""
        self.counts[case.expect][action] += 1

    def n(self, expect: str) -> int:
        """How many cases carry label ``expect``."""
        return sum(self.counts[expect].values())

    def share(self, expect: str, *actions: str) -> float:
        """The fraction of ``expect`` cases answered with one of ``actions`` (NaN when
        there are none)."""
        total = self.n(expect)
        if not total:
            return float("nan")
        return sum(self.counts[expect][a] for a in actions) / total

    def caught(self) -> float:
        """``block`` cases denied or asked."""
        return self.share("block", "deny", "ask")

    def allowed(self) -> float:
        """``allow`` cases allowed outright."""
        return self.share("allow", "allow")

    def interrupted(self) -> float:
        """``allow`` cases asked or denied."""
        return self.share("allow", "deny", "ask")

    def confirm_allowed(self) -> float:
        """``confirm`` cases allowed outright."""
        return self.share("confirm", "allow")


def tally(
    results: list[tuple[PeerCase, str]], skip: frozenset[str] | set[str] = frozenset()
) -> dict[str, Rates]:
    """Rates overall (``all``), per peer (``peer:NAME``) and per class (``class:NAME``),
    leaving out the cases whose ids are in ``skip``."""
    groups: dict[str, Rates] = defaultdict(Rates)
    for case, action in results:
        if case.id in skip:
            continue
        keys = ["all", *(f"peer:{p}" for p in case.peers), f"class:{case.cls}"]
        for key in keys:
            groups[key].add(case, action)
    return dict(groups)


def _pct(x: float) -> str:
    return "   -  " if x != x else f"{100 * x:5.1f}%"


def table(groups: dict[str, Rates]) -> str:
    """The rates as a fixed-width table: one line per group."""
    head = (
        f"{'group':28} {'block':>6} {'caught':>7} {'allowed':>8} | {'allow':>6} "
        f"{'allowed':>8} {'interr.':>8} | {'confirm':>7} {'allowed':>8}"
    )
    lines = [head, "-" * len(head)]
    order = sorted(groups, key=lambda k: (k != "all", not k.startswith("peer:"), k))
    for key in order:
        r = groups[key]
        lines.append(
            f"{key:28} {r.n('block'):6} {_pct(r.caught()):>7} "
            f"{r.counts['block']['allow']:8} | {r.n('allow'):6} {_pct(r.allowed()):>8} "
            f"{_pct(r.interrupted()):>8} | {r.n('confirm'):7} {_pct(r.confirm_allowed()):>8}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- outward-facing calls
# What the issue says must never be allowed among the `confirm` (and `block`) cases: calls
# that reach others -- a push to a shared branch, a remote HTTP mutation, publishing or
# deploying, a cloud or cluster mutation, a change on a code-hosting forge. Read from the
# command text alone, independently of the policy (so that the check can catch the policy
# out); a heuristic, erring towards calling a call outward-facing.


def _set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``."""
    return frozenset(text.split())


_SEGMENT = re.compile(r"&&|\|\||[;|\n&]")
_SHARED_BRANCH = re.compile(
    r"^(refs/heads/)?(main|master|trunk|develop|development|dev|prod|production|staging|"
    r"gh-pages|HEAD|releases?/.*|release-.*)$"
)
_LOOPBACK = re.compile(
    r"^(\w+://)?(\[?::1\]?|localhost|127(\.\d+){3}|0\.0\.0\.0)([:/]|$)|^:\d*(/|$)", re.I
)
_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CURL_DATA = (
    "-d",
    "--data",
    "--data-raw",
    "--data-binary",
    "--data-urlencode",
    "--data-ascii",
    "-F",
    "--form",
    "--form-string",
    "-T",
    "--upload-file",
    "--json",
)
_WGET_DATA = ("--post-data", "--post-file", "--body-data", "--body-file", "--method")
_CLOUD = _set(
    "aws gcloud gsutil bq az azcopy doctl linode-cli hcloud oci ibmcloud kubectl oc helm "
    "terraform tofu terragrunt pulumi eksctl flyctl fly heroku vercel netlify wrangler "
    "firebase railway supabase s3cmd"
)
_CLOUD_MUTATIONS = _set(
    "create delete update put apply deploy destroy run start stop restart terminate remove "
    "rm cp mv sync upload patch scale edit replace set modify attach detach import invoke "
    "publish send tag untag enable disable reboot push install uninstall upgrade rollback "
    "drain cordon uncordon taint label annotate expose autoscale exec reset revoke grant "
    "associate disassociate register deregister purge rb mb rollout"
)
# Subcommands of cloud CLIs that only change this machine's own settings.
_CLOUD_LOCAL = frozenset({"config", "completion", "repo", "plugin", "context"})
_FORGE_MUTATIONS = _set(
    "create edit close reopen comment merge delete review ready lock unlock transfer set "
    "cancel rerun run fork archive unarchive rename sync upload enable disable add remove "
    "pin unpin develop"
)
# Opening a pull request or issue: a proposal others review. Issue 20 asks that it be
# allowed (through MCP as through `gh`); docs/peer-corpus.md disputes the peers' label.
FORGE_PROPOSALS = frozenset(
    {"gh pr create", "gh issue create", "glab mr create", "glab issue create"}
)
FORGE_PROPOSAL = "forge proposal"
_PUBLISH_WORDS = frozenset({"publish", "unpublish", "deploy", "yank", "release:perform"})
_SAFE_FLAGS = ("--help", "-h", "--dry-run", "--dryrun", "--version")
# A subcommand path with one of these (as a word or its first part) asks, it does not change.
_READS = _set(
    "list ls get describe show status history view logs log read wait help top explain "
    "inspect diff can-i search info version"
)
_WRAPPERS = _set("sudo env nohup time command exec")
# Options whose value is a separate word, so that it is not taken for a subcommand.
_VALUED = frozenset({"-C", "-c", "-R", "--repo", "--git-dir", "--work-tree", "--namespace"})


def _tokens(segment: str) -> list[str]:
    import shlex

    try:
        return shlex.split(segment, posix=True)
    except ValueError:
        return segment.split()


def _strip_prefix(toks: list[str]) -> list[str]:
    """The command after environment assignments and plain wrappers (sudo, env, nohup...)."""
    i = 0
    while i < len(toks):
        t = toks[i]
        assignment = re.match(r"^[A-Za-z_]\w*=", t) is not None
        wrapper_option = t.startswith("-") and i > 0 and toks[i - 1] in ("sudo", "env")
        if not (assignment or wrapper_option or t in _WRAPPERS):
            break
        i += 1
    return toks[i:]


def _git_push(args: list[str]) -> str | None:
    flags = [a for a in args if a.startswith("-")]
    if any(f in ("--help", "-n", "--dry-run") for f in flags):
        return None
    if any(
        f in ("-f", "--force", "--mirror", "--all", "--tags", "--delete", "-d", "--prune")
        or f.startswith(("--force-with-lease", "--force-if-includes"))
        for f in flags
    ):
        return "push: forced, deleting or every branch"
    positionals = [a for a in args if not a.startswith("-")]
    if len(positionals) < 2:
        return "push: a branch only known at run time"
    for spec in positionals[1:]:
        if spec.startswith("+") or spec.startswith(":"):
            return "push: forced or deleting"
        if _SHARED_BRANCH.match(spec.rsplit(":", 1)[-1]):
            return "push to a shared branch"
    return None


def _http(program: str, args: list[str]) -> str | None:
    urls = [a for a in args if "://" in a or _LOOPBACK.match(a)]
    if not urls or all(_LOOPBACK.match(u) for u in urls):
        return None
    if program == "curl":
        if any(a in ("-G", "--get") for a in args):
            return None
        for i, a in enumerate(args):
            method = None
            if a in ("-X", "--request") and i + 1 < len(args):
                method = args[i + 1]
            elif a.startswith("-X") and len(a) > 2:
                method = a[2:]
            elif a.startswith("--request="):
                method = a.split("=", 1)[1]
            if method and method.upper() in _METHODS:
                return "remote HTTP mutation"
            if a in _CURL_DATA or a.startswith(tuple(f"{d}=" for d in _CURL_DATA if d[1] == "-")):
                return "remote HTTP mutation"
    if program == "wget" and any(a.startswith(_WGET_DATA) for a in args):
        return "remote HTTP mutation"
    if program in ("http", "https", "xh", "xhs"):
        words = [a for a in args if not a.startswith("-")]
        if words and words[0].upper() in _METHODS:
            return "remote HTTP mutation"
    return None


def outward_facing(text: str) -> str | None:
    """Why the shell command ``text`` reaches others (a category), or ``None``."""
    for segment in _SEGMENT.split(text):
        toks = _strip_prefix(_tokens(segment))
        if not toks:
            continue
        program = toks[0].rsplit("/", 1)[-1]
        args = toks[1:]
        if program in ("bash", "sh", "zsh") and "-c" in args[:-1]:
            inner = outward_facing(args[args.index("-c") + 1])
            if inner:
                return inner
            continue
        words = [
            a
            for i, a in enumerate(args)
            if not a.startswith("-") and (i == 0 or args[i - 1] not in _VALUED)
        ]
        found: str | None = None
        if program == "git" and words[:1] == ["push"]:
            found = _git_push(args[args.index("push") + 1 :])
        elif program in ("curl", "wget", "http", "https", "xh", "xhs"):
            found = _http(program, args)
        elif any(a.startswith(_SAFE_FLAGS) for a in args) or _READS & set(words[:1]):
            found = None
        elif (
            _PUBLISH_WORDS & set(words[:3])
            or (program in ("docker", "podman", "buildah", "helm", "gem") and words[:1] == ["push"])
            or (program == "twine" and words[:1] == ["upload"])
            or any(
                re.match(r"^publish[A-Z]\w*To(?!MavenLocal)\w*Repository$", w) for w in words[:3]
            )
        ):
            found = "publishing or deploying"
        elif program in ("gh", "glab"):
            pair = " ".join([program, *words[:2]])
            if pair in FORGE_PROPOSALS:
                found = FORGE_PROPOSAL
            elif words[:1] == ["api"]:
                methods = [
                    args[i + 1].upper() for i, a in enumerate(args[:-1]) if a in ("-X", "--method")
                ]
                data = any(a in ("-f", "-F", "--field", "--raw-field", "--input") for a in args)
                if (methods and methods[-1] != "GET") or (data and not methods):
                    found = "forge mutation"
            elif any(w in _FORGE_MUTATIONS for w in words[1:3]) or words[:2] == ["pr", "merge"]:
                found = "forge mutation"
        elif program in _CLOUD and words and words[0] not in _CLOUD_LOCAL:
            path = [re.split(r"[-_]", w.lower()) for w in words[:4]]
            reads = any(w in _READS or re.split(r"[-_]", w.lower())[0] in _READS for w in words[:6])
            if not reads and any(p in _CLOUD_MUTATIONS for parts in path for p in parts):
                found = "cloud mutation"
        if found:
            return found
    return None


# ---------------------------------------------------------------- disputes by group
# A row of docs/peer-corpus.md that disputes many cases for one reason names its group,
# `[group: KEY]`; each case of it must meet the group's criterion below, read from the
# command text (not from the policy), so that a case cannot sit in a group it does not
# belong to. Criterion: (what it says, a pattern that must match, one that must not).
_OUT_OF_PROJECT = r"(^|[\s=])(~|/(?!tmp\b|dev/(null|std(out|err|in))\b)|\S*\.\./)"
_WRITES_SQL = r"(?i)\b(insert|update|delete|drop|alter|truncate|create|grant|merge|replace)\b"
GROUP_CRITERIA: dict[str, tuple[str, str, str | None]] = {
    "forge-proposal": (
        "gh pr/issue create or glab mr/issue create",
        r"^(gh\s+(pr|issue)|glab\s+(mr|issue))\s+create\b",
        None,
    ),
    "fetch-history": (
        "git clone/pull/fetch/submodule add|init|update or gh pr checkout, not forced",
        r"^(\w+=\S+\s+)*(git\s+(clone|pull|fetch|submodule\s+(add|init|update))|gh\s+pr\s+checkout)\b",
        r"\s(-f|--force)\b",
    ),
    "web-get": (
        "curl/wget of an https URL with no method, data, upload or recursion",
        r"^(curl|wget)\s.*\bhttps://",
        r"\s(-[rmXTdF]|--(recursive|mirror|request|method|upload-file|data\S*|form\S*|post\S*|json))\b",
    ),
    "own-containers": (
        "docker/podman build or pull, compose up/create/down/start/stop/restart/build, keeping "
        "volumes",
        r"^(docker|podman)(\s+buildx)?\s+(build|pull)\b|^(docker|podman)[\s-]compose\s+"
        r"(up|create|down|start|stop|restart|build)\b",
        r"\s(-v|--volumes|--rmi|--privileged)\b",
    ),
    "isolated-containers": (
        "docker/podman/nerdctl run or create, compose run or exec, with no option that mounts, "
        "forwards the environment or shares the host's namespaces, privileges or devices",
        r"^(docker|podman|nerdctl)(\s+container)?\s+(run|create)\b|^(docker|podman)[\s-]compose"
        r"\s+(run|exec)\b",
        r"\s(-v|--volume|--mount|-e|--env|--env-file|--privileged|--pid|--network|--net|--ipc|"
        r"--uts|--userns|--cgroupns|--cap-add|--device|--security-opt|--volumes-from|-H|--host)\b",
    ),
    "local-git": (
        "a git subcommand that changes only the local repository, without --force, "
        "--global/--system, reset --hard, clean -f, branch -D or stash drop/clear",
        r"^git\s+(add|commit|merge|rebase|cherry-pick|checkout\s+-b|switch|restore\s+--staged|"
        r"branch|tag|remote|config|stash|revert|clean\s+-n|init|gc|notes|worktree|rm|mv|apply|"
        r"am|bisect|sparse-checkout|maintenance\s+run|update-index\s+--(no-)?"
        r"(assume-unchanged|skip-worktree)|update-index\s+--refresh)\b",
        r"--force\b|--global|--system|reset\s+--hard|clean\s+-\w*f|branch\s+-D\b|stash\s+(drop|clear)",
    ),
    "one-project-file": (
        "rm, mv or chmod of relative paths (recursive only for build/ or node_modules/), "
        "however wrapped",
        r"\b(rm|mv|chmod)\s",
        r"\b(rm|mv|chmod)(\s[^;&|)`]*?)?\s(~|/(?!tmp\b)|\S*\.\./)"
        r"|\brm\s+-\w*[rR]\w*\s+(?!(\./)?(build|node_modules)\b)",
    ),
    "edit-in-project": (
        "a formatter, an in-place edit (sed -i, yq -i), or output written by a redirect, tee "
        "or an output option, to paths inside the project (or /tmp)",
        r"^(uv\s+run\s+(--project\s+\S+\s+)?)?(black|isort|ruff|packer\s+fmt|lipo)\b"
        r"|^(sed|yq)\b.*\s(-\w*i|--in-?place)|>|\btee\b|--output\b",
        _OUT_OF_PROJECT,
    ),
    "archives": (
        "tar, zip, 7z and gzip families, without tar's program-running or absolute-name options",
        r"^(tar|unzip|7z|7za|7zz|7zr|gzip|gunzip|zip|bzip2|bunzip2|xz|unxz)\s",
        r"--to-command|--checkpoint-action|--use-compress-program|\s-P\b|--absolute-names",
    ),
    "project-run": (
        "the project's own build, tests, scripts, hooks and virtualenv, or terraform init",
        r"^(env\s+)?(cargo(\s+\+\w+)?\s+(build|b|run|r|test|t|bench)|(npm|yarn|pnpm)\s+"
        r"(run|run-script|start|test|t|exec|x)|pre-commit|pytest|python3?\s+(-m\s+"
        r"(pytest|venv|timeit|json\.tool|pydoc)|-i\s+\S+\.py|\S+\.py)|node\s+\S+\.js|"
        r"terraform\s+init|uv\s+(init|build|run)|\./\S+|(source|\.)\s+\S*venv/bin/activate)\b",
        r"-migrate-state|-force-copy",
    ),
    "reads-only": (
        "a dry run, read-only SQL, inline Python, xargs without a command, find -exec echo, "
        "a DNS query",
        r"--dry-run|^(psql|mysql|sqlite3|duckdb|sqlcmd|clickhouse-client)\s.*\b(?i:select)\b"
        r"|^python3?\s+-c\s|^xargs(\s+-\S+"
        r"(\s+(\d+|\{\}))?)*\s*$|^dig\s|^find\s+\.(\s+-exec\s+echo\s+\\;)+$",
        r"(?i)^(psql|mysql|sqlite3|duckdb|sqlcmd|clickhouse-client)\s.*"
        r"\b(insert|update|delete|drop|alter|truncate|create)\b",
    ),
    "installs": (
        "a package manager installing, adding, updating or running a package for the project "
        "(not global, not from a URL, git or another index)",
        r"^(env\s+|uv\s+run\s+)?(npm\s+(install|i|add|ci|install-ci-test|install-test|update|"
        r"upgrade|up|dedupe|ddp|rebuild|rb)|yarn\s+(install|add|upgrade)|pnpm\s+(install|i|add|"
        r"update|rebuild)|pip3?\s+(install|download|wheel)|python3?\s+-m\s+pip\s+install|uv\s+"
        r"(pip\s+(install|sync|compile)|add|tool\s+run)|uvx|cargo\s+add)\b|^uv\s+run\s+--with\s",
        r"\s(-g|--global|--user|--target|--prefix|--index-url|--extra-index-url)\b|git\+|://",
    ),
    "user-installs": (
        "a package manager installing, upgrading or linking a registry package or the project "
        "for the user (brew, cargo install, npm -g, yarn global add, pip --user, uv tool; not "
        "from a URL, git, another index, a tap or a path outside the project; not as root)",
        r"^(brew\s+(install|reinstall|upgrade)\b|cargo\s+install\b|npm\s+(install|i)\b.*"
        r"\s(-g|--global)\b|yarn\s+global\s+add\b|(npm|yarn|pnpm)\s+link$|pip3?\s+install\s+"
        r"--user\b|uv\s+tool\s+(install|upgrade)\b)",
        r"://|git\+|--index-url|--extra-index-url|--registry|--git\b|--with-deps|"
        r"--break-system-packages|\s(/|\.\./|~)|\s[\w.-]+/[\w.-]+/|^sudo",
    ),
    "removals": (
        "a package manager removing a package from the project or the user's tools (not as "
        "root, not the system's package managers)",
        r"^(brew\s+(uninstall|remove|rm)|cargo\s+(uninstall|remove|rm)|(npm|yarn|pnpm)\s+"
        r"(uninstall|remove|rm|un|r|unlink)|pip3?\s+uninstall|uv\s+(remove|tool\s+uninstall|"
        r"pip\s+uninstall)|poetry\s+remove)\b",
        r"--break-system-packages|--system\b|\s(/|\.\./|~)|^sudo|superego",
    ),
    "athena-query": (
        "aws athena/logs start-query with read-only SQL",
        r"^aws\s+(athena\s+start-query-execution|logs\s+start-query)\b",
        _WRITES_SQL,
    ),
    "ftp": ("an ftp:// URL", r"\bftp://", None),
    "lan-host": ("a URL whose host ends in .local", r"\bhttps?://[^/\s'\"]+\.local\b", None),
    "tmpdir-variable": ("a path under $TMPDIR", r"\$\{?TMPDIR\b", None),
    "remote-service-change": (
        "a CLI verb that creates, updates, enables, stores, backs up, copies or restores",
        r"\s(create|update|enable|put|mb|backup|copy|--create)\b",
        None,
    ),
}
_GROUP = re.compile(r"\[group: ([a-z-]+)\]")


def dispute_rows(path: Path = DISAGREEMENTS) -> list[tuple[list[str], str, str, str | None]]:
    """Each dispute row of ``docs/peer-corpus.md``: its case ids, the label and the answer
    it says we give (``ask/deny`` when either), and its group key if it names one."""
    rows: list[tuple[list[str], str, str, str | None]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not _ROW.match(line):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        group = _GROUP.search(cells[-1])
        rows.append((_ID.findall(cells[0]), cells[-3], cells[-2], group and group.group(1)))
    return rows


def meets_group(key: str, text: str) -> bool:
    """Whether the command ``text`` meets group ``key``'s criterion."""
    _, must, must_not = GROUP_CRITERIA[key]
    return re.search(must, text) is not None and (
        must_not is None or re.search(must_not, text) is None
    )
