"""The program names a package's manifest declares, from its text (pure parsing), and the
manifests inside a package archive on disk.

Each parser takes a manifest's text and the path to name it by, and returns ``(name,
"FILE:LINE")`` pairs: ``pyproject.toml`` (``[project.scripts]``, ``[project.gui-scripts]``,
``[tool.poetry.scripts]``, ``[tool.flit.scripts]``), ``setup.cfg`` (``console_scripts`` /
``gui_scripts`` entry points, ``[options] scripts``), ``setup.py`` (``'NAME = module:func'``
strings, the files of ``scripts=[...]``), ``package.json`` (``bin``; a string ``bin`` is the
package's name; ``directories.bin``), a gem's metadata (``executables``), a ``.gemspec``
(its literal ``executables``, or the ``bindir`` it lists). A manifest that is
not valid TOML / JSON / INI raises :class:`~.taskfiles.Unreadable`.

:func:`archive` reads a package file (a wheel's ``entry_points.txt`` and ``.data/scripts``, an
sdist's or an npm tarball's manifests, a ``.gem``'s metadata), at most :data:`MAX_ARCHIVE`
bytes, through ``files.read_regular`` (noted for the decision cache). Imported only for an
install naming a directory or package file (``shell.installs``).
"""

from __future__ import annotations

import re

from ..lazyre import LazyPattern
from .taskfiles import Unreadable

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    Named = list[tuple[str, str]]

MAX_ARCHIVE = 16 * 1024 * 1024  # a package file read whole
_MAX_MEMBER = 1024 * 1024  # one manifest inside it
# A console script as setup.py spells it: 'NAME = module.sub:func' in a string.
_ENTRY = LazyPattern(
    r"""["']\s*([A-Za-z0-9_][\w.+-]*)\s*=\s*[A-Za-z_][\w.]*\s*(?::\s*[\w.]+)?[^"']*["']"""
)
_SCRIPTS_LIST = LazyPattern(r"\bscripts\s*=\s*[\[(]([^\])]*)[\])]")
_STRING = LazyPattern(r"""["']([^"'\n]+)["']""")
_CFG_SCRIPTS = r"^\s*scripts\s*="
_JSON_NAME = r'^\s*"name"\s*:'
# A gem's metadata (YAML): the `executables:` list.
_GEM_EXECUTABLES = LazyPattern(r"(?m)^executables:\s*\n((?:-\s+.*\n?)*)")
# Archive suffixes, by the manifests they hold.
WHEEL = (".whl",)
GEM = (".gem",)


def line_of(text: str, pattern: str) -> int:
    """The first line of ``text`` matching ``pattern`` (1 when none)."""
    compiled = re.compile(pattern)
    for i, line in enumerate(text.split("\n")):
        if compiled.search(line):
            return i + 1
    return 1


def key(name: str) -> str:
    """A pattern for ``name`` as a TOML / INI key, bare or quoted, before ``=``."""
    return rf"""^\s*["']?{re.escape(name)}["']?\s*="""


def pyproject(text: str, path: str) -> Named:
    """The scripts a pyproject.toml declares."""
    from . import runnerfiles

    data = runnerfiles.load(text, path)
    found = data.get("tool")
    tool: dict[str, object] = found if isinstance(found, dict) else {}
    project = data.get("project")
    tables: list[object] = []
    if isinstance(project, dict):
        tables += [project.get("scripts"), project.get("gui-scripts")]
    for name in ("poetry", "flit"):
        table = tool.get(name)
        if isinstance(table, dict):
            tables.append(table.get("scripts"))
    out: Named = []
    for table in tables:
        if isinstance(table, dict):
            out += [(str(n), f"{path}:{line_of(text, key(str(n)))}") for n in table]
    return out


