// End to end with the built binary: ADE keys kept in points and restored only with the KEK
// (DOMAIN §3), and a restore plan carried out over three storage accounts (DOMAIN §4).
import crypto from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bkp, mainVaultAndDailyPolicy } from "../helpers.js";

/** The first backup into a vault says where its key is (once, on standard error). */
const withoutNotice = (stderr: string) => stderr.replace(/^bkp backup: created vault "[^"]+" in [^\n]*\n/, "");

let dir: string;
let env: Record<string, string>;
const KiB = 1024;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-cli-ade-plan-"));
  env = { BKP_MACHINE_SECRET: join(dir, "machine.key") };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => bkp(args, { cwd: dir, env });
const mode = (f: string) => statSync(f).mode & 0o777;
const filesIn = (d: string) => (existsSync(d) ? readdirSync(d, { recursive: true }).map(String).sort() : []);

/** A small image: random data, a hole, some text. */
function image(file: string, seed: number): Buffer {
  const b = Buffer.concat([crypto.randomBytes(64 * KiB + seed), Buffer.alloc(128 * KiB), Buffer.from(`vm ${seed}\n`.repeat(4000))]);
  writeFileSync(file, b);
  return b;
}

const HEAD = mainVaultAndDailyPolicy();

describe("ADE keys through the CLI", () => {
  it("backs up BEK+KEK and BEK-only VMs; restores the BEK with the right KEK only; nothing written otherwise", () => {
    const d = join(dir, "ade");
    mkdirSync(join(d, "keys"), { recursive: true });
    const bek = crypto.randomBytes(1500);
    const bek2 = crypto.randomBytes(64);
    writeFileSync(join(d, "keys", "app.bek"), bek, { mode: 0o600 });
    writeFileSync(join(d, "keys", "db.bek"), bek2, { mode: 0o600 });
    writeFileSync(join(d, "keys", "prod.kek"), crypto.randomBytes(32), { mode: 0o600 });
    writeFileSync(join(d, "keys", "wrong.kek"), crypto.randomBytes(32), { mode: 0o600 });
    image(join(d, "app.img"), 1);
    image(join(d, "db.img"), 2);
    writeFileSync(
      join(d, "p.bkp"),
      `${HEAD}
vm "app" {
  os linux
  policy "daily"
  vault "main"
  encryption ade { bek "keys/app.bek" kek "keys/prod.kek" }
  disk "os" { role os size 1 GB used 1 GB image "app.img" }
}
vm "db" {
  os linux
  policy "daily"
  vault "main"
  encryption ade { bek "keys/db.bek" }
  disk "os" { role os size 1 GB used 1 GB image "db.img" }
}
`,
    );
    const cwdRun = (args: string[]) => bkp(args, { cwd: d, env });
    const b = cwdRun(["backup", "--now", "p.bkp"]);
    expect(withoutNotice(b.stderr)).toBe("");
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/vm "app": .*\n.*\n {2}ADE keys: BEK stored wrapped by the KEK\n/);
    expect(b.stdout).toMatch(/vm "db": .*\n.*\n {2}ADE keys: BEK stored under the vault key \(no KEK\)\n/);

    const pts = cwdRun(["points", "p.bkp"]).stdout.split("\n");
    expect(pts.find((l) => / app /.test(l))).toMatch(/ bek\+kek /);
    expect(pts.find((l) => / db /.test(l))).toMatch(/ bek /);
    const pj = JSON.parse(cwdRun(["points", "--json", "p.bkp"]).stdout) as { vm: string; adeKeys?: string }[];
    expect(pj.map((p) => [p.vm, p.adeKeys])).toEqual([["app", "bek+kek"], ["db", "bek"]]);

    // The right KEK (the VM's kek file by default): BEK bytes equal, mode 0600, disks restored too.
    const ok = cwdRun(["restore", "p.bkp", "--vm", "app", "--to", "r1", "--keys", "k1"]);
    expect(withoutNotice(ok.stderr)).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ADE BEK \(unwrapped with the KEK, 1500 bytes, mode 0600\) -> .*k1\/app\.bek/);
    expect(readFileSync(join(d, "k1", "app.bek")).equals(bek)).toBe(true);
    expect(mode(join(d, "k1", "app.bek"))).toBe(0o600);
    expect(readFileSync(join(d, "r1", "os.img")).equals(readFileSync(join(d, "app.img")))).toBe(true);

    // A wrong KEK: exit 1, a stable code, and nothing written (no key, no disks).
    const wrong = cwdRun(["restore", "p.bkp", "--vm", "app", "--to", "r2", "--keys", "k2", "--kek", "keys/wrong.kek"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^bkp restore: error\[BKP5025\]: the KEK file .*wrong\.kek is not the KEK that wrapped the BEK/);
    expect(filesIn(join(d, "k2"))).toEqual([]);
    expect(filesIn(join(d, "r2"))).toEqual([]);

    // No readable KEK (the VM's kek file is gone, none given): refused, says why, nothing written.
    renameSync(join(d, "keys", "prod.kek"), join(d, "keys", "prod.kek.away"));
    const none = cwdRun(["restore", "p.bkp", "--vm", "app", "--to", "r3", "--keys", "k3"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/error\[BKP5026\]: .*wrapped by a KEK, and the KEK file .*prod\.kek cannot be read \(ENOENT\); only a holder of the KEK may restore the BEK/);
    expect(filesIn(join(d, "k3"))).toEqual([]);
    expect(filesIn(join(d, "r3"))).toEqual([]);
    // ...but given explicitly it works.
    const given = cwdRun(["restore", "p.bkp", "--vm", "app", "--to", "r4", "--keys", "k4", "--kek", "keys/prod.kek.away", "--json"]);
    expect(given.code).toBe(0);
    expect(JSON.parse(given.stdout)).toMatchObject({ vm: "app", ok: true, keys: { wrap: "kek", bytes: 1500 } });
    expect(readFileSync(join(d, "k4", "app.bek")).equals(bek)).toBe(true);

    // BEK only: no KEK needed.
    const db = cwdRun(["restore", "p.bkp", "--vm", "db", "--to", "r5", "--keys", "k5"]);
    expect(db.code).toBe(0);
    expect(readFileSync(join(d, "k5", "db.bek")).equals(bek2)).toBe(true);
    // Without --keys the restore is as before: no key written.
    expect(cwdRun(["restore", "p.bkp", "--vm", "db", "--to", "r6"]).code).toBe(0);
    expect(filesIn(join(d, "r6"))).toEqual(["os.img"]);

    // A missing BEK at backup: I/O error (exit 2), no new point.
    rmSync(join(d, "keys", "db.bek"));
    const miss = cwdRun(["backup", "--now", "--vm", "db", "p.bkp"]);
    expect(miss.code).toBe(2);
    expect(miss.stderr).toMatch(/error\[BKP5024\]: VM "db" uses Azure Disk Encryption, but its BEK file .*db\.bek cannot be read \(ENOENT\)/);
    expect((JSON.parse(cwdRun(["points", "--json", "--vm", "db", "p.bkp"]).stdout) as unknown[]).length).toBe(1);
  });
});

