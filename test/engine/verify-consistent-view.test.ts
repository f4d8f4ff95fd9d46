// Issue 13, item 7: verify beside a running backup never reports damage that is not there. A
// backup commits packs, then their indexes, then its manifest; verify reads the manifests before
// the indexes, so a point committed while verify runs is either not seen or fully indexed.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { backupVm, verifyVault } from "../../src/engine/index.js";
import { LocalDirStorage } from "../../src/engine/vault/storage.js";
import { KiB, MiB, filesUnder, overwrite, platformEnv, prng, writeImage } from "./helpers.js";

afterEach(() => vi.restoreAllMocks());

describe("verify beside a running backup (item 7)", () => {
  it("a point committed between verify's reads of the indexes and of the manifests is not reported as damage", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "i.raw");
    writeImage(img, "rtrt", MiB);
    const o = { machineKeyFile: env.machineKeyFile, blockSize: 256 * KiB, packTarget: 512 * KiB, workers: 1 };
    const vm = { name: "vm", disks: [{ name: "d", image: img }] };
    await backupVm(env.vault, vm, o);
    // What a concurrent backup adds: made on a copy of the vault, then dropped in mid-verify.
    const copy = { ...env.vault, path: path.join(env.dir, "vault-b") };
    fs.cpSync(env.vault.path, copy.path, { recursive: true });
    overwrite(img, 0, prng(7, MiB));
    await backupVm(copy, vm, o);
    const before = new Set(filesUnder(env.vault.path));
    const added = filesUnder(copy.path).filter((f) => !before.has(f) && !f.startsWith("locks/") && !f.startsWith("jobs/"));
    const order = ["packs/", "index/", "maps/", "points/"];
    added.sort((a, b) => order.findIndex((p) => a.startsWith(p)) - order.findIndex((p) => b.startsWith(p)));
    expect(added.some((f) => f.startsWith("points/"))).toBe(true);

    const realList = LocalDirStorage.prototype.list;
    let dropped = false;
    vi.spyOn(LocalDirStorage.prototype, "list").mockImplementation(async function (this: LocalDirStorage, prefix: string) {
      const out = await realList.call(this, prefix);
      if (prefix === "index" && !dropped && this.location === env.vault.path) {
        dropped = true;
        for (const f of added) {
          fs.mkdirSync(path.dirname(path.join(env.vault.path, f)), { recursive: true });
          fs.copyFileSync(path.join(copy.path, f), path.join(env.vault.path, f));
        }
      }
      return out;
    });
    const r = await verifyVault(env.vault, { ...o, readData: true });
    expect(dropped).toBe(true);
    expect(r.damage).toEqual([]);
    expect(r.ok).toBe(true);
  });
});
