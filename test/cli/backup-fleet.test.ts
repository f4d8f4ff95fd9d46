// `bkp backup --concurrency N`: several VMs at once, every one backed up and restorable.
import crypto from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bkp } from "../helpers.js";

let dir: string;
const VMS = ["a", "b", "c", "d"];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-fleet-"));
  const vms = VMS.map(
    (n, i) => `vm "${n}" {
  os linux
  policy "daily"
  vault "${i % 2 ? "v2" : "v1"}"
  disk "os"   { role os   size 1 GB used 1 GB image "${n}-os.img"   storage-account "sa" }
  disk "data" { role data size 1 GB used 1 GB image "${n}-data.img" storage-account "sa" }
}`,
  );
  writeFileSync(
    join(dir, "p.bkp"),
    `vault "v1" { path "vault1" }
vault "v2" { path "vault2" }
storage-account "sa" { kind general-purpose-v2 }
policy "daily" {
  schedule daily at 02:30
  timezone "UTC"
  retain daily 7 days
}
${vms.join("\n")}
`,
  );
  for (const n of VMS) {
    writeFileSync(join(dir, `${n}-os.img`), crypto.randomBytes(3 * 1024 * 1024));
    writeFileSync(join(dir, `${n}-data.img`), crypto.randomBytes(1024 * 1024 + 5));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => bkp(args, { cwd: dir, env: { BKP_MACHINE_SECRET: join(dir, "machine.key") } });

describe("bkp backup --concurrency", () => {
  it("backs up every VM of two vaults with 3 at once; results in the policy's order; each restores byte-identically", () => {
    const r = run(["backup", "p.bkp", "--now", "--concurrency", "3", "--json"]);
    // The only words on stderr: each new vault says once where its key is.
    expect(r.stderr.trim().split("\n").sort()).toEqual([expect.stringMatching(/created vault "v1"/), expect.stringMatching(/created vault "v2"/)]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { vm: string; status: string }[];
    expect(out.map((o) => [o.vm, o.status])).toEqual(VMS.map((n) => [n, "backed-up"]));
    for (const n of VMS) {
      expect(run(["restore", "p.bkp", "--vm", n, "--to", `out-${n}`]).code).toBe(0);
      expect(readFileSync(join(dir, `out-${n}`, "os.img")).equals(readFileSync(join(dir, `${n}-os.img`)))).toBe(true);
      expect(readFileSync(join(dir, `out-${n}`, "data.img")).equals(readFileSync(join(dir, `${n}-data.img`)))).toBe(true);
    }
    expect(run(["verify", "p.bkp", "--read-data"]).code).toBe(0);
  }, 120_000);

  it("refuses a concurrency that is not a whole number of at least 1 (exit 2)", () => {
    const r = run(["backup", "p.bkp", "--concurrency", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--concurrency takes a whole number of at least 1/);
  });
});
