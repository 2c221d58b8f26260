#!/usr/bin/env bash
# Install the MCP Inspector (a Node package) into .tools/inspector for
# tests/server/test_inspector.py, which runs the documented recipe
# (`npx @modelcontextprotocol/inspector --cli superego-mcp stdio ...`) against the real server.
# The Inspector needs Node >= 22: an older system Node is supplemented by Node 22 from npm
# (shared with the conformance suite's copy when that exists). Each npm step is bounded.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=.tools/inspector
VERSION=2.12.0
mkdir -p "$DIR"
if [ ! -f "$DIR/node_modules/@modelcontextprotocol/inspector/package.json" ]; then
  timeout 600 npm install --prefix "$DIR" --no-audit --no-fund \
    "@modelcontextprotocol/inspector@$VERSION" >&2
fi
node_major() { "$1" -p 'process.versions.node.split(".")[0]'; }
NODE=$(command -v node || true)
if [ -z "$NODE" ] || [ "$(node_major "$NODE")" -lt 22 ]; then
  NODE=.tools/conformance/node22/node_modules/.bin/node
  if [ ! -x "$NODE" ]; then
    NODE="$DIR/node22/node_modules/.bin/node"
    if [ ! -x "$NODE" ]; then
      timeout 300 npm install --prefix "$DIR/node22" --no-audit --no-fund node@22 >&2
    fi
  fi
fi
case "$NODE" in /*) ;; *) NODE="$PWD/$NODE" ;; esac
ln -sfn "$NODE" "$DIR/node"  # the Node the tests run the Inspector with
if [ "${1:-}" = "--install-only" ]; then
  exit 0
fi
export UV_PYTHON_DOWNLOADS=never
exec python3 scripts/uv.py run --frozen pytest tests/server/test_inspector.py -q "$@"
