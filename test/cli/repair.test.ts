// `bkp repair` as a user runs it: a vault whose config was lost is damage to verify, points and
// backup (exit 1, BKP5013, never a new vault); repair puts the config back and every point restores.
import crypto from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bkp, mainVaultAndDailyPolicy } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "bkp-cli-repair-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { BKP_MACHINE_SECRET: join(dir, "machine.key") };
const run = (args: string[]) => bkp(args, { cwd: dir, env });

describe("bkp repair", () => {
  it("a lost config: verify, points and backup exit 1 with BKP5013; repair restores it; the point restores byte-identical", () => {
    writeFileSync(join(dir, "p.bkp"), `${mainVaultAndDailyPolicy()}vm "web" {\n  os linux\n  policy "daily"\n  vault "main"\n  disk "os" { role os size 8 GB used 1 GB image "os.img" }\n}\n`);
    const image = crypto.randomBytes(2 * 1024 * 1024 + 5);
    writeFileSync(join(dir, "os.img"), image);
    expect(run(["backup", "--now", "p.bkp"]).code).toBe(0);
    const key = readFileSync(join(dir, "vault/keys/vault.key"));
    rmSync(join(dir, "vault/config"));
    for (const cmd of [["verify", "p.bkp"], ["points", "p.bkp"], ["backup", "--now", "p.bkp"]]) {
      const r = run(cmd);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error\[BKP5013\]: .*lost its config.*bkp repair FILE/);
      expect(r.stdout).not.toMatch(/no vault with backups|no recovery points/);
    }
    expect(readFileSync(join(dir, "vault/keys/vault.key")).equals(key)).toBe(true);
    const dry = run(["repair", "--dry-run", "p.bkp"]);
    expect(dry.stdout).toMatch(/would have restored the lost config from its sealed copy: config/);
    const r = run(["repair", "p.bkp"]);
    expect(r.stdout).toMatch(/vault "main": ok/);
    expect(r.code).toBe(0);
    expect(run(["restore", "p.bkp", "--vm", "web", "--to", "out"]).code).toBe(0);
    expect(readFileSync(join(dir, "out/os.img")).equals(image)).toBe(true);
    expect(run(["repair", "--help"]).stdout).toMatch(/Nothing is deleted unless\n--force/);
  });
});
