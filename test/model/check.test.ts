import { join } from "node:path";
import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { loadPolicySet, loadTexts } from "../../src/model/load.js";
import { ROOT } from "../helpers.js";

const GB = new Decimal(1e9);

describe("the seed document's A2 Standard example", () => {
  const set = loadPolicySet([join(ROOT, "policies", "seed-a2-standard.bkp")]);
  const vm = set.model!.vms.get("a2-standard")!;

  it("checks clean", () => {
    expect(set.diagnostics).toEqual([]);
  });

  it("has 17 + 30 + 0 GB of backed-up data (the temp disk's 5 GB is not backup data)", () => {
    const backedUp = vm.disks.filter((d) => d.role !== "temp" && !d.excluded).reduce((a, d) => a.add(d.usedBytes), new Decimal(0));
    expect(backedUp.div(GB).toString()).toBe("47");
    expect(vm.disks.find((d) => d.role === "temp")!.usedBytes.div(GB).toString()).toBe("5");
  });

  it("resolves the policy, its zone, retention and the default VSS option", () => {
    expect(vm.policy.zone).toBe("Asia/Tokyo");
    expect(vm.policy.schedule).toEqual({ kind: "daily", at: { hour: 2, minute: 30 } });
    expect(vm.policy.retention).toEqual({
      daily: { days: 30 },
      weekly: { weeks: 12, weekdays: [7] },
      monthly: { months: 12, on: { kind: "weekdays", ordinals: [1], weekdays: [7] } },
      yearly: { years: 5, months: [1], on: { kind: "weekdays", ordinals: [1], weekdays: [7] } },
    });
    expect(vm.vss).toBe("full");
    expect(vm.vault.path).toBe(join(ROOT, "vault", "prod"));
  });

  it("turns churn into bytes per day: 2% of 17 GB, and 1 GB as written", () => {
    expect(vm.disks[0].churnBytesPerDay.toString()).toBe("340000000");
    expect(vm.disks[0].churnAssumed).toBe(false);
    expect(vm.disks[2].churnBytesPerDay.toString()).toBe("1000000000");
  });
});

const policy = `
vault "vt" { path "vault" }
policy "pol" { schedule daily at 02:00 retain daily 7 days }
`;

describe("units are exact", () => {
  it("decimal and binary sizes keep their meaning", () => {
    const set = loadTexts([{ path: "/tmp/u.bkp", text: `${policy}
vm "x" { os linux policy "pol" vault "vt"
  disk "os" { role os size 1 TiB used 1.5 GiB }
  disk "d" { role data size 1 TB used 0.000000001 GB churn 512 KiB per day }
}` }]);
    expect(set.diagnostics).toEqual([]);
    const [os, d] = set.model!.vms.get("x")!.disks;
    expect(os.sizeBytes.toString()).toBe("1099511627776");
    expect(os.usedBytes.toString()).toBe("1610612736");
    expect(d.sizeBytes.toString()).toBe("1000000000000");
    expect(d.usedBytes.toString()).toBe("1");
    expect(d.churnBytesPerDay.toString()).toBe("524288");
  });
});

describe("defaults (documented in grammar/reference.md)", () => {
  const set = loadTexts([{ path: "/tmp/d.bkp", text: `${policy}
policy "hourly" { schedule every 6 hours from 06:00 for 12 hours retain daily 7 days }
policy "weekly-pol" { schedule weekly on Sat at 01:00 retain weekly 4 weeks on Sat }
vm "x" { os windows policy "pol" vault "vt" disk "os" { role os size 64 GB used 10 GB } }` }]);
  const m = set.model!;

  it("policy: UTC, application consistency, vss full, standard with 2 instant-restore days", () => {
    const p = m.policies.get("pol")!;
    expect([p.zone, p.consistency, p.vss, p.type, p.instantRestoreDays]).toEqual(["UTC", "application", "full", "standard", 2]);
  });

  it("an hourly schedule makes an enhanced policy with 7 instant-restore days", () => {
    const h = m.policies.get("hourly")!;
    expect([h.type, h.instantRestoreDays]).toEqual(["enhanced", 7]);
    expect(h.schedule).toEqual({ kind: "hourly", intervalHours: 6, start: { hour: 6, minute: 0 }, windowHours: 12 });
  });

  it("a weekly schedule keeps 5 instant-restore days", () => {
    expect(m.policies.get("weekly-pol")!.instantRestoreDays).toBe(5);
  });

  it("vault: GRS and a platform key; vm: running, succeeded, active; disk: sequential, standard, churn 2% assumed", () => {
    const v = m.vaults.get("vt")!;
    expect([v.redundancy, v.encryption.kind, v.priceBook.name]).toEqual(["GRS", "platform-key", "azure-default"]);
    const x = m.vms.get("x")!;
    expect([x.state, x.provisioning, x.protection]).toEqual(["running", "succeeded", "active"]);
    const d = x.disks[0];
    expect([d.pattern, d.tier, d.churnAssumed, d.churnBytesPerDay.toString()]).toEqual(["sequential", "standard", true, "200000000"]);
  });
});

