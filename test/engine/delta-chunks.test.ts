// Delta chunks: small writes spread over a disk store the 64 KiB grains they touch, not every
// block they touch; every point still restores byte-identically, prune keeps a delta's base,
// and a damaged base is never built upon.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { backupVm, restoreVm, verifyVault, repairVault } from "../../src/engine/index.js";
import { pruneVault } from "../../src/engine/prune.js";
import { openVault } from "../../src/engine/vault/vault.js";
import { loadChunkIndex, packObjectName } from "../../src/engine/vault/chunk-store.js";
import { openObject } from "../../src/engine/vault/crypto.js";
import { DATA, DELTA, decodePage, pageObjectName } from "../../src/engine/vault/block-index.js";
import { readManifests, writeManifest } from "../../src/engine/vault/manifest.js";
import { sealObject } from "../../src/engine/vault/crypto.js";
import { createFastHasher } from "../../src/engine/image/fast-hash.js";
import { EngineError } from "../../src/engine/errors.js";
import type { RetentionSpec } from "../../src/plan/retention.js";
import { KiB, MiB, encodePageV1, overwrite, platformEnv, writeImage } from "./helpers.js";

const GRAIN = 64 * KiB;

/** 16 KiB of new random data in grain 3 of every block of a 16-block image. */
function scatter(img: string, grain: number): void {
  for (let b = 0; b < 16; b++) overwrite(img, b * MiB + grain * GRAIN + 1000, crypto.randomBytes(16 * KiB));
}

async function setup() {
  const env = platformEnv();
  const img = path.join(env.dir, "os.raw");
  writeImage(img, "rrrrrrrrtttttttt", MiB);
  const vm = { name: "vm1", disks: [{ name: "os", image: img }] };
  const o = { machineKeyFile: env.machineKeyFile, packTarget: 4 * MiB };
  return { env, img, vm, o };
}

async function restored(t: Awaited<ReturnType<typeof setup>>, point: string): Promise<Buffer> {
  const out = path.join(t.env.dir, `out-${point}`);
  const r = await restoreVm(t.env.vault, { vm: "vm1", point, toDir: out }, t.o);
  expect(r.ok, r.disks[0].error?.message).toBe(true);
  return fs.readFileSync(r.disks[0].path);
}

/** The block map entries of a point's disk. */
async function entries(t: Awaited<ReturnType<typeof setup>>, point: string) {
  const v = await openVault(t.env.vault, { create: false, now: new Date(), machineKeyFile: t.env.machineKeyFile });
  const ms = await readManifests(v.storage, v.keys.enc, v.keys.name, "vm1");
  const m = ms.map((x) => x.manifest).find((x) => x?.id === point);
  const out = [];
  for (const map of m?.disks[0].maps ?? []) out.push(...decodePage(openObject(v.keys.enc, map, await v.storage.get(map))).entries);
  return { entries: out, v };
}

