"""The programs an install of a local directory puts on the machine, read from its manifest.

A package manager installing a directory on disk names its programs after what the
directory's manifest declares, not after anything on the command line: ``pip install ./x``
(``-e``, ``--user``; ``uv pip install``, ``pipx install``, ``uv tool install``, ``uv add``,
``pipenv install``) writes a script for each ``[project.scripts]`` / ``[project.gui-scripts]``
/ ``[tool.poetry.scripts]`` entry of ``pyproject.toml``, each ``console_scripts`` /
``gui_scripts`` entry of ``setup.cfg``, and each ``'NAME = module:func'`` string ``setup.py``
spells; ``uv sync``, ``poetry install``, ``pdm install|sync`` do the same for the project they
find above the directory; ``npm install -g ./x`` and ``npm link [DIR]`` (pnpm, yarn, bun alike)
link each ``bin`` of ``package.json`` (a string ``bin``: the package's ``name``, scope left
out); ``cargo install --path DIR`` builds each ``[[bin]]`` of ``Cargo.toml``, the package's
own name (``src/main.rs``) and each ``src/bin/NAME.rs`` / ``src/bin/NAME/main.rs``; ``go
install ./pkg`` names the program after the package's import path (the ``module`` line of
``go.mod`` and the directory below it; a trailing ``/vN`` left out), ``./...`` every
package directory below; a package file (``pip install x.whl``, ``npm install -g x.tgz``,
``gem install x.gem``) by the metadata inside it; Bundler's ``rake install`` by the
directory's ``.gemspec`` files. The manifests are parsed by
:mod:`.manifests`; requirements files (``-r``) are followed to the directories they name.

:func:`note` sets ``Command.installs`` to ``(name, where)`` pairs, ``where`` the
``FILE:LINE`` that declares the name (the directory, for Go's names). Reading goes through
:func:`.scripts.read`: bounded, noted for the decision cache, and a manifest the same line
writes first is not read but reported (``script_written``); one that exists and cannot be read
(too big, not UTF-8, not valid TOML/JSON) is reported as ``script_unread``. A directory that
does not exist is not read: the install fails, or a command earlier on the line made it
(``script_written`` when that command names the directory or one above it). Imported only
for an install naming a local directory (``detect.LOCAL_INSTALLERS`` gates it).
"""

from __future__ import annotations

import re
import stat

from .. import observe
from ..lazyre import LazyPattern
from . import astral, scripts
from .model import SCRIPT_UNREAD, SCRIPT_WRITTEN
from .taskfiles import Unreadable

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from .model import Command
    from .state import Scope, Walker

# Options that take a value, per family (so the value is not taken for a directory).
_PY_VALUED = frozenset(
    {
        "-r", "--requirement", "-c", "--constraint", "-t", "--target", "--prefix", "--root",
        "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--src", "--python",
        "-p", "--platform", "--python-version", "--implementation", "--abi", "--upgrade-strategy",
        "--progress-bar", "--log", "--cache-dir", "--cert", "--client-cert", "--proxy",
        "--timeout", "--retries", "--exists-action", "--trusted-host", "--global-option",
        "--config-settings", "-C", "--report", "--group", "--with", "--from", "--suffix",
        "--pip-args", "--index", "--default-index", "--directory", "--project", "--extra",
        "--optional", "--package", "--spec", "--python-preference", "--editable", "-e",
    }
)  # fmt: skip
_JS_VALUED = frozenset(
    {"--prefix", "--cwd", "-C", "--dir", "--registry", "--tag", "--location", "--workspace",
     "-w", "--filter", "--global-dir", "--cache-dir", "--userconfig"}
)  # fmt: skip
_CARGO_VALUED = frozenset(
    {"--path", "--git", "--branch", "--tag", "--rev", "--root", "--index", "--registry",
     "--version", "--vers", "--bin", "--example", "--features", "-F", "--target", "-j",
     "--jobs", "--profile", "--target-dir", "--config", "-Z", "--color"}
)  # fmt: skip
_RAKE_INSTALLS = frozenset({"install", "install:local", "install:system"})
_GEM_VALUED = frozenset(
    {"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "-s", "--source", "-p",
     "--http-proxy", "--platform", "-g", "--file", "--document", "--build-root"}
)  # fmt: skip
_GO_VALUED = frozenset(
    {"-o", "-C", "-p", "-tags", "-ldflags", "-gcflags", "-asmflags", "-mod", "-modfile",
     "-pkgdir", "-toolexec", "-buildmode", "-compiler", "-gccgoflags", "-installsuffix",
     "-overlay", "-pgo", "-coverpkg", "-covermode", "-exec"}
)  # fmt: skip
# Python installers and the subcommands that install the directories they name.
_PY_NAMED = {
    "pip": frozenset({"install"}),
    "pip3": frozenset({"install"}),
    "pipx": frozenset({"install", "inject", "upgrade", "reinstall"}),
    "pipenv": frozenset({"install"}),
}
# Subcommands that install the project found above the directory (its scripts too).
_PY_PROJECT = {
    "uv": frozenset({"sync"}),
    "poetry": frozenset({"install"}),
    "pdm": frozenset({"install", "sync"}),
}
_JS = frozenset({"npm", "pnpm", "yarn", "bun"})
_JS_GLOBAL_VERBS = frozenset({"install", "i", "add", "in", "ins", "isntall", "update", "up"})
_GO_MODULE = LazyPattern(r"(?m)^\s*module\s+\"?([^\s\"]+?)\"?\s*(?://.*)?$")
_GO_MAJOR = LazyPattern(r"^v\d+$")
_TOML_NAME = r"""^\s*name\s*=\s*["']"""
# Package files, read by ``manifests.archive`` (kept equal to simple_command's gate).
ARCHIVES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz", ".gem")
_GO_SKIP = frozenset({"testdata", "vendor", "node_modules"})
GO_MAX_DIRS = 400  # directories looked at for one `go install ./...`