def setup_cfg(text: str, path: str) -> Named:
    """``console_scripts`` / ``gui_scripts`` of ``[options.entry_points]`` and ``[options]
    scripts`` in a setup.cfg."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, path)
    except configparser.Error as exc:
        raise Unreadable(f"{path} is not a valid setup.cfg") from exc
    out: Named = []
    where = f"{path}:{line_of(text, _CFG_SCRIPTS)}"
    for entry in parser.get("options", "scripts", fallback="").split():
        name = entry.strip().rsplit("/", 1)[-1]
        if name:
            out.append((name, where))
    for group in ("console_scripts", "gui_scripts"):
        value = parser.get("options.entry_points", group, fallback="")
        for entry in value.split("\n"):
            name = entry.split("=", 1)[0].strip()
            if name and "=" in entry:
                out.append((name, f"{path}:{line_of(text, key(name))}"))
    return out


def setup_py(text: str, path: str) -> Named:
    """The console scripts a setup.py spells (``'NAME = module:func'`` strings) and the
    files of its ``scripts=[...]`` (copied into the bin directory under their own names)."""
    out: Named = []
    for i, line in enumerate(text.split("\n")):
        out += [(m.group(1), f"{path}:{i + 1}") for m in _ENTRY().finditer(line)]
    for m in _SCRIPTS_LIST().finditer(text):
        at = text[: m.start()].count("\n") + 1
        for literal in _STRING().finditer(m.group(1)):
            out.append((literal.group(1).rsplit("/", 1)[-1], f"{path}:{at}"))
    return out


def package_json(text: str, path: str) -> tuple[Named, str | None, str]:
    """The programs a package.json's ``bin`` links (a string: the package's name, scope left
    out), the ``directories.bin`` folder whose files are linked (else None), and where that
    folder is named."""
    from . import runnerfiles

    data = runnerfiles.load_json(text, path)
    if not isinstance(data, dict):
        return [], None, path
    binaries = data.get("bin")
    if isinstance(binaries, str) and isinstance(data.get("name"), str):
        name = data["name"].rsplit("/", 1)[-1]
        return [(name, f"{path}:{line_of(text, _JSON_NAME)}")], None, path
    if isinstance(binaries, dict):
        return (
            [
                (str(n), f"{path}:{runnerfiles.json_key_line(text, 'bin', str(n))}")
                for n in binaries
            ],
            None,
            path,
        )
    folder = data.get("directories")
    if binaries is None and isinstance(folder, dict) and isinstance(folder.get("bin"), str):
        return [], folder["bin"], f"{path}:{runnerfiles.json_key_line(text, 'directories', 'bin')}"
    return [], None, path


def gem_metadata(text: str, path: str) -> Named:
    """The ``executables`` of a gem's metadata (YAML, as ``gem build`` writes it)."""
    found = _GEM_EXECUTABLES().search(text)
    if found is None:
        return []
    at = text[: found.start()].count("\n") + 1
    names = [ln.strip()[1:].strip().strip("'\"") for ln in found.group(1).split("\n")]
    return [(n, f"{path}:{at}") for n in names if n]


_GEMSPEC_EXECUTABLES = LazyPattern(r"\.executables\s*(=|<<|\+=|\.concat)\s*(.*)")
_GEMSPEC_BINDIR = LazyPattern(r"""\.bindir\s*=\s*["']([^"']+)["']""")
_RUBY_WORDS = LazyPattern(r"%[wWiI][\[(<{]([^\])>}]*)[\])>}]")


def gemspec(text: str, path: str) -> tuple[Named, str | None]:
    """The executables a .gemspec names as literals (``spec.executables = ["x"]``,
    ``%w[x y]``, ``<< "x"``), and the directory whose files it takes when it computes them
    (``spec.files.grep(%r{^exe/}) { ... }``: its ``bindir``, ``exe`` or ``bin``)."""
    out: Named = []
    computed = False
    lines = text.split("\n")
    for i, line in enumerate(lines):
        found = _GEMSPEC_EXECUTABLES().search(line)
        if found is None:
            continue
        value = found.group(2)
        words = [m.group(1) for m in _STRING().finditer(value)]
        for group in _RUBY_WORDS().finditer(value):
            words += group.group(1).split()
        out += [(w.rsplit("/", 1)[-1], f"{path}:{i + 1}") for w in words]
        computed = computed or not words
    bindir = _GEMSPEC_BINDIR().search(text)
    if not computed:
        return out, None
    return out, bindir.group(1) if bindir else "exe"


