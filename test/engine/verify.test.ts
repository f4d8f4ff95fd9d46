// Damage on disk: a flipped byte in a chunk, a truncated manifest, a deleted pack. verify
// names them and what they affect; restoring an affected disk fails and writes nothing, the
// other disks still restore.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, restoreVm, verifyVault, EngineError } from "../../src/engine/index.js";
import { openVault } from "../../src/engine/vault/vault.js";
import { loadChunkIndex, packObjectName } from "../../src/engine/vault/chunk-store.js";
import { KiB, MiB, filesUnder, platformEnv, writeImage } from "./helpers.js";

async function twoDiskVault() {
  const env = platformEnv();
  const a = path.join(env.dir, "a.raw");
  const b = path.join(env.dir, "b.raw");
  const bytesA = writeImage(a, "rtr", MiB);
  const bytesB = writeImage(b, "trz", MiB);
  const o = { machineKeyFile: env.machineKeyFile, blockSize: 256 * KiB, packTarget: 512 * KiB };
  const p1 = await backupVm(env.vault, { name: "vm1", disks: [{ name: "a", image: a }, { name: "b", image: b }] }, o);
  const p2 = await backupVm(env.vault, { name: "vm1", disks: [{ name: "a", image: a }, { name: "b", image: b }] }, o);
  const v = await openVault(env.vault, { create: false, now: new Date(), machineKeyFile: env.machineKeyFile });
  const index = await loadChunkIndex(v.storage, v.keys.enc);
  return { env, a, b, bytesA, bytesB, o, p1, p2, v, index };
}

/** The chunk id of block `block` of disk `disk` in the latest point. */
async function chunkOf(t: Awaited<ReturnType<typeof twoDiskVault>>, disk: string, block: number): Promise<string> {
  const { openObject } = await import("../../src/engine/vault/crypto.js");
  const { decodePage } = await import("../../src/engine/vault/block-index.js");
  const { readManifests } = await import("../../src/engine/vault/manifest.js");
  const ms = await readManifests(t.v.storage, t.v.keys.enc, t.v.keys.name, "vm1");
  const m = ms.map((x) => x.manifest).find((x) => x?.id === t.p2.point);
  const map = m?.disks.find((d) => d.name === disk)?.maps[0] ?? "";
  const page = decodePage(openObject(t.v.keys.enc, map, await t.v.storage.get(map)));
  return page.entries[block].id.toString("hex");
}