def _is_local(word: str) -> bool:
    """A word an installer reads as a directory on disk (not a registry name or a URL)."""
    if word.startswith("file:"):
        return True
    if "://" in word or word.startswith(("git+", "-")) or "@" in word.split("/", 1)[0]:
        return False
    return (
        word in (".", "..")
        or word.startswith(("./", "../", "/", "~"))
        or "/" in word
        or word.lower().endswith(ARCHIVES)
    )


def _directory(word: str) -> str:
    """The directory an operand names: ``file:`` and extras (``.[dev]``) left out."""
    if " @ " in word:  # `name @ file:///path` (a direct reference)
        word = word.split(" @ ", 1)[1].strip()
    word = word.removeprefix("file://").removeprefix("file:")
    return word.split("[", 1)[0] if word.endswith("]") else word


def _as_path(word: str) -> str:
    """An editable install's value: a directory even when written as a bare name (``-e x``),
    unless it is a URL."""
    if "://" in word or word.startswith(("git+", "/", ".", "~", "file:")):
        return word
    return "./" + word


def _operands(argv: tuple[str, ...], start: int, valued: frozenset[str]) -> list[str]:
    """The operands of ``argv[start:]`` (options and their values left out), with the
    values of ``-e``/``--editable`` (an editable install names its directory there)."""
    out: list[str] = []
    i, n = start, len(argv)
    while i < n:
        word = argv[i]
        if word == "--":
            out += argv[i + 1 :]
            break
        if word.startswith("-") and word != "-":
            name, eq, value = word.partition("=")
            takes = name in valued and not eq
            if name in ("-e", "--editable"):
                if eq:
                    out.append(_as_path(value))
                elif i + 1 < n:
                    out.append(_as_path(argv[i + 1]))
            elif word.startswith("-e") and len(word) > 2 and not word.startswith("--"):
                out.append(_as_path(word[2:]))  # -e./x
            i += 2 if takes else 1
            continue
        out.append(word)
        i += 1
    return out


def _after(argv: tuple[str, ...], count: int, valued: frozenset[str]) -> int:
    """The index after the first ``count`` operands (the verb as written: ``i`` for
    ``install``; ``pip install`` for uv), options and their values before them skipped."""
    i, seen, n = 0, 0, len(argv)
    while i < n and seen < count:
        word = argv[i]
        if word.startswith("-") and word != "-":
            i += 2 if word in valued else 1
            continue
        seen += 1
        i += 1
    return min(i, n)


