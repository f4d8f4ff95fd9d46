// Node built-ins that only some runs need (child processes for pre/post scripts and filefrag,
// worker threads for reading images), loaded at first use: each costs 1–3 ms of every
// process's start, and an unchanged re-run needs neither (docs/benchmarks.md, "Engine").
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

export const childProcess = (): typeof import("node:child_process") => load("node:child_process") as typeof import("node:child_process");
export const workerThreads = (): typeof import("node:worker_threads") => load("node:worker_threads") as typeof import("node:worker_threads");
