#!/usr/bin/env bash
# Regenerates templates/hardhat/package-lock.json from templates/hardhat/package.json (run it after
# changing a version there). `zkos-dev init hardhat` writes both files; users install with `npm ci`,
# and tests/e2e/init.test.mjs fails when the two disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "error: npm not found (install Node.js 20+)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp templates/hardhat/package.json "$tmp/"
(cd "$tmp" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund --loglevel=error)
cp "$tmp/package-lock.json" templates/hardhat/package-lock.json
echo "wrote templates/hardhat/package-lock.json"
