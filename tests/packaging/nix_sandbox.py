"""`nix flake check`'s pytest, run the way its build sandbox would run it, without Nix.

Nix cannot build on this project's machines, so this reproduces what matters about the
sandbox of `checks.<system>.pytest` (nix/checks.nix):

- only the check's source (the `checkSource` file set of nix/checks.nix and
  nix/package-files.nix), copied to a fresh writable directory, is there;
- only the programs of a Nix build are on PATH: stdenv's (coreutils, findutils, grep, sed,
  gawk, tar, gzip, bzip2, xz, make, diffutils, patch, bash), the test environment's, and what
  the check lists in its inputs (`pkgs.git`, `pkgs.postgresql`, ...); Debian's PostgreSQL and
  chromium trees are hidden (a private mount namespace);
- no network but loopback (a private network namespace), HOME=/homeless-shelter until the
  check's script sets HOME=$TMPDIR, and no SUPEREGO_* or other variable from outside.

The pytest command line is read from nix/checks.nix itself, so the simulation follows the
check. `python tests/packaging/nix_sandbox.py [pytest args]` runs it by hand (extra args
narrow the run); tests/packaging/test_nix_sandbox.py runs it in the suite. Needs root (for
the namespaces) and util-linux's unshare.
"""

from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"
IP = shutil.which("ip") or "/usr/sbin/ip"
MOUNT = shutil.which("mount") or "/usr/bin/mount"
CHECKS = ROOT / "nix" / "checks.nix"
PACKAGE_FILES = ROOT / "nix" / "package-files.nix"
# Debian packages whose programs stand in for stdenv's on a Nix build's PATH.
STDENV = [
    "coreutils",
    "findutils",
    "grep",
    "sed",
    "gawk",
    "tar",
    "gzip",
    "bzip2",
    "xz-utils",
    "make",
    "diffutils",
    "patch",
    "bash",
]
# Trees that exist here but not in the sandbox (Nix provides its own copies on PATH instead).
HIDDEN = ("/usr/lib/postgresql", "/usr/lib/chromium", "/usr/share/chromium")
# What `pkgs.NAME` in the check's inputs puts on PATH, as this machine has it: programs,
# given relative to the directory the sandbox keeps the package in (a hidden tree is
# bind-mounted there first, as Nix keeps its copy in the store: "store/NAME/...").
NIX_PACKAGES = {
    "git": ("", lambda: [shutil.which("git") or ""]),
    "shellcheck": ("", lambda: [shutil.which("shellcheck") or ""]),
    "postgresql": (
        "/usr/lib/postgresql",
        lambda: sorted(glob.glob("/usr/lib/postgresql/*/bin/*")),
    ),
}


def check_block() -> str:
    """The text of `pytest = inSource "pytest" [ ... ] '' ... '';` in nix/checks.nix."""
    text = CHECKS.read_text()
    found = re.search(r'pytest = inSource "pytest" (\[[^\]]*\]) \'\'(.*?)\'\';', text, re.S)
    assert found, "nix/checks.nix has no `pytest = inSource \"pytest\" [...] '' ... ''` check"
    return found[0]


def check_command() -> list[str]:
    """The check's pytest argv (its script is one pytest command)."""
    script = re.search(r"''(.*?)''", check_block(), re.S)
    assert script is not None
    words = shlex.split(" ".join(line.strip() for line in script[1].strip().splitlines()))
    assert words[0] == "pytest", words
    return words


def check_inputs() -> list[str]:
    """The `pkgs.NAME` inputs of the check besides the test environment."""
    inputs = re.search(r"\[([^\]]*)\]", check_block())
    assert inputs is not None
    return re.findall(r"pkgs\.([\w-]+)", inputs[1])


def source_files() -> list[str]:
    """The repository paths in the check's source (checkSource and the package files)."""
    checks = CHECKS.read_text()
    block = checks[checks.index("checkSource") : checks.index("testEnv")]
    paths = re.findall(r"\.\./([\w./-]+)", block + PACKAGE_FILES.read_text())
    return sorted({p.rstrip(")") for p in paths if p.strip(".")})


def _stdenv_programs() -> list[str]:
    out = subprocess.run(
        ["dpkg", "-L", *STDENV], capture_output=True, text=True, check=False, timeout=60
    ).stdout
    return [
        p for p in out.splitlines() if re.match(r"^/(usr/)?bin/[^/]+$", p) and os.path.isfile(p)
    ]


def prepare(work: Path) -> tuple[Path, Path]:
    """The copied source and the bin directory of the simulated sandbox, under ``work``."""
    source = work / "source"
    for rel in source_files():
        src = ROOT / rel
        if src.is_dir():
            shutil.copytree(src, source / rel, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, source / rel)
    bindir = work / "bin"
    bindir.mkdir()
    programs = _stdenv_programs()
    # Only because this simulation runs as root (the sandbox's build user is not): the audit
    # tests drop to `nobody` for initdb with runuser.
    programs.append(shutil.which("runuser") or "")
    for name in check_inputs():
        assert name in NIX_PACKAGES, f"nix_sandbox.py: map pkgs.{name} to this machine's copy"
        tree, found = NIX_PACKAGES[name]
        for program in found():
            # A program of a hidden tree is reached through the store copy of that tree.
            programs.append(
                str(work / "store" / name / os.path.relpath(program, tree)) if tree else program
            )
    for program in programs:
        if program and not (bindir / Path(program).name).exists():
            (bindir / Path(program).name).symlink_to(program)
    return source, bindir


def _mounts(work: Path) -> str:
    """Shell lines (run inside the private mount namespace): each input package's tree kept
    under work/store/NAME, then Debian's trees hidden under empty file systems."""
    lines = []
    for name in check_inputs():
        tree, _ = NIX_PACKAGES[name]
        if tree and os.path.isdir(tree):
            store = work / "store" / name
            lines.append(f"mkdir -p {store} && {MOUNT} --bind {tree} {store}")
    lines += [f"if [ -d {d} ]; then {MOUNT} -t tmpfs none {d}; fi" for d in HIDDEN]
    return "; ".join(lines)


def run(extra: list[str], timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    """Run the check's pytest (plus ``extra`` arguments) in the simulated sandbox."""
    work = Path(tempfile.mkdtemp(prefix="superego-nix-sandbox-"))
    work.chmod(0o755)  # `nobody` (the audit tests' PostgreSQL owner) passes through
    try:
        source, bindir = prepare(work)
        tmp = work / "tmp"
        tmp.mkdir()
        tmp.chmod(0o1777)
        venv_bin = Path(sys.executable).parent
        # The check's own script: `export HOME=$TMPDIR`, then its pytest line.
        command = shlex.join([*check_command(), *extra])
        inner = (
            f"set -e; {IP} link set lo up; {_mounts(work)}; cd {shlex.quote(str(source))}; "
            f"export HOME=$TMPDIR; exec {command}"
        )
        env = {
            # The copied source's package, as the check imports the built one (the venv
            # here has an editable install of the working tree, which may be changing).
            "PYTHONPATH": str(source / "src"),
            "PATH": f"{venv_bin}:{bindir}",
            "HOME": "/homeless-shelter",
            "TMPDIR": str(tmp),
            "LANG": "C.UTF-8",
        }
        return subprocess.run(
            [UNSHARE, "--mount", "--net", "--fork", "--", "/bin/bash", "-c", inner],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    result = run(sys.argv[1:])
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    raise SystemExit(result.returncode)
