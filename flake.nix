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

      linuxSystems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      allSystems = linuxSystems ++ [
        "x86_64-darwin"
        "aarch64-darwin"
      ];

      workspace = uv2nix.lib.workspace.loadWorkspace { workspaceRoot = ./.; };

      # One version: [project].version in pyproject.toml (nix/version.nix reads it).
      version = import ./nix/version.nix;
      # The commit the flake was built from; the wheel's build info and the image labels carry it.
      revision = self.rev or self.dirtyRev or "unknown";
      sourceUrl = ((lib.importTOML ./pyproject.toml).project.urls or { }).Source or null;

      pythonSetFor =
        pkgs:
        import ./nix/python.nix {
          inherit
            pkgs
            lib
            workspace
            pyproject-nix
            pyproject-build-systems
            ;
        };

      # Everything per system, built once and shared by the outputs below.
      perSystem =
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
          pythonSet = pythonSetFor pkgs;
          inherit (pkgs.callPackage pyproject-nix.build.util { }) mkApplication;

          # The console script and the venv it needs, without the venv's activation cruft.
          app = mkApplication {
            venv = pythonSet.mkVirtualEnv "superego-mcp-env" workspace.deps.default;
            package = pythonSet.superego-mcp;
          };

          # The redistributable wheel, as `uv build` would write to dist/. Only this output
          # gets the revision, so commits that touch nothing the package reads do not
          # rebuild the application.
          dist = pythonSet.superego-mcp.override { pyprojectHook = pythonSet.pyprojectDistHook; };
          wheel = dist.overrideAttrs { SUPEREGO_GIT_REVISION = revision; };

          image = import ./nix/image.nix {
            inherit
              pkgs
              lib
              app
              version
              revision
              sourceUrl
              ;
          };
        in
        {
          inherit
            pkgs
            pythonSet
            app
            wheel
            ;
          image = if pkgs.stdenv.hostPlatform.isLinux then image else null;
        };

      outputsBySystem = lib.genAttrs allSystems perSystem;
      # f receives one system's shared values (pkgs, pythonSet, app, wheel, image).
      forAllSystems = f: lib.mapAttrs (_system: f) outputsBySystem;
    in
    {
      packages = forAllSystems (
        out:
        {
          superego-mcp = out.app;
          default = out.app;
          inherit (out) wheel;
        }
        // lib.optionalAttrs (out.image != null) { inherit (out) image; }
      );

      apps = forAllSystems (
        out:
        let
          program = {
            type = "app";
            program = "${out.app}/bin/superego-mcp";
            meta.description = "Superego MCP server and command line";
          };
        in
        {
          superego-mcp = program;
          default = program;
        }
      );

      devShells = forAllSystems (out: {
        default = import ./nix/shell.nix {
          inherit lib workspace;
          inherit (out) pkgs pythonSet;
          nixFormatter = out.pkgs.nixfmt-tree;
        };
      });

      checks = forAllSystems (
        out:
        import ./nix/checks.nix {
          inherit lib workspace;
          inherit (out) pkgs pythonSet image;
        }
        // {
          # The wheel and the application build as part of `nix flake check`.
          inherit (out) wheel app;
        }
      );

      formatter = forAllSystems (out: out.pkgs.nixfmt-tree);
    };
}
