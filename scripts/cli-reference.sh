#!/usr/bin/env bash
# Regenerates the CLI reference in docs/cli.md (between the cli-reference markers) from
# `zkos-dev --help` and `zkos-dev <command> --help`. The test it runs,
# tests/it/cli.rs `cli_reference_is_current`, fails in `cargo test` when docs/cli.md is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zkos-dev-target}"
UPDATE_CLI_REFERENCE=1 cargo test --locked --test it -- --exact cli::cli_reference_is_current
git diff --stat -- docs/cli.md 2>/dev/null || true
