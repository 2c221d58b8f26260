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
  # requires-python is ">=3.11,<3.14": name the interpreter instead of following pkgs.python3,
  # which moves to 3.14 on its own schedule.
  python = pkgs.python313;

  hacks = pkgs.callPackage pyproject-nix.build.hacks { };

  # Only what the wheel build reads, so edits to docs, tests or Nix files do not rebuild the
  # package.
  packageSource = lib.fileset.toSource {
    root = ../.;
    fileset = import ./package-files.nix { inherit lib; };
  };

  # Fixes on top of what uv.lock describes.
  overrides =
    _final: prev:
    {
      superego-mcp = prev.superego-mcp.overrideAttrs (_old: {
        src = packageSource;
      });
    }
    # cryptography (via authlib/pyjwt) publishes no x86_64 macOS wheel, and its sdist needs a
    # vendored Rust build; reuse nixpkgs' build of it there instead.
    // lib.optionalAttrs (pkgs.stdenv.hostPlatform.system == "x86_64-darwin") {
      cryptography = hacks.nixpkgsPrebuilt {
        from = python.pkgs.cryptography;
        prev = prev.cryptography;
      };
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
