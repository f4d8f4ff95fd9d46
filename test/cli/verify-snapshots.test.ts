// `bkp verify` and the instant-restore snapshot tier through the built CLI: healthy snapshots
// are listed (exit 0); a flipped byte in a snapshot file passes without --read-data (its size is
// unchanged) and with it is BKP5071 naming the disk and offset, exit 1, the vault still "ok" —
// in the text and in --json.
import crypto from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bkp, mainVaultAndDailyPolicy } from "../helpers.js";

let dir: string;
let env: Record<string, string>;
const MiB = 1024 * 1024;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-cli-verify-snapshots-"));
  env = { BKP_MACHINE_SECRET: join(dir, "machine.key") };
  writeFileSync(join(dir, "os.img"), Buffer.concat([crypto.randomBytes(MiB), Buffer.alloc(2 * MiB)]));
  writeFileSync(join(dir, "data.img"), crypto.randomBytes(2 * MiB + 17));
  writeFileSync(
    join(dir, "p.bkp"),
    `${mainVaultAndDailyPolicy("  instant-restore 2 days\n")}vm "web" {
  os linux
  policy "daily"
  vault "main"
  disk "os"   { role os   size 8 GB used 1 GB image "os.img" }
  disk "data" { role data size 8 GB used 1 GB image "data.img" }
}
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], now = "2026-03-01T12:00:00Z") => bkp(args, { cwd: dir, env: { ...env, BKP_NOW: now } });

interface VerifyJson {
  vault: string;
  ok: boolean;
  damage: unknown[];
  snapshotsOk: boolean;
  snapshots: { vm: string; point: string; ok: boolean; disks: string[]; problems: { code: string; disk?: string; offset?: number; message: string }[] }[];
}

describe("bkp verify with the instant-restore snapshot tier", () => {
  it("lists healthy snapshots; a flipped byte is BKP5071 with --read-data (exit 1, the vault ok), unseen without it", () => {
    const b = run(["backup", "p.bkp"], "2026-03-01T02:30:00Z");
    expect(b.code).toBe(0);
    const point = /point (\S+) in vault/.exec(b.stdout)?.[1] ?? "";

    const ok = run(["verify", "--read-data", "p.bkp"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^vault "main": ok: 1 recovery points, /);
    expect(ok.stdout).toMatch(/\n {2}instant-restore snapshots: 1 checked \(every block read and compared with its point, [\d.]+ MiB\): ok\n/);
    expect(ok.stdout).toContain(`\n  snapshot of VM "web" point ${point}: ok (os, data)\n`);

    // One bit of the data disk's copy, in its third 1 MiB block (the vault's block size).
    const file = join(dir, "vault.snapshots", "web", point, "data.img");
    chmodSync(file, 0o600);
    const buf = readFileSync(file);
    buf[2 * MiB + 5] ^= 1;
    writeFileSync(file, buf);

    const cheap = run(["verify", "p.bkp"]);
    expect(cheap.code).toBe(0);
    expect(cheap.stdout).toMatch(/\n {2}instant-restore snapshots: 1 checked \(records and file sizes\): ok\n/);

    const bad = run(["verify", "--read-data", "p.bkp"]);
    expect(bad.stderr).toBe("");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^vault "main": ok: /); // the vault itself is intact
    expect(bad.stdout).toMatch(/\n {2}instant-restore snapshots: 1 checked \(.*\): 1 DAMAGED \(error BKP5071; restores take those disks from the vault\)\n/);
    expect(bad.stdout).toContain(`\n  snapshot of VM "web" point ${point}: DAMAGED (os, data)\n`);
    expect(bad.stdout).toContain(
      `\n    error[BKP5071]: the instant-restore snapshot of disk "data" of point ${point} differs from the point in the block at byte ${2 * MiB} of the disk (checksum mismatch): it was changed or damaged after the backup; restores take this disk from the vault instead (the vault's copy is intact)\n`,
    );

    const j = run(["verify", "--read-data", "--json", "p.bkp"]);
    expect(j.code).toBe(1);
    const [r] = JSON.parse(j.stdout) as VerifyJson[];
    expect(r).toMatchObject({ vault: "main", ok: true, damage: [], snapshotsOk: false });
    expect(r.snapshots).toHaveLength(1);
    expect(r.snapshots[0]).toMatchObject({ vm: "web", point, ok: false, disks: ["os", "data"] });
    expect(r.snapshots[0].problems.map((p) => [p.code, p.disk, p.offset])).toEqual([["BKP5071", "data", 2 * MiB]]);
    expect((JSON.parse(run(["verify", "--json", "p.bkp"]).stdout) as VerifyJson[])[0]).toMatchObject({ ok: true, snapshotsOk: true });

    // The help states the rule.
    expect(run(["verify", "--help"]).stdout).toMatch(/damage found — in a vault, or in an instant-restore snapshot \(BKP5071;/);
  });
});
