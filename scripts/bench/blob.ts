// Blob vault benchmark: the same backups into a directory vault and into a blob vault on the
// Azurite emulator over loopback, through the built CLI as a user runs it.
//   npm run bench -- blob [--size-mib=512] [--trials=3]
// Rows: full backup, incremental after 2% clustered churn, restore from the vault, vault size.
// Every timed command is followed by `sync` inside the timing; figures are medians of the trials.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { startAzurite, DEV_ACCOUNT, DEV_KEY } from "../../test/helpers/azurite.js";
import { MiB, opt, repo } from "./args.js";

const sizeMiB = Number(opt("size-mib", "512"));
const trials = Number(opt("trials", "3"));
const bin = path.join(repo, "dist", "bkp.mjs");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "bkp-bench-blob-"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function policy(vault: string): string {
  return `${vault}
policy "daily" {
  schedule daily at 02:30
  timezone "UTC"
  instant-restore 2 days
  retain daily 7 days
}
vm "bench" {
  os linux
  policy "daily"
  vault "v"
  disk "os" { role os size 8 GB used 1 GB image "os.img" }
}
`;
}

function timed(argv: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...argv], { cwd: work, env: { ...process.env, ...env, NO_COLOR: "1" }, encoding: "utf8" });
  spawnSync("sync");
  if (r.status !== 0) throw new Error(`bkp ${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

function makeImage(): void {
  // Half random data, a quarter text-like (compressible), a quarter zeros (holes).
  const fd = fs.openSync(path.join(work, "os.img"), "w");
  for (let off = 0; off < sizeMiB * MiB; off += 8 * MiB) {
    const frac = off / (sizeMiB * MiB);
    const buf = frac < 0.5 ? crypto.randomBytes(8 * MiB) : frac < 0.75 ? Buffer.from("log line 42 ok\n".repeat((8 * MiB) / 15 + 1)).subarray(0, 8 * MiB) : Buffer.alloc(8 * MiB);
    fs.writeSync(fd, buf, 0, buf.length, off);
  }
  fs.closeSync(fd);
}

function churn(trial: number): void {
  // 2% of the image, clustered: one run of changed blocks.
  const bytes = Math.round(sizeMiB * MiB * 0.02);
  const fd = fs.openSync(path.join(work, "os.img"), "r+");
  fs.writeSync(fd, crypto.randomBytes(bytes), 0, bytes, (trial * 7 * MiB) % (sizeMiB * MiB - bytes));
  fs.closeSync(fd);
}

async function blobBytes(url: string): Promise<number> {
  const u = new URL(url);
  const [, , container, ...prefix] = u.pathname.split("/");
  const c = new ContainerClient(`${u.origin}/${DEV_ACCOUNT}/${container}`, new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY));
  let n = 0;
  for await (const b of c.listBlobsFlat({ prefix: prefix.join("/") })) n += b.properties.contentLength ?? 0;
  return n;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  return n;
}

const azurite = await startAzurite();
try {
  makeImage();
  const rows: Record<string, { local: number[]; blob: number[] }> = { full: { local: [], blob: [] }, incremental: { local: [], blob: [] }, restore: { local: [], blob: [] } };
  const size = { local: 0, blob: 0 };
  const env = { ...azurite.env, BKP_MACHINE_SECRET: path.join(work, "machine.key") };
  for (let t = 0; t < trials; t++) {
    const url = await azurite.container(`bench${t}`);
    const kinds = { local: `vault "v" { path "vault-${t}" }`, blob: `vault "v" { blob "${url}" }` };
    const base = fs.readFileSync(path.join(work, "os.img"));
    for (const kind of ["local", "blob"] as const) {
      fs.writeFileSync(path.join(work, "os.img"), base);
      fs.writeFileSync(path.join(work, `${kind}.bkp`), policy(kinds[kind]));
      rows.full![kind].push(timed(["backup", `${kind}.bkp`, "--now"], env));
      churn(t);
      rows.incremental![kind].push(timed(["backup", `${kind}.bkp`, "--now"], env));
      fs.rmSync(path.join(work, `out-${kind}`), { recursive: true, force: true });
      rows.restore![kind].push(timed(["restore", `${kind}.bkp`, "--vm", "bench", "--from", "vault", "--to", `out-${kind}`], env));
      if (!fs.readFileSync(path.join(work, `out-${kind}`, "os.img")).equals(fs.readFileSync(path.join(work, "os.img")))) throw new Error(`${kind} restore differs`);
    }
    size.local = dirBytes(path.join(work, `vault-${t}`));
    size.blob = await blobBytes(url);
  }
  console.log(`blob vault on Azurite (loopback) vs directory vault, ${sizeMiB} MiB image (50% random, 25% text, 25% zeros), instant-restore tier on, medians of ${trials}; load ${os.loadavg()[0].toFixed(2)}, ${new Date().toISOString()}`);
  console.log("| step | directory vault | blob vault (Azurite) | blob / directory |");
  console.log("|---|---|---|---|");
  for (const [name, r] of Object.entries(rows)) console.log(`| ${name} | ${median(r.local).toFixed(2)} s | ${median(r.blob).toFixed(2)} s | ${(median(r.blob) / median(r.local)).toFixed(2)}x |`);
  console.log(`| vault size | ${(size.local / MiB).toFixed(1)} MiB | ${(size.blob / MiB).toFixed(1)} MiB | ${(size.blob / size.local).toFixed(2)}x |`);
} finally {
  await azurite.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