def _sources(cmd: Command) -> tuple[str, list[str]] | None:
    """(manifest family, the directories as written) a local install reads, or None."""
    program, sub, argv = cmd.program, cmd.subcommand, cmd.argv
    if program in _PY_NAMED and sub in _PY_NAMED[program]:
        words = _operands(argv, _after(argv, 1, _PY_VALUED), _PY_VALUED)
        given = [w for w in words if _is_local(_directory(w))]
        spec = scripts.option(list(argv), {"--spec"})  # pipx install --spec ./x NAME
        if spec and _is_local(_directory(spec)):
            given.append(spec)
        return "py", given + _requirements(argv)
    if program == "uv" and sub in ("pip install", "pip sync", "tool", "add"):
        words = _operands(argv, _after(argv, len(sub.split()), _PY_VALUED), _PY_VALUED)
        if sub == "tool":
            if not words or words[0] != "install":
                return None
            words = words[1:]
        if sub == "pip sync":  # its operands are requirements files
            return "py", [REQUIREMENTS + w for w in words]
        given = [w for w in words if _is_local(_directory(w))]
        frm = scripts.option(list(argv), {"--from"})
        if frm and _is_local(_directory(frm)):
            given.append(frm)
        return "py", given + _requirements(argv)
    if program in _PY_PROJECT and sub in _PY_PROJECT[program]:
        where = scripts.option(list(argv), {"--project", "--directory", "-p", "-C"})
        return "py-project", [where or "."]
    if program in _JS:
        globally = bool(cmd.flags & {"-g", "--global", "global"}) or "--location=global" in argv
        if sub == "link":
            words = _operands(argv, _after(argv, 1, _JS_VALUED), _JS_VALUED)
            return "js", [w for w in words if _is_local(w)] or ["."]
        if program == "yarn" and sub == "global":
            words = _operands(argv, _after(argv, 1, _JS_VALUED), _JS_VALUED)
            return "js", [w for w in words[1:] if _is_local(w)]
        if globally and sub in _JS_GLOBAL_VERBS:
            words = _operands(argv, _after(argv, 1, _JS_VALUED), _JS_VALUED)
            # `npm install -g` alone installs the package of the directory it runs in
            return "js", [w for w in words if _is_local(w)] if words else ["."]
        return None
    if program.startswith("python") and argv[:1] and argv[0].endswith("setup.py"):
        # `python setup.py install|develop` installs the scripts setup.py declares
        if not {"install", "develop", "easy_install"} & set(argv[1:]):
            return None
        return "py", [argv[0].rsplit("/", 1)[0] if "/" in argv[0] else "."]
    if program == "rake" and any(w.split("[", 1)[0] in _RAKE_INSTALLS for w in argv):
        return "gemspec", ["."]  # Bundler's `rake install`: the gem the .gemspec builds
    if program == "gem" and sub == "install":
        words = _operands(argv, _after(argv, 1, _GEM_VALUED), _GEM_VALUED)
        return "gem", [w for w in words if w.endswith(".gem")]
    if program == "cargo" and sub == "install":
        where = scripts.option(list(argv), {"--path"})
        return ("cargo", [where]) if where else None
    if program == "go" and sub == "install":
        words = _operands(argv, _after(argv, 1, _GO_VALUED), _GO_VALUED)
        if any("@" in w for w in words):
            return None  # module@version: from the module proxy, named by its path
        # go reads a package as a directory only when written as one (./x, ../x, /x)
        local = [w for w in words if w in (".", "..") or w.startswith(("./", "../", "/"))]
        return "go", local if words else ["."]
    return None


# A requirements file among the words to read (see :func:`_requirements`).
REQUIREMENTS = "\0requirements:"
_MAX_NESTED = 8  # requirements files including others


def _requirements(argv: tuple[str, ...]) -> list[str]:
    """The requirements files ``-r``/``--requirement`` name, marked (their lines may name
    directories to install: ``-e ./x``, ``./x``, ``x @ file:///...``)."""
    out: list[str] = []
    for i, word in enumerate(argv):
        name, eq, value = word.partition("=")
        if name in ("-r", "--requirement"):
            value = value if eq else (argv[i + 1] if i + 1 < len(argv) else "")
        elif word.startswith("-r") and not word.startswith("--") and len(word) > 2:
            value = word[2:]
        else:
            continue
        if value and value != "-":
            out.append(REQUIREMENTS + value)
    return out


