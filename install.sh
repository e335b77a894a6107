#!/usr/bin/env bash
# Installs the `zkos-dev` binary with cargo. Safe to run again: it reinstalls in place.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v cargo >/dev/null; then
  echo "error: cargo not found. Install Rust first: https://rustup.rs" >&2
  exit 1
fi
cargo install --locked --force --path .
bin="$(command -v zkos-dev || echo "${CARGO_HOME:-$HOME/.cargo}/bin/zkos-dev")"
echo
echo "installed: $bin"
case ":$PATH:" in
  *":$(dirname "$bin"):"*) ;;
  *) echo "note: add $(dirname "$bin") to your PATH" ;;
esac
echo "next: zkos-dev start"
