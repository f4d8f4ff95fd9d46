// bkp repair (issue 13): puts back the config, the key file and pack indexes from the vault's own
// copies, records damaged chunks so the next backup re-stores them, names what stays
// unrestorable, and deletes nothing without force.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, repairVault, restoreVm, verifyVault } from "../../src/engine/index.js";
import type { EngineError } from "../../src/engine/index.js";
import { filesUnder, onePointVault } from "./helpers.js";

const vault = onePointVault;

async function restores(t: Awaited<ReturnType<typeof vault>>, point: string): Promise<boolean> {
  const r = await restoreVm(t.env.vault, { vm: "vm1", point, toDir: path.join(t.env.dir, `o-${Math.random()}`), from: "vault" }, t.o);
  return r.disks[0].ok && fs.readFileSync(r.disks[0].path).equals(t.bytes);
}

describe("bkp repair", () => {
  it("restores a lost config and a damaged key file from their copies; --dry-run writes nothing", async () => {
    const t = await vault();
    fs.rmSync(t.at("config"));
    fs.writeFileSync(t.at("keys/vault.key"), "{ truncated");
    const before = filesUnder(t.env.vault.path);
    const dry = await repairVault(t.env.vault, { ...t.o, dryRun: true });
    expect(dry.actions.map((a) => [a.object, a.done])).toEqual([
      ["keys/vault.key", false],
      ["config", false],
    ]);
    expect(filesUnder(t.env.vault.path).filter((f) => !f.startsWith("locks/"))).toEqual(before.filter((f) => !f.startsWith("locks/")));
    expect(((await verifyVault(t.env.vault, t.o).catch((e: unknown) => e)) as EngineError).code).toBe("BKP5013");

    const r = await repairVault(t.env.vault, t.o);
    expect(r.ok).toBe(true);
    expect(r.actions.map((a) => a.object)).toEqual(["keys/vault.key", "config"]);
    expect(await restores(t, t.p1.point)).toBe(true);
    expect((await backupVm(t.env.vault, t.vm, t.o)).disks[0].newChunks).toBe(0); // same vault key: everything dedupes
  });

  it("rebuilds lost and damaged pack indexes from the packs", async () => {
    const t = await vault();
    const idx = filesUnder(t.env.vault.path).filter((f) => f.startsWith("index/"));
    expect(idx.length).toBeGreaterThan(1);
    fs.rmSync(t.at(idx[0]));
    fs.truncateSync(t.at(idx[1]), 30);
    const r = await repairVault(t.env.vault, t.o);
    expect(r.actions.map((a) => a.object).sort()).toEqual([idx[0], idx[1]].sort());
    expect(r.ok).toBe(true);
    expect(await restores(t, t.p1.point)).toBe(true);
  });

  it("records a damaged chunk and names the unrestorable point; the next backup heals it", async () => {
    const t = await vault();
    const pack = filesUnder(t.env.vault.path).find((f) => f.startsWith("packs/"));
    if (!pack) throw new Error("no pack");
    const buf = fs.readFileSync(t.at(pack));
    buf[100] ^= 1;
    fs.writeFileSync(t.at(pack), buf);
    const r = await repairVault(t.env.vault, t.o);
    expect(r.ok).toBe(false);
    expect(r.unrestorable).toEqual([{ vm: "vm1", point: t.p1.point, disks: ["os"], why: expect.stringMatching(/chunk .*damaged/) as unknown as string }]);
    expect(filesUnder(t.env.vault.path)).toContain("damage");
    const p2 = await backupVm(t.env.vault, t.vm, t.o);
    expect(p2.disks[0].newChunks).toBe(1);
    expect(await restores(t, p2.point)).toBe(true);
    expect(await restores(t, t.p1.point)).toBe(true);
  });

  it("deletes the index of a missing pack only with --force", async () => {
    const t = await vault();
    const pack = filesUnder(t.env.vault.path).find((f) => f.startsWith("packs/"));
    if (!pack) throw new Error("no pack");
    fs.rmSync(t.at(pack));
    const id = `index/${path.basename(pack)}`;
    const r = await repairVault(t.env.vault, t.o);
    expect(r.left.join("\n")).toMatch(/--force/);
    expect(r.unrestorable.length).toBeGreaterThan(0);
    expect(fs.existsSync(t.at(id))).toBe(true);
    const f = await repairVault(t.env.vault, { ...t.o, force: true });
    expect(f.actions.map((a) => a.object)).toContain(id);
    expect(fs.existsSync(t.at(id))).toBe(false);
    const p2 = await backupVm(t.env.vault, t.vm, t.o);
    expect(await restores(t, p2.point)).toBe(true);
  });
});
