#!/usr/bin/env bash
# Regenerates the CLI reference in README.md (between the cli-reference markers) from
# `zkos-dev --help` and `zkos-dev <command> --help`. The test it runs,
# tests/it/cli.rs `readme_cli_reference_is_current`, fails in `cargo test` when the README is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zkos-dev-target}"
UPDATE_CLI_REFERENCE=1 cargo test --locked --test it -- --exact cli::readme_cli_reference_is_current
git diff --stat -- README.md 2>/dev/null || true