describe("verify and damage", () => {
  it("a clean vault verifies, with and without reading data", async () => {
    const t = await twoDiskVault();
    const s = await verifyVault(t.env.vault, { machineKeyFile: t.env.machineKeyFile });
    expect(s).toMatchObject({ ok: true, points: 2, damage: [], readData: false, chunksChecked: 0 });
    const d = await verifyVault(t.env.vault, { readData: true, machineKeyFile: t.env.machineKeyFile });
    expect(d.ok).toBe(true);
    expect(d.chunksChecked).toBe(t.index.chunks.size);
  });

  it("a flipped byte in a chunk is found by --read-data; that disk fails to restore, the other restores", async () => {
    const t = await twoDiskVault();
    const id = await chunkOf(t, "a", 5);
    const loc = t.index.chunks.get(id);
    if (!loc) throw new Error("no loc");
    const file = path.join(t.env.vault.path, packObjectName(loc.pack));
    const buf = fs.readFileSync(file);
    buf[loc.offset + Math.floor(loc.length / 2)] ^= 0x40;
    fs.writeFileSync(file, buf);

    expect((await verifyVault(t.env.vault, { machineKeyFile: t.env.machineKeyFile })).ok).toBe(true); // structure is fine
    const r = await verifyVault(t.env.vault, { readData: true, machineKeyFile: t.env.machineKeyFile });
    expect(r.ok).toBe(false);
    expect(r.damage).toHaveLength(1);
    expect(r.damage[0]).toMatchObject({ kind: "chunk", object: `${packObjectName(loc.pack)}#${id}` });
    expect(r.damage[0].problem).toMatch(/damaged/);
    // Both points share the chunk; two points taken within one second have no defined order.
    const byPoint = (a: { point: string }, b: { point: string }) => a.point.localeCompare(b.point);
    expect([...r.damage[0].affects].sort(byPoint)).toEqual(
      [
        { vm: "vm1", point: t.p1.point, disks: ["a"] },
        { vm: "vm1", point: t.p2.point, disks: ["a"] },
      ].sort(byPoint),
    );

    const out = path.join(t.env.dir, "out");
    const rr = await restoreVm(t.env.vault, { vm: "vm1", point: "latest", toDir: out }, t.o);
    expect(rr.ok).toBe(false);
    const [da, db] = rr.disks;
    expect(da.ok).toBe(false);
    expect(da.error?.code).toBe("BKP5050");
    expect(da.error?.message).toMatch(/disk "a" .* cannot be restored: chunk [0-9a-f]{16}… is damaged/);
    expect(db.ok).toBe(true);
    expect(filesUnder(out)).toEqual(["b.raw"]); // nothing written for "a", not even a partial file
    expect(fs.readFileSync(path.join(out, "b.raw")).equals(t.bytesB)).toBe(true);
  });

  it("a truncated manifest is named; other points still restore", async () => {
    const t = await twoDiskVault();
    const name = filesUnder(t.env.vault.path).find((f) => f.startsWith("points/") && f.endsWith(t.p2.point));
    if (!name) throw new Error("manifest not found");
    const file = path.join(t.env.vault.path, name);
    fs.truncateSync(file, fs.statSync(file).size - 7);
    const r = await verifyVault(t.env.vault, { machineKeyFile: t.env.machineKeyFile });
    expect(r.ok).toBe(false);
    expect(r.damage).toEqual([
      { kind: "manifest", object: name, problem: expect.stringMatching(/.+/) as unknown as string, affects: [{ vm: "vm1", point: t.p2.point, disks: ["(all)"] }] },
    ]);
    const e = await restoreVm(t.env.vault, { vm: "vm1", point: t.p2.point, toDir: path.join(t.env.dir, "o") }, t.o).catch((x: unknown) => x);
    expect((e as EngineError).code).toBe("BKP5052");
    // "latest" falls back to the newest readable point.
    const ok = await restoreVm(t.env.vault, { vm: "vm1", point: "latest", toDir: path.join(t.env.dir, "o") }, t.o);
    expect(ok.point).toBe(t.p1.point);
    expect(fs.readFileSync(ok.disks[0].path).equals(t.bytesA)).toBe(true);
  });

  it("a deleted pack is named with the points and disks it affects", async () => {
    const t = await twoDiskVault();
    const id = await chunkOf(t, "b", 0); // text block of disk b
    const loc = t.index.chunks.get(id);
    if (!loc) throw new Error("no loc");
    fs.rmSync(path.join(t.env.vault.path, packObjectName(loc.pack)));
    const r = await verifyVault(t.env.vault, { machineKeyFile: t.env.machineKeyFile });
    expect(r.ok).toBe(false);
    const dmg = r.damage.find((d) => d.kind === "pack");
    expect(dmg).toMatchObject({ object: packObjectName(loc.pack), problem: "missing" });
    expect(dmg?.affects.map((a) => a.point).sort()).toEqual([t.p1.point, t.p2.point].sort());
    expect(dmg?.affects[0].disks).toContain("b");
    const rr = await restoreVm(t.env.vault, { vm: "vm1", point: "latest", toDir: path.join(t.env.dir, "o"), disks: ["b"] }, t.o);
    expect(rr.disks[0]).toMatchObject({ ok: false, error: { code: "BKP5051" } });
    expect(fs.existsSync(path.join(t.env.dir, "o", "b.raw"))).toBe(false);
  });

  it("a damaged block map is named", async () => {
    const t = await twoDiskVault();
    const map = filesUnder(t.env.vault.path).find((f) => f.startsWith("maps/"));
    if (!map) throw new Error("no map");
    const file = path.join(t.env.vault.path, map);
    const buf = fs.readFileSync(file);
    buf[buf.length - 20] ^= 1;
    fs.writeFileSync(file, buf);
    const r = await verifyVault(t.env.vault, { machineKeyFile: t.env.machineKeyFile });
    expect(r.damage).toHaveLength(1);
    expect(r.damage[0]).toMatchObject({ kind: "block-map", object: map });
    expect(r.damage[0].affects).toHaveLength(2);
  });
});
