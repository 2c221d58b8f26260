"""Task runners' scripts read from real TOML files: hatch (pyproject.toml and hatch.toml),
pdm, poe, cargo aliases (.cargo/config.toml) and the project's entry points
(shell/scripts.py, shell/runnerfiles.py)."""

from __future__ import annotations

from pathlib import Path

from shell_helpers import Analyze, kinds

from superego_mcp.shell.model import SCRIPT_UNREAD, Analysis, Command


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def from_scripts(result: Analysis) -> list[Command]:
    return [c for c in result.commands if c.origin]


def shown(result: Analysis) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.program, c.argv) for c in from_scripts(result)]


# ---------------------------------------------------------------- hatch

HATCH_PYPROJECT = """\
[project]
name = "x"

[project.optional-dependencies]
test = ["pytest"]

[tool.hatch.envs.default.scripts]
test = "pytest {args:tests}"
cov = ["test --cov", "- coverage report"]
setup = "pip install -e ."
where = "ls {root} {home}"
secret = "echo {env:TOKEN}"

[tool.hatch.envs.lint]
detached = true

[tool.hatch.envs.lint.scripts]
style = ["ruff check {args:.}", "black --check ."]

[tool.hatch.envs.docs.scripts]
build = "mkdocs build"

[tool.hatch.envs.test]
[[tool.hatch.envs.test.matrix]]
python = ["3.11", "3.12"]
[tool.hatch.envs.test.scripts]
run-all = "pytest -n4"
"""