describe("bkp restore --plan", () => {
  it("restores three VMs into three storage accounts as the spread assigns them, byte-identical, with predicted and actual times", () => {
    const d = join(dir, "plan");
    mkdirSync(d, { recursive: true });
    // used sizes and account speeds make the assignment unambiguous (largest VM to the fastest account):
    // bravo 40 GB -> sa-fast (100 MB/s), charlie 20 GB -> sa-mid (50 MB/s), alpha 10 GB -> sa-slow (25 MB/s).
    const imgs: Record<string, Buffer[]> = {};
    const vm = (name: string, used: number, seed: number, disks: number) => {
      imgs[name] = [];
      let s = `vm "${name}" {\n  os linux\n  policy "daily"\n  vault "main"\n`;
      for (let i = 0; i < disks; i++) {
        const disk = i === 0 ? "os" : `data${i}`;
        imgs[name].push(image(join(d, `${name}-${disk}.img`), seed * 10 + i));
        s += `  disk "${disk}" { role ${i === 0 ? "os" : "data"} size 64 GB used ${used / disks} GB image "${name}-${disk}.img" }\n`;
      }
      return s + "}\n";
    };
    const accounts = (slowPath: string) => `storage-account "sa-fast" { kind general-purpose-v2 throughput 100 MB/s path "out/fast" }
storage-account "sa-mid"  { kind general-purpose-v2 throughput 50 MB/s path "out/mid" }
storage-account "sa-slow" { kind general-purpose-v2 throughput 25 MB/s ${slowPath} }
`;
    const body = `${HEAD}${vm("alpha", 10, 1, 1)}${vm("bravo", 40, 2, 2)}${vm("charlie", 20, 3, 1)}
restore "drill" {
  vms all
  point latest
  into "sa-fast", "sa-mid", "sa-slow"
  spread one-vm-per-account
}
`;
    writeFileSync(join(d, "p.bkp"), body + accounts('path "out/slow"'));
    writeFileSync(join(d, "nopath.bkp"), body + accounts(""));
    const cwdRun = (args: string[]) => bkp(args, { cwd: d, env });
    expect(cwdRun(["backup", "--now", "p.bkp"]).code).toBe(0);

    // An account without a path: a clear error before anything is written.
    const np = cwdRun(["restore", "nopath.bkp", "--plan", "drill"]);
    expect(np.code).toBe(2);
    expect(np.stderr).toMatch(/storage account "sa-slow" has no path; add `path "DIR"`.*Nothing was written/);
    expect(existsSync(join(d, "out"))).toBe(false);

    const r = cwdRun(["restore", "p.bkp", "--plan", "drill", "--json"]);
    expect(withoutNotice(r.stderr)).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      plan: string;
      ok: boolean;
      predictedSeconds: number;
      accounts: { account: string; path: string; predictedSeconds: number; seconds: number; vms: { vm: string; dir: string; disks: { disk: string; path: string; ok: boolean }[] }[] }[];
    };
    expect(j).toMatchObject({ plan: "drill", ok: true });
    expect(j.accounts.map((a) => [a.account, a.vms.map((v) => v.vm)])).toEqual([
      ["sa-fast", ["bravo"]],
      ["sa-mid", ["charlie"]],
      ["sa-slow", ["alpha"]],
    ]);
    // Predicted: used bytes / the account's rate (the analysis' restoreRate); 40 GB at 100 MB/s = 400 s.
    expect(j.accounts.map((a) => Math.round(a.predictedSeconds))).toEqual([400, 400, 400]);
    expect(j.predictedSeconds).toBeCloseTo(400, 0);
    for (const a of j.accounts) expect(a.seconds).toBeGreaterThan(0);
    // Every VM's images are byte-identical in <account path>/<vm>/.
    const where: Record<string, string> = { bravo: "fast", charlie: "mid", alpha: "slow" };
    for (const [name, sub] of Object.entries(where)) {
      const names = imgs[name].map((_, i) => (i === 0 ? "os.img" : `data${i}.img`));
      expect(filesIn(join(d, "out", sub, name))).toEqual([...names].sort());
      imgs[name].forEach((buf, i) => expect(readFileSync(join(d, "out", sub, name, names[i])).equals(buf)).toBe(true));
    }
    expect(filesIn(join(d, "out"))).toEqual(["fast", "fast/bravo", "fast/bravo/data1.img", "fast/bravo/os.img", "mid", "mid/charlie", "mid/charlie/os.img", "slow", "slow/alpha", "slow/alpha/os.img"]);

    // Again: files in the way fail the whole plan up front; --force overwrites; text output per
    // account (the points were just taken: they restore from their instant-restore snapshots).
    const again = cwdRun(["restore", "p.bkp", "--plan", "drill"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/error\[BKP5042\]: the restore plan would overwrite .*nothing was written/);
    const t = cwdRun(["restore", "p.bkp", "--plan", "drill", "--force"]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^restore "drill": 3 VMs into 3 storage accounts in parallel restored in \S+ s \(predicted 6 min 40 s\)\n/);
    expect(t.stdout).toMatch(/ {2}account "sa-fast" -> .*out\/fast: predicted 6 min 40 s at 100\.0 MB\/s \(throughput\), actual \S+ s\n {4}vm "bravo": point \S+ in \S+ s\n {6}os .*-> .*out\/fast\/bravo\/os\.img {2}\(from instant-restore snapshot\)\n {6}data1 .*-> .*out\/fast\/bravo\/data1\.img {2}\(from instant-restore snapshot\)\n/);

    expect(cwdRun(["restore", "p.bkp", "--plan", "nope"]).stderr).toMatch(/no restore block named "nope".*"drill"/);
    expect(cwdRun(["restore", "p.bkp", "--plan", "drill", "--vm", "alpha"]).stderr).toMatch(/--vm cannot be combined with it/);
  });
});
