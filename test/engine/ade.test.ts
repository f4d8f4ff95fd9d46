// ADE keys (DOMAIN §3): each point keeps the VM's BEK, wrapped by its KEK; the BEK comes back
// only with the right KEK, and never appears in the vault in the clear.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, listPoints, restoreAdeKeys, EngineError } from "../../src/engine/index.js";
import { filesUnder, platformEnv, writeImage } from "./helpers.js";

const mode = (f: string) => fs.statSync(f).mode & 0o777;

async function caught(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    return e as EngineError;
  }
  throw new Error("expected an error");
}

function setup(withKek: boolean) {
  const env = platformEnv();
  const img = path.join(env.dir, "os.raw");
  writeImage(img, "rz", 256 * 1024);
  const bek = crypto.randomBytes(2000); // a BitLocker .BEK-sized binary secret
  const bekFile = path.join(env.dir, "keys", "app.bek");
  fs.mkdirSync(path.dirname(bekFile));
  fs.writeFileSync(bekFile, bek, { mode: 0o600 });
  const kekFile = path.join(env.dir, "keys", "prod.kek");
  fs.writeFileSync(kekFile, crypto.randomBytes(32).toString("hex") + "\n", { mode: 0o600 });
  const vm = { name: "app", disks: [{ name: "os", image: img }], ade: { bek: bekFile, kek: withKek ? kekFile : undefined } };
  const opts = { machineKeyFile: env.machineKeyFile, blockSize: 64 * 1024 };
  return { env, bek, bekFile, kekFile, vm, opts };
}

describe("ADE keys in recovery points", () => {
  it("stores the BEK wrapped by the KEK; restores it byte-equal (0600) only with the right KEK", async () => {
    const { env, bek, kekFile, vm, opts } = setup(true);
    const r = await backupVm(env.vault, vm, opts);
    expect(r.adeKeys).toBe("bek+kek");
    const pts = await listPoints(env.vault, {}, opts);
    expect(pts.map((p) => p.adeKeys)).toEqual(["bek+kek"]);
    // Never in the clear in the vault's files.
    for (const f of filesUnder(env.vault.path)) expect(fs.readFileSync(path.join(env.vault.path, f)).includes(bek.subarray(0, 32))).toBe(false);

    const keys = path.join(env.dir, "restored-keys");
    const ok = await restoreAdeKeys(env.vault, { vm: "app", point: "latest", toDir: keys, kekFile }, opts);
    expect(ok).toMatchObject({ vm: "app", point: r.point, wrap: "kek", bytes: bek.length, path: path.join(keys, "app.bek") });
    expect(fs.readFileSync(ok.path).equals(bek)).toBe(true);
    expect(mode(ok.path)).toBe(0o600);

    // A wrong KEK: a clear error with its own code, and no file.
    const wrongKek = path.join(env.dir, "other.kek");
    fs.writeFileSync(wrongKek, crypto.randomBytes(32));
    const wrongDir = path.join(env.dir, "wrong");
    const e = await caught(restoreAdeKeys(env.vault, { vm: "app", point: r.point, toDir: wrongDir, kekFile: wrongKek }, opts));
    expect(e).toBeInstanceOf(EngineError);
    expect(e.code).toBe("BKP5025");
    expect(e.message).toMatch(/is not the KEK that wrapped the BEK .*No key was written/);
    expect(fs.existsSync(wrongDir) ? fs.readdirSync(wrongDir) : []).toEqual([]);

    // Without a KEK: refused, and says why.
    const none = await caught(restoreAdeKeys(env.vault, { vm: "app", point: "latest", toDir: wrongDir }, opts));
    expect(none.code).toBe("BKP5026");
    expect(none.message).toMatch(/wrapped by a KEK \(prod\.kek\); only a holder of the KEK may restore it .*--kek FILE/);
    // A KEK path that cannot be read: refused the same way.
    const gone = await caught(restoreAdeKeys(env.vault, { vm: "app", point: "latest", toDir: wrongDir, kekFile: path.join(env.dir, "nope.kek") }, opts));
    expect(gone.code).toBe("BKP5026");
    expect(gone.message).toMatch(/cannot be read \(ENOENT\)/);
    expect(fs.existsSync(wrongDir) ? fs.readdirSync(wrongDir) : []).toEqual([]);

    // The restored BEK is not overwritten by accident.
    const again = await caught(restoreAdeKeys(env.vault, { vm: "app", point: "latest", toDir: keys, kekFile }, opts));
    expect(again.code).toBe("BKP5042");
  });

  it("a BEK without KEK is kept under the vault key and restores without a KEK", async () => {
    const { env, bek, vm, opts } = setup(false);
    const r = await backupVm(env.vault, vm, opts);
    expect(r.adeKeys).toBe("bek");
    expect((await listPoints(env.vault, {}, opts))[0].adeKeys).toBe("bek");
    for (const f of filesUnder(env.vault.path)) expect(fs.readFileSync(path.join(env.vault.path, f)).includes(bek.subarray(0, 32))).toBe(false);
    const out = await restoreAdeKeys(env.vault, { vm: "app", point: r.point, toDir: path.join(env.dir, "k") }, opts);
    expect(out.wrap).toBe("vault-key");
    expect(fs.readFileSync(out.path).equals(bek)).toBe(true);
    expect(mode(out.path)).toBe(0o600);
  });

  it("a missing BEK (or KEK) file fails the backup with no point; a point without ADE has no keys", async () => {
    const { env, bekFile, kekFile, vm, opts } = setup(true);
    fs.renameSync(bekFile, `${bekFile}.moved`);
    const e = await caught(backupVm(env.vault, vm, opts));
    expect(e.code).toBe("BKP5024");
    expect(e.message).toMatch(/its BEK file .*app\.bek cannot be read \(ENOENT\).*no recovery point was written/);
    expect(fs.existsSync(env.vault.path)).toBe(false);
    fs.renameSync(`${bekFile}.moved`, bekFile);
    fs.rmSync(kekFile);
    expect((await caught(backupVm(env.vault, vm, opts))).message).toMatch(/its KEK file .*prod\.kek cannot be read/);

    await backupVm(env.vault, { name: "plain", disks: vm.disks }, opts);
    expect((await listPoints(env.vault, {}, opts))[0].adeKeys).toBeUndefined();
    const none = await caught(restoreAdeKeys(env.vault, { vm: "plain", point: "latest", toDir: path.join(env.dir, "k") }, opts));
    expect(none.code).toBe("BKP5027");
  });
});

