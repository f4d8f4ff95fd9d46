// The instant-restore snapshot tier end to end through the built CLI: backup keeps snapshots and
// reports their space, points shows the tier, `restore --point instant` restores from the
// snapshot with the vault's packs gone, a backup killed after writing its snapshot leaves
// nothing that is used, deleted snapshots make the next backup compare checksums (and say so),
// and prune --dry-run lists the snapshots it would expire.
import crypto from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bkp, mainVaultAndDailyPolicy } from "../helpers.js";

/** The first backup into a vault says where its key is (once, on standard error). */
const withoutNotice = (stderr: string) => stderr.replace(/^bkp backup: created vault "[^"]+" in [^\n]*\n/, "");

let dir: string;
let env: Record<string, string>;
const MiB = 1024 * 1024;

function policy(scripts = ""): string {
  return `${mainVaultAndDailyPolicy("  instant-restore 2 days\n")}storage-account "sa" { kind general-purpose-v2 path "restored-sa" }
vm "web" {
  os linux
  policy "daily"
  vault "main"
  ${scripts}
  disk "os"   { role os   size 8 GB used 1 GB image "os.img" storage-account "sa" }
  disk "data" { role data size 8 GB used 1 GB image "data.img" storage-account "sa" }
}
`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-cli-snapshots-"));
  env = { BKP_MACHINE_SECRET: join(dir, "machine.key") };
  writeFileSync(join(dir, "os.img"), Buffer.concat([crypto.randomBytes(2 * MiB), Buffer.alloc(3 * MiB), Buffer.from("log line\n".repeat(100_000))]));
  writeFileSync(join(dir, "data.img"), crypto.randomBytes(MiB + 17));
  writeFileSync(join(dir, "p.bkp"), policy());
  // A post-script that kills the backup (its parent) right after the snapshot was written.
  mkdirSync(join(dir, "scripts"), { mode: 0o700 });
  writeFileSync(join(dir, "scripts", "kill.sh"), "#!/bin/sh\nkill -9 $PPID\n");
  chmodSync(join(dir, "scripts", "kill.sh"), 0o700);
  writeFileSync(join(dir, "kill.bkp"), policy('scripts { post "scripts/kill.sh" }'));
  writeFileSync(join(dir, "drill.bkp"), policy() + 'restore "drill" {\n  vms "web"\n  point instant\n  into "sa"\n}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], now: string) => bkp(args, { cwd: dir, env: { ...env, BKP_NOW: now } });
const snaps = () => join(dir, "vault.snapshots", "web");
const same = (a: string, b: string) => readFileSync(join(dir, a)).equals(readFileSync(join(dir, b)));

function changeData(): void {
  const f = readFileSync(join(dir, "data.img"));
  crypto.randomBytes(64).copy(f, 4096);
  writeFileSync(join(dir, "data.img"), f);
}

describe("bkp backup / points / restore with the instant-restore snapshot tier", () => {
  let first = "";

  it("backup keeps a snapshot and reports its space; points shows it; restore --point instant restores from it without the vault's packs", () => {
    const b = run(["backup", "p.bkp"], "2026-03-01T02:30:00Z");
    expect(withoutNotice(b.stderr)).toBe("");
    expect(b.code).toBe(0);
    first = /point (\S+) in vault/.exec(b.stdout)?.[1] ?? "";
    expect(b.stdout).toMatch(
      new RegExp(`\\n {2}instant-restore snapshot: kept until 2026-03-03 02:30:00Z in \\S+/vault\\.snapshots/web/${first} \\(os: (sparse copy|reflink), [\\d.]+ \\S+; data: (sparse copy|reflink), [\\d.]+ \\S+\\)\\n`),
    );
    expect(b.stdout).toMatch(/\n {2}instant-restore snapshots of this VM: 1, [\d.]+ (KiB|MiB) allocated \(each file counted once\)\n/);
    const saved = { os: readFileSync(join(dir, "os.img")), data: readFileSync(join(dir, "data.img")) };

    const pts = run(["points", "p.bkp"], "2026-03-01T12:00:00Z");
    expect(pts.code).toBe(0);
    expect(pts.stdout.split("\n")[0]).toMatch(/^POINT +VM +VAULT +CREATED \(UTC\) +CONSISTENCY +DISKS +SIZE +STORED +KEYS +SNAPSHOT +WHY$/);
    expect(pts.stdout.split("\n")[1]).toMatch(/ - +until 2026-03-03 02:30:00Z +Linux without/);
    const pj = JSON.parse(run(["points", "--json", "p.bkp"], "2026-03-01T12:00:00Z").stdout) as { snapshot?: { expiresAt: string; disks: string[] } }[];
    expect(pj[0].snapshot).toMatchObject({ expiresAt: "2026-03-03T02:30:00.000Z", disks: ["os", "data"] });

    // The images move on; the vault's packs are gone: instant restore still brings back the point.
    changeData();
    renameSync(join(dir, "vault", "packs"), join(dir, "packs.away"));
    try {
      const r = run(["restore", "p.bkp", "--vm", "web", "--point", "instant", "--to", "instant"], "2026-03-01T12:00:00Z");
      expect(withoutNotice(r.stderr)).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^vm "web": point ${first} \\(2026-03-01T02:30:00.000Z\\) restored from its instant-restore snapshot in `));
      expect(r.stdout).toMatch(/ os .* -> \S+\/instant\/os\.img {2}\(from instant-restore snapshot\)\n/);
      expect(readFileSync(join(dir, "instant", "os.img")).equals(saved.os)).toBe(true);
      expect(readFileSync(join(dir, "instant", "data.img")).equals(saved.data)).toBe(true);
      expect(statSync(join(dir, "instant", "os.img")).blocks * 512).toBeLessThan(saved.os.length - 2 * MiB); // sparse

      const j = run(["restore", "p.bkp", "--vm", "web", "--point", first, "--to", "by-id", "--json"], "2026-03-01T12:00:00Z");
      expect(j.code).toBe(0);
      expect((JSON.parse(j.stdout) as { disks: { from: string }[] }).disks.map((d) => d.from)).toEqual(["snapshot", "snapshot"]);

      // The vault path needs the packs: proof that the restores above did not read them.
      const v = run(["restore", "p.bkp", "--vm", "web", "--from", "vault", "--to", "via-vault"], "2026-03-01T12:00:00Z");
      expect(v.code).toBe(1);
      expect(v.stderr).toMatch(/error\[BKP5051\]/);
    } finally {
      renameSync(join(dir, "packs.away"), join(dir, "vault", "packs"));
    }

    const u = run(["restore", "p.bkp", "--vm", "web", "--point", "instant", "--from", "vault"], "2026-03-01T12:00:00Z");
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/--point instant .* cannot be combined with --from vault/);
    expect(run(["restore", "p.bkp", "--vm", "web", "--from", "tape"], "2026-03-01T12:00:00Z").stderr).toMatch(/--from must be one of auto, snapshot, vault, not 'tape'/);
  });

  it("a backup killed after writing its snapshot leaves nothing that is used; the next backup removes it", () => {
    const before = readdirSync(snaps());
    const k = run(["backup", "--now", "kill.bkp"], "2026-03-01T13:00:00Z");
    expect(k.code).toBe(-1); // killed by its post-script (SIGKILL)
    const left = readdirSync(snaps()).filter((n) => !before.includes(n));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^20260301T130000Z-[0-9a-f]{6}\.tmp-\d+-[0-9a-f]{8}$/);
    expect(existsSync(join(snaps(), left[0], "snapshot.json"))).toBe(true); // complete, but never committed
    const pj = JSON.parse(run(["points", "--json", "p.bkp"], "2026-03-01T13:00:00Z").stdout) as { id: string }[];
    expect(pj.map((p) => p.id)).toEqual([first]);

    const r = run(["restore", "p.bkp", "--vm", "web", "--point", "instant", "--to", "after-kill"], "2026-03-01T13:00:00Z");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`point ${first} .*restored from its instant-restore snapshot`));
    expect(same("after-kill/os.img", "instant/os.img")).toBe(true);

    const b = run(["backup", "--now", "--json", "p.bkp"], "2026-03-01T14:00:00Z");
    expect(b.code).toBe(0);
    const j = JSON.parse(b.stdout) as { point: string; disks: { disk: string; detection: string; detectionReason?: string }[] }[];
    expect(j[0].disks.map((d) => [d.disk, d.detection, d.detectionReason])).toEqual([
      ["os", "unchanged-file", undefined],
      ["data", "block-checksum", undefined],
    ]);
    expect(readdirSync(snaps()).sort()).toEqual([first, j[0].point].sort());

    // A restore block's `point instant`: the newest point in the tier, from its snapshot.
    const d = run(["restore", "drill.bkp", "--plan", "drill", "--json"], "2026-03-01T14:30:00Z");
    expect(withoutNotice(d.stderr)).toBe("");
    expect(d.code).toBe(0);
    const dj = JSON.parse(d.stdout) as { notes: string[]; accounts: { vms: { point: string; disks: { from: string }[] }[] }[] };
    expect(dj.notes).toEqual([]);
    expect(dj.accounts[0].vms[0].point).toBe(j[0].point);
    expect(dj.accounts[0].vms[0].disks.map((x) => x.from)).toEqual(["snapshot", "snapshot"]);
    expect(same("restored-sa/web/os.img", "os.img")).toBe(true);
    expect(same("restored-sa/web/data.img", "data.img")).toBe(true);
  });

  it("snapshots deleted by hand: the next backup compares checksums and says why; its point restores from the vault byte-identically", () => {
    rmSync(join(dir, "vault.snapshots"), { recursive: true, force: true });
    changeData();
    const b = run(["backup", "--now", "p.bkp"], "2026-03-01T15:00:00Z");
    expect(withoutNotice(b.stderr)).toBe("");
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/\n {2}os +\S+ MiB +block-checksum +read \S+ MiB, changed 0 B, stored 0 B, .*\n {4}checksum comparison: the instant-restore snapshot of point \S+ is gone: changes found by checksum comparison, every block read \(docs\/domain\.md#timing\)\n/);
    expect(b.stdout).toMatch(/\n {2}data .*block-checksum .*\n {4}checksum comparison: the instant-restore snapshot of point \S+ is gone/);
    const r = run(["restore", "p.bkp", "--vm", "web", "--from", "vault", "--to", "after-delete"], "2026-03-01T15:00:00Z");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/instant-restore/);
    expect(same("after-delete/os.img", "os.img")).toBe(true);
    expect(same("after-delete/data.img", "data.img")).toBe(true);
  });

  it("prune --dry-run lists the snapshots that expired and deletes nothing; prune deletes them", () => {
    const now = "2026-03-04T03:00:00Z"; // the 03-01 snapshots expired on 03-03
    const before = readdirSync(snaps());
    expect(before).toHaveLength(1);
    const dry = run(["prune", "--dry-run", "p.bkp"], now);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/\n {2}instant-restore snapshots: 1 would expire \([\d.]+ (KiB|MiB)\), 0 kept \(0 B\)\n/);
    expect(dry.stdout).toMatch(new RegExp(`\\n {2}would delete snapshot web ${before[0]} {2}\\(expired at 2026-03-03T15:00:00.000Z \\(instant-restore 2 days\\)\\)\\n`));
    expect(readdirSync(snaps())).toEqual(before);
    const p = run(["prune", "--json", "p.bkp"], now);
    expect(p.code).toBe(0);
    expect((JSON.parse(p.stdout) as { snapshotsExpired: { point: string }[] }[])[0].snapshotsExpired.map((x) => x.point)).toEqual(before);
    expect(readdirSync(snaps())).toEqual([]);
    expect(run(["points", "p.bkp"], now).stdout).not.toMatch(/until 2026/);
    const none = run(["restore", "p.bkp", "--vm", "web", "--point", "instant", "--to", "none"], now);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^bkp restore: error\[BKP5070\]: VM "web" has no recovery point in the instant-restore snapshot tier .*--point latest/);
  });
});