describe("delta chunks", () => {
  it("16 KiB written into every 1 MiB block stores about a grain per block, and every point restores byte-identically", async () => {
    const t = await setup();
    const p1 = await backupVm(t.env.vault, t.vm, t.o);
    const v1 = fs.readFileSync(t.img);
    scatter(t.img, 3);
    const p2 = await backupVm(t.env.vault, t.vm, t.o);
    const v2 = fs.readFileSync(t.img);
    // Every block changed, but each stores one 64 KiB grain (random data does not compress).
    expect(p2.disks[0].bytesChanged).toBe(16 * MiB);
    expect(p2.disks[0].bytesStored).toBeLessThan(16 * (GRAIN + 200));
    expect(p2.disks[0].bytesStored).toBeGreaterThan(8 * GRAIN);
    // A second change in another grain: the new delta holds both grains over the same base.
    scatter(t.img, 9);
    const p3 = await backupVm(t.env.vault, t.vm, t.o);
    const v3 = fs.readFileSync(t.img);
    expect(p3.disks[0].bytesStored).toBeLessThan(16 * (2 * GRAIN + 200));
    const e1 = (await entries(t, p1.point)).entries;
    const e3 = (await entries(t, p3.point)).entries;
    expect(e3.every((e) => e.kind === DELTA)).toBe(true);
    expect(e3.map((e) => e.base?.toString("hex"))).toEqual(e1.map((e) => e.id.toString("hex")));
    expect(e3.map((e) => e.bits)).toEqual(e3.map(() => (1n << 3n) | (1n << 9n)));

    expect((await restored(t, p1.point)).equals(v1)).toBe(true);
    expect((await restored(t, p2.point)).equals(v2)).toBe(true);
    expect((await restored(t, p3.point)).equals(v3)).toBe(true);
    expect((await verifyVault(t.env.vault, { readData: true, machineKeyFile: t.env.machineKeyFile })).ok).toBe(true);
  });

  it("a block with more than half its grains changed is stored whole, as a new base", async () => {
    const t = await setup();
    await backupVm(t.env.vault, t.vm, t.o);
    overwrite(t.img, 2 * MiB, crypto.randomBytes(9 * GRAIN)); // 9 of block 2's 16 grains
    overwrite(t.img, 5 * MiB, crypto.randomBytes(GRAIN)); // 1 of block 5's
    const p2 = await backupVm(t.env.vault, t.vm, t.o);
    const { entries: e } = await entries(t, p2.point);
    expect(e[2].kind).not.toBe(DELTA);
    expect(e[5].kind).toBe(DELTA);
    expect(p2.disks[0].bytesStored).toBeGreaterThan(MiB + GRAIN);
    expect((await restored(t, p2.point)).equals(fs.readFileSync(t.img))).toBe(true);
  });

  it("prune keeps a delta's base after the point that stored it is gone", async () => {
    const t = await setup();
    const day = (d: number) => DateTime.fromISO("2026-03-01T02:30:00", { zone: "UTC" }).plus({ days: d }).toJSDate();
    await backupVm(t.env.vault, t.vm, { ...t.o, now: () => day(0) });
    scatter(t.img, 3);
    const p2 = await backupVm(t.env.vault, t.vm, { ...t.o, now: () => day(1) });
    const v2 = fs.readFileSync(t.img);
    const spec: RetentionSpec = { retention: { daily: { days: 1 } }, zone: "UTC", instantRestoreDays: 1 };
    const pr = await pruneVault(t.env.vault, new Map([["vm1", spec]]), { machineKeyFile: t.env.machineKeyFile, now: () => day(1) });
    expect(pr.gcSkipped).toBeUndefined();
    expect(pr.expired).toHaveLength(1);
    expect(pr.packsDeleted + pr.packsRepacked).toBe(0); // the first point's pack holds the bases
    expect((await restored(t, p2.point)).equals(v2)).toBe(true);
    expect((await verifyVault(t.env.vault, { readData: true, machineKeyFile: t.env.machineKeyFile })).ok).toBe(true);
  });

  it("a damaged base is named by restore and repair, and the next backup stores its blocks whole instead of another delta on it", async () => {
    const t = await setup();
    const p1 = await backupVm(t.env.vault, t.vm, t.o);
    scatter(t.img, 3);
    const p2 = await backupVm(t.env.vault, t.vm, t.o);
    const { entries: e2, v } = await entries(t, p2.point);
    const base = e2[0].base!.toString("hex");
    const index = await loadChunkIndex(v.storage, v.keys.enc);
    const loc = index.chunks.get(base)!;
    const file = path.join(t.env.vault.path, packObjectName(loc.pack));
    const buf = fs.readFileSync(file);
    buf[loc.offset + Math.floor(loc.length / 2)] ^= 0x40;
    fs.writeFileSync(file, buf);

    const out = path.join(t.env.dir, "bad");
    const rr = await restoreVm(t.env.vault, { vm: "vm1", point: p2.point, toDir: out }, t.o);
    expect(rr.ok).toBe(false);
    expect(rr.disks[0].error?.message).toContain(`chunk ${base.slice(0, 16)}… is damaged`);
    const rep = await repairVault(t.env.vault, t.o);
    expect(rep.unrestorable.map((u) => u.point).sort()).toEqual([p1.point, p2.point].sort());

    scatter(t.img, 5);
    const p3 = await backupVm(t.env.vault, t.vm, t.o);
    const { entries: e3 } = await entries(t, p3.point);
    expect(e3[0].kind).not.toBe(DELTA); // the damaged block: whole again
    expect(e3[1].kind).toBe(DELTA); // the others still build on their intact bases
    expect((await restored(t, p3.point)).equals(fs.readFileSync(t.img))).toBe(true);
  });

  it("a version-1 vault (block maps without grain sums) restores, is upgraded by the next backup, and takes deltas from then on", async () => {
    const t = await setup();
    const p1 = await backupVm(t.env.vault, t.vm, t.o);
    const v1 = fs.readFileSync(t.img);
    // Rewrite point 1 as bkp wrote it before format 2: format-1 pages (hash of each block, no
    // grain sums) and a config of version 1.
    const v = await openVault(t.env.vault, { create: false, now: new Date(), machineKeyFile: t.env.machineKeyFile });
    const fast = await createFastHasher();
    const m = (await readManifests(v.storage, v.keys.enc, v.keys.name, "vm1"))[0].manifest!;
    const maps: string[] = [];
    for (const map of m.disks[0].maps) {
      const page = decodePage(openObject(v.keys.enc, map, await v.storage.get(map)));
      const entries = page.entries.map((e, k) => (e.kind === DATA ? { kind: DATA as typeof DATA, id: e.id, fast: fast(v1.subarray((page.firstBlock + k) * MiB, (page.firstBlock + k + 1) * MiB)) } : e));
      const plain = encodePageV1({ ...page, entries });
      const name = pageObjectName(v.keys.mapId, plain);
      await v.storage.put(name, sealObject(v.keys.enc, name, plain));
      maps.push(name);
    }
    await writeManifest(v.storage, v.keys.enc, v.keys.name, { ...m, disks: [{ ...m.disks[0], maps }] });
    const configFile = path.join(t.env.vault.path, "config");
    const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as { version: number };
    fs.writeFileSync(configFile, JSON.stringify({ ...config, version: 1 }, undefined, 2) + "\n");
    expect((await restored(t, p1.point)).equals(v1)).toBe(true);
    expect((JSON.parse(fs.readFileSync(configFile, "utf8")) as { version: number }).version).toBe(1); // readers do not upgrade

    overwrite(t.img, 3 * GRAIN, crypto.randomBytes(16 * KiB)); // one grain of block 0
    const p2 = await backupVm(t.env.vault, t.vm, t.o);
    const v2 = fs.readFileSync(t.img);
    expect(p2.warnings?.join("\n")).toMatch(/upgraded to format version 2/);
    expect((JSON.parse(fs.readFileSync(configFile, "utf8")) as { version: number }).version).toBe(2);
    // Format-1 hashes still tell the 15 unchanged blocks; the changed one is stored whole (no grain sums to cut a delta from).
    expect(p2.disks[0]).toMatchObject({ detection: "block-checksum", bytesChanged: MiB, newChunks: 1, deltaChunks: 0 });
    // Every entry of point 2 has grain sums now, reused ones too: the next changes are deltas.
    scatter(t.img, 4);
    const p3 = await backupVm(t.env.vault, t.vm, t.o);
    expect(p3.disks[0].deltaChunks).toBe(16);
    expect((await restored(t, p2.point)).equals(v2)).toBe(true);
    expect((await restored(t, p3.point)).equals(fs.readFileSync(t.img))).toBe(true);
    expect((await verifyVault(t.env.vault, { readData: true, machineKeyFile: t.env.machineKeyFile })).ok).toBe(true);

    fs.writeFileSync(configFile, JSON.stringify({ ...config, version: 3 }, undefined, 2) + "\n");
    const err = await backupVm(t.env.vault, t.vm, t.o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toMatch(/version 3; this bkp reads versions 1 and 2/);
  });
});