describe("time zones", () => {
  it.each([
    ["Tokyo Standard Time", "Asia/Tokyo"],
    ["Pacific Standard Time", "America/Los_Angeles"],
    ["W. Europe Standard Time", "Europe/Berlin"],
    ["Europe/London", "Europe/London"],
    ["UTC", "UTC"],
  ])("%s resolves to %s", (written, iana) => {
    const set = loadTexts([{ path: "/tmp/z.bkp", text: `policy "pol" { schedule daily at 02:00 timezone "${written}" retain daily 7 days }` }]);
    expect(set.diagnostics).toEqual([]);
    expect(set.model!.policies.get("pol")!.zone).toBe(iana);
    expect(set.model!.policies.get("pol")!.zoneWritten).toBe(written);
  });
});

describe("several files form one policy set", () => {
  it("resolves references across files and resolves paths relative to each file", () => {
    const set = loadTexts([
      { path: "/etc/bkp/common/vaults.bkp", text: 'vault "vt" { path "../vault" }\npolicy "pol" { schedule daily at 02:00 retain daily 7 days }' },
      { path: "/etc/bkp/vms/app.bkp", text: 'vm "a" { os linux policy "pol" vault "vt" disk "os" { role os size 8 GB used 1 GB image "img/a.raw" } }' },
    ]);
    expect(set.diagnostics).toEqual([]);
    expect(set.model!.vms.get("a")!.vault.path).toBe("/etc/bkp/vault");
    expect(set.model!.vms.get("a")!.disks[0].image).toBe("/etc/bkp/vms/img/a.raw");
  });

  it("reports a name defined in two files at the second, pointing at the first", () => {
    const set = loadTexts([
      { path: "a.bkp", text: 'vault "vt" { path "x" }' },
      { path: "b.bkp", text: '\nvault "vt" { path "y" }' },
    ]);
    expect(set.diagnostics).toHaveLength(1);
    expect(set.diagnostics[0]).toMatchObject({ code: "BKP2001", file: "b.bkp", range: { start: { line: 2, column: 7 } } });
    expect(set.diagnostics[0].related?.[0]).toMatchObject({ file: "a.bkp", range: { start: { line: 1, column: 7 } } });
  });

  it("a VM whose policy has errors is not also told the policy is missing", () => {
    const set = loadTexts([{ path: "c.bkp", text: `vault "vt" { path "x" }
policy "pol" { schedule daily at 02:00 retain daily 3 days }
vm "a" { os linux policy "pol" vault "vt" disk "os" { role os size 8 GB used 1 GB } }` }]);
    expect(set.diagnostics.map((d) => d.code)).toEqual(["BKP2010"]);
  });
});

