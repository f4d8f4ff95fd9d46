// Issue 13, items 1-3: a damaged vault is never made worse by bkp itself. A lost config is
// damage (never a new vault), a lost pack index is rebuilt (never the pack deleted), and a backup
// never points a new recovery point at a chunk or block map known to be damaged or missing.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, restoreVm, verifyVault } from "../../src/engine/index.js";
import type { EngineError } from "../../src/engine/index.js";
import { openVault } from "../../src/engine/vault/vault.js";
import { loadChunkIndex, packObjectName } from "../../src/engine/vault/chunk-store.js";
import { filesUnder, onePointVault, platformEnv } from "./helpers.js";

const vaultWithPoint = onePointVault;

async function restoredBytes(env: ReturnType<typeof platformEnv>, point: string, o: { machineKeyFile: string }, tag: string): Promise<Buffer> {
  const out = path.join(env.dir, `out-${tag}`);
  const r = await restoreVm(env.vault, { vm: "vm1", point, toDir: out, from: "vault" }, o);
  expect(r.disks[0].error).toBeUndefined();
  return fs.readFileSync(r.disks[0].path);
}

function flipByteIn(file: string, offset: number): void {
  const buf = fs.readFileSync(file);
  buf[offset] ^= 0x40;
  fs.writeFileSync(file, buf);
}

describe("a lost config (item 1)", () => {
  it("is damage (BKP5013) to verify and backup; the vault is never re-keyed, and repairing the config restores every point", async () => {
    const t = await vaultWithPoint();
    const cfg = path.join(t.env.vault.path, "config");
    const saved = fs.readFileSync(cfg);
    const keyBefore = fs.readFileSync(path.join(t.env.vault.path, "keys/vault.key"));
    fs.rmSync(cfg);

    const v = (await verifyVault(t.env.vault, t.o).catch((e: unknown) => e)) as EngineError;
    expect(v.code).toBe("BKP5013");
    expect(v.message).toMatch(/lost its config.*bkp repair/);
    const b = (await backupVm(t.env.vault, t.vm, t.o).catch((e: unknown) => e)) as EngineError;
    expect(b.code).toBe("BKP5013");
    expect(fs.readFileSync(path.join(t.env.vault.path, "keys/vault.key")).equals(keyBefore)).toBe(true);
    expect(fs.existsSync(cfg)).toBe(false);

    fs.writeFileSync(cfg, saved);
    expect((await restoredBytes(t.env, t.p1.point, t.o, "a")).equals(t.bytes)).toBe(true);
  });

  it("a config with an altered version key is damage with a repair hint, not 'version undefined'", async () => {
    const t = await vaultWithPoint();
    const cfg = path.join(t.env.vault.path, "config");
    fs.writeFileSync(cfg, fs.readFileSync(cfg, "utf8").replace('"version"', '"versIon"'));
    const e = (await verifyVault(t.env.vault, t.o).catch((x: unknown) => x)) as EngineError;
    expect(e.code).toBe("BKP5014");
    expect(e.message).not.toMatch(/undefined/);
    expect(e.message).toMatch(/damaged.*bkp repair/);
  });
});

describe("a lost pack index (item 2)", () => {
  it("is rebuilt from the pack's trailer by the next backup; the pack is kept and every point restores", async () => {
    const t = await vaultWithPoint();
    const indexes = filesUnder(t.env.vault.path).filter((f) => f.startsWith("index/"));
    const packsBefore = filesUnder(t.env.vault.path).filter((f) => f.startsWith("packs/"));
    for (const i of indexes) fs.rmSync(path.join(t.env.vault.path, i));

    const v = await verifyVault(t.env.vault, t.o);
    expect(v.ok).toBe(false);
    expect(v.damage[0].problem).toMatch(/bkp repair/);
    expect(v.notes.join("\n")).not.toMatch(/removed by the next backup/);

    await backupVm(t.env.vault, t.vm, t.o);
    expect(filesUnder(t.env.vault.path).filter((f) => f.startsWith("packs/"))).toEqual(expect.arrayContaining(packsBefore));
    expect((await verifyVault(t.env.vault, { ...t.o, readData: true })).ok).toBe(true);
    expect((await restoredBytes(t.env, t.p1.point, t.o, "b")).equals(t.bytes)).toBe(true);
  });
});

