// Builds a bundled child program (as the CLI is bundled: engine + separate worker entry) that
// tests run as real processes, to kill them or to race them against each other.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { NODE_BUNDLE } from "../../scripts/esbuild-node.mjs";
import { afterAll } from "vitest";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const ENTRY = `
import fs from "node:fs";
import { backupVm } from ${JSON.stringify(path.join(repo, "src/engine/index.ts"))};
import { acquireLock, acquireReadLock } from ${JSON.stringify(path.join(repo, "src/engine/vault/lock.ts"))};
import { pruneVault } from ${JSON.stringify(path.join(repo, "src/engine/prune.ts"))};
import { restoreVm } from ${JSON.stringify(path.join(repo, "src/engine/restore.ts"))};
const [mode, json] = process.argv.slice(2);
const a = JSON.parse(json);
// A clock injected as an ISO instant (functions do not cross the command line).
if (a.opts?.nowIso) a.opts.now = () => new Date(a.opts.nowIso);
if (mode === "prune") {
  const r = await pruneVault(a.vault, new Map(a.retention), a.opts);
  process.stdout.write(JSON.stringify({ ok: true, expired: r.expired.length, repacked: r.packsRepacked }) + "\\n");
} else if (mode === "restore") {
  const r = await restoreVm(a.vault, a.req, a.opts);
  process.stdout.write(JSON.stringify({ ok: r.ok }) + "\\n");
} else if (mode === "backup") {
  try {
    const r = await backupVm(a.vault, a.vm, a.opts);
    process.stdout.write(JSON.stringify({ ok: true, point: r.point }) + "\\n");
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, code: e.code, message: e.message }) + "\\n");
    process.exitCode = 1;
  }
} else if (mode === "hold-lock") {
  const l = await acquireLock(a.vault, a.purpose ?? "test", a.waitMs ?? 60000, { excludeReaders: !!a.excludeReaders });
  fs.appendFileSync(a.log, "start " + process.pid + "\\n");
  process.stdout.write("locked\\n");
  await new Promise((r) => setTimeout(r, a.holdMs));
  fs.appendFileSync(a.log, "end " + process.pid + "\\n");
  l.release();
} else if (mode === "hold-read-lock") {
  const l = await acquireReadLock(a.vault, a.purpose ?? "test reader", a.waitMs ?? 60000);
  process.stdout.write("locked\\n");
  await new Promise((r) => setTimeout(r, a.holdMs));
  if (a.log) fs.appendFileSync(a.log, "released " + process.pid + "\\n");
  l.release();
} else if (mode === "lock-loop") {
  // n rounds of: take the lock (a reader's, or a prune's writer lock), log, hold, log, release.
  for (let i = 0; i < a.n; i++) {
    const l = a.role === "prune" ? await acquireLock(a.vault, "prune", 60000, { excludeReaders: true }) : await acquireReadLock(a.vault, "reader", 60000);
    fs.appendFileSync(a.log, a.role + " start " + process.pid + "\\n");
    await new Promise((r) => setTimeout(r, Math.random() * a.holdMs));
    fs.appendFileSync(a.log, a.role + " end " + process.pid + "\\n");
    l.release();
    await new Promise((r) => setTimeout(r, Math.random() * a.holdMs));
  }
}
`;

const built = new Map<string, Promise<string>>();
const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

/** The bundled worker, for in-process engine calls too (skips tsx's per-worker start-up). */
export async function useBundledWorker(): Promise<void> {
  process.env.BKP_ENGINE_WORKER = path.join(path.dirname(await childScript()), "bkp-engine-worker.mjs");
}

/**
 * Bundles a child program's source (as the CLI is bundled: with the engine's worker entry
 * beside it, bkp-engine-worker.mjs) once per test file; returns the child's path.
 */
export function bundleChild(name: string, source: string): Promise<string> {
  let b = built.get(name);
  if (!b) {
    b = (async () => {
      // Inside the repo so the bundle's external imports (lz4-napi) resolve from node_modules.
      fs.mkdirSync(path.join(repo, "node_modules", ".cache"), { recursive: true });
      const dir = fs.mkdtempSync(path.join(repo, "node_modules", ".cache", `bkp-test-${name}-`));
      cleanup.push(dir);
      fs.writeFileSync(path.join(dir, "entry.ts"), source);
      await build({
        entryPoints: { child: path.join(dir, "entry.ts"), "bkp-engine-worker": path.join(repo, "src/engine/workers/worker.ts") },
        outdir: dir,
        ...NODE_BUNDLE,
        logLevel: "error",
      });
      return path.join(dir, "child.mjs");
    })();
    built.set(name, b);
  }
  return b;
}

/** Path of the bundled child script (built once per test file). */
export function childScript(): Promise<string> {
  return bundleChild("child", ENTRY);
}

export async function runChild(mode: string, args: unknown): Promise<ChildProcess> {
  return spawn(process.execPath, [await childScript(), mode, JSON.stringify(args)], { stdio: ["ignore", "pipe", "pipe"] });
}

export function waitExit(c: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  let out = "";
  let err = "";
  c.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  c.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => c.on("close", (code, signal) => resolve({ code, signal, out, err })));
}

export function waitForOutput(c: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    c.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) resolve();
    });
    c.on("close", () => reject(new Error(`child exited before printing ${text}: ${out}`)));
  });
}
