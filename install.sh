#!/usr/bin/env bash
# Installs the `zkos-dev` binary from this checkout with cargo:
#
#   ./install.sh                 # cargo install --locked --path . (release build, a few minutes)
#   ./install.sh --debug         # any other flags go to `cargo install` (--debug builds faster)
#   CARGO_INSTALL_ROOT=~/.local ./install.sh   # installs into ~/.local/bin
#
# Safe to run again: cargo rebuilds what changed and replaces the installed binary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

die() {
  echo "install.sh: error: $*" >&2
  exit 1
}

[ -f Cargo.toml ] && grep -q '^name = "zkos-dev"' Cargo.toml ||
  die "run this script from a zkos-dev checkout (no zkos-dev Cargo.toml next to it)"

command -v cargo >/dev/null ||
  die "cargo not found. Install Rust (https://rustup.rs), open a new shell (or \`. \"\$HOME/.cargo/env\"\`), and run ./install.sh again"

# The toolchain must be at least the crate's rust-version, or the build fails far into it.
need="$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)"
have="$(rustc --version 2>/dev/null | awk '{print $2}')" || true
[ -n "$have" ] || die "rustc not found next to cargo. Install Rust with https://rustup.rs"
if [ -n "$need" ] && [ "$(printf '%s\n%s\n' "$need" "${have%%-*}" | sort -V | head -1)" != "$need" ]; then
  die "zkos-dev needs Rust $need or newer, this is $have. Update it: rustup update stable"
fi

# Some crypto dependencies compile C code.
command -v cc >/dev/null || command -v gcc >/dev/null || command -v clang >/dev/null ||
  die "no C compiler found (cc): install one first, e.g. \`sudo apt-get install build-essential\` (Debian/Ubuntu) or \`xcode-select --install\` (macOS)"

# Where cargo puts the binary: --root, else CARGO_INSTALL_ROOT, else CARGO_HOME, else ~/.cargo.
root="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}"
prev=""
for arg in "$@"; do
  case "$arg" in
    --root=*) root="${arg#--root=}" ;;
  esac
  [ "$prev" = "--root" ] && root="$arg"
  prev="$arg"
done
bin="$root/bin/zkos-dev"

echo "install.sh: building zkos-dev with $(cargo --version) (the first build takes a few minutes)"
cargo install --locked --path . "$@" || die "cargo install failed (see above)"

[ -x "$bin" ] || die "cargo reported success but $bin is not there"
echo
echo "installed: $bin ($("$bin" --version))"
on_path="$(command -v zkos-dev || true)"
if [ -z "$on_path" ]; then
  echo "note: $(dirname "$bin") is not on your PATH. Add it, e.g.:"
  echo "  echo 'export PATH=\"$(dirname "$bin"):\$PATH\"' >> ~/.bashrc && export PATH=\"$(dirname "$bin"):\$PATH\""
elif [ "$on_path" -ef "$bin" ]; then
  :
else
  echo "note: \`zkos-dev\` on your PATH is $on_path, not the one just installed: put $(dirname "$bin") first."
fi
echo
echo "next:"
echo "  zkos-dev start                      # L2 on http://127.0.0.1:3050, L1 on http://127.0.0.1:8545"
echo "  zkos-dev init hardhat my-app        # or: zkos-dev init foundry my-app"
