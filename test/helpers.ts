// Shared test helpers: run the built CLI as a user would, and compare ASTs by meaning.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { FileAst } from "../src/lang/ast.js";

export const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
export const BIN = join(ROOT, "dist", "bkp.mjs");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/bkp.mjs ...args` (the test command builds dist/ first). */
export function bkp(args: string[], opts: { input?: string | Buffer; cwd?: string; env?: Record<string, string> } = {}): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    // The CLI finds its own worker beside dist/bkp.mjs (not the tests' bundle, test/global-setup.ts).
    env: { ...process.env, NO_COLOR: "1", BKP_ENGINE_WORKER: undefined, ...opts.env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every .bkp file under a directory, recursively, sorted. */
export function bkpFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...bkpFiles(p));
    else if (e.endsWith(".bkp")) out.push(p);
  }
  return out;
}

const POSITIONAL = new Set(["range", "syntax", "keyword", "header", "body"]);

/** The AST's meaning: everything but source positions (and the comment list). */
export function meaning(ast: FileAst): string {
  return JSON.stringify(ast.blocks, (key, value) => (POSITIONAL.has(key) ? undefined : value));
}

/** The policy sets under policies/: each directory is one set, each top-level file one set. */
export function policySets(): string[][] {
  const dir = join(ROOT, "policies");
  const sets: string[][] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      const files = bkpFiles(p);
      if (files.length) sets.push(files);
    } else if (e.endsWith(".bkp")) sets.push([p]);
  }
  return sets;
}

/** The engine CLI tests' vault "main" (folder vault/) and daily policy; `policyLines` adds to the policy. */
export function mainVaultAndDailyPolicy(policyLines = ""): string {
  return `vault "main" {
  path "vault"
  encryption platform-key
}
policy "daily" {
  schedule daily at 02:30
  timezone "UTC"
  retain daily 7 days
${policyLines}}
`;
}

/**
 * Checks the modules a process loaded (the log test/cli/record-loads.mjs writes): the CLI
 * bundle, and no chunk holding React/Ink or the engine's cryptography.
 */
export function expectNoUiOrEngine(log: string): void {
  const loaded = readFileSync(log, "utf8").trim().split("\n");
  expect(loaded.some((u) => u.endsWith("/dist/bkp.mjs"))).toBe(true);
  for (const url of loaded) {
    const code = readFileSync(fileURLToPath(url), "utf8");
    expect(code, url).not.toContain("react.transitional.element");
    expect(code, url).not.toContain("aes-256-gcm");
  }
}
