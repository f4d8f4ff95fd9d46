// The VS Code extension: its manifest declares the language and grammar bkp ships, a setting
// for the bkp executable, and its entry starts `bkp lsp` over stdio.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

const EXT = join(ROOT, "editors", "vscode");
const manifest = JSON.parse(readFileSync(join(EXT, "package.json"), "utf8"));
const grammar = JSON.parse(readFileSync(join(ROOT, "grammar", "bkp.tmLanguage.json"), "utf8"));

describe("editors/vscode", () => {
  it("declares the bkp language with the repository's grammar and a bkp.path setting", () => {
    expect(manifest.contributes.languages).toEqual([expect.objectContaining({ id: "bkp", extensions: [".bkp"], configuration: "./language-configuration.json" })]);
    expect(manifest.contributes.grammars).toEqual([{ language: "bkp", scopeName: grammar.scopeName, path: "./syntaxes/bkp.tmLanguage.json" }]);
    expect(manifest.contributes.configuration.properties["bkp.path"]).toMatchObject({ type: "string", default: "bkp" });
    expect(manifest.engines.vscode).toBe("^1.82.0");
    // Its dependencies are its own: none of them is a runtime dependency of bkp.
    const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    for (const d of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) expect(root.dependencies[d]).toBeUndefined();
  });

  it("starts `bkp lsp` over stdio (the client adds --stdio)", () => {
    const src = readFileSync(join(EXT, "src", "extension.ts"), "utf8");
    expect(src).toContain('args: ["lsp"], transport: TransportKind.stdio');
    expect(src).toContain('getConfiguration("bkp").get<string>("path")');
  });

  const installed = existsSync(join(EXT, "node_modules", "vscode-languageclient"));
  if (!installed) console.warn("skipping the VS Code extension build test: editors/vscode has no node_modules (npm run vsix installs them)");
  it.skipIf(!installed)("builds: one bundled entry, the grammar and the language configuration copied from grammar/", () => {
    const r = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: EXT, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(EXT, "syntaxes", "bkp.tmLanguage.json"), "utf8")).toBe(readFileSync(join(ROOT, "grammar", "bkp.tmLanguage.json"), "utf8"));
    const out = readFileSync(join(EXT, "out", "extension.js"), "utf8");
    expect(out).toContain("lsp");
    expect(out).toContain('require("vscode")');
  });
});
