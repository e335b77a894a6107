#!/usr/bin/env bash
# Copies forge-std into the Foundry template (templates/foundry/lib/forge-std), where
# `zkos-dev init foundry` writes it from, so the project imports `forge-std/Test.sol` with no
# download. The copy comes from the npm registry: forge-std itself is not published there (the npm
# package `forge-std` is an unofficial 2022 copy without ds-test), so the source is
# `@layerzerolabs/toolbox-foundry`, which ships forge-std unchanged under lib/forge-std. Its
# version is pinned, with its integrity hash, in tests/e2e/package.json and package-lock.json;
# tests/e2e/init.test.mjs fails when the template's copy and the pinned package differ.
#
#   scripts/vendor-forge-std.sh     # after changing the pin in tests/e2e/package.json
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "error: npm not found (install Node.js 20+)" >&2; exit 1; }
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
from=tests/e2e/node_modules/@layerzerolabs/toolbox-foundry/lib/forge-std
to=templates/foundry/lib/forge-std
[ -f "$from/Test.sol" ] || { echo "error: $from/Test.sol missing" >&2; exit 1; }
rm -rf "$to"
mkdir -p "$to/src"
# forge install's layout: licenses and package.json at the top, the sources under src/ (forge
# remaps `forge-std/` to lib/forge-std/src/ by itself).
cp "$from/LICENSE-APACHE" "$from/LICENSE-MIT" "$from/package.json" "$to/"
(cd "$from" && find . -name '*.sol' -exec cp --parents {} "$OLDPWD/$to/src/" \;)
echo "wrote $to: forge-std $(node -p "require('./$to/package.json').version")"
echo "list the files in src/init.rs (FOUNDRY); its test every_template_file_is_embedded checks it"
