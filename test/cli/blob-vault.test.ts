// End to end against a real Azure Storage emulator (Azurite, started here): the built binary
// backs up into a blob vault, verifies, restores byte-identically and prunes; faults — the
// emulator killed mid-backup, a backup killed mid-upload (its lease left behind), two hosts
// writing at once, a wrong credential — end in clear errors and never in a damaged vault.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, bkp } from "../helpers.js";
import { ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { startAzurite, DEV_ACCOUNT, DEV_KEY, type Azurite } from "../helpers/azurite.js";

const MiB = 1024 * 1024;
let azurite: Azurite;
let dir: string;
let env: Record<string, string>;

function policy(url: string, vms: string[]): string {
  return `vault "cloud" {
  blob "${url}"
  redundancy GRS
  encryption platform-key
}
policy "daily" {
  schedule daily at 02:30
  timezone "UTC"
  instant-restore 2 days
  retain daily 7 days
}
${vms
  .map(
    (vm) => `vm "${vm}" {
  os linux
  policy "daily"
  vault "cloud"
  disk "os"   { role os   size 8 GB used 1 GB image "${vm}-os.img" }
  disk "data" { role data size 8 GB used 1 GB image "${vm}-data.img" }
}`,
  )
  .join("\n")}
`;
}

function images(vm: string, osBytes = 6 * MiB): void {
  writeFileSync(join(dir, `${vm}-os.img`), Buffer.concat([crypto.randomBytes(osBytes), Buffer.alloc(2 * MiB)]));
  writeFileSync(join(dir, `${vm}-data.img`), crypto.randomBytes(MiB + 123));
}

const run = (args: string[], extra: Record<string, string> = {}) => bkp(args, { cwd: dir, env: { ...env, ...extra } });

function runAsync(args: string[]): { done: Promise<{ code: number | null; signal: string | null; stderr: string }>; kill: () => void } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1", ...env } });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  return {
    done: new Promise((res) => child.on("exit", (code, signal) => res({ code, signal, stderr }))),
    kill: () => child.kill("SIGKILL"),
  };
}

