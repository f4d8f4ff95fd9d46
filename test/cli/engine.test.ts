// End to end: the built binary backs up, lists, verifies and restores real image files named by
// a policy file, as a user would run it.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, bkp } from "../helpers.js";
import { acquireLock, acquireReadLock } from "../../src/engine/vault/lock.js";

/** The first backup into a vault says where its key is (once, on standard error). */
const withoutNotice = (stderr: string) => stderr.replace(/^bkp backup: created vault "[^"]+" in [^\n]*\n/, "");

let dir: string;
let env: Record<string, string>;
const MiB = 1024 * 1024;

function policy(extra = "", encryption = "platform-key"): string {
  return `vault "main" {
  path "vault"
  encryption ${encryption}
}
policy "daily" {
  schedule daily at 02:30
  timezone "UTC"
  retain daily 7 days
}
storage-account "sa" { kind general-purpose-v2 path "restored-sa" }
vm "web" {
  os linux
  policy "daily"
  vault "main"
  disk "os"   { role os   size 8 GB used 1 GB image "os.img" storage-account "sa" }
  disk "data" { role data size 8 GB used 1 GB image "data.img" storage-account "sa" }
  disk "tmp"  { role temp size 1 GB used 0 GB }
}
${extra}`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-cli-engine-"));
  env = { BKP_MACHINE_SECRET: join(dir, "machine.key") };
  const os = Buffer.concat([crypto.randomBytes(3 * MiB), Buffer.alloc(4 * MiB), Buffer.from("log line\n".repeat(100_000))]);
  writeFileSync(join(dir, "os.img"), os);
  writeFileSync(join(dir, "data.img"), crypto.randomBytes(MiB + 17));
  writeFileSync(join(dir, "p.bkp"), policy());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], extraEnv: Record<string, string> = {}) => bkp(args, { cwd: dir, env: { ...env, ...extraEnv } });

