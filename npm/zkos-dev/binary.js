// Where the zkos-dev binary is: the platform package npm installed next to this one
// (an optionalDependency, so npm installs only the one matching this os/cpu), or
// $ZKOS_DEV_BINARY_PATH when set (a binary built with cargo, e.g. in CI).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** `${process.platform}-${process.arch}` -> the npm package that carries the binary for it. */
export const PLATFORM_PACKAGES = {
  "linux-x64": "@zkos-dev/zkos-dev-linux-x64",
};

/** Absolute path of the zkos-dev binary; throws with what to do when there is none. */
export function binaryPath() {
  const override = process.env.ZKOS_DEV_BINARY_PATH;
  if (override) return override;
  const platform = `${process.platform}-${process.arch}`;
  const pkg = PLATFORM_PACKAGES[platform];
  if (!pkg) {
    throw new Error(
      `zkos-dev has no prebuilt binary for ${platform} (there is one for ${Object.keys(PLATFORM_PACKAGES).join(", ")}). ` +
        "Build it from source (cargo install --locked --path . in a zkos-dev checkout) and set ZKOS_DEV_BINARY_PATH to it.",
    );
  }
  let manifest;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(
      `zkos-dev: the package ${pkg} is not installed. It is an optional dependency of zkos-dev: ` +
        "reinstall without --no-optional / --omit=optional, or set ZKOS_DEV_BINARY_PATH to a zkos-dev binary.",
    );
  }
  return join(dirname(manifest), "bin", "zkos-dev");
}
