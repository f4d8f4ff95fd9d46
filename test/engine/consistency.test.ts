// Real scripts, really run: succeed, fail, hang past the timeout, succeed on a retry; the
// point's consistency level and reason follow DOMAIN §2.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConsistencyFailure, snapshotConsistently } from "../../src/engine/consistency.js";
import { loadTexts } from "../../src/model/load.js";

const dir = mkdtempSync(join(tmpdir(), "bkp-scripts-"));

function script(name: string, body: string, mode = 0o700): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, mode);
  return name;
}

const ok = script("ok.sh", `echo ran >> "${dir}/ok.log"`);
const fail = script("fail.sh", "echo 'database busy' >&2; exit 3");
const hang = script("hang.sh", "sleep 30");
// Fails the first time, succeeds the second (a counter file).
const flaky = script("flaky.sh", `n=$(cat "${dir}/flaky.n" 2>/dev/null || echo 0); echo $((n+1)) > "${dir}/flaky.n"; [ "$n" -ge 1 ]`);
const open = script("open.sh", "exit 0", 0o777);
const order = script("order.sh", `echo "$1" >> "${dir}/order.log"`);

function vm(attrs: string, scripts: string, disks = 2) {
  const d = Array.from({ length: disks }, (_, i) => `disk "d${i}" { role ${i ? "data" : "os"} size 8 GB used 1 GB }`).join(" ");
  const set = loadTexts([{ path: join(dir, "p.bkp"), text: `vault "vt" { path "x" }\npolicy "pol" { schedule daily at 02:00 retain daily 7 days }\nvm "a" { os linux policy "pol" vault "vt" ${attrs} ${scripts ? `scripts { ${scripts} }` : ""} ${d} }` }]);
  expect(set.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
  return set.model!.vms.get("a")!;
}

const snap = async () => "snapshot";

describe("consistency of a point (DOMAIN §2)", () => {
  it("pre and post succeed: application consistent, scripts run in order around the snapshot", async () => {
    const events: string[] = [];
    const v = vm("", `pre "${order}" args "pre" post "${order}" args "post"`);
    const { outcome, result } = await snapshotConsistently(v, async () => {
      events.push(...readFileSync(join(dir, "order.log"), "utf8").trim().split("\n"));
      return "snap";
    });
    expect(result).toBe("snap");
    expect(events).toEqual(["pre"]);
    expect(readFileSync(join(dir, "order.log"), "utf8")).toBe("pre\npost\n");
    expect(outcome.level).toBe("application");
    expect(outcome.reason).toContain("pre/post scripts succeeded");
    expect(outcome.scripts.map((s) => [s.which, s.ok, s.attempts])).toEqual([["pre", true, 1], ["post", true, 1]]);
  });

  it("a failing pre-script with continue-on-failure true: file-system consistent, and says why", async () => {
    const { outcome } = await snapshotConsistently(vm("", `pre "${fail}" post "${ok}"`), snap);
    expect(outcome.level).toBe("file-system");
    expect(outcome.reason).toBe("the pre-script exit code 3: database busy; continue-on-failure true: file-system consistent");
    expect(outcome.scripts.map((s) => s.which)).toEqual(["pre", "post"]);
  });

  it("a script that hangs past the timeout is killed; the point is file-system consistent", async () => {
    const t0 = Date.now();
    const { outcome } = await snapshotConsistently(vm("", `pre "${hang}" timeout 1 s`), snap);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(outcome.level).toBe("file-system");
    expect(outcome.scripts[0].failure).toBe("timed out after 1 s");
  });

  it("a script that fails once succeeds on its retry: application consistent after 2 attempts", async () => {
    const { outcome } = await snapshotConsistently(vm("", `pre "${flaky}" retries 1`), snap);
    expect(outcome.level).toBe("application");
    expect(outcome.scripts[0].attempts).toBe(2);
  });

  it("without a retry the same script fails", async () => {
    writeFileSync(join(dir, "flaky.n"), "0");
    const { outcome } = await snapshotConsistently(vm("", `pre "${flaky}"`), snap);
    expect(outcome.level).toBe("file-system");
    expect(outcome.scripts[0].attempts).toBe(1);
  });

  it("continue-on-failure false fails the backup of a multi-disk VM", async () => {
    await expect(snapshotConsistently(vm("", `pre "${fail}" continue-on-failure false`), snap)).rejects.toThrow(ConsistencyFailure);
    await expect(snapshotConsistently(vm("", `pre "${fail}" continue-on-failure false`), snap)).rejects.toThrow(/continue-on-failure is false: the backup fails/);
  });

  it("…but a single-disk VM falls back to crash consistent", async () => {
    const { outcome } = await snapshotConsistently(vm("", `pre "${fail}" continue-on-failure false`, 1), snap);
    expect(outcome.level).toBe("crash");
    expect(outcome.reason).toContain("single-disk VM: crash consistent");
  });

  it("a script writable by others is not run, and the point says so", async () => {
    const { outcome } = await snapshotConsistently(vm("", `pre "${open}"`), snap);
    expect(outcome.level).toBe("file-system");
    expect(outcome.scripts[0]).toMatchObject({ attempts: 0, ok: false, failure: "not run: it is writable by everyone (mode 777)" });
  });

  it("a stopped VM is crash consistent and runs no script", async () => {
    const { outcome } = await snapshotConsistently(vm("state stopped", `pre "${fail}"`), snap);
    expect(outcome).toMatchObject({ level: "crash", scripts: [] });
    expect(outcome.reason).toContain("stopped");
  });

  it("a failed provisioning state is crash consistent; creating is retried by the service", async () => {
    expect((await snapshotConsistently(vm("provisioning failed", ""), snap)).outcome.level).toBe("crash");
    await expect(snapshotConsistently(vm("provisioning creating", ""), snap)).rejects.toThrow(/retries the backup later/);
  });

  it("a Linux VM without scripts is file-system consistent", async () => {
    const { outcome } = await snapshotConsistently(vm("", ""), snap);
    expect(outcome.level).toBe("file-system");
  });
});