def _requirement_lines(w: Walker, k: int, path: str, scope: Scope, depth: int) -> list[str]:
    """The directories a requirements file names (relative ones from the command's
    directory, as pip reads them), and those of the files it includes."""
    got = _read(w, k, path, "requirements file")
    if got is None:
        return []
    _, text = got
    out: list[str] = []
    base = path.rsplit("/", 1)[0] or "/"
    for raw in text.split("\n"):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        first = words[0]
        if first in ("-r", "--requirement") or first.startswith(("-r", "--requirement=")):
            value = words[1] if len(words) > 1 and first in ("-r", "--requirement") else ""
            value = value or first.removeprefix("--requirement=").removeprefix("-r")
            if depth < _MAX_NESTED and value:
                nested = value if value.startswith("/") else base + "/" + value
                forms = w.path_forms(nested, scope)
                if forms:
                    out += _requirement_lines(w, k, forms[0], scope, depth + 1)
            continue
        if first in ("-e", "--editable") and len(words) > 1:
            out.append(_as_path(words[1]))
        elif first.startswith(("-e", "--editable=")):
            out.append(_as_path(first.removeprefix("--editable=").removeprefix("-e")))
        elif " @ " in line and "file:" in line:
            out.append(line.split(" @ ", 1)[1].strip().split(";", 1)[0].strip())
        elif _is_local(_directory(first)):
            out.append(first)
    return out


def note(w: Walker, k: int, scope: Scope) -> None:
    """Set ``Command.installs`` for command ``k``, an install of a local directory: each
    program it would put on the machine with the file and line declaring it (see the module
    docstring); report a manifest written earlier on the line or not readable."""
    cmd = w.commands[k]
    if cmd.dynamic or scope.cwd is None or not w.read_scripts:
        return
    found = _sources(cmd)
    if found is None or not found[1]:
        return
    family, given = found
    words: list[str] = []
    for word in given:
        if word.startswith(REQUIREMENTS):
            forms = w.path_forms(word[len(REQUIREMENTS) :], scope)
            if forms:
                words += _requirement_lines(w, k, forms[0], scope, 0)
        else:
            words.append(word)
    named: list[tuple[str, str]] = []
    for word in words:
        forms = w.path_forms(_directory(word), scope)
        if not forms:
            continue
        directory = forms[0]
        if _made_before(w, k, directory) or _unpacked_before(w, k, directory):
            w.finding(
                SCRIPT_WRITTEN, f"{cmd.program} installs {directory}, made earlier on this line", k
            )
            continue
        try:
            if family != "go" and directory.lower().endswith(ARCHIVES):
                named += _archive(w, k, directory)
            elif family == "gem":
                continue  # a gem from a directory is built first (`gem build`)
            elif family == "gemspec":
                named += _gemspec(w, k, directory)
            elif family == "go":
                named += _go(w, k, directory, recursive=word.endswith("/..."))
            elif family == "py-project":
                manifest = scripts.find_up(directory, ("pyproject.toml", "setup.cfg", "setup.py"))
                if manifest is not None:
                    named += _python(w, k, manifest.rsplit("/", 1)[0] or "/")
            elif family == "py":
                named += _python(w, k, directory)
            elif family == "js":
                named += _package_json(w, k, directory)
            else:
                named += _cargo(w, k, directory)
        except Unreadable as exc:
            w.finding(SCRIPT_UNREAD, f"{cmd.program}: {exc}", k)
    if named:
        cmd.installs = tuple(dict.fromkeys(named))


# Programs that make the directories they name (copiers' destinations are their ``writes``).
_MAKERS = frozenset({"mkdir", "unzip", "7z", "7za", "cpio", "unar"})


def _extracts(cmd: Command) -> bool:
    """``tar``/``bsdtar`` unpacking (``-x``, ``xzf``, ``--extract``), not creating."""
    if cmd.program not in ("tar", "bsdtar"):
        return False
    argv = cmd.argv
    if argv and not argv[0].startswith("-") and "x" in argv[0]:
        return True  # the old bundled form: `tar xzf x.tgz`
    return any(
        w in ("--extract", "--get") or (w[:1] == "-" and w[1:2] != "-" and "x" in w[1:])
        for w in argv
    )


