#!/usr/bin/env bash
# Run the official MCP conformance suite's generic server scenarios against superego-mcp.
# Installs @modelcontextprotocol/conformance (and, when the system Node is older than 22,
# Node 22 from the npm registry) into .tools/conformance, then runs
# tests/server/test_conformance.py with SUPEREGO_CONFORMANCE set. Bounded: each npm step
# and each scenario has a timeout. With --install-only it stops after installing (CI does
# that, then the plain test run finds the suite in .tools/ and runs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=.tools/conformance
VERSION=0.1.16
mkdir -p "$DIR"
if [ ! -f "$DIR/node_modules/@modelcontextprotocol/conformance/dist/index.js" ]; then
  timeout 300 npm install --prefix "$DIR" --no-audit --no-fund \
    "@modelcontextprotocol/conformance@$VERSION" >&2
fi
NODE=$(command -v node || true)
if [ -z "$NODE" ] || [ "$("$NODE" -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
  if [ ! -x "$DIR/node22/node_modules/.bin/node" ]; then
    timeout 300 npm install --prefix "$DIR/node22" --no-audit --no-fund node@22 >&2
  fi
  NODE="$PWD/$DIR/node22/node_modules/.bin/node"
fi
if [ "${1:-}" = "--install-only" ]; then
  exit 0
fi
export SUPEREGO_CONFORMANCE="$PWD/$DIR/node_modules/@modelcontextprotocol/conformance/dist/index.js"
export SUPEREGO_CONFORMANCE_NODE="$NODE"
export UV_PYTHON_DOWNLOADS=never
exec python3 scripts/uv.py run --frozen pytest tests/server/test_conformance.py -q "$@"