describe("bkp backup / points / verify / restore", () => {
  it("backs up what is due, lists points, verifies and restores byte-identical", () => {
    const first = run(["backup", "p.bkp"], { BKP_NOW: "2026-03-01T03:00:00Z" });
    expect(withoutNotice(first.stderr)).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^vm "web": point 20260301T030000Z-[0-9a-f]{6} in vault "main" \(file-system consistent\)/);
    // DOMAIN §2: a running Linux VM without scripts is file-system consistent, and says why.
    expect(first.stdout).toMatch(/\n {2}consistency: .*without pre\/post scripts/);
    expect(first.stdout).toMatch(/ os +\S+ MiB +full +read/);
    expect(first.stdout).not.toMatch(/\n {2}tmp /);

    // Same day, after the 02:30 run has its point: not due.
    const again = run(["backup", "p.bkp"], { BKP_NOW: "2026-03-01T09:00:00Z" });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/vm "web": not due: .*next run 2026-03-02T02:30:00Z/);

    // --now --json: one object per VM with per-disk detection and bytes.
    const now = run(["backup", "--now", "--json", "p.bkp"], { BKP_NOW: "2026-03-01T10:00:00Z" });
    expect(now.code).toBe(0);
    const j = JSON.parse(now.stdout) as { vm: string; status: string; disks: { disk: string; detection: string; bytesRead: number; bytesStored: number; seconds: number }[] }[];
    expect(j).toHaveLength(1);
    expect(j[0]).toMatchObject({ vm: "web", status: "backed-up" });
    expect(j[0].disks.map((d) => [d.disk, d.detection, d.bytesRead])).toEqual([
      ["os", "unchanged-file", 0],
      ["data", "unchanged-file", 0],
    ]);

    // Next day the schedule makes it due: one block of data changed.
    const fd = readFileSync(join(dir, "data.img"));
    fd.write("changed!", 100);
    writeFileSync(join(dir, "data.img"), fd);
    const next = run(["backup", "--json", "p.bkp"], { BKP_NOW: "2026-03-02T02:31:00Z" });
    const nj = JSON.parse(next.stdout) as typeof j;
    expect(nj[0].disks.find((d) => d.disk === "data")).toMatchObject({ detection: "block-checksum", bytesRead: MiB + 17 });

    const pts = run(["points", "p.bkp"]);
    expect(pts.code).toBe(0);
    expect(pts.stdout.split("\n")[0]).toMatch(/^POINT +VM +VAULT +CREATED \(UTC\) +CONSISTENCY +DISKS +SIZE +STORED +KEYS +SNAPSHOT +WHY$/);
    expect(pts.stdout.split("\n")[1]).toMatch(/ file-system .* without pre\/post scripts/);
    expect(pts.stdout.trim().split("\n")).toHaveLength(4);
    const pj = JSON.parse(run(["points", "--json", "--vm", "web", "p.bkp"]).stdout) as { id: string; vault: string }[];
    expect(pj.map((p) => p.vault)).toEqual(["main", "main", "main"]);

    const ver = run(["verify", "--read-data", "p.bkp"]);
    expect(ver.code).toBe(0);
    expect(ver.stdout).toMatch(/^vault "main": ok: 3 recovery points, \d+ chunks .* read and checked/);

    // Restore into the storage account's folder (the default), then the first point into --to.
    const r = run(["restore", "p.bkp", "--vm", "web"]);
    expect(withoutNotice(r.stderr)).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "restored-sa", "os.img")).equals(readFileSync(join(dir, "os.img")))).toBe(true);
    expect(readFileSync(join(dir, "restored-sa", "data.img")).equals(readFileSync(join(dir, "data.img")))).toBe(true);
    // Written sparse: the 4 MiB of zeros are holes.
    expect(statSync(join(dir, "restored-sa", "os.img")).blocks * 512).toBeLessThan(statSync(join(dir, "os.img")).size - 3 * MiB);

    const again2 = run(["restore", "p.bkp", "--vm", "web"]);
    expect(again2.code).toBe(1);
    expect(again2.stderr).toMatch(/error\[BKP5042\]: restore would overwrite .*os\.img.*--force/);
    expect(run(["restore", "p.bkp", "--vm", "web", "--force"]).code).toBe(0);

    const old = run(["restore", "p.bkp", "--vm", "web", "--point", pj[0].id, "--to", "old", "--json"]);
    expect(old.code).toBe(0);
    expect(JSON.parse(old.stdout)).toMatchObject({ vm: "web", point: pj[0].id, ok: true });
    expect(readFileSync(join(dir, "old", "data.img")).subarray(100, 108).toString()).not.toBe("changed!");
  });

  it("reports damage with exit 1 and which points and disks it affects; the damaged disk is not restored", () => {
    const packs = join(dir, "vault", "packs");
    const sub = readdirSync(packs)[0];
    const pack = join(packs, sub, readdirSync(join(packs, sub))[0]);
    const buf = readFileSync(pack);
    const saved = Buffer.from(buf);
    buf[100] ^= 0xff;
    writeFileSync(pack, buf);
    try {
      const v = run(["verify", "--read-data", "p.bkp"]);
      expect(v.code).toBe(1);
      expect(v.stdout).toMatch(/vault "main": DAMAGED \(1 problem\)/);
      expect(v.stdout).toMatch(/damaged chunk packs\/.*: chunk [0-9a-f]+… is damaged/);
      expect(v.stdout).toMatch(/affects VM "web" point \S+, disk/);
      const vj = JSON.parse(run(["verify", "--read-data", "--json", "p.bkp"]).stdout) as { ok: boolean; damage: { affects: { point: string; disks: string[] }[] }[] }[];
      expect(vj[0].ok).toBe(false);
      const hit = vj[0].damage[0].affects[0];
      // From the vault: a point still in the instant-restore tier would come from its snapshot.
      const r = run(["restore", "p.bkp", "--vm", "web", "--point", hit.point, "--to", "damaged", "--from", "vault"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error\[BKP5050\]: disk "\w+" of point \S+ cannot be restored: chunk/);
      expect(r.stderr).not.toMatch(/ at .*\.mjs/); // no stack trace
      // The damaged disk left no file; the others were restored.
      const files = readdirSync(join(dir, "damaged")).sort();
      for (const d of hit.disks) expect(files).not.toContain(`${d}.img`);
      expect(files.length).toBe(2 - hit.disks.length);
    } finally {
      writeFileSync(pack, saved);
    }
  });

  it("clear errors: missing image, missing customer key, unknown VM, bad flags", () => {
    writeFileSync(join(dir, "missing.bkp"), policy().replace('image "data.img"', 'image "nope.img"').replace('path "vault"', 'path "vault2"'));
    const m = run(["backup", "--now", "missing.bkp"]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/^bkp backup: error\[BKP5001\]: VM "web": disk "data" of VM "web": image .*nope\.img does not exist/);
    expect(existsSync(join(dir, "vault2"))).toBe(false);

    writeFileSync(join(dir, "cmk.bkp"), policy("", 'customer-key "keys/cmk.key"').replace('path "vault"', 'path "vault3"'));
    const k = run(["backup", "--now", "cmk.bkp"]);
    expect(k.code).toBe(1);
    expect(k.stderr).toMatch(/error\[BKP5020\]: VM "web": cannot read the customer key file .*cmk\.key .*without it nothing in the vault can be written/);

    const u = run(["restore", "p.bkp", "--vm", "nope"]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/no VM named "nope"/);
    expect(run(["restore", "p.bkp"]).stderr).toMatch(/needs --vm NAME/);
    expect(run(["verify", "--bogus", "p.bkp"]).code).toBe(2);
  });

  it("draws per-disk progress on a terminal", () => {
    const r = spawnSync("script", ["-qec", `${process.execPath} ${BIN} backup --now p.bkp`, "/dev/null"], { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" });
    if (r.error) return; // no `script` here: nothing to check
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/web\/os +\[#+\] 100%/);
  });

  it("runs the VM's pre/post scripts: application consistent; a failing script with continue-on-failure false fails the VM (exit 1, no point)", () => {
    const sdir = join(dir, "scripts");
    mkdirSync(sdir, { recursive: true, mode: 0o700 });
    for (const [n, body] of [["pre.sh", "echo pre >> \"$(dirname \"$0\")/ran.log\""], ["post.sh", "echo post >> \"$(dirname \"$0\")/ran.log\""], ["bad.sh", "echo 'cannot quiesce' >&2; exit 2"]]) {
      writeFileSync(join(sdir, n), `#!/bin/sh\n${body}\n`);
      chmodSync(join(sdir, n), 0o700);
    }
    const withScripts = (scripts: string, vault: string) =>
      policy().replace('path "vault"', `path "${vault}"`).replace("  os linux\n", `  os linux\n  scripts { ${scripts} }\n`);
    writeFileSync(join(dir, "app.bkp"), withScripts('pre "scripts/pre.sh" post "scripts/post.sh"', "vault-app"));
    const ok = run(["backup", "--now", "app.bkp"]);
    expect(withoutNotice(ok.stderr)).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/\(application consistent\)/);
    expect(ok.stdout).toMatch(/consistency: pre\/post scripts succeeded/);
    expect(readFileSync(join(sdir, "ran.log"), "utf8")).toBe("pre\npost\n");
    const pts = run(["points", "app.bkp"]);
    expect(pts.stdout.split("\n")[1]).toMatch(/ application .* pre\/post scripts succeeded/);
    const pj = JSON.parse(run(["points", "--json", "app.bkp"]).stdout) as { consistency: { level: string; reason: string; scripts: { which: string; ok: boolean }[] } }[];
    expect(pj[0].consistency).toMatchObject({ level: "application", scripts: [{ which: "pre", ok: true }, { which: "post", ok: true }] });

    writeFileSync(join(dir, "fs.bkp"), withScripts('pre "scripts/bad.sh"', "vault-fs"));
    const fsc = run(["backup", "--now", "--json", "fs.bkp"]);
    expect(fsc.code).toBe(0);
    expect(JSON.parse(fsc.stdout)[0].consistency).toMatchObject({ level: "file-system", reason: expect.stringContaining("cannot quiesce") });

    writeFileSync(join(dir, "strict.bkp"), withScripts('pre "scripts/bad.sh" continue-on-failure false', "vault-strict"));
    const bad = run(["backup", "--now", "strict.bkp"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error\[BKP5060\]: vm "web": .*pre-script exit code 2: cannot quiesce, and continue-on-failure is false: the backup fails.*No recovery point was written/);
    expect(run(["points", "strict.bkp"]).stdout).toBe("no recovery points\n");
  });

  it("prune: daily backups over 12 simulated days (BKP_NOW), then prune keeps what retention predicts; --dry-run deletes nothing", () => {
    const pol = policy()
      .replace('path "vault"', 'path "vault-prune"')
      .replace("retain daily 7 days", "retain daily 7 days\n  retain weekly 2 weeks on Sun");
    writeFileSync(join(dir, "prune.bkp"), pol);
    for (let d = 1; d <= 12; d++) {
      const f = readFileSync(join(dir, "data.img"));
      crypto.randomBytes(4096).copy(f, 0);
      writeFileSync(join(dir, "data.img"), f);
      const b = run(["backup", "prune.bkp"], { BKP_NOW: `2026-03-${String(d).padStart(2, "0")}T02:31:00Z` });
      expect(withoutNotice(b.stderr)).toBe("");
      expect(b.code).toBe(0);
    }
    const env10 = { BKP_NOW: "2026-03-12T02:31:00Z" };
    const dry = run(["prune", "--dry-run", "prune.bkp"], env10);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run: 4 point\(s\) would expire, 8 kept/);
    expect(run(["points", "--json", "prune.bkp"]).stdout.match(/"id"/g)).toHaveLength(12);
    const pr = run(["prune", "--json", "prune.bkp"], env10);
    expect(pr.code).toBe(0);
    const pj = JSON.parse(pr.stdout) as { expired: unknown[]; kept: { createdAt: string; keptBy: string[]; expires: string }[]; packsDeleted: number }[];
    expect(pj[0].expired).toHaveLength(4);
    // daily 7 days: 03-06 … 03-12; weekly on Sundays: 03-01 (until 03-15) and 03-08.
    const KEPT = ["03-01", "03-06", "03-07", "03-08", "03-09", "03-10", "03-11", "03-12"];
    expect(pj[0].kept.map((p) => p.createdAt.slice(5, 10))).toEqual(KEPT);
    // 03-01 was selected by both rules; the weekly one keeps it until 03-15.
    expect(pj[0].kept[0]).toMatchObject({ keptBy: ["daily", "weekly"], expires: expect.stringMatching(/^2026-03-15T02:31:00/) });
    expect(pj[0].packsDeleted).toBeGreaterThan(0);
    const pts = JSON.parse(run(["points", "--json", "prune.bkp"]).stdout) as { createdAt: string }[];
    expect(pts.map((p) => p.createdAt.slice(5, 10))).toEqual(KEPT);
    expect(run(["verify", "--read-data", "prune.bkp"]).code).toBe(0);
    expect(run(["restore", "prune.bkp", "--vm", "web", "--to", "pruned-latest"]).code).toBe(0);
    expect(readFileSync(join(dir, "pruned-latest", "data.img")).equals(readFileSync(join(dir, "data.img")))).toBe(true);
  });

  it("restore and verify wait for a running prune and a prune for a running restore: BKP5010 naming the other, nothing written or deleted", async () => {
    writeFileSync(join(dir, "locks.bkp"), policy().replace('path "vault"', 'path "vault-locks"'));
    for (const day of ["01", "02", "12"]) expect(run(["backup", "locks.bkp"], { BKP_NOW: `2026-03-${day}T02:31:00Z` }).code).toBe(0);
    const vaultPath = join(dir, "vault-locks");
    const prune = await acquireLock(vaultPath, "prune", 0, { excludeReaders: true });
    try {
      const r = run(["restore", "locks.bkp", "--vm", "web", "--to", "locks-restored"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^bkp restore: error\\[BKP5010\\]: vault \\S+ is being pruned \\(pid ${process.pid} on .*restore of VM "web" waits for it .*Nothing was read or written`));
      expect(existsSync(join(dir, "locks-restored"))).toBe(false);
      const v = run(["verify", "locks.bkp"]);
      expect(v.code).toBe(1);
      expect(v.stderr).toMatch(/^bkp verify: error\[BKP5010\]: vault "main": .* is being pruned/);
    } finally {
      prune.release();
    }
    const day12 = { BKP_NOW: "2026-03-12T02:31:00Z" };
    const reader = await acquireReadLock(vaultPath, 'restore of VM "web"', 0);
    try {
      const p = run(["prune", "locks.bkp"], day12);
      expect(p.code).toBe(1);
      expect(p.stderr).toMatch(new RegExp(`^bkp prune: error\\[BKP5010\\]: vault "main": .*cannot be pruned now: restore of VM "web" \\(pid ${process.pid} on .* is reading the vault.*try again when it finishes`));
      expect(JSON.parse(run(["points", "--json", "locks.bkp"]).stdout)).toHaveLength(3);
    } finally {
      reader.release();
    }
    const p2 = run(["prune", "--json", "locks.bkp"], day12);
    expect(p2.code).toBe(0);
    expect((JSON.parse(p2.stdout) as { expired: unknown[] }[])[0].expired).toHaveLength(2);
    expect(run(["restore", "locks.bkp", "--vm", "web", "--to", "locks-restored"]).code).toBe(0);
    expect(readdirSync(join(vaultPath, "locks"))).toEqual([]);
    expect(run(["prune", "--help"]).stdout).toMatch(/A running restore or verify/);
    expect(run(["restore", "--help"]).stdout).toMatch(/a restore waits for a running prune/);
  });
});