def _entry_points(text: str, path: str) -> Named:
    """``[console_scripts]`` / ``[gui_scripts]`` names of a wheel's entry_points.txt."""
    out: Named = []
    section = ""
    for i, raw in enumerate(text.split("\n")):
        line = raw.strip()
        if line.startswith("["):
            section = line.strip("[] ")
        elif section in ("console_scripts", "gui_scripts") and "=" in line:
            out.append((line.split("=", 1)[0].strip(), f"{path}:{i + 1}"))
    return out


def archive(data: bytes, path: str) -> Named:
    """The programs a package file installs (see the module docstring); raises
    :class:`Unreadable` for one that cannot be opened."""
    lower = path.lower()
    try:
        if lower.endswith(GEM):
            return _gem(data, path)
        if lower.endswith(WHEEL) or lower.endswith(".zip"):
            return _zip(data, path)
        return _tar(data, path)
    except Unreadable:
        raise
    except Exception as exc:  # a damaged or hostile archive (zip, tar, gzip errors): not read
        raise Unreadable(f"{path} could not be opened as a package") from exc


def _text(blob: bytes, where: str) -> str:
    if len(blob) > _MAX_MEMBER:
        raise Unreadable(f"{where} is over {_MAX_MEMBER} bytes")
    return blob.decode("utf-8", "replace")


def _from_texts(texts: dict[str, str], prefix: str) -> Named:
    """Names from manifests found at the top of an archive (``{member: text}``)."""
    out: Named = []
    for member, text in texts.items():
        where = f"{prefix}!{member}"
        name = member.rsplit("/", 1)[-1]
        if name == "entry_points.txt":
            out += _entry_points(text, where)
        elif name == "pyproject.toml":
            out += pyproject(text, where)
        elif name == "setup.cfg":
            out += setup_cfg(text, where)
        elif name == "setup.py":
            out += setup_py(text, where)
        elif name == "package.json":
            out += package_json(text, where)[0]
    return out


def _wanted(member: str) -> bool:
    """A manifest at an archive's top (one directory deep), or a wheel's metadata."""
    parts = member.strip("/").split("/")
    if len(parts) == 2 and parts[0].endswith(".dist-info"):
        return parts[1] == "entry_points.txt"
    return len(parts) <= 2 and parts[-1] in (
        "pyproject.toml", "setup.cfg", "setup.py", "package.json"
    )  # fmt: skip


def _zip(data: bytes, path: str) -> Named:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        texts: dict[str, str] = {}
        out: Named = []
        for info in z.infolist():
            parts = info.filename.strip("/").split("/")
            # a wheel's .data/scripts/NAME is copied into the bin directory as NAME
            if len(parts) == 3 and parts[0].endswith(".data") and parts[1] == "scripts":
                out.append((parts[2], f"{path}!{info.filename}"))
            elif _wanted(info.filename):
                if info.file_size > _MAX_MEMBER:
                    raise Unreadable(f"{path}!{info.filename} is over {_MAX_MEMBER} bytes")
                texts[info.filename] = _text(z.read(info), f"{path}!{info.filename}")
        return out + _from_texts(texts, path)


def _tar(data: bytes, path: str) -> Named:
    import io
    import tarfile

    texts: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as t:
        for member in t:
            if member.isfile() and _wanted(member.name):
                if member.size > _MAX_MEMBER:
                    raise Unreadable(f"{path}!{member.name} is over {_MAX_MEMBER} bytes")
                handle = t.extractfile(member)
                if handle is not None:
                    texts[member.name] = _text(handle.read(), f"{path}!{member.name}")
    return _from_texts(texts, path)


def _gem(data: bytes, path: str) -> Named:
    """A .gem (a tar holding ``metadata.gz``, its specification as YAML)."""
    import gzip
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as t:
        for member in t:
            if member.name == "metadata.gz" and member.isfile():
                handle = t.extractfile(member)
                if handle is None:
                    break
                with gzip.GzipFile(fileobj=handle) as z:
                    blob = z.read(_MAX_MEMBER + 1)
                return gem_metadata(_text(blob, f"{path}!metadata.gz"), f"{path}!metadata.gz")
    raise Unreadable(f"{path} holds no gem metadata")
