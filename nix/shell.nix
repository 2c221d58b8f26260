# The development shell: an editable install of superego-mcp with every dependency group
# (pytest, ruff, mypy, debugpy, ...), plus uv and the Nix formatter. Edits under src/ take
# effect without a rebuild; uv is told to use this environment and never to sync or
# download a Python.
{
  pkgs,
  lib,
  workspace,
  pythonSet,
}:
let
  # Editable builds only need the project metadata and the package's top level; the hook
  # also validates the bundled policy, so data/ comes too.
  editableSource = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.unions [
      ../pyproject.toml
      ../README.md
      ../hatch_build.py
      ../src/superego_mcp/__init__.py
      ../src/superego_mcp/data
    ];
  };

  editableSet = pythonSet.overrideScope (
    lib.composeManyExtensions [
      (workspace.mkEditablePyprojectOverlay { root = "$REPO_ROOT"; })
      (final: prev: {
        superego-mcp = prev.superego-mcp.overrideAttrs (old: {
          src = editableSource;
          # hatchling builds editable wheels with the `editables` helper.
          nativeBuildInputs =
            old.nativeBuildInputs ++ final.resolveBuildSystem { editables = [ ]; };
        });
      })
    ]
  );

  venv = editableSet.mkVirtualEnv "superego-mcp-dev-env" workspace.deps.all;
in
pkgs.mkShell {
  packages = [
    venv
    pkgs.uv
    pkgs.nixfmt-tree
  ];
  env = {
    UV_NO_SYNC = "1";
    UV_PYTHON = "${venv}/bin/python";
    UV_PYTHON_DOWNLOADS = "never";
  };
  shellHook = ''
    unset PYTHONPATH
    export REPO_ROOT=$(git rev-parse --show-toplevel)
  '';
}
