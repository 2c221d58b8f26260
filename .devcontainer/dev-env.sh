#!/usr/bin/env bash
# Applies the flake's dev shell to the whole dev container, not just to terminals:
# - builds it once (the Nix store is the named volume `superego-mcp-nix-store`, so a rebuilt
#   container reuses it) and keeps a GC root at .devshell/root;
# - writes its environment (`nix print-dev-env`) to .devshell/env.sh and sources that from
#   ~/.bashrc; devcontainer.json's `userEnvProbe: loginInteractiveShell` makes VS Code read
#   that environment for its extension host, so Python, Ruff, mypy and debugpy run in it;
# - links the dev shell's venv at .devshell/venv, where the VS Code settings point.
# Runs as onCreateCommand and updateContentCommand. Not run here (no Nix builds here).
set -euo pipefail
cd "$(dirname "$0")/.."
workspace=$PWD
mkdir -p .devshell
system=$(nix eval --raw --impure --expr builtins.currentSystem)
nix build ".#devShells.$system.default" --out-link .devshell/root
nix print-dev-env > .devshell/env.sh
# shellcheck disable=SC1091  # generated just above
venv=$(. .devshell/env.sh >/dev/null 2>&1; dirname "$(dirname "$UV_PYTHON")")
ln -sfn "$venv" .devshell/venv
hook="[ -f '$workspace/.devshell/env.sh' ] && { cd '$workspace' && . .devshell/env.sh; cd - >/dev/null; }"
grep -qxF "$hook" ~/.bashrc 2>/dev/null || echo "$hook" >> ~/.bashrc
echo "dev shell ready: $venv"
