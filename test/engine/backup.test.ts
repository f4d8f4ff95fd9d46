// Real backups and restores of real image files, compared byte for byte.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, listPoints, restoreVm, verifyVault, EngineError } from "../../src/engine/index.js";
import type { ProgressEvent } from "../../src/engine/index.js";
import { KiB, MiB, filesUnder, overwrite, platformEnv, sha, text, writeImage } from "./helpers.js";

const BS = 256 * KiB; // small blocks keep test images small while covering many blocks

describe("backup and restore", () => {
  it("full backup restores byte-identical and sparse; a partial last block works", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.raw");
    const bytes = writeImage(img, "rtzzzzrzt", MiB, 12_345);
    const progress: ProgressEvent[] = [];
    const r = await backupVm(env.vault, { name: "vm1", disks: [{ name: "os", image: img }] }, {
      machineKeyFile: env.machineKeyFile,
      blockSize: BS,
      onProgress: (e) => progress.push(e),
    });
    const d = r.disks[0];
    expect(d.detection).toBe("full");
    expect(d.bytesRead).toBe(bytes.length);
    expect(d.bytesZero).toBe(5 * MiB);
    expect(d.bytesChanged).toBe(bytes.length - 5 * MiB);
    // text compresses, random does not
    expect(d.bytesStored).toBeLessThan(d.bytesChanged);
    expect(d.bytesStored).toBeGreaterThan(2 * MiB);
    expect(progress.at(-1)).toMatchObject({ vm: "vm1", disk: "os", phase: "backup", bytesDone: bytes.length, bytesTotal: bytes.length });

    const out = path.join(env.dir, "out");
    const rr = await restoreVm(env.vault, { vm: "vm1", point: "latest", toDir: out }, { machineKeyFile: env.machineKeyFile });
    expect(rr.ok).toBe(true);
    const restored = fs.readFileSync(rr.disks[0].path);
    expect(restored.equals(bytes)).toBe(true);
    expect(rr.disks[0].path).toBe(path.join(out, "os.raw"));
    // Sparse: the 4 MiB zero run was seeked over, so fewer blocks are allocated than the size.
    const st = fs.statSync(rr.disks[0].path);
    expect(st.blocks * 512).toBeLessThan(bytes.length - 3 * MiB);
    expect(filesUnder(out)).toEqual(["os.raw"]);
  });

  it("an unchanged image is not read; a changed one is checksummed and only changed blocks are stored", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "data.raw");
    const v0 = writeImage(img, "rrrrtttt", MiB);
    const vm = { name: "vm1", disks: [{ name: "data", image: img }] };
    const o = { machineKeyFile: env.machineKeyFile, blockSize: BS };
    const p1 = await backupVm(env.vault, vm, o);

    const p2 = await backupVm(env.vault, vm, o);
    expect(p2.disks[0]).toMatchObject({ detection: "unchanged-file", bytesRead: 0, bytesStored: 0, newChunks: 0 });

    // Change 3 bytes in one block and 100 KiB across a block boundary: 3 blocks change.
    overwrite(img, 5, Buffer.from("abc"));
    overwrite(img, 2 * MiB - 50 * KiB, text(100 * KiB, 9));
    const v2 = fs.readFileSync(img);
    const p3 = await backupVm(env.vault, vm, o);
    expect(p3.disks[0].detection).toBe("block-checksum");
    expect(p3.disks[0].bytesRead).toBe(v2.length);
    expect(p3.disks[0].bytesChanged).toBe(3 * BS);
    expect(p3.disks[0].newChunks).toBe(3);

    const pts = await listPoints(env.vault, { vm: "vm1" }, { machineKeyFile: env.machineKeyFile });
    expect(pts.map((p) => p.id)).toEqual([p1.point, p2.point, p3.point]);
    expect(pts[1].disks[0].detection).toBe("unchanged-file");

    // Every point restores to what the image was at its time.
    const a = await restoreVm(env.vault, { vm: "vm1", point: p1.point, toDir: path.join(env.dir, "a") }, o);
    const b = await restoreVm(env.vault, { vm: "vm1", point: "latest", toDir: path.join(env.dir, "b") }, o);
    expect(fs.readFileSync(a.disks[0].path).equals(v0)).toBe(true);
    expect(fs.readFileSync(b.disks[0].path).equals(v2)).toBe(true);
  });

  it("a touched but identical image takes the checksum path and stores nothing", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "d.raw");
    writeImage(img, "rrtz", MiB);
    const vm = { name: "vm", disks: [{ name: "d", image: img }] };
    await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile, blockSize: BS });
    const t = new Date(Date.now() + 5000);
    fs.utimesSync(img, t, t);
    const r = await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile });
    expect(r.disks[0]).toMatchObject({ detection: "block-checksum", bytesChanged: 0, bytesStored: 0, newChunks: 0 });
  });

  it("disks of a VM run in parallel and identical blocks dedupe across disks and VMs", async () => {
    const env = platformEnv();
    const a = path.join(env.dir, "a.raw");
    const b = path.join(env.dir, "b.raw");
    const c = path.join(env.dir, "c.raw");
    const bytesA = writeImage(a, "rtrt", MiB);
    fs.copyFileSync(a, b);
    const bytesC = writeImage(c, "zrz", MiB);
    const o = { machineKeyFile: env.machineKeyFile, blockSize: BS, workers: 3 };
    const r1 = await backupVm(env.vault, { name: "vm1", disks: [{ name: "a", image: a }, { name: "b", image: b }, { name: "c", image: c }] }, o);
    const [da, db] = r1.disks;
    // Each of the 16 blocks is stored once, by whichever disk got to it first.
    expect(da.newChunks + db.newChunks).toBe(16);
    expect(da.dedupedChunks + db.dedupedChunks).toBe(16);
    // Another VM with the same image stores nothing new.
    const r2 = await backupVm(env.vault, { name: "vm2", disks: [{ name: "copy", image: b }] }, o);
    expect(r2.disks[0]).toMatchObject({ detection: "full", newChunks: 0, dedupedChunks: 16, bytesStored: 0 });

    const out = await restoreVm(env.vault, { vm: "vm1", point: "latest", toDir: path.join(env.dir, "out") }, o);
    expect(out.disks.map((d) => d.ok)).toEqual([true, true, true]);
    expect(fs.readFileSync(out.disks[0].path).equals(bytesA)).toBe(true);
    expect(fs.readFileSync(out.disks[1].path).equals(bytesA)).toBe(true);
    expect(fs.readFileSync(out.disks[2].path).equals(bytesC)).toBe(true);
    expect((await verifyVault(env.vault, { readData: true, machineKeyFile: env.machineKeyFile })).ok).toBe(true);
  });

  it("a large image goes through several pages, packs and workers", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "big.raw");
    const bytes = writeImage(img, "rtzr".repeat(6), MiB, 7);
    const o = { machineKeyFile: env.machineKeyFile, blockSize: 64 * KiB, pageBlocks: 40, packTarget: 1 * MiB, workers: 2 };
    const r = await backupVm(env.vault, { name: "vm", disks: [{ name: "d", image: img }] }, o);
    expect(r.disks[0].bytesRead).toBe(bytes.length);
    expect(filesUnder(path.join(env.vault.path, "packs")).length).toBeGreaterThan(8);
    expect(filesUnder(path.join(env.vault.path, "maps")).length).toBe(Math.ceil(Math.ceil(bytes.length / (64 * KiB)) / 40));
    overwrite(img, 10 * MiB + 3, Buffer.from("x"));
    const r2 = await backupVm(env.vault, { name: "vm", disks: [{ name: "d", image: img }] }, o);
    expect(r2.disks[0]).toMatchObject({ detection: "block-checksum", newChunks: 1 });
    bytes[10 * MiB + 3] = "x".charCodeAt(0);
    const rr = await restoreVm(env.vault, { vm: "vm", point: "latest", toDir: path.join(env.dir, "o") }, o);
    expect(sha(rr.disks[0].path)).toBe(sha(img));
    expect(fs.readFileSync(rr.disks[0].path).equals(bytes)).toBe(true);
  });

  it("nothing in the vault reveals plaintext, and equal data gets different ids in different vaults", async () => {
    const e1 = platformEnv("v1");
    const e2 = platformEnv("v2");
    const img = path.join(e1.dir, "t.raw");
    const marker = Buffer.from("SECRET-MARKER-0123456789 ".repeat(40_000));
    fs.writeFileSync(img, marker);
    await backupVm(e1.vault, { name: "vm-with-a-name", disks: [{ name: "d", image: img }] }, { machineKeyFile: e1.machineKeyFile, blockSize: BS });
    await backupVm(e2.vault, { name: "vm-with-a-name", disks: [{ name: "d", image: img }] }, { machineKeyFile: e2.machineKeyFile, blockSize: BS });
    for (const f of filesUnder(e1.vault.path)) {
      const content = fs.readFileSync(path.join(e1.vault.path, f));
      expect(content.includes(Buffer.from("SECRET-MARKER")), f).toBe(false);
      expect(content.includes(Buffer.from("vm-with-a-name")), f).toBe(false);
      expect(f.includes("vm-with-a-name")).toBe(false);
    }
    const names = (e: typeof e1) => new Set(filesUnder(e.vault.path).filter((f) => f.startsWith("maps/") || f.startsWith("points/")));
    const n2 = names(e2);
    for (const n of names(e1)) expect(n2.has(n)).toBe(false);
  });

  it("restore refuses to overwrite unless told to, and names a missing point", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "x.raw");
    writeImage(img, "rt", MiB);
    const o = { machineKeyFile: env.machineKeyFile, blockSize: BS };
    await backupVm(env.vault, { name: "vm", disks: [{ name: "x", image: img }] }, o);
    const out = path.join(env.dir, "out");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "x.raw"), "keep me");
    const err = await restoreVm(env.vault, { vm: "vm", point: "latest", toDir: out }, o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe("BKP5042");
    expect(fs.readFileSync(path.join(out, "x.raw"), "utf8")).toBe("keep me");
    const ok = await restoreVm(env.vault, { vm: "vm", point: "latest", toDir: out, overwrite: true }, o);
    expect(sha(ok.disks[0].path)).toBe(sha(img));
    const missing = await restoreVm(env.vault, { vm: "vm", point: "20990101T000000Z-000000", toDir: out }, o).catch((e: unknown) => e);
    expect((missing as EngineError).code).toBe("BKP5040");
    const noVm = await restoreVm(env.vault, { vm: "nope", point: "latest", toDir: out }, o).catch((e: unknown) => e);
    expect((noVm as EngineError).code).toBe("BKP5041");
  });

  it("a missing image or an image that grew or shrank fails clearly and writes no point", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "g.raw");
    writeImage(img, "rr", MiB);
    const vm = { name: "vm", disks: [{ name: "g", image: img }] };
    const o = { machineKeyFile: env.machineKeyFile, blockSize: BS };
    await backupVm(env.vault, vm, o);

    const missing = await backupVm(env.vault, { name: "vm", disks: [{ name: "g", image: path.join(env.dir, "nope.raw") }] }, o).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(EngineError);
    expect((missing as EngineError).code).toBe("BKP5001");
    expect((missing as EngineError).message).toMatch(/does not exist.*image/);

    fs.appendFileSync(img, Buffer.alloc(4096, 1));
    const grown = await backupVm(env.vault, vm, o).catch((e: unknown) => e);
    expect((grown as EngineError).code).toBe("BKP5003");
    expect((grown as EngineError).message).toMatch(/was 2097152 bytes/);
    fs.truncateSync(img, MiB);
    const shrunk = await backupVm(env.vault, vm, o).catch((e: unknown) => e);
    expect((shrunk as EngineError).code).toBe("BKP5003");
    expect(await listPoints(env.vault, {}, o)).toHaveLength(1);
    expect((await verifyVault(env.vault, { readData: true, machineKeyFile: env.machineKeyFile })).ok).toBe(true);
  });

  it("points are listed per VM in order, with the injected clock", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "p.raw");
    writeImage(img, "r", MiB);
    const at = (s: string) => () => new Date(s);
    const o = { machineKeyFile: env.machineKeyFile, blockSize: BS };
    await backupVm(env.vault, { name: "b", disks: [{ name: "d", image: img }] }, { ...o, now: at("2026-01-02T03:04:05Z") });
    await backupVm(env.vault, { name: "a", disks: [{ name: "d", image: img }] }, { ...o, now: at("2026-01-02T03:04:05Z") });
    await backupVm(env.vault, { name: "a", disks: [{ name: "d", image: img }] }, { ...o, now: at("2026-01-02T03:04:05Z") });
    const all = await listPoints(env.vault, {}, o);
    expect(all.map((p) => [p.vm, p.createdAt])).toEqual([
      ["a", "2026-01-02T03:04:05.000Z"],
      ["a", "2026-01-02T03:04:05.000Z"],
      ["b", "2026-01-02T03:04:05.000Z"],
    ]);
    expect(all[0].id).toMatch(/^20260102T030405Z-[0-9a-f]{6}$/);
    expect(all[1].disks[0].detection).toBe("unchanged-file");
    expect(all[0].consistency.level).toBe("crash");
  });
});
