// Every risk code, each from a small policy set a user could write, with the numbers shown.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planAndAnalyze } from "../../src/analyze/index.js";
import { model, VAULT } from "../plan/fixtures.js";

const risks = (text: string, days = 3) => planAndAnalyze(model(text), { from: "2026-05-01", days }).risks;
const codes = (text: string, days = 3) => risks(text, days).map((r) => r.code);
// Peak hours moved out of the way so that lag does not blur the arithmetic.
const NO_PEAK = "assume { peak-hours 23:00 to 23:30 }\n";
const daily = (at = "12:00", extra = "") => `policy "pol" {\n  schedule daily at ${at}\n  timezone "UTC"\n  retain daily 7 days\n${extra}\n}\n`;
const vm = (name: string, disks: string, lines = "  protected-since 2026-01-01") => `vm "${name}" {\n  os windows\n  policy "pol"\n  vault "vt"\n${lines}\n${disks}\n}\n`;

describe("timing risks", () => {
  it("BKP3001: a daily backup predicted over 24 hours (error)", () => {
    // 10 TB used, 3 TB/day scattered: 3e12 × 2 / 60 MB/s = 100,000 s = 27 h 46 min.
    const rs = risks(VAULT + NO_PEAK + daily() + vm("big", '  disk "os" { role os size 16 TB used 10 TB churn 3 TB per day pattern scattered }'));
    const r = rs.find((x) => x.code === "BKP3001")!;
    expect(r.severity).toBe("error");
    expect(r.vms).toEqual(["big"]);
    expect(r.message).toMatch(/daily backup at 2026-05-01 12:00 UTC is predicted to take 1d 3h 46m/);
    expect(r.message).toMatch(/\(3 jobs in the plan\)/);
    expect(r.file).toBe("test.bkp");
    expect(r.range?.start.line).toBe(9); // the vm's name
  });

  it("BKP3002: churn over 200 GB a day on a disk, located at its churn", () => {
    const r = risks(VAULT + NO_PEAK + daily() + vm("db", '  disk "os" { role os size 1 TB used 600 GB churn 250 GB per day }')).find((x) => x.code === "BKP3002")!;
    expect(r.message).toBe('vm "db" disk "os" changes 250 GB a day; over 200 GB/day a backup can take more than 8 hours');
    expect(r.range?.start.line).toBe(14); // the churn attribute
    expect(codes(VAULT + NO_PEAK + daily() + vm("db", '  disk "os" { role os size 1 TB used 600 GB churn 200 GB per day }'))).not.toContain("BKP3002");
  });

  it("BKP3003: a first backup over 24 hours (warning), and an added disk's", () => {
    // 6 TB / 60 MB/s = 100,000 s + 20 min preparation.
    const r = risks(VAULT + NO_PEAK + daily() + vm("new", '  disk "os" { role os size 8 TB used 6 TB churn 1 GB per day }', "")).find((x) => x.code === "BKP3003")!;
    expect(r.severity).toBe("warning");
    expect(r.message).toMatch(/first backup at 2026-05-01 12:00 UTC is predicted to take 1d 4h 6m/);
    const added = risks(VAULT + NO_PEAK + daily() + vm("grow", '  disk "os" { role os size 1 TB used 10 GB }\n  disk "d" { role data size 8 TB used 6 TB added 2026-05-02 }')).find((x) => x.code === "BKP3003")!;
    expect(added.message).toMatch(/first backup of added disk "d" at 2026-05-02 12:00 UTC/);
  });

  it("BKP3004: an enhanced backup longer than the time to the next run (error)", () => {
    // Every 4 h from 08:00 for 12 h: 08, 12, 16, 20. At 12:00, 4 h of 6 TB/day = 1 TB, scattered:
    // 1e12 × 2 / 60 MB/s = 33,333 s = 9 h 15 min > 4 h.
    const text = VAULT + NO_PEAK + 'policy "pol" {\n  schedule every 4 hours from 08:00 for 12 hours\n  timezone "UTC"\n  retain daily 7 days\n}\n' + vm("hot", '  disk "os" { role os size 16 TB used 10 TB churn 6 TB per day pattern scattered }');
    const r = risks(text, 1).find((x) => x.code === "BKP3004")!;
    expect(r.severity).toBe("error");
    expect(r.message).toMatch(/longer than the 4h 0m until the policy's next backup/);
  });

  it("BKP3012: snapshots gone before the next weekly run: checksum comparison", () => {
    const text = VAULT + NO_PEAK + 'policy "pol" {\n  schedule weekly on Mon at 10:00\n  timezone "UTC"\n  instant-restore 5 days\n  retain weekly 4 weeks on Mon\n}\n' + vm("w", '  disk "os" { role os size 1 TB used 100 GB }');
    const r = risks(text, 14).find((x) => x.code === "BKP3012")!;
    expect(r.message).toMatch(/instant-restore snapshots \(5 days\) are gone before the next backup/);
    expect(r.vms).toEqual(["w"]);
  });

  it("BKP3014: snapshots in peak hours wait (the seed policy at 02:30)", () => {
    const seed = readFileSync("policies/seed-a2-standard.bkp", "utf8");
    const rs = planAndAnalyze(model(seed), { from: "2026-05-01", days: 3 }).risks;
    expect(rs.map((r) => r.code)).toEqual(["BKP3014"]);
    expect(rs[0].message).toBe('policy "daily": snapshots at 2026-05-02 02:30 Asia/Tokyo fall in peak hours (00:00–06:00); transfers to the vault wait up to 3h 30m');
  });
});

describe("schedule and throttling risks", () => {
  it("BKP3005: more VMs of one vault than `congestion` start in the same half hour", () => {
    const vms = ["a", "b", "c"].map((n) => vm(n, '  disk "os" { role os size 1 TB used 10 GB }')).join("");
    const r = risks(VAULT + "assume { congestion 2 peak-hours 23:00 to 23:30 }\n" + daily() + vms).find((x) => x.code === "BKP3005")!;
    expect(r.message).toBe('vault "vt": up to 3 VMs start backups between 12:00 and 12:30 UTC (on 3 days of the plan); more than 2 at once congests the vault\'s traffic');
    expect(r.vms).toEqual(["a", "b", "c"]);
    expect(codes(VAULT + "assume { congestion 3 peak-hours 23:00 to 23:30 }\n" + daily() + vms)).not.toContain("BKP3005");
  });

  it("BKP3006: backups at midnight, the default everyone keeps", () => {
    const r = risks(VAULT + NO_PEAK + daily("00:00") + vm("a", '  disk "os" { role os size 1 TB used 10 GB }')).find((x) => x.code === "BKP3006")!;
    expect(r.message).toMatch(/backs up at 00:00 UTC, the default time/);
    expect(r.range?.start.line).toBe(4); // the schedule line
  });

  it("BKP3007/BKP3008: storage accounts holding more than 5 (warning) or 10 (error) disks", () => {
    const disks = (n: number) => Array.from({ length: n }, (_, i) => `  disk "d${i}" { role ${i ? "data" : "os"} size 1 TB used 1 GB storage-account "sa" }`).join("\n");
    const six = risks(VAULT + NO_PEAK + daily() + 'storage-account "sa" { }\n' + vm("a", disks(6))).find((x) => x.code.startsWith("BKP300"))!;
    expect([six.code, six.severity]).toEqual(["BKP3007", "warning"]);
    expect(six.message).toMatch(/storage account "sa" holds 6 disks/);
    const eleven = risks(VAULT + NO_PEAK + daily() + 'storage-account "sa" { }\n' + vm("a", disks(11))).find((x) => x.code.startsWith("BKP300"))!;
    expect([eleven.code, eleven.severity]).toEqual(["BKP3008", "error"]);
    expect(codes(VAULT + NO_PEAK + daily() + 'storage-account "sa" { }\n' + vm("a", disks(5)))).toEqual([]);
  });

  it("BKP3010: a premium disk with under 50% free on its first backup", () => {
    const r = risks(VAULT + NO_PEAK + daily() + vm("p", '  disk "os" { role os size 1 TB used 600 GB tier premium free 40% }', "")).find((x) => x.code === "BKP3010")!;
    expect(r.message).toMatch(/premium disk "os" \(40% free\) with instant restore has under 50% free space for the first backup/);
    // Already protected: the first backup is behind it.
    expect(codes(VAULT + NO_PEAK + daily() + vm("p", '  disk "os" { role os size 1 TB used 600 GB tier premium free 40% }'))).not.toContain("BKP3010");
  });

  it("BKP3013: consistency lower than asked (Linux without scripts), grouped per policy", () => {
    const linux = (n: string) => `vm "${n}" {\n  os linux\n  policy "pol"\n  vault "vt"\n  disk "os" { role os size 1 TB used 10 GB }\n}\n`;
    const r = risks(VAULT + NO_PEAK + daily() + linux("l1") + linux("l2")).find((x) => x.code === "BKP3013")!;
    expect(r.message).toBe('2 VMs of policy "pol" get file-system-consistent points, not application: Linux without pre/post scripts is file-system consistent');
    expect(r.severity).toBe("info");
  });

  it("BKP3015: provisioning in progress", () => {
    expect(codes(VAULT + NO_PEAK + daily() + vm("c", '  disk "os" { role os size 1 TB used 10 GB }', "  provisioning creating"))).toContain("BKP3015");
  });
});

describe("restore risks", () => {
  const vms = ["a", "b", "c"].map((n) => vm(n, '  disk "os" { role os size 1 TB used 10 GB }\n  disk "d" { role data size 1 TB used 10 GB }')).join("");
  const accounts = 'storage-account "sa1" { throughput 60 MB/s }\nstorage-account "sa2" { throughput 60 MB/s }\n';
  it("BKP3009: several restored VMs share a target account", () => {
    const r = risks(VAULT + NO_PEAK + daily() + vms + accounts + 'restore "dr" { vms all into "sa1", "sa2" }\n').find((x) => x.code === "BKP3009")!;
    expect(r.message).toMatch(/restore "dr" puts 2 VMs into storage account "sa\d": 3 VMs, 2 accounts/);
    expect(r.hint).toMatch(/add 1 more general-purpose v2 storage account/);
  });
  it("BKP3011: a VM with more disks than the rule allows per account", () => {
    const r = risks(VAULT + NO_PEAK + daily() + vms + accounts + 'restore "dr" { vms "a" into "sa1" spread max 1 disks per account }\n').find((x) => x.code === "BKP3011")!;
    expect(r.severity).toBe("error");
    expect(r.message).toBe('vm "a" has 2 disks to restore, more than the 1 per account the rule allows');
  });
});
