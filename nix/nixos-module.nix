# nixosModules.default: `services.superego-mcp`, the server as a hardened systemd service.
# The token is read from a file through systemd's credentials (never from the Nix store);
# a non-loopback `host` without `tokenFile` fails evaluation, as the server would refuse it.
# Other secrets (a PostgreSQL DSN with its password in SUPEREGO_AUDIT, a reviewer's API key)
# go in `environmentFile`, read by systemd at start. Both are strings that must be absolute
# paths outside the store: a path literal (./token) would copy the secret into the
# world-readable Nix store, so the option type refuses it.
{ self }:
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.superego-mcp;
  inherit (lib) mkOption types;
  # An absolute path that is not in the Nix store (secrets must not be copied there).
  secretPath = p: p == null || (lib.hasPrefix "/" p && !(lib.hasPrefix builtins.storeDir p));
  loopback = [
    "127.0.0.1"
    "::1"
    "localhost"
  ];
  # The server reads the token from its environment only; systemd hands the file over in
  # $CREDENTIALS_DIRECTORY, readable by this service alone.
  start = pkgs.writeShellScript "superego-mcp-start" ''
    if [ -r "''${CREDENTIALS_DIRECTORY:-}/api-token" ]; then
      SUPEREGO_API_TOKEN=$(cat "$CREDENTIALS_DIRECTORY/api-token")
      export SUPEREGO_API_TOKEN
    fi
    exec ${cfg.package}/bin/superego-mcp serve
  '';
in
{
  options.services.superego-mcp = {
    enable = lib.mkEnableOption "the Superego MCP server";
    package = mkOption {
      type = types.package;
      default = self.packages.${pkgs.stdenv.hostPlatform.system}.superego-mcp;
      defaultText = lib.literalExpression "superego-mcp.packages.\${system}.superego-mcp";
      description = "The superego-mcp package to run.";
    };
    host = mkOption {
      type = types.str;
      default = "127.0.0.1";
      description = "Address to bind. Anything but loopback needs tokenFile.";
    };
    port = mkOption {
      type = types.port;
      default = 8642;
      description = "TCP port of the HTTP server (MCP, REST, HTTP hook).";
    };
    tokenFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/run/keys/superego-token";
      description = ''
        Absolute path of the file holding the API token (SUPEREGO_API_TOKEN), read at start
        through systemd's credentials. A string, not a Nix path: the file is never copied
        into the store.
      '';
    };
    environmentFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/run/keys/superego-env";
      description = ''
        Absolute path of a systemd EnvironmentFile with secret settings, e.g.
        SUPEREGO_AUDIT=postgresql://superego:PASSWORD@db/superego or a reviewer's API key.
        Never put those in `environment`: that lands in the Nix store.
      '';
    };
    rulesFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      description = "Policy file (SUPEREGO_RULES); null means the bundled policy.";
    };
    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Open the port in the firewall.";
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.tokenFile != null || builtins.elem cfg.host loopback;
        message = "services.superego-mcp: host ${cfg.host} is not loopback; set tokenFile.";
      }
      {
        assertion = secretPath cfg.tokenFile;
        message = "services.superego-mcp: tokenFile must be an absolute path outside the Nix store.";
      }
      {
        assertion = secretPath cfg.environmentFile;
        message = "services.superego-mcp: environmentFile must be an absolute path outside the Nix store.";
      }
    ];

    users.users.superego = {
      isSystemUser = true;
      group = "superego";
      home = "/var/lib/superego";
    };
    users.groups.superego = { };

    networking.firewall.allowedTCPPorts = lib.optional cfg.openFirewall cfg.port;

    systemd.services.superego-mcp = {
      description = "Superego MCP: reviews AI coding agents' tool calls";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      environment = {
        SUPEREGO_TRANSPORT = "http";
        SUPEREGO_HOST = cfg.host;
        SUPEREGO_PORT = toString cfg.port;
        HOME = "/var/lib/superego";
        XDG_STATE_HOME = "/var/lib/superego";
        XDG_CACHE_HOME = "/var/cache/superego";
      }
      // lib.optionalAttrs (cfg.rulesFile != null) { SUPEREGO_RULES = toString cfg.rulesFile; };
      serviceConfig = {
        ExecStart = start;
        User = "superego";
        Group = "superego";
        StateDirectory = "superego";
        StateDirectoryMode = "0750";
        CacheDirectory = "superego";
        LoadCredential = lib.optional (cfg.tokenFile != null) "api-token:${cfg.tokenFile}";
        EnvironmentFile = lib.optional (cfg.environmentFile != null) cfg.environmentFile;
        Restart = "on-failure";
        KillSignal = "SIGTERM";
        TimeoutStopSec = 10;
        UMask = "0077";
        # Hardening: nothing but its own state and cache directories is writable.
        NoNewPrivileges = true;
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        PrivateDevices = true;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        ProtectProc = "invisible";
        RestrictAddressFamilies = [
          "AF_INET"
          "AF_INET6"
          "AF_UNIX"
        ];
        RestrictNamespaces = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        LockPersonality = true;
        SystemCallArchitectures = "native";
        SystemCallFilter = [
          "@system-service"
          "~@privileged"
        ];
        CapabilityBoundingSet = "";
        AmbientCapabilities = "";
      };
    };
  };
}
