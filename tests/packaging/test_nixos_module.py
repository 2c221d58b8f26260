"""nixosModules.default (nix/nixos-module.nix), evaluated as far as Nix 2.8 allows here.

nixpkgs cannot be fetched, so the module is called with the handful of library functions it
uses written out as nixpkgs defines their results (mkIf keeps its content when the condition
holds; options return their defaults), and `config` set the way the module system would
merge a user's settings over those defaults. That evaluates the module's real `config`:
the systemd unit, its hardening, the credentials and the assertion. The NixOS module system
itself (type checking, merging) runs only where nixpkgs is available.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from packaging_helpers import nix_eval

from system_parts import skip_unless

pytestmark = skip_unless("nix")

_HARNESS = """
let
  lib = {
    mkEnableOption = _: { default = false; };
    mkOption = o: o;
    mkIf = cond: value: if cond then value else { };
    optional = cond: x: if cond then [ x ] else [ ];
    optionalAttrs = cond: attrs: if cond then attrs else { };
    hasPrefix = pre: s: builtins.substring 0 (builtins.stringLength pre) s == pre;
    literalExpression = s: s;
    types = {
      package = "package"; str = "str"; port = "port"; bool = "bool"; path = "path";
      nullOr = t: "nullOr ${t}";
    };
  };
  pkgs = {
    stdenv.hostPlatform.system = "x86_64-linux";
    writeShellScript = name: text: { inherit name text; };
  };
  self.packages.x86_64-linux.superego-mcp = "/nix/store/superego-mcp";
  module = import ./nix/nixos-module.nix { inherit self; };
  options = (module { inherit lib pkgs; config = { services.superego-mcp = { }; }; }).options;
  defaults = builtins.mapAttrs (_: o: o.default) options.services.superego-mcp;
  config = { services.superego-mcp = defaults // { enable = true; } // SETTINGS; };
in
(module { inherit lib pkgs config; }).config
"""


def _evaluate(settings: dict[str, Any]) -> dict[str, Any]:
    nix_settings = "builtins.fromJSON ''" + json.dumps(settings) + "''"
    result: dict[str, Any] = nix_eval(_HARNESS.replace("SETTINGS", f"({nix_settings})"))
    return result


def test_the_service_is_hardened_and_reads_the_token_from_a_credential() -> None:
    config = _evaluate({"host": "0.0.0.0", "tokenFile": "/run/keys/superego-token"})
    assert [a["assertion"] for a in config["assertions"]] == [True, True, True]
    service = config["systemd"]["services"]["superego-mcp"]
    unit = service["serviceConfig"]
    assert unit["User"] == "superego"
    assert unit["StateDirectory"] == "superego"
    assert unit["LoadCredential"] == ["api-token:/run/keys/superego-token"]
    for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices"):
        assert unit[key] is True, key
    assert unit["ProtectSystem"] == "strict"
    assert unit["CapabilityBoundingSet"] == ""
    # The start script hands the credential to the server as SUPEREGO_API_TOKEN and runs the
    # package's serve; the token never enters the environment block of the unit.
    start = unit["ExecStart"]["text"]
    assert '"$CREDENTIALS_DIRECTORY/api-token"' in start
    assert "exec /nix/store/superego-mcp/bin/superego-mcp serve" in start
    env = service["environment"]
    assert env["SUPEREGO_HOST"] == "0.0.0.0"
    assert env["SUPEREGO_PORT"] == "8642"
    assert not any("TOKEN" in k for k in env)
    assert config["users"]["users"]["superego"]["isSystemUser"] is True
    assert config["networking"]["firewall"]["allowedTCPPorts"] == []


def test_a_wildcard_bind_without_a_token_fails_the_assertion() -> None:
    config = _evaluate({"host": "0.0.0.0"})
    assertion, *others = config["assertions"]
    assert [a["assertion"] for a in others] == [True, True]
    assert assertion["assertion"] is False
    assert "set tokenFile" in assertion["message"]


def test_loopback_needs_no_token_and_rules_and_firewall_are_optional() -> None:
    config = _evaluate({"rulesFile": "/etc/superego/rules.yaml", "openFirewall": True})
    assert [a["assertion"] for a in config["assertions"]] == [True, True, True]
    service = config["systemd"]["services"]["superego-mcp"]
    assert service["environment"]["SUPEREGO_RULES"] == "/etc/superego/rules.yaml"
    assert service["serviceConfig"]["LoadCredential"] == []
    assert config["networking"]["firewall"]["allowedTCPPorts"] == [8642]


def test_secrets_come_from_an_environment_file_outside_the_store() -> None:
    config = _evaluate({"environmentFile": "/run/keys/superego-env"})
    assert all(a["assertion"] for a in config["assertions"])
    service = config["systemd"]["services"]["superego-mcp"]
    assert service["serviceConfig"]["EnvironmentFile"] == ["/run/keys/superego-env"]
    # The DSN (with its password) is never part of the unit's store-bound environment.
    assert "SUPEREGO_AUDIT" not in service["environment"]
    assert (
        _evaluate({})["systemd"]["services"]["superego-mcp"]["serviceConfig"]["EnvironmentFile"]
        == []
    )


@pytest.mark.parametrize("option", ["tokenFile", "environmentFile"])
@pytest.mark.parametrize("value", ["keys/token", "/nix/store/abc-token", "./token"])
def test_secret_files_must_be_absolute_paths_outside_the_store(option: str, value: str) -> None:
    config = _evaluate({option: value, "host": "127.0.0.1"})
    failed = [a["message"] for a in config["assertions"] if not a["assertion"]]
    assert failed == [
        f"services.superego-mcp: {option} must be an absolute path outside the Nix store."
    ]


def test_secret_file_options_are_strings_so_a_path_literal_is_refused() -> None:
    # The module system checks option types; `types.str` refuses a Nix path literal, which
    # `types.path` would have accepted and copied into the world-readable store.
    options = nix_eval(
        _HARNESS.replace("(module { inherit lib pkgs config; }).config", "options").replace(
            "SETTINGS", "{ }"
        )
    )["services"]["superego-mcp"]
    assert options["tokenFile"]["type"] == "nullOr str"
    assert options["environmentFile"]["type"] == "nullOr str"
