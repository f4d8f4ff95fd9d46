// bkp key show|export|import|rotate on a real vault: rotation and import re-wrap the vault key
// (only keys/vault.key changes), and the backups restore byte-identical afterwards, from the
// vault itself; the first backup says once where the key is and what opens it.
import crypto from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bkp } from "../helpers.js";

let dir: string;
const run = (secret: string, ...args: string[]) => bkp(args, { cwd: dir, env: { BKP_MACHINE_SECRET: join(dir, secret), BKP_NOW: "2026-11-20T03:00:00Z" } });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-key-"));
  writeFileSync(join(dir, "os.img"), Buffer.concat([crypto.randomBytes(1024 * 1024), Buffer.alloc(512 * 1024)]));
  writeFileSync(join(dir, "p.bkp"), 'vault "main" {\n  path "vault"\n}\n\npolicy "daily" {\n  schedule daily at 02:30\n  timezone "UTC"\n  retain daily 7 days\n}\n\nvm "web" {\n  os linux\n  policy "daily"\n  vault "main"\n  disk "os" { role os size 8 GB used 1 GB image "os.img" }\n}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file of the vault but its key file, with its bytes' hash. */
function vaultData(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (!p.endsWith(join("keys", "vault.key")) && !p.endsWith(join("keys", "vault.key.copy")) && !p.includes(`${join("vault", "locks")}`)) out[relative(dir, p)] = crypto.createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(join(dir, "vault"));
  return out;
}

function restoresIdentical(secret: string, to: string): void {
  const r = run(secret, "restore", "--vm", "web", "--from", "vault", "--to", to, "p.bkp");
  expect(r.code, r.stderr).toBe(0);
  expect(readFileSync(join(dir, to, "os.img")).equals(readFileSync(join(dir, "os.img")))).toBe(true);
}

describe("bkp key", () => {
  it("the first backup says once where the key is and that without its secret the vault cannot be read", () => {
    const first = run("m.key", "backup", "p.bkp");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`created vault "main"`);
    expect(first.stderr).toContain(join(dir, "vault", "keys", "vault.key"));
    expect(first.stderr).toContain(`wrapped by the machine secret ${join(dir, "m.key")}. Without that secret the vault cannot be read`);
    expect(run("m.key", "backup", "--now", "p.bkp").stderr).not.toContain("created vault");
  });

  it("show, export, rotate (only the key file and its copy change), import on another machine: restores stay byte-identical", () => {
    const show = JSON.parse(run("m.key", "key", "show", "--json", "p.bkp").stdout) as { vault: string; kind: string; wrappedBy: string; opens: boolean }[];
    expect(show).toEqual([expect.objectContaining({ vault: "main", kind: "platform-key", wrappedBy: join(dir, "m.key"), opens: true })]);

    expect(run("m.key", "key", "export", "--to", "recovery.key", "p.bkp").code).toBe(0);
    expect(statSync(join(dir, "recovery.key")).mode & 0o777).toBe(0o600);
    expect(run("m.key", "key", "export", "--to", "recovery.key", "p.bkp").code).not.toBe(0); // never overwrites

    const before = vaultData();
    const rotate = run("m.key", "key", "rotate", "--to", "new.key", "p.bkp");
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(vaultData()).toEqual(before);
    expect(run("m.key", "points", "p.bkp").stderr).toContain("BKP5022");
    restoresIdentical("new.key", "out-rotated");

    // Another machine: its own secret, and the recovery key.
    expect(run("other.key", "points", "p.bkp").code).not.toBe(0);
    const imp = run("other.key", "key", "import", "--from", "recovery.key", "p.bkp");
    expect(imp.code, imp.stderr).toBe(0);
    expect(vaultData()).toEqual(before);
    restoresIdentical("other.key", "out-imported");
    expect(run("other.key", "backup", "--now", "p.bkp").code).toBe(0);
  });

  it("importing a key that is not the vault's changes nothing", () => {
    writeFileSync(join(dir, "wrong.key"), crypto.randomBytes(32).toString("hex"));
    const key = readFileSync(join(dir, "vault", "keys", "vault.key"));
    const r = run("other.key", "key", "import", "--from", "wrong.key", "p.bkp");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("BKP5022");
    expect(readFileSync(join(dir, "vault", "keys", "vault.key")).equals(key)).toBe(true);
    restoresIdentical("other.key", "out-after-wrong");
  });
});
