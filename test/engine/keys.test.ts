// Keys: accepted key file forms, file modes, and clear errors for missing or wrong keys.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, listPoints, restoreVm, verifyVault, EngineError } from "../../src/engine/index.js";
import { parseKeyBytes, loadMachineSecret } from "../../src/engine/vault/keys.js";
import type { EngineVault } from "../../src/engine/types.js";
import { MiB, filesUnder, platformEnv, tempDir, writeImage } from "./helpers.js";

const mode = (f: string) => fs.statSync(f).mode & 0o777;

describe("key files", () => {
  it("accepts 32 raw bytes, 64 hex digits, and base64", () => {
    const k = crypto.randomBytes(32);
    expect(parseKeyBytes(k, "f").equals(k)).toBe(true);
    expect(parseKeyBytes(Buffer.from(k.toString("hex") + "\n"), "f").equals(k)).toBe(true);
    expect(parseKeyBytes(Buffer.from(`  ${k.toString("base64")}\n`), "f").equals(k)).toBe(true);
    expect(parseKeyBytes(Buffer.from(k.toString("base64url")), "f").equals(k)).toBe(true);
    for (const bad of [Buffer.from("short"), crypto.randomBytes(31), Buffer.from("z".repeat(64))]) {
      const e = (() => {
        try {
          parseKeyBytes(bad, "/k");
        } catch (x) {
          return x;
        }
      })();
      expect((e as EngineError).code).toBe("BKP5021");
      expect((e as EngineError).message).toMatch(/32 random bytes/);
    }
  });

  it("creates the machine secret and the vault key file with mode 0600", async () => {
    const env = platformEnv();
    const secretFile = path.join(env.dir, "cfg", "bkp", "machine.key");
    expect(loadMachineSecret(secretFile, false)).toBeUndefined();
    const img = path.join(env.dir, "i.raw");
    writeImage(img, "r", MiB);
    await backupVm(env.vault, { name: "vm", disks: [{ name: "d", image: img }] }, { machineKeyFile: secretFile });
    expect(mode(secretFile)).toBe(0o600);
    expect(mode(path.dirname(secretFile))).toBe(0o700);
    expect(mode(path.join(env.vault.path, "keys", "vault.key"))).toBe(0o600);
    for (const f of filesUnder(env.vault.path).filter((f) => !f.startsWith("locks"))) expect(mode(path.join(env.vault.path, f)), f).toBe(0o600);
  });

  it("platform key: another machine's secret cannot open the vault", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "i.raw");
    writeImage(img, "r", MiB);
    await backupVm(env.vault, { name: "vm", disks: [{ name: "d", image: img }] }, { machineKeyFile: env.machineKeyFile });
    const other = path.join(env.dir, "other.key");
    fs.writeFileSync(other, crypto.randomBytes(32));
    const e = await listPoints(env.vault, {}, { machineKeyFile: other }).catch((x: unknown) => x);
    expect((e as EngineError).code).toBe("BKP5022");
    expect((e as EngineError).message).toMatch(/machine secret .* does not open vault "vault1"/);
    const missing = await listPoints(env.vault, {}, { machineKeyFile: path.join(env.dir, "none.key") }).catch((x: unknown) => x);
    expect((missing as EngineError).code).toBe("BKP5020");
    expect((missing as EngineError).message).toMatch(/BKP_MACHINE_SECRET/);
  });

  it("customer key: required, wrong key is refused, and the right key restores", async () => {
    const dir = tempDir();
    const keyFile = path.join(dir, "customer.key");
    const vault: EngineVault = { name: "cmk", path: path.join(dir, "vault"), encryption: { kind: "customer-key", keyFile } };
    const img = path.join(dir, "i.raw");
    const bytes = writeImage(img, "rtz", MiB);
    const vm = { name: "vm", disks: [{ name: "d", image: img }] };

    const noKey = await backupVm(vault, vm).catch((x: unknown) => x);
    expect((noKey as EngineError).code).toBe("BKP5020");
    expect((noKey as EngineError).message).toMatch(/without it nothing in the vault can be written.*head -c 32/);

    fs.writeFileSync(keyFile, crypto.randomBytes(32).toString("hex"), { mode: 0o600 });
    await backupVm(vault, vm);

    // Without the key nothing is readable: not the points, not the data.
    const saved = fs.readFileSync(keyFile);
    fs.rmSync(keyFile);
    for (const op of [() => listPoints(vault), () => verifyVault(vault, { readData: true }), () => restoreVm(vault, { vm: "vm", point: "latest", toDir: path.join(dir, "o") })]) {
      const e = await op().catch((x: unknown) => x);
      expect((e as EngineError).code).toBe("BKP5020");
      expect((e as EngineError).message).toMatch(/customer key file .* without it nothing in the vault can be read/);
    }
    fs.writeFileSync(keyFile, crypto.randomBytes(32));
    const wrong = await restoreVm(vault, { vm: "vm", point: "latest", toDir: path.join(dir, "o") }).catch((x: unknown) => x);
    expect((wrong as EngineError).code).toBe("BKP5022");
    expect((wrong as EngineError).message).toMatch(/customer key file .* does not open vault "cmk"/);
    expect(fs.existsSync(path.join(dir, "o", "d.raw"))).toBe(false);

    fs.writeFileSync(keyFile, saved);
    const ok = await restoreVm(vault, { vm: "vm", point: "latest", toDir: path.join(dir, "o") });
    expect(fs.readFileSync(ok.disks[0].path).equals(bytes)).toBe(true);

    // The policy may not switch an existing vault's encryption.
    const switched = await listPoints({ ...vault, encryption: { kind: "platform-key" } }, {}, { machineKeyFile: path.join(dir, "m.key") }).catch((x: unknown) => x);
    expect((switched as EngineError).code).toBe("BKP5023");
  });
});