def _made_before(w: Walker, k: int, directory: str) -> bool:
    """Whether a command before ``k`` makes, copies or moves ``directory`` or one above it
    (a manifest written inside it is :func:`.scripts.read`'s question). ``git`` only by a
    clone of a local directory: what a clone of a URL holds is the remote's."""
    for cmd in w.commands[:k]:
        named = [*cmd.writes, *(r.target for r in cmd.redirects if r.writes and r.target)]
        if (
            cmd.program in _MAKERS
            or _extracts(cmd)
            or (cmd.program == "git" and cmd.subcommand == "clone" and _local_clone(cmd))
        ):
            named += cmd.paths
        if any(p == directory or directory.startswith(p.rstrip("/") + "/") for p in named):
            return True
    return False


# Programs that unpack an archive into a directory whose names they do not list.
_UNPACKERS = frozenset({"tar", "bsdtar", "unzip", "7z", "7za", "cpio", "unar", "ditto"})


def _unpacked_before(w: Walker, k: int, directory: str) -> bool:
    """Whether ``directory`` does not exist yet and a command before ``k`` unpacks an
    archive (which may make it: ``tar -xf x.tgz && pip install ./x``)."""
    if not any(c.program in _UNPACKERS for c in w.commands[:k]):
        return False
    return observe.kind(astral.decode(directory)) is None


def _local_clone(cmd: Command) -> bool:
    """A ``git clone`` whose source is a directory on disk (what it copies is local code)."""
    return any(_is_local(p) and "://" not in p and ":" not in p for p in cmd.positionals[:1])


def _read(w: Walker, k: int, path: str, what: str) -> tuple[str, str] | None:
    """(path, text) of one manifest, through the scripts reader (not the command's script):
    None when absent; a ``script_written`` finding when the line wrote it first."""
    return scripts.read(w, k, (path,), what=what, mark=False)


def _python(w: Walker, k: int, directory: str) -> list[tuple[str, str]]:
    """The scripts a Python project directory declares (pyproject.toml, setup.cfg, setup.py)."""
    from . import manifests

    out: list[tuple[str, str]] = []
    base = directory.rstrip("/")
    for name, parse in (
        ("pyproject.toml", manifests.pyproject),
        ("setup.cfg", manifests.setup_cfg),
        ("setup.py", manifests.setup_py),
    ):
        got = _read(w, k, f"{base}/{name}", name)
        if got is not None:
            out += parse(got[1], got[0])
    return out


def _package_json(w: Walker, k: int, directory: str) -> list[tuple[str, str]]:
    """The programs a package.json links (``bin``; every file of ``directories.bin``)."""
    from . import manifests

    got = _read(w, k, directory.rstrip("/") + "/package.json", "package.json")
    if got is None:
        return []
    named, folder, where = manifests.package_json(got[1], got[0])
    if folder is not None:
        try:
            files = observe.listdir(astral.decode(directory.rstrip("/") + "/" + folder))
        except OSError:
            files = []
        named += [(n, where) for n in files]
    return named


def _gemspec(w: Walker, k: int, directory: str) -> list[tuple[str, str]]:
    """The executables of the ``.gemspec`` files in ``directory`` (``rake install``)."""
    from . import manifests

    base = directory.rstrip("/")
    try:
        names = observe.listdir(astral.decode(base))
    except OSError:
        return []
    out: list[tuple[str, str]] = []
    for name in names:
        if not name.endswith(".gemspec"):
            continue
        got = _read(w, k, f"{base}/{name}", ".gemspec")
        if got is None:
            continue
        named, folder = manifests.gemspec(got[1], got[0])
        out += named
        if folder is not None:
            try:
                files = observe.listdir(astral.decode(f"{base}/{folder}"))
            except OSError:
                files = []
            out += [(f, f"{got[0]} ({folder}/{f})") for f in files]
    return out


