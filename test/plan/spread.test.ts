// Restore spreading: VMs onto storage accounts by the restore block's rule, balancing time.
import { describe, expect, it } from "vitest";
import { restoreRate, spreadRestore } from "../../src/plan/spread.js";
import { model, VAULT } from "./fixtures.js";

const POLICY = 'policy "pol" { schedule daily at 02:00 retain daily 7 days }\n';
const vm = (name: string, disks: number[]) =>
  `vm "${name}" { os linux policy "pol" vault "vt" ${disks.map((gb, i) => `disk "d${i}" { role ${i ? "data" : "os"} size 1 TB used ${gb} GB }`).join(" ")} disk "tmp" { role temp size 100 GB used 50 GB } }\n`;

describe("restore rate of a storage account (DOMAIN §4)", () => {
  it("the lower of throughput and IOPS × I/O size, less what others use", () => {
    const m = model(`${VAULT}storage-account "a" { iops 20000 throughput 60 MB/s load 30% }\nstorage-account "b" { iops 100 throughput 60 MB/s }\nstorage-account "c" { }\nassume { restore-io-size 256 KiB transfer-rate 50 MB/s }\n`);
    // 60 MB/s × (1 − 0.30) = 42 MB/s (20,000 IOPS × 256 KiB = 5.2 GB/s is not the limit).
    expect(restoreRate(m.storageAccounts.get("a")!, m.assumptions).rate).toBe(42e6);
    // 100 IOPS × 262,144 B = 26,214,400 B/s, below 60 MB/s.
    expect(restoreRate(m.storageAccounts.get("b")!, m.assumptions)).toEqual({ rate: 26_214_400, basis: "100 IOPS × 256 KiB" });
    // No limits stated: the assumed transfer rate.
    expect(restoreRate(m.storageAccounts.get("c")!, m.assumptions).rate).toBe(50e6);
  });
});

describe("one VM per account", () => {
  const m = model(
    `${VAULT}${POLICY}${vm("a", [300])}${vm("b", [150, 50])}${vm("c", [100])}` +
      `storage-account "sa1" { throughput 60 MB/s }\nstorage-account "sa2" { throughput 60 MB/s load 50% }\n` +
      `restore "r" { vms "a", "b", "c" into "sa1", "sa2" spread one-vm-per-account }\n`,
  );
  const r = spreadRestore(m.restores.get("r")!, m.assumptions);

  it("largest VM first onto the account that finishes it soonest; temp disks are not restored", () => {
    // a (300 GB): sa1 5,000 s vs sa2 (30 MB/s) 10,000 s -> sa1. b (200 GB): the only empty account, sa2.
    // c (100 GB): none empty; sa1 (300+100)/60 MB/s = 6,667 s vs sa2 (200+100)/30 MB/s = 10,000 s -> sa1.
    expect(r.accounts.map((a) => [a.account.name, a.vms.map((v) => v.vm.name)])).toEqual([["sa1", ["a", "c"]], ["sa2", ["b"]]]);
    expect(r.accounts[1].disks).toBe(2);
    expect(Math.round(r.seconds)).toBe(6667); // 400 GB / 60 MB/s; accounts restore at once
  });

  it("reports the account that must hold two VMs", () => {
    expect(r.violations).toEqual([expect.objectContaining({ kind: "shared-account", account: "sa1", vms: ["a", "c"] })]);
  });
});

describe("at most N disks per account", () => {
  it("packs whole VMs under the limit and reports what cannot fit", () => {
    const m = model(
      `${VAULT}${POLICY}${vm("one", [10])}${vm("two", [10, 10])}${vm("three", [10, 10, 10])}` +
        `storage-account "sa1" { throughput 60 MB/s }\nstorage-account "sa2" { throughput 60 MB/s }\n` +
        `restore "r" { vms all into "sa1", "sa2" spread max 2 disks per account }\n`,
    );
    const r = spreadRestore(m.restores.get("r")!, m.assumptions);
    expect(r.violations.map((v) => v.kind)).toContain("vm-over-limit");
    expect(r.violations.find((v) => v.kind === "vm-over-limit")!.vms).toEqual(["three"]);
    // Every VM is still assigned somewhere (the engine can run it), whole.
    expect(r.accounts.flatMap((a) => a.vms.map((v) => v.vm.name)).sort()).toEqual(["one", "three", "two"]);
  });

  it("satisfies the rule when there is room", () => {
    const m = model(`${VAULT}${POLICY}${vm("one", [10])}${vm("two", [10, 10])}${vm("three", [10])}storage-account "sa1" { }\nstorage-account "sa2" { }\nrestore "r" { vms all into "sa1", "sa2" spread max 2 disks per account }\n`);
    const r = spreadRestore(m.restores.get("r")!, m.assumptions);
    expect(r.violations).toEqual([]);
    expect(r.accounts.map((a) => a.disks).sort()).toEqual([2, 2]);
  });
});
