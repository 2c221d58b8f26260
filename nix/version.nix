# The package version, read from its one definition: [project].version in pyproject.toml.
# Only builtins, so `nix-instantiate --eval nix/version.nix` works without nixpkgs (the
# packaging tests compare it with the wheel's and the CLI's version).
(builtins.fromTOML (builtins.readFile ../pyproject.toml)).project.version
