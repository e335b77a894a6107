#!/usr/bin/env node
// `zkos-dev` on the PATH: runs the platform binary with the same arguments and stdio, passes
// SIGINT / SIGTERM / SIGHUP on to it, and leaves with its exit code (or dies of its signal).
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { binaryPath } from "../binary.js";

let bin;
try {
  bin = binaryPath();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}

const child = spawn(bin, process.argv.slice(2), { stdio: "inherit" });

// A Ctrl-C in a terminal reaches both processes (same process group); the node treats a second
// SIGINT like the first, so forwarding is harmless there and needed for `kill <launcher pid>`.
const forwarded = ["SIGINT", "SIGTERM", "SIGHUP"];
const forward = (signal) => child.kill(signal);
for (const signal of forwarded) process.on(signal, forward);

child.on("error", (e) => {
  console.error(`zkos-dev: cannot run ${bin}: ${e.message}`);
  process.exit(1);
});

child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, so a parent sees what it would have seen without the launcher.
    for (const s of forwarded) process.off(s, forward);
    process.kill(process.pid, signal);
    // Signals that do not end a Node process (none of the usual ones) end it the shell's way.
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 100);
    return;
  }
  process.exit(code ?? 1);
});
