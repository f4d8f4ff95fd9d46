// The esbuild options every bundle of bkp shares (the CLI, the engine benchmark, the engine's
// crash-test child): ESM for Node 20, with the native compression addon left to node_modules.
export const NODE_BUNDLE = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  // Native addon of the engine's compression: loaded from node_modules at run time.
  external: ["lz4-napi"],
};

// A `require` for the CommonJS modules bundled into ESM (the Azure SDK requires "net", "http"…
// at run time; without it esbuild's shim throws "Dynamic require of … is not supported").
export const REQUIRE_SHIM = "import { createRequire as __bkpCreateRequire } from 'node:module'; const require = __bkpCreateRequire(import.meta.url);";