describe("damage does not propagate into new points (item 3)", () => {
  it("a flipped byte found by verify: the next backup of the unchanged image stores that block again; both points restore", async () => {
    const t = await vaultWithPoint();
    const v0 = await openVault(t.env.vault, { create: false, now: new Date(), machineKeyFile: t.env.machineKeyFile });
    const index = await loadChunkIndex(v0.storage, v0.keys.enc);
    const [id, loc] = [...index.chunks][0];
    flipByteIn(path.join(t.env.vault.path, packObjectName(loc.pack)), loc.offset + 20);
    const v = await verifyVault(t.env.vault, { ...t.o, readData: true });
    expect(v.damage.map((d) => d.object)).toContain(`${packObjectName(loc.pack)}#${id}`);

    const p2 = await backupVm(t.env.vault, t.vm, t.o);
    expect(p2.disks[0].detection).toBe("block-checksum");
    expect(p2.disks[0].newChunks).toBe(1);
    expect(p2.disks[0].detectionReason).toMatch(/damaged/);
    expect((await restoredBytes(t.env, p2.point, t.o, "c")).equals(t.bytes)).toBe(true);
    // The old point shares the chunk id: it heals too.
    expect((await restoredBytes(t.env, t.p1.point, t.o, "d")).equals(t.bytes)).toBe(true);
    expect((await verifyVault(t.env.vault, { ...t.o, readData: true })).ok).toBe(true);
  });

  it("a flipped byte found by a failed restore (no verify) is recorded: the next backup stores that block again", async () => {
    const t = await vaultWithPoint();
    const v0 = await openVault(t.env.vault, { create: false, now: new Date(), machineKeyFile: t.env.machineKeyFile });
    const [, loc] = [...(await loadChunkIndex(v0.storage, v0.keys.enc)).chunks][1];
    flipByteIn(path.join(t.env.vault.path, packObjectName(loc.pack)), loc.offset + 20);
    const r = await restoreVm(t.env.vault, { vm: "vm1", point: t.p1.point, toDir: path.join(t.env.dir, "o-r"), from: "vault" }, t.o);
    expect(r.disks[0].error?.code).toBe("BKP5050");
    expect(filesUnder(t.env.vault.path)).toContain("damage");
    const p2 = await backupVm(t.env.vault, t.vm, t.o);
    expect(p2.disks[0].newChunks).toBe(1);
    expect((await restoredBytes(t.env, p2.point, t.o, "r2")).equals(t.bytes)).toBe(true);
  });

  it("a missing pack: the next backup stores its blocks again without any verify first", async () => {
    const t = await vaultWithPoint();
    const packs = filesUnder(t.env.vault.path).filter((f) => f.startsWith("packs/"));
    fs.rmSync(path.join(t.env.vault.path, packs[0]));
    const p2 = await backupVm(t.env.vault, t.vm, t.o);
    expect(p2.disks[0].newChunks).toBeGreaterThan(0);
    expect((await restoredBytes(t.env, p2.point, t.o, "e")).equals(t.bytes)).toBe(true);
    expect((await restoredBytes(t.env, t.p1.point, t.o, "f")).equals(t.bytes)).toBe(true);
  });

  it("a truncated pack: the next backup stores its blocks again, and restores read the intact copies", async () => {
    const t = await vaultWithPoint();
    const packs = filesUnder(t.env.vault.path).filter((f) => f.startsWith("packs/"));
    const file = path.join(t.env.vault.path, packs[0]);
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    const p2 = await backupVm(t.env.vault, t.vm, t.o);
    expect(p2.disks[0].newChunks).toBeGreaterThan(0);
    expect((await restoredBytes(t.env, p2.point, t.o, "t1")).equals(t.bytes)).toBe(true);
    expect((await restoredBytes(t.env, t.p1.point, t.o, "t2")).equals(t.bytes)).toBe(true);
  });

  it("a damaged block map: the next backup reads the disk and writes the map again", async () => {
    const t = await vaultWithPoint();
    const map = filesUnder(t.env.vault.path).find((f) => f.startsWith("maps/"));
    if (!map) throw new Error("no map");
    flipByteIn(path.join(t.env.vault.path, map), 30);
    const p2 = await backupVm(t.env.vault, t.vm, t.o);
    expect(p2.disks[0].detection).toBe("block-checksum");
    expect((await restoredBytes(t.env, p2.point, t.o, "g")).equals(t.bytes)).toBe(true);
    expect((await restoredBytes(t.env, t.p1.point, t.o, "h")).equals(t.bytes)).toBe(true);
  });
});
