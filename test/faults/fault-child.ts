// A bundled child program for the fault-injection suite: runs one engine command (backup, prune,
// repair, restore) and, with KILL_AT=N, kills itself with SIGKILL right before its N-th vault
// mutation on the main thread (a rename that commits an object, or a delete) — every commit phase
// of the command in turn. Without KILL_AT it prints how many mutations the run made.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleChild } from "../engine/child.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const src = (f: string) => JSON.stringify(path.join(repo, "src/engine", f));

const ENTRY = `
import fs from "node:fs";
const killAt = Number(process.env.KILL_AT ?? 0);
let n = 0;
const hit = () => {
  n++;
  if (killAt && n === killAt) process.kill(process.pid, "SIGKILL");
};
for (const name of ["renameSync", "rmSync", "unlinkSync", "rmdirSync"]) {
  const real = fs[name];
  fs[name] = function (...a) { hit(); return real.apply(this, a); };
}
for (const name of ["rename", "rm", "unlink", "rmdir"]) {
  const real = fs.promises[name];
  fs.promises[name] = function (...a) { hit(); return real.apply(this, a); };
}
const { backupVm, restoreVm, repairVault } = await import(${src("index.ts")});
const { pruneVault } = await import(${src("prune.ts")});
const [mode, json] = process.argv.slice(2);
const a = JSON.parse(json);
const opts = { ...a.opts, now: () => new Date(a.now) };
let r;
if (mode === "backup") r = await backupVm(a.vault, a.vm, opts);
else if (mode === "prune") r = await pruneVault(a.vault, new Map(a.retention), opts);
else if (mode === "repair") r = await repairVault(a.vault, opts);
else if (mode === "restore") r = await restoreVm(a.vault, a.request, opts);
process.stdout.write(JSON.stringify({ mutations: n, ok: true }) + "\\n");
`;

export function faultChild(): Promise<string> {
  return bundleChild("fault-child", ENTRY);
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

export async function runFaultChild(mode: string, args: unknown, killAt?: number): Promise<ChildRun> {
  const script = await faultChild();
  const c = spawn(process.execPath, [script, mode, JSON.stringify(args)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, BKP_ENGINE_WORKER: path.join(path.dirname(script), "bkp-engine-worker.mjs"), ...(killAt ? { KILL_AT: String(killAt) } : {}) },
  });
  let out = "";
  let err = "";
  c.stdout.on("data", (d: Buffer) => (out += d.toString()));
  c.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => c.on("close", (code, signal) => resolve({ code, signal, out, err })));
}
