# The OCI image (Linux only): the application's closure, tini as PID 1, a numeric non-root
# user and a state volume. What it promises at run time (user, entrypoint, command,
# environment, port, volume, healthcheck) comes from runtime-contract.json, which the
# packaging tests run as well.
{
  pkgs,
  lib,
  app,
  version,
  revision,
  # The commit's time as the flake gives it (self.lastModifiedDate, YYYYMMDDHHMMSS): the
  # image's `created`, so an image says when its source was committed, reproducibly.
  lastModifiedDate,
  sourceUrl,
}:
let
  d = lastModifiedDate;
  created = "${builtins.substring 0 4 d}-${builtins.substring 4 2 d}-${builtins.substring 6 2 d}T${builtins.substring 8 2 d}:${builtins.substring 10 2 d}:${builtins.substring 12 2 d}Z";
  contract = lib.importJSON ./runtime-contract.json;
  inherit (contract) user healthcheck;
  uid = toString user.uid;
  gid = toString user.gid;

  # Docker/OCI image configs give durations in nanoseconds.
  seconds = s: s * 1000000000;

  # A Nix image has no /etc/passwd or /etc/group; Python's getpass and `~` need an entry for
  # the user the process runs as.
  passwd = pkgs.writeTextDir "etc/passwd" ''
    root:x:0:0:root:/root:/bin/false
    ${user.name}:x:${uid}:${gid}:Superego MCP:${user.home}:/bin/false
  '';
  group = pkgs.writeTextDir "etc/group" ''
    root:x:0:
    ${user.name}:x:${gid}:
  '';

  labels = {
    "org.opencontainers.image.title" = "superego-mcp";
    "org.opencontainers.image.description" =
      "Reviews AI coding agents' tool calls before they run (allow, deny or ask).";
    "org.opencontainers.image.version" = version;
    "org.opencontainers.image.revision" = revision;
    "org.opencontainers.image.licenses" = "MIT";
  }
  // lib.optionalAttrs (sourceUrl != null) { "org.opencontainers.image.source" = sourceUrl; };
in
pkgs.dockerTools.buildLayeredImage {
  name = "superego-mcp";
  tag = version;
  inherit created;

  # `app` puts bin/superego-mcp on /bin; its closure brings Python and the locked packages,
  # nothing else (no shell on PATH, no compilers). cacert gives /etc/ssl/certs/ca-bundle.crt.
  contents = [
    app
    pkgs.tini
    pkgs.cacert
    passwd
    group
  ];

  # Runs under fakeroot in the image's root directory, so ownership sticks without root.
  fakeRootCommands = ''
    mkdir -p ./tmp .${contract.state_volume}
    chmod ${contract.tmp_mode} ./tmp
    # Group 0 with group write: an arbitrary uid in group 0 (OpenShift) can use it too.
    chown -R ${toString contract.state_owner.uid}:${toString contract.state_owner.gid} .${contract.state_volume}
    chmod ${contract.state_mode} .${contract.state_volume}
  '';

  config = {
    User = "${uid}:${gid}";
    Entrypoint = contract.entrypoint;
    Cmd = contract.command;
    Env = lib.mapAttrsToList (name: value: "${name}=${value}") contract.environment;
    WorkingDir = contract.state_volume;
    ExposedPorts = {
      "${toString contract.port}/tcp" = { };
    };
    Volumes = {
      ${contract.state_volume} = { };
    };
    StopSignal = contract.stop_signal;
    Healthcheck = {
      Test = healthcheck.test;
      Interval = seconds healthcheck.interval_seconds;
      Timeout = seconds healthcheck.timeout_seconds;
      StartPeriod = seconds healthcheck.start_period_seconds;
      Retries = healthcheck.retries;
    };
    Labels = labels;
  };
}
