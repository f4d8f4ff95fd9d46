// Bundles the CLI into dist/ with esbuild: one small entry file and lazily loaded chunks,
// so a command loads only what it needs (startup time is a benchmark target).
import { build } from "esbuild";
import { chmodSync, rmSync } from "node:fs";
import { NODE_BUNDLE, REQUIRE_SHIM } from "./esbuild-node.mjs";

rmSync("dist", { recursive: true, force: true });
await build({
  // The engine's worker thread is loaded by file at run time (src/engine/workers/worker-pool.ts).
  entryPoints: { bkp: "cli/bin.ts", "bkp-engine-worker": "src/engine/workers/worker.ts" },
  outdir: "dist",
  ...NODE_BUNDLE,
  splitting: true,
  // Ink imports React DevTools only when DEV=true; it is not a dependency, so leave it out.
  external: [...NODE_BUNDLE.external, "react-devtools-core"],
  chunkNames: "chunks/[name]-[hash]",
  banner: { js: `#!/usr/bin/env node\n${REQUIRE_SHIM}` },
  jsx: "automatic",
  // React and Ink ship development builds that check much more and run several times slower.
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  minify: true,
  keepNames: false,
  logLevel: "warning",
});
chmodSync("dist/bkp.mjs", 0o755);
