// Once per `vitest run`: bundle the engine's worker thread entry (as `npm run build` does for
// dist/) and make every test file's engine use it (BKP_ENGINE_WORKER). From .ts sources each
// worker thread would otherwise start tsx and compile the engine again, for every backup,
// restore and verify of every test: about half of an engine test's time. Built from src/, so
// a change to the engine is tested without `npm run build`. test/engine/worker-bootstrap.test.ts
// still runs the engine from sources with its own bootstrap.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { TestProject } from "vitest/node";
import { NODE_BUNDLE, REQUIRE_SHIM } from "../scripts/esbuild-node.mjs";
import { WORKER_BUNDLE_NAME } from "../src/engine/workers/worker-pool.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export default async function setup(project: TestProject): Promise<() => void> {
  // Inside the repository so that the bundle's external imports (lz4-napi) resolve from node_modules.
  fs.mkdirSync(path.join(repo, "node_modules", ".cache"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(repo, "node_modules", ".cache", "bkp-test-worker-"));
  await build({
    entryPoints: { [WORKER_BUNDLE_NAME.replace(/\.mjs$/, "")]: path.join(repo, "src/engine/workers/worker.ts") },
    outdir: dir,
    ...NODE_BUNDLE,
    banner: { js: REQUIRE_SHIM },
    logLevel: "error",
  });
  project.provide("engineWorker", path.join(dir, WORKER_BUNDLE_NAME));
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    engineWorker: string;
  }
}
