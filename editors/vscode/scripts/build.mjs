// Builds the extension into out/ (one bundled file; `vscode` is provided by the editor) and
// copies the language's TextMate grammar and bracket/comment configuration from grammar/.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("syntaxes", { recursive: true });
copyFileSync("../../grammar/bkp.tmLanguage.json", "syntaxes/bkp.tmLanguage.json");
copyFileSync("../../grammar/language-configuration.json", "language-configuration.json");
await build({
  entryPoints: ["src/extension.ts"],
  outfile: "out/extension.js",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  external: ["vscode"],
  minify: true,
  logLevel: "warning",
});