/** Resolves once a backup into `url` has created the vault (its config is written before any data). */
async function vaultCreated(url: string): Promise<void> {
  const u = new URL(url);
  const [, , container, ...prefix] = u.pathname.split("/");
  const blob = new ContainerClient(`${u.origin}/${DEV_ACCOUNT}/${container}`, new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY)).getBlobClient([...prefix, "config"].filter(Boolean).join("/"));
  for (let i = 0; i < 600; i++) {
    if (await blob.exists()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the backup did not create its vault within 30 s");
}

function sameBytes(a: string, b: string): boolean {
  return readFileSync(join(dir, a)).equals(readFileSync(join(dir, b)));
}

beforeAll(async () => {
  azurite = await startAzurite();
  dir = mkdtempSync(join(tmpdir(), "bkp-blob-cli-"));
  env = { ...azurite.env, BKP_MACHINE_SECRET: join(dir, "machine.key"), BKP_BLOB_LEASE_SECONDS: "15" };
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("bkp on a blob vault (Azurite)", () => {
  it("backs up, lists, verifies, restores byte-identically from the vault, and prunes", async () => {
    writeFileSync(join(dir, "p.bkp"), policy(await azurite.container("team-a"), ["web"]));
    images("web");
    expect(run(["check", "p.bkp"]).code).toBe(0);
    const first = run(["backup", "p.bkp", "--now"], { BKP_NOW: "2026-03-01T03:00:00Z" });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/point 20260301T030000Z-\w+ in vault "cloud"/);
    // Churn, then an incremental: only the changed block goes up.
    const img = readFileSync(join(dir, "web-os.img"));
    crypto.randomBytes(MiB).copy(img, 3 * MiB);
    writeFileSync(join(dir, "web-os.img"), img);
    const second = run(["backup", "p.bkp", "--now"], { BKP_NOW: "2026-03-02T03:00:00Z" });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/os .* block-checksum .* changed 1\.00 MiB, stored 1\.00 MiB/);
    // Small writes in two blocks: each stores its changed 64 KiB grain over the first point's block.
    crypto.randomBytes(16 * 1024).copy(img, MiB + 5000);
    crypto.randomBytes(16 * 1024).copy(img, 5 * MiB + 300_000);
    writeFileSync(join(dir, "web-os.img"), img);
    const third = run(["backup", "p.bkp", "--now"], { BKP_NOW: "2026-03-03T03:00:00Z" });
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/os .* block-checksum .* changed 2\.00 MiB, stored 128\.\d+ KiB \(2 block\(s\) as deltas/);
    const points = run(["points", "p.bkp", "--json"]);
    expect(JSON.parse(points.stdout)).toHaveLength(3);
    const verify = run(["verify", "p.bkp", "--read-data"]);
    expect(verify.stdout).toMatch(/vault "cloud": ok: 3 recovery points/);
    expect(verify.code).toBe(0);
    const restored = run(["restore", "p.bkp", "--vm", "web", "--from", "vault", "--to", "out"]);
    expect(restored.code).toBe(0);
    expect(sameBytes("out/os.img", "web-os.img")).toBe(true);
    expect(sameBytes("out/data.img", "web-data.img")).toBe(true);
    const jobs = run(["jobs", "p.bkp", "--json"]);
    expect(JSON.parse(jobs.stdout).map((j: { status: string }) => j.status)).toEqual(["completed", "completed", "completed"]);
    // The points that stored the deltas' bases expire; the bases stay while the deltas need them.
    const pruned = run(["prune", "p.bkp"], { BKP_NOW: "2026-03-10T04:00:00Z" });
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/2 point\(s\) expired, 1 kept/);
    expect(run(["verify", "p.bkp", "--read-data"]).code).toBe(0);
    rmSync(join(dir, "out"), { recursive: true });
    expect(run(["restore", "p.bkp", "--vm", "web", "--from", "vault", "--to", "out"]).code).toBe(0);
    expect(sameBytes("out/os.img", "web-os.img")).toBe(true);
  }, 120_000);

  it("a wrong or missing credential is a clear error (exit 2), nothing written", async () => {
    writeFileSync(join(dir, "cred.bkp"), policy(await azurite.container(), ["web"]));
    const wrong = run(["backup", "cred.bkp", "--now"], { AZURE_STORAGE_CONNECTION_STRING: "", AZURE_STORAGE_ACCOUNT: DEV_ACCOUNT, AZURE_STORAGE_KEY: Buffer.from("nope").toString("base64") });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/error\[BKP5080\]: .*refused the credential/);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
    const none = run(["points", "cred.bkp"], { AZURE_STORAGE_CONNECTION_STRING: "" });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/BKP5080.*tried a SAS token in the URL/);
  }, 60_000);

  it("the emulator killed during a backup: clear error; after a restart verify is clean and the next backup and restore work", async () => {
    const url = await azurite.container();
    writeFileSync(join(dir, "kill.bkp"), policy(url, ["big"]));
    images("big", 256 * MiB);
    const b = runAsync(["backup", "kill.bkp", "--now"]);
    // Mid-upload: the vault exists, the 256 MiB of data is still on its way.
    await vaultCreated(url);
    await new Promise((r) => setTimeout(r, 300));
    await azurite.kill();
    const r = await b.done;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error\[BKP50\d\d\]/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    await azurite.restart();
    const v = run(["verify", "kill.bkp", "--read-data"]);
    expect(v.code).toBe(0);
    const again = run(["backup", "kill.bkp", "--now"]);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(run(["restore", "kill.bkp", "--vm", "big", "--from", "vault", "--to", "out-kill"]).code).toBe(0);
    expect(sameBytes("out-kill/os.img", "big-os.img")).toBe(true);
  }, 180_000);

  it("a backup killed mid-upload leaves its lease: the next backup waits for it to expire, then succeeds", async () => {
    const url = await azurite.container();
    writeFileSync(join(dir, "k9.bkp"), policy(url, ["k9"]));
    images("k9", 256 * MiB);
    const b = runAsync(["backup", "k9.bkp", "--now"]);
    await vaultCreated(url);
    await new Promise((r) => setTimeout(r, 300));
    b.kill();
    expect((await b.done).signal).toBe("SIGKILL");
    expect(run(["verify", "k9.bkp", "--read-data"]).code).toBe(0);
    const again = run(["backup", "k9.bkp", "--now"]);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(run(["verify", "k9.bkp", "--read-data"]).code).toBe(0);
    expect(run(["restore", "k9.bkp", "--vm", "k9", "--from", "vault", "--to", "out-k9"]).code).toBe(0);
    expect(sameBytes("out-k9/os.img", "k9-os.img")).toBe(true);
  }, 180_000);

  it("two hosts backing up different VMs into one vault at once both succeed", async () => {
    const url = await azurite.container("shared");
    writeFileSync(join(dir, "host-a.bkp"), policy(url, ["a"]));
    writeFileSync(join(dir, "host-b.bkp"), policy(url, ["b"]));
    images("a", 24 * MiB);
    images("b", 24 * MiB);
    const [ra, rb] = await Promise.all([runAsync(["backup", "host-a.bkp", "--now"]).done, runAsync(["backup", "host-b.bkp", "--now"]).done]);
    expect(ra.stderr).toBe("");
    expect(rb.stderr).toBe("");
    expect([ra.code, rb.code]).toEqual([0, 0]);
    writeFileSync(join(dir, "both.bkp"), policy(url, ["a", "b"]));
    expect(JSON.parse(run(["points", "both.bkp", "--json"]).stdout)).toHaveLength(2);
    expect(run(["verify", "both.bkp", "--read-data"]).code).toBe(0);
    for (const vm of ["a", "b"]) {
      expect(run(["restore", "both.bkp", "--vm", vm, "--from", "vault", "--to", `out-${vm}`]).code).toBe(0);
      expect(sameBytes(`out-${vm}/os.img`, `${vm}-os.img`)).toBe(true);
    }
  }, 180_000);
});