describe("VM options", () => {
  it("a Windows VM's vss overrides its policy's; Linux VMs have none", () => {
    const set = loadTexts([{ path: "/tmp/v.bkp", text: `${policy}
vm "w" { os windows vss copy policy "pol" vault "vt" disk "os" { role os size 8 GB used 1 GB } }
vm "l" { os linux policy "pol" vault "vt" disk "os" { role os size 8 GB used 1 GB } }` }]);
    expect(set.model!.vms.get("w")!.vss).toBe("copy");
    expect(set.model!.vms.get("l")!.vss).toBeUndefined();
  });

  it("scripts get the framework's defaults: 30 s, no retries, continue on failure, fsfreeze", () => {
    const set = loadTexts([{ path: "/srv/p.bkp", text: `${policy}
vm "l" { os linux policy "pol" vault "vt" scripts { pre "pre.sh" args "a", "b" } disk "os" { role os size 8 GB used 1 GB } }` }]);
    const s = set.model!.vms.get("l")!.scripts!;
    expect([s.pre?.path, s.pre?.args, s.timeoutSeconds, s.retries, s.continueOnFailure, s.fsfreeze]).toEqual(["/srv/pre.sh", ["a", "b"], 30, 0, true, true]);
  });

  it("protection and lifecycle attributes", () => {
    const set = loadTexts([{ path: "/tmp/s.bkp", text: `${policy}
vm "s" { os linux policy "pol" vault "vt" state stopped provisioning failed protected-since 2025-03-01 protection stopped delete-data
  encryption ade { bek "k/a.bek" } disk "os" { role os size 8 GB used 1 GB } }` }]);
    const vm = set.model!.vms.get("s")!;
    expect([vm.state, vm.provisioning, vm.protectedSince, vm.protection, vm.ade]).toEqual(["stopped", "failed", "2025-03-01", "stopped-delete-data", { bek: "/tmp/k/a.bek", kek: undefined }]);
  });
});

describe("price books", () => {
  it("a vault uses the price book it names; tiers in billing units", () => {
    const set = loadTexts([{ path: "/tmp/p.bkp", text: `${policy.replace('vault "vt" { path "vault" }', 'vault "vt" { redundancy LRS pricing "ea" }')}
pricing "ea" { currency EUR unit GiB instance up-to 50 GB 4.50 instance per 500 GB 9.00 storage LRS 0.02 per GB-month snapshot 0.04 per GB-month }` }]);
    expect(set.diagnostics).toEqual([]);
    const b = set.model!.vaults.get("vt")!.priceBook;
    expect(b.name).toBe("ea");
    expect(b.currency).toBe("EUR");
    expect(b.unitBytes.toString()).toBe("1073741824");
    expect(b.instanceTiers[0].fee.toString()).toBe("4.5");
    expect(b.storagePerUnitMonth.LRS?.toString()).toBe("0.02");
  });

  it("reports a redundancy the named price book does not price", () => {
    const set = loadTexts([{ path: "/tmp/p.bkp", text: `vault "vt" { redundancy GRS pricing "ea" }
pricing "ea" { instance up-to 50 GB 5 storage LRS 0.02 per GB-month }` }]);
    expect(set.diagnostics.map((d) => d.code)).toEqual(["BKP2033"]);
  });
});

describe("one mistake, one diagnostic", () => {
  it("an invalid hourly window does not also make the policy standard (and its instant restore out of range)", () => {
    const set = loadTexts([{ path: "h.bkp", text: 'policy "hourly" { schedule every 4 hours from 09:00 for 10 hours instant-restore 7 days retain daily 30 days }' }]);
    expect(set.diagnostics.map((d) => d.code)).toEqual(["BKP2013"]);
  });
});

describe("disk types (docs/azure-model.md)", () => {
  const set = (policy: string, tier: string, extra = "") =>
    loadTexts([{ path: "/tmp/d.bkp", text: `vault "vt" { redundancy LRS }\npolicy "pol" {\n  schedule daily at 02:00\n${policy}\n  retain daily 7 days\n}\nvm "db" {\n  os linux\n  policy "pol"\n  vault "vt"\n  disk "os" { role os size 64 GB used 10 GB }\n  disk "fast" { role data size 1 TB used 1 GB tier ${tier}${extra} }\n}\n` }]);
  it.each(["premium-v2", "ultra"])("a %s disk needs an enhanced policy, at its tier", (tier) => {
    expect(set("", tier).diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([["BKP2042", 12]]);
    expect(set("  type enhanced", tier).diagnostics).toEqual([]);
    expect(set("", tier, " lun 0 exclude").diagnostics).toEqual([]);
  });
  it("premium and standard disks take either policy type", () => {
    expect(set("", "premium").diagnostics).toEqual([]);
  });
});
