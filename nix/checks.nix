# `nix flake check`: the test suite against the built (non-editable) environment, ruff, mypy,
# Nix formatting and, on Linux, the image's configuration against runtime-contract.json.
{
  pkgs,
  lib,
  workspace,
  pythonSet,
  image ? null,
}:
let
  # Everything the checks read; the .git directory and local caches stay out.
  checkSource = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.unions [
      (import ./package-files.nix { inherit lib; })
      ../tests
      (lib.fileset.maybeMissing ../bench)
      ../flake.nix
      ../nix
      ../docs # tests/docs runs the docs' examples
      ../deploy # tests/deploy validates the deployment files
      ../scripts # tests/docs regenerates docs/server.md's settings table with it
    ];
  };

  # The installed package plus the dev dependency group: tests import superego_mcp from the
  # environment, not from src/, so they test what ships.
  testEnv = pythonSet.mkVirtualEnv "superego-mcp-test-env" workspace.deps.all;

  inSource =
    name: nativeBuildInputs: script:
    pkgs.runCommand "superego-mcp-${name}" { inherit nativeBuildInputs; } ''
      cp -r --no-preserve=mode ${checkSource} source
      cd source
      export HOME=$TMPDIR
      ${script}
      touch $out
    '';

  contract = lib.importJSON ./runtime-contract.json;
in
{
  # The suite against the built environment, in the sandbox: no network, no HOME, only these
  # programs. PostgreSQL (the audit store's tests start one) and git (project roots) come from
  # Nix. Left out, by name: tests/packaging builds wheels with uv from PyPI, which the sandbox
  # cannot reach (the Nix build of the `wheel` package covers the hatchling build instead);
  # tests/container needs root and podman (GitHub Actions runs it on the built image);
  # tests/dashboard drives a real chromium through Playwright's node driver, which does not
  # run in the sandbox. Tests needing node, npm or the MCP conformance/Inspector suites skip
  # with one line each (tests/system_parts.py); shellcheck is here for actionlint, which
  # checks docs/replay.md's workflow. tests/packaging/test_nix_sandbox.py runs this
  # command in a simulated sandbox (tests/packaging/nix_sandbox.py) so it cannot regress.
  pytest = inSource "pytest" [ testEnv pkgs.git pkgs.postgresql pkgs.shellcheck ] ''
    pytest -p no:cacheprovider --ignore=tests/packaging --ignore=tests/container --ignore=tests/dashboard
  '';

  ruff = inSource "ruff" [ testEnv ] ''
    ruff check --no-cache .
    ruff format --no-cache --check .
  '';

  mypy = inSource "mypy" [ testEnv ] ''
    mypy --strict --cache-dir "$TMPDIR/mypy"
  '';

  nixfmt = inSource "nixfmt" [ pkgs.nixfmt ] ''
    nixfmt --check flake.nix nix/*.nix
  '';
}
// lib.optionalAttrs (image != null) {
  # Reads the built image's config and layers: what runs, as whom, and what it promises.
  image-config =
    pkgs.runCommand "superego-mcp-image-config"
      {
        nativeBuildInputs = [
          pkgs.jq
          pkgs.gnutar
          pkgs.gzip
          pkgs.python3
        ];
      }
      ''
        tar -xf ${image} manifest.json
        config=$(jq -r '.[0].Config' manifest.json)
        tar -xf ${image} "$config"
        jq -e --slurpfile c ${./runtime-contract.json} '
          .config as $cfg | $c[0] as $k
          | ($cfg.User | split(":")[0] | tonumber) != 0
            and $cfg.User == "\($k.user.uid):\($k.user.gid)"
            and $cfg.Entrypoint == $k.entrypoint
            and ($cfg.Entrypoint[0] | endswith("/tini"))
            and $cfg.Cmd == $k.command
            and $cfg.Healthcheck.Test == $k.healthcheck.test
            and ($cfg.ExposedPorts | has("\($k.port)/tcp"))
            and ($cfg.Volumes | has($k.state_volume))
            and ($cfg.Labels["org.opencontainers.image.version"] | length > 0)
        ' "$config"

        # The merged file tree, symlinks followed as in the container: SSL_CERT_FILE is a
        # non-empty file, the entrypoint's program exists, /tmp is 1777, the state volume is
        # the user's, and no key, token or password is in a layer or the config. The
        # container contract test (tests/container) runs the same checks.
        python3 ${../tests/container/image_archive.py} check ${image} \
          --contract ${./runtime-contract.json}

        # File modes and owners as the layers record them.
        for layer in $(jq -r '.[0].Layers[]' manifest.json); do
          tar -xf ${image} "$layer"
          tar --numeric-owner -tvf "$layer"
        done > listing
        grep -Eq '^drwxrwxrwt .* \./tmp/?$' listing
        grep -Eq '^drwxrwx--- ${toString contract.state_owner.uid}/${toString contract.state_owner.gid} .* \.${contract.state_volume}/?$' listing
        # The application's closure only: no compiler toolchain rides along.
        if grep -Eq '/nix/store/[a-z0-9]{32}-(gcc|clang|binutils)-[0-9][^/]*/bin/' listing; then
          echo "the image carries a compiler toolchain" >&2
          exit 1
        fi
        touch $out
      '';
}
