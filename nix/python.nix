# The Python package set for one system: every package pinned in uv.lock (wheels where
# published) plus superego-mcp itself, built by hatchling with hatch_build.py.
{
  pkgs,
  lib,
  workspace,
  pyproject-nix,
  pyproject-build-systems,
}:
let
  # Named, not pkgs.python3: the image's interpreter changes only when this line does
  # (requires-python is ">=3.11", no ceiling).
  python = pkgs.python313;

  # Only what the wheel build reads, so edits to docs, tests or Nix files do not rebuild the
  # package.
  packageSource = lib.fileset.toSource {
    root = ../.;
    fileset = import ./package-files.nix { inherit lib; };
  };

  # Fixes on top of what uv.lock describes.
  overrides = _final: prev: {
    superego-mcp = prev.superego-mcp.overrideAttrs (_old: {
      src = packageSource;
    });
  };

  baseSet = pkgs.callPackage pyproject-nix.build.packages { inherit python; };
in
# Our own build-system requirements (hatchling, pyyaml for hatch_build.py) resolve without
# overrides: pyproject.nix reads [build-system].requires, hatchling comes from the
# build-systems overlay and pyyaml from uv.lock. Every other locked package has a wheel for
# every system this flake supports (pywin32 is Windows-only), so no sdist build needs a
# build-system override.
baseSet.overrideScope (
  lib.composeManyExtensions [
    pyproject-build-systems.overlays.wheel
    (workspace.mkPyprojectOverlay { sourcePreference = "wheel"; })
    overrides
  ]
)
