{
  description = "Superego MCP: reviews AI coding agents' tool calls before they run";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

    pyproject-nix = {
      url = "github:pyproject-nix/pyproject.nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };

    uv2nix = {
      url = "github:pyproject-nix/uv2nix";
      inputs.pyproject-nix.follows = "pyproject-nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };

    pyproject-build-systems = {
      url = "github:pyproject-nix/build-system-pkgs";
      inputs.pyproject-nix.follows = "pyproject-nix";
      inputs.uv2nix.follows = "uv2nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      pyproject-nix,
      uv2nix,
      pyproject-build-systems,
      ...
    }:
    let
      inherit (nixpkgs) lib;

      # x86_64-darwin is left out: nixpkgs is winding it down and it needed an untested
      # workaround (cryptography has no wheel there).
      linuxSystems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = lib.genAttrs (linuxSystems ++ [ "aarch64-darwin" ]);

      workspace = uv2nix.lib.workspace.loadWorkspace { workspaceRoot = ./.; };

      # The commit the flake was built from: the wheel's build info, the image's labels and
      # the application's passthru carry it (docs/nix.md, "Build info").
      revision = self.rev or self.dirtyRev or "unknown";
      # The commit's time: the wheel's built_at (SOURCE_DATE_EPOCH) and the image's `created`.
      # A dirty tree has the time of its last commit too; 1 s past the epoch when unknown.
      lastModified = self.lastModified or 1;
      lastModifiedDate = self.lastModifiedDate or "19700101000001";

      pythonSets = forAllSystems (
        system:
        import ./nix/python.nix {
          pkgs = nixpkgs.legacyPackages.${system};
          inherit
            lib
            workspace
            pyproject-nix
            pyproject-build-systems
            ;
        }
      );

      # The console script over a venv of the runtime dependencies (pyproject.nix's
      # mkApplication), without the venv's activation scripts. The revision rides in
      # passthru, which is not part of the derivation, so it rebuilds nothing.
      applications = forAllSystems (
        system:
        let
          pythonSet = pythonSets.${system};
          inherit (nixpkgs.legacyPackages.${system}.callPackage pyproject-nix.build.util { })
            mkApplication
            ;
          app = mkApplication {
            venv = pythonSet.mkVirtualEnv "superego-mcp-env" workspace.deps.default;
            package = pythonSet.superego-mcp;
          };
        in
        app.overrideAttrs (old: {
          passthru = (old.passthru or { }) // {
            inherit revision;
          };
        })
      );

      images = lib.genAttrs linuxSystems (
        system:
        import ./nix/image.nix {
          pkgs = nixpkgs.legacyPackages.${system};
          inherit lib revision lastModifiedDate;
          app = applications.${system};
          # One version: uv2nix reads [project].version from pyproject.toml for the app.
          inherit (applications.${system}) version;
          sourceUrl = ((lib.importTOML ./pyproject.toml).project.urls or { }).Source or null;
        }
      );
    in
    {
      packages = forAllSystems (
        system:
        {
          superego-mcp = applications.${system};
          default = applications.${system};
          # The redistributable wheel, as `uv build` writes it to dist/; only this output is
          # built with the revision, so commits that touch nothing the package reads do not
          # rebuild the application.
          wheel =
            (pythonSets.${system}.superego-mcp.override {
              pyprojectHook = pythonSets.${system}.pyprojectDistHook;
            }).overrideAttrs
              {
                SUPEREGO_GIT_REVISION = revision;
                SOURCE_DATE_EPOCH = toString lastModified;
              };
        }
        // lib.optionalAttrs (images ? ${system}) { image = images.${system}; }
      );

      apps = forAllSystems (
        system:
        let
          program = {
            type = "app";
            program = "${applications.${system}}/bin/superego-mcp";
            meta.description = "Superego MCP server and command line";
          };
        in
        {
          superego-mcp = program;
          default = program;
        }
      );

      devShells = forAllSystems (system: {
        default = import ./nix/shell.nix {
          pkgs = nixpkgs.legacyPackages.${system};
          inherit lib workspace;
          pythonSet = pythonSets.${system};
        };
      });

      checks = forAllSystems (
        system:
        import ./nix/checks.nix {
          pkgs = nixpkgs.legacyPackages.${system};
          inherit lib workspace;
          pythonSet = pythonSets.${system};
          image = images.${system} or null;
        }
        // {
          # The wheel and the application build as part of `nix flake check`.
          inherit (self.packages.${system}) wheel superego-mcp;
        }
      );

      formatter = forAllSystems (system: nixpkgs.legacyPackages.${system}.nixfmt-tree);

      nixosModules.default = import ./nix/nixos-module.nix { inherit self; };

    };
}