def _archive(w: Walker, k: int, path: str) -> list[tuple[str, str]]:
    """The programs a package file installs (a wheel, an sdist, an npm tarball, a .gem),
    read whole up to ``manifests.MAX_ARCHIVE`` bytes; over it, a ``script_unread`` finding."""
    from ..files import read_regular
    from . import manifests

    real = astral.decode(path)
    try:
        info = observe.stat(real)
    except (OSError, ValueError):
        return []  # not there: the install fails, or the line makes it (checked before)
    if not stat.S_ISREG(info.st_mode):
        return []
    if info.st_size > manifests.MAX_ARCHIVE:
        raise Unreadable(f"{path} is over {manifests.MAX_ARCHIVE} bytes")
    try:
        data = read_regular(real, manifests.MAX_ARCHIVE + 1)
    except OSError as exc:
        raise Unreadable(f"{path} cannot be read") from exc
    if data is None or len(data) > manifests.MAX_ARCHIVE:
        raise Unreadable(f"{path} is not a regular file under {manifests.MAX_ARCHIVE} bytes")
    return manifests.archive(data, path)


def _cargo(w: Walker, k: int, directory: str) -> list[tuple[str, str]]:
    """The binaries ``cargo install --path`` builds: each ``[[bin]]``, the package's own one
    (``src/main.rs``, unless ``autobins = false``), each ``src/bin/NAME.rs`` and
    ``src/bin/NAME/main.rs``."""
    from . import manifests, runnerfiles

    base = directory.rstrip("/")
    got = _read(w, k, base + "/Cargo.toml", "Cargo.toml")
    if got is None:
        return []
    path, text = got
    data = runnerfiles.load(text, path)
    out: list[tuple[str, str]] = []
    for entry in data.get("bin") or ():
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            name = entry["name"]
            where = manifests.line_of(text, _TOML_NAME + re.escape(name))
            out.append((name, f"{path}:{where}"))
    package = data.get("package")
    autobins = not isinstance(package, dict) or package.get("autobins", True) is not False
    if (
        isinstance(package, dict)
        and isinstance(package.get("name"), str)
        and autobins
        and observe.kind(astral.decode(base + "/src/main.rs")) == stat.S_IFREG
    ):
        where = manifests.line_of(text, _TOML_NAME + re.escape(package["name"]))
        out.append((package["name"], f"{path}:{where}"))
    if autobins:
        try:
            entries = observe.listdir(astral.decode(base + "/src/bin"))
        except OSError:
            entries = []
        for entry in entries:
            name = entry.removesuffix(".rs")
            out.append((name, f"{base}/src/bin/{entry}"))
    return out


def _go(w: Walker, k: int, directory: str, *, recursive: bool) -> list[tuple[str, str]]:
    """The programs ``go install`` names after the packages' import paths (``./...``: every
    directory below, bounded)."""
    base = directory.removesuffix("/...").rstrip("/") or "/"
    manifest = scripts.find_up(base, ("go.mod",))
    if manifest is None:
        return []
    got = _read(w, k, manifest, "go.mod")
    if got is None:
        return []
    path, text = got
    found = _GO_MODULE().search(text)
    if found is None:
        return []
    module, root = found.group(1), path.rsplit("/", 1)[0] or "/"
    line = text[: found.start(1)].count("\n") + 1
    dirs = [base]
    if recursive:
        dirs = _go_dirs(w, k, base)
    out: list[tuple[str, str]] = []
    for d in dirs:
        rel = d[len(root) :].strip("/") if d.startswith(root) else ""
        parts = [p for p in f"{module}/{rel}".split("/") if p]
        if len(parts) > 1 and _GO_MAJOR().match(parts[-1]):
            parts.pop()
        if parts:
            out.append((parts[-1], f"{path}:{line}" if not rel else d))
    return out


def _go_dirs(w: Walker, k: int, base: str) -> list[str]:
    """``base`` and the directories below it a ``./...`` pattern covers (go leaves out
    ``testdata``, ``vendor`` and names starting with ``.`` or ``_``); past
    :data:`GO_MAX_DIRS` a ``script_unread`` finding."""
    out: list[str] = []
    todo = [base]
    while todo:
        d = todo.pop()
        out.append(d)
        if len(out) > GO_MAX_DIRS:
            w.finding(
                SCRIPT_UNREAD, f"go install: more than {GO_MAX_DIRS} directories below {base}", k
            )
            break
        try:
            names = observe.listdir(astral.decode(d))
        except OSError:
            continue
        for name in names:
            if name.startswith((".", "_")) or name in _GO_SKIP:
                continue
            child = d.rstrip("/") + "/" + name
            if observe.lkind(astral.decode(child)) == stat.S_IFDIR:
                todo.append(child)
    return out
