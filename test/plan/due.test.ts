// The due rule `bkp backup` and `bkp run` share (DOMAIN §1.1): a VM is due when its policy's
// latest run at or before now has no point made at or after it; a VM without points is due.
import { describe, expect, it } from "vitest";
import { isDue, lastRun, nextRun } from "../../src/plan/due.js";
import { utcIso } from "../../src/plan/time.js";
import { oneVm } from "./fixtures.js";

const vm = oneVm({ policy: '  schedule daily at 02:30\n  timezone "America/New_York"\n  retain daily 7 days', disks: '  disk "os" { role os size 8 GB used 1 GB }' }).vms.get("x")!;
const at = (iso: string) => Date.parse(iso);

describe("isDue / lastRun / nextRun", () => {
  it("the latest run at or before now, and the first after it, in the policy's zone (DST gap: 03:00 EDT)", () => {
    expect(utcIso(lastRun(vm, at("2026-03-08T12:00:00Z"))!)).toBe("2026-03-08T07:00:00Z");
    expect(utcIso(lastRun(vm, at("2026-03-08T07:00:00Z"))!)).toBe("2026-03-08T07:00:00Z");
    expect(utcIso(nextRun(vm, at("2026-03-08T07:00:00Z"))!)).toBe("2026-03-09T06:30:00Z");
    expect(utcIso(nextRun(vm, at("2026-03-07T08:00:00Z"))!)).toBe("2026-03-08T07:00:00Z");
  });

  it("due without points; due when the newest point is older than the latest run; not due once a point follows it", () => {
    const now = at("2026-03-10T12:00:00Z");
    expect(isDue(vm, undefined, now)).toEqual({ due: true, run: at("2026-03-10T06:30:00Z") });
    // Four runs missed: still one due run, the latest (caught up once).
    expect(isDue(vm, at("2026-03-06T07:30:00Z"), now)).toEqual({ due: true, run: at("2026-03-10T06:30:00Z") });
    expect(isDue(vm, at("2026-03-10T06:30:00Z"), now).due).toBe(false);
    expect(isDue(vm, at("2026-03-10T11:00:00Z"), now).due).toBe(false);
  });
});