def test_hatch_scripts_with_environments_and_arguments(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, home = dirs
    pp = write(Path(cwd) / "pyproject.toml", HATCH_PYPROJECT)
    # {args:DEFAULT}: the default without arguments, the arguments where it is with some
    assert shown(run("hatch run test")) == [("pytest", ("tests",))]
    assert shown(run("hatch run test -x -k foo")) == [("pytest", ("-x", "-k", "foo"))]
    # the line is the script's own, in its table (not `test` of optional-dependencies)
    assert from_scripts(run("hatch run test"))[0].origin == f"{pp}:8"
    # a script running another: its commands, with the words after its name appended;
    # `- ` (ignore the exit code) is not part of the command
    assert shown(run("hatch run cov")) == [
        ("pytest", ("tests", "--cov")),
        ("coverage", ("report",)),
    ]
    # ENV:SCRIPT, a detached environment that inherits nothing
    # (arguments go where {args} is, else after the command: the widest reading)
    assert shown(run("hatch run lint:style src")) == [
        ("ruff", ("check", "src")),
        ("black", ("--check", ".", "src")),
    ]
    assert not from_scripts(run("hatch run lint:setup"))  # lint does not inherit default's
    # docs inherits default's scripts; a matrix environment is its table's
    assert shown(run("hatch run docs:setup")) == [("pip", ("install", "-e", "."))]
    assert shown(run("hatch run test.py3.12:run-all")) == [("pytest", ("-n4",))]
    assert shown(run("hatch run +py=3.12 test:run-all")) == [("pytest", ("-n4",))]
    # context fields: {root} and {home} known, an environment variable only at run time
    assert shown(run("hatch run where")) == [("ls", (cwd, home))]
    assert run("hatch run secret").commands[-1].dynamic
    # not a script: the program of that name runs, as before
    assert [c.program for c in run("hatch run pytest -q").commands] == ["hatch", "pytest"]
    assert run("hatch run test").commands[0].script == str(pp)
    assert run("hatch run pytest").commands[0].script is None


def test_hatch_environment_options(run: Analyze, dirs: tuple[str, str]) -> None:
    write(Path(dirs[0]) / "pyproject.toml", HATCH_PYPROJECT)
    style = [("ruff", ("check", ".")), ("black", ("--check", "."))]
    assert shown(run("hatch -e lint run style")) == style
    assert shown(run("hatch --env=lint -v run style")) == style
    assert shown(run("hatch env run -e lint -- style")) == style
    assert shown(run("hatch env run -e docs build")) == [("mkdocs", ("build",))]
    # not a script: the command itself runs in the environment, and is analysed
    rm = run("hatch env run -e lint -- rm -rf ~/").commands
    assert [(c.program, c.via) for c in rm] == [("hatch", ()), ("rm", ("hatch run",))]
    assert [c.program for c in run("hatch -e lint run rm -rf x").commands] == ["hatch", "rm"]
    assert [c.program for c in run("hatch env show").commands] == ["hatch"]


def test_hatch_toml_replaces_the_pyproject_environments(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    cwd = Path(dirs[0])
    write(cwd / "pyproject.toml", '[tool.hatch.envs.default.scripts]\nold = "echo old"\n')
    ht = write(cwd / "hatch.toml", '[envs.default.scripts]\n\ndev = "rm -rf build"\n')
    (cwd / "src").mkdir()
    result = run("hatch run dev", cwd=str(cwd / "src"))  # found from a subdirectory
    assert shown(result) == [("rm", ("-rf", "build"))]
    rm = from_scripts(result)[0]
    assert rm.origin == f"{ht}:3"
    assert rm.paths == (str(cwd / "build"),)  # run in the project directory
    assert not from_scripts(run("hatch run old"))


def test_hatch_unreadable_files_and_loops(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = Path(dirs[0])
    write(cwd / "pyproject.toml", "[tool.hatch.envs.default.scripts\nx = 'ls'\n")
    result = run("hatch run x")
    assert SCRIPT_UNREAD in kinds(result)
    assert not from_scripts(result)
    write(cwd / "pyproject.toml", '[tool.hatch.envs.default.scripts]\na = "b"\nb = ["a"]\n')
    assert SCRIPT_UNREAD in kinds(run("hatch run a"))


# ---------------------------------------------------------------- pdm, poe

PDM_PYPROJECT = """\
[tool.pdm.scripts]
test = "pytest {args:-q}"
again = "{pdm} run test"
start = {call = "app.main:run"}
dev = {cmd = ["flask", "run", "--port", "{args:5000}"], env = {FLASK_DEBUG = "1"}}
check = {composite = ["lint", "test"]}
lint = "ruff check"

[tool.poe.tasks]
fmt = "ruff format ."
ci = ["fmt", "typecheck"]
typecheck = {cmd = "mypy src", deps = ["fmt"]}
gen = {script = "app.main:generate"}
calc = {expr = "1 + 1"}
pyshell = {shell = "import os", interpreter = "python"}
"""


def test_pdm_and_poe_tasks(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = Path(dirs[0])
    pp = write(cwd / "pyproject.toml", PDM_PYPROJECT)
    main = write(cwd / "src" / "app" / "main.py", "import shutil\nshutil.rmtree('/srv')\n")
    assert shown(run("pdm run test")) == [("pytest", ("-q",))]
    assert shown(run("pdm run test -x")) == [("pytest", ("-x",))]
    assert [c.program for c in from_scripts(run("pdm run again"))] == ["pdm", "pytest"]
    # the arguments of a composite go to each of its tasks
    assert shown(run("pdm run check src")) == [("ruff", ("check", "src")), ("pytest", ("src",))]
    dev = run("pdm run dev 8000")
    assert ("flask", ("run", "--port", "8000")) in shown(dev)
    assert any(c.program == "export" and "FLASK_DEBUG=1" in c.argv for c in dev.commands)
    # call: the project's module, read as `python FILE` is (its effects with their line)
    start = run("pdm run start")
    python = next(c for c in from_scripts(start) if c.program == "python")
    assert python.argv == (str(main),)
    assert python.origin == f"{pp}:4"
    rm = next(c for c in start.commands if c.program == "rm")
    assert rm.argv[-1] == "/srv"
    assert rm.origin == f"{main}:2"
    # poe: a list is a sequence of tasks; deps run first
    assert shown(run("poe ci")) == [
        ("ruff", ("format", ".")),
        ("mypy", ("src",)),
    ]
    assert next(c for c in from_scripts(run("poe gen")) if c.program == "python").argv == (
        str(main),
    )
    # Python Superego does not read: reported, never passed as read
    assert SCRIPT_UNREAD in kinds(run("poe calc"))
    assert SCRIPT_UNREAD in kinds(run("poe pyshell"))
    assert SCRIPT_UNREAD not in kinds(run("poe fmt"))
    # a task of a file [tool.poe] includes is not followed: reported, not passed as read
    write(cwd / "pyproject.toml", PDM_PYPROJECT + '[tool.poe]\ninclude = "tasks.toml"\n')
    assert SCRIPT_UNREAD in kinds(run("poe deploy"))
    assert SCRIPT_UNREAD not in kinds(run("poe fmt"))


def test_project_entry_point_runs_its_module(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = Path(dirs[0])
    pp = write(
        cwd / "pyproject.toml", '[project]\nname = "x"\n\n[project.scripts]\nx = "x.cli:main"\n'
    )
    cli = write(cwd / "x" / "cli.py", "import os\nos.system('rm -rf /opt')\n")
    result = run("uv run x --help")
    entry = next(c for c in result.commands if c.program == "x")
    assert entry.script == str(pp)
    assert entry.origin == f"{pp}:5 (x = x.cli:main)"
    assert any(c.program == "python" and c.argv == (str(cli),) for c in result.commands)
    assert any(c.program == "rm" and c.origin == f"{cli}:2" for c in result.commands)
    # the other runners run the project's entry points the same way when X is no task
    for runner in ("poetry run", "pdm run", "hatch run", "rye run"):
        again = run(f"{runner} x")
        assert any(c.program == "python" and c.argv == (str(cli),) for c in again.commands)


# ---------------------------------------------------------------- cargo

CARGO_CONFIG = """\
[build]
jobs = 4

[alias]
dev = "run --package dev --"
xtask = ["run", "--package", "xtask", "--"]
b = "run --bin evil"
ci = "dev check --all"
loop = "loop again"
"""


def test_cargo_aliases_from_the_config_files(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = Path(dirs[0])
    config = write(cwd / ".cargo" / "config.toml", CARGO_CONFIG)
    sub = cwd / "crates" / "app"
    sub.mkdir(parents=True)
    result = run("cargo dev check --require-solutions", cwd=str(sub))  # found walking up
    assert result.commands[0].script == str(config)
    inner = from_scripts(result)
    assert [(c.program, c.argv) for c in inner] == [
        ("cargo", ("run", "--package", "dev", "--", "check", "--require-solutions"))
    ]
    assert inner[0].origin == f"{config}:5"
    assert inner[0].via == ("cargo dev",)
    assert shown(run("cargo +nightly xtask dist")) == [
        ("cargo", ("+nightly", "run", "--package", "xtask", "--", "dist"))
    ]
    # an alias of an alias; an alias running itself stops
    assert [c.argv for c in from_scripts(run("cargo ci"))][-1] == (
        "run", "--package", "dev", "--", "check", "--all",
    )  # fmt: skip
    assert len(from_scripts(run("cargo loop"))) == 1
    # cargo's own commands are never aliases; other subcommands read nothing
    assert not from_scripts(run("cargo b"))
    nextest = run("cargo nextest run")
    assert not from_scripts(nextest)
    assert nextest.commands[0].script is None
    # `.cargo/config` (no extension) wins in its directory; ~/.cargo is read last
    write(cwd / ".cargo" / "config", '[alias]\ndev = "test"\n')
    assert shown(run("cargo dev")) == [("cargo", ("test",))]
    home_config = write(Path(dirs[1]) / ".cargo" / "config.toml", '[alias]\nmine = "fmt"\n')
    assert from_scripts(run("cargo mine"))[0].origin == f"{home_config}:2"


def test_cargo_config_on_the_command_line(run: Analyze, dirs: tuple[str, str]) -> None:
    runner = run(
        """cargo --config 'target.x86_64-unknown-linux-gnu.runner=["sh", "-c", "rm -rf ~"]' run"""
    )
    rm = next(c for c in runner.commands if c.program == "rm")
    assert rm.argv == ("-rf", dirs[1])
    assert "cargo --config" in rm.via
    wrapper = run("""cargo --config='build.rustc-wrapper="/tmp/w"' build""")
    assert any(c.program_path == "/tmp/w" for c in wrapper.commands)
    assert SCRIPT_UNREAD in kinds(run("cargo --config 'env.LD_PRELOAD=\"/tmp/x.so\"' build"))
    assert SCRIPT_UNREAD in kinds(run("cargo --config 'alias.b=\"install evil\"' b"))
    assert SCRIPT_UNREAD in kinds(run("cargo --config 'a = = b' build"))
    assert SCRIPT_UNREAD not in kinds(run("cargo --config net.git-fetch-with-cli=true build"))
    assert SCRIPT_UNREAD not in kinds(run("cargo --config .cargo/ci.toml build"))


def test_cargo_config_not_toml(run: Analyze, dirs: tuple[str, str]) -> None:
    write(Path(dirs[0]) / ".cargo" / "config.toml", "[alias\ndev = 'x'\n")
    result = run("cargo dev")
    assert SCRIPT_UNREAD in kinds(result)
    assert not from_scripts(result)


# ---------------------------------------------------------------- deno, composer

DENO_JSONC = """\
{
  // tasks of the project
  "tasks": {
    "dev": "deno run --watch main.ts",
    "build": {
      "command": "deno compile main.ts",
      "dependencies": ["check", "gen"],
    },
    "check": "deno check main.ts",
    /* a comment, "with": "quotes" */
    "gen": "echo 'a // b' > gen.txt",
  },
}
"""


def test_deno_tasks_from_deno_jsonc(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = Path(dirs[0])
    manifest = write(cwd / "deno.jsonc", DENO_JSONC)
    result = run("deno task build --release")
    assert shown(result) == [
        ("deno", ("check", "main.ts")),
        ("echo", ("a // b",)),
        ("deno", ("compile", "main.ts", "--release")),
    ]
    assert from_scripts(result)[2].origin == f"{manifest}:5"
    assert result.commands[0].script == str(manifest)
    assert not from_scripts(run("deno task nope"))
    write(cwd / "deno.jsonc", '{"tasks": {"x": ')
    assert SCRIPT_UNREAD in kinds(run("deno task x"))


COMPOSER_JSON = """\
{
    "scripts": {
        "post-autoload-dump": [
            "Illuminate\\\\Foundation\\\\ComposerScripts::postAutoloadDump",
            "@php artisan package:discover --ansi"
        ],
        "post-install-cmd": "rm -rf var/cache",
        "test": "phpunit",
        "check": ["@test", "@putenv XDEBUG_MODE=coverage", "phpstan analyse"],
        "fix": "App\\\\Tools::fix"
    }
}
"""


def test_composer_scripts_and_install_events(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = Path(dirs[0])
    manifest = write(cwd / "composer.json", COMPOSER_JSON)
    check = run("composer check -- --level=5")
    assert shown(check) == [
        ("phpunit", ("--level=5",)),
        ("export", ("XDEBUG_MODE=coverage",)),
        ("phpstan", ("analyse", "--level=5")),
    ]
    assert from_scripts(check)[0].origin == f"{manifest}:8"
    assert shown(run("composer run-script test")) == [("phpunit", ())]
    # a PHP callback is PHP: judged as the command alone, nothing listed, nothing unread
    fix = run("composer fix")
    assert not from_scripts(fix)
    assert SCRIPT_UNREAD not in kinds(fix)
    # an install runs the root package's event scripts, in composer's order
    install = run("composer install")
    assert shown(install) == [
        ("php", ("artisan", "package:discover", "--ansi")),
        ("rm", ("-rf", "var/cache")),
    ]
    assert install.commands[0].script is None  # an install is not the project's program
    assert not from_scripts(run("composer install --no-scripts"))
    assert not from_scripts(run("composer show"))


# ---------------------------------------------------------------- go-task, taskipy, mise

TASKFILE = """\
version: '3'
vars:
  BIN: app
includes:
  docs: ./docs/Taskfile.yml
tasks:
  default:
    deps: [gen]
    cmds:
      - go build -o {{.BIN}} ./...
      - task: lint
  gen: go generate ./...
  lint:
    preconditions:
      - sh: test -f .golangci.yml
    cmds:
      - golangci-lint run {{.CLI_ARGS}}
      - cmd: echo {{.TASK_DIR}}
"""


def test_go_task_taskfile(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = Path(dirs[0])
    taskfile = write(cwd / "Taskfile.yml", TASKFILE)
    result = run("task")  # the default task
    assert [(c.program, c.argv) for c in from_scripts(result)][:3] == [
        ("go", ("generate", "./...")),
        ("go", ("build", "-o", "app", "./...")),
        ("test", ("-f", ".golangci.yml")),
    ]
    assert from_scripts(result)[1].origin == f"{taskfile}:10"
    assert result.commands[0].script == str(taskfile)
    lint = run("task lint -- ./pkg/...")
    assert ("golangci-lint", ("run", "./pkg/...")) in shown(lint)
    assert next(c for c in lint.commands if c.program == "echo").dynamic  # only at run time
    nope = run("task nope")
    assert not from_scripts(nope)
    assert nope.commands[0].script is None  # no such task: not the project's program
    assert SCRIPT_UNREAD in kinds(run("task docs:serve"))  # in an included Taskfile


def test_taskipy_tasks_when_there_is_no_taskfile(run: Analyze, dirs: tuple[str, str]) -> None:
    pp = write(
        Path(dirs[0]) / "pyproject.toml",
        '[tool.taskipy.tasks]\npre_test = "echo start"\ntest = "pytest"\n'
        'lint = {cmd = "ruff check ."}\n',
    )
    result = run("task test -x")
    assert shown(result) == [("echo", ("start",)), ("pytest", ("-x",))]
    assert from_scripts(result)[1].origin == f"{pp}:3"
    assert shown(run("task lint")) == [("ruff", ("check", "."))]


MISE_TOML = """\
[tasks.build]
run = "cargo build"
depends = ["fmt"]

[tasks.fmt]
run = ["cargo fmt", "echo {{config_root}} {{arg(name='x')}}"]

[tasks]
short = "echo short"
"""


def test_mise_tasks(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = Path(dirs[0])
    config = write(cwd / "mise.toml", MISE_TOML)
    sub = cwd / "src"
    sub.mkdir()
    result = run("mise run build --release", cwd=str(sub))
    assert shown(result)[0] == ("cargo", ("fmt",))
    echo = from_scripts(result)[1]  # {{config_root}} known, a usage argument only at run time
    assert echo.program == "echo"
    assert echo.argv[0] == str(cwd)
    assert echo.dynamic
    assert shown(result)[-1] == ("cargo", ("build", "--release"))
    assert from_scripts(result)[-1].origin == f"{config}:1"
    assert result.commands[0].script == str(config)
    assert shown(run("mise r short")) == [("echo", ("short",))]
    # a file task
    clean = write(cwd / "mise-tasks" / "clean", "#!/bin/sh\nrm -rf ~/\n")
    clean.chmod(0o755)
    rm = next(c for c in run("mise run clean").commands if c.program == "rm")
    assert rm.origin == f"{clean}:2"
    write(cwd / "mise.toml", "[tasks\n")
    assert SCRIPT_UNREAD in kinds(run("mise run build"))


def test_files_nested_past_the_stack_are_unread(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = Path(dirs[0])
    deep = "[" * 50_000 + "]" * 50_000
    write(cwd / "pyproject.toml", f'[tool.pdm.scripts]\ntest = "pytest"\nx = {deep}\n')
    write(cwd / "deno.json", '{"tasks": {"dev": ' + deep + "}}")
    write(cwd / "Taskfile.yml", "tasks:\n  build: " + "[" * 5_000 + "]" * 5_000 + "\n")
    write(cwd / ".cargo" / "config.toml", f"[alias]\ndev = {deep}\n")
    for line in ("pdm run test", "deno task dev", "task build", "cargo dev"):
        result = run(line)
        assert SCRIPT_UNREAD in kinds(result), line
        assert not from_scripts(result), line


# ---------------------------------------------------------------- tox

TOX_INI = """\
[tox]
env_list = py{311,312}, lint

[testenv]
commands_pre =
    python -m pip list
commands =
    pytest {posargs:tests} \\
        --maxfail=1
    py311: coverage report

[testenv:lint]
commands =
    - ruff check {toxinidir}/src
"""


def test_tox_environments(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = Path(dirs[0])
    ini = write(cwd / "tox.ini", TOX_INI)
    py = run("tox -e py311 -- -k foo")
    assert shown(py) == [
        ("python", ("-m", "pip", "list")),
        ("pip", ("list",)),
        ("pytest", ("-k", "foo", "--maxfail=1")),
        ("coverage", ("report",)),
    ]
    assert next(c for c in py.commands if c.program == "pytest").origin == f"{ini}:8"
    assert py.commands[0].script == str(ini)
    lint = run("tox -e lint")
    assert ("ruff", ("check", f"{cwd}/src")) in shown(lint)  # [testenv]'s commands_pre too
    every = [c.program for c in from_scripts(run("tox"))]  # env_list: py311, py312, lint
    assert every.count("pytest") == 2
    assert every.count("ruff") == 1
    assert not from_scripts(run("tox list"))
    rm = run("tox exec -e py311 -- rm -rf build").commands
    assert [(c.program, c.via) for c in rm] == [("tox", ()), ("rm", ("tox exec",))]
    write(cwd / "tox.ini", "[testenv\ncommands = x\n")
    assert SCRIPT_UNREAD in kinds(run("tox"))
    (cwd / "tox.ini").unlink()
    write(cwd / "pyproject.toml", '[tool.tox]\nenv_list = ["py"]\n')
    assert SCRIPT_UNREAD in kinds(run("tox"))  # tox's own TOML format: not read
    write(
        cwd / "pyproject.toml",
        '[tool.tox]\nlegacy_tox_ini = """\n[testenv]\ncommands = rm -rf x\n"""\n',
    )
    assert shown(run("tox")) == [("rm", ("-rf", "x"))]


def test_the_project_a_runner_is_pointed_at(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = Path(dirs[0])
    write(cwd / "pyproject.toml", '[tool.pdm.scripts]\nx = "echo here"\n')
    other = write(cwd.parent / "other" / "pyproject.toml", '[tool.pdm.scripts]\nx = "rm -rf ~/"\n')
    write(other.parent / "p" / "pyproject.toml", '[tool.rye.scripts]\nx = "rm -rf /srv"\n')
    assert shown(run("pdm run x")) == [("echo", ("here",))]
    assert shown(run("pdm run -p ../other x")) == [("rm", ("-rf", dirs[1] + "/"))]
    assert shown(run("pdm run --project=../other x"))[0][0] == "rm"
    assert shown(run("rye run --pyproject ../other/p/pyproject.toml x")) == [
        ("rm", ("-rf", "/srv"))
    ]
    # a project only known at run time: nothing is read, x is the program run
    assert not from_scripts(run('pdm run -p "$DIR" x'))


def test_hatch_env_vars_are_set_for_the_scripts(run: Analyze, dirs: tuple[str, str]) -> None:
    write(
        Path(dirs[0]) / "hatch.toml",
        '[envs.default.env-vars]\nLD_PRELOAD = "/tmp/x.so"\n\n'
        '[envs.test.env-vars]\nDB = "{env:DB_URL}"\n\n[envs.test.scripts]\nt = "pytest"\n',
    )
    result = run("hatch run test:t")
    exports = [c.argv for c in result.commands if c.program == "export"]
    assert exports[0] == ("LD_PRELOAD=/tmp/x.so",)  # inherited from default
    assert all(c.origin for c in result.commands if c.program == "export")
    assert ("DB=${__superego_unknown}",) in exports  # {env:DB_URL}: only known at run time
    assert ("pytest", ()) in shown(result)
