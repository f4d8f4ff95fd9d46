// `bkp run`'s scheduler over simulated days: an injected clock and sleep make days pass in
// milliseconds. Every expectation is derived from expandSchedule, the code `bkp plan` uses.
import { describe, expect, it } from "vitest";
import type { Vm } from "../../src/model/model.js";
import { runScheduler, type ScheduledJob, type ScheduledVm, type SchedulerEvent } from "../../src/engine/scheduler.js";
import { expandSchedule } from "../../src/plan/schedule.js";
import { clockFor, utcIso } from "../../src/plan/time.js";
import { model } from "../plan/fixtures.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function vms(policies: Record<string, string>): Map<string, Vm> {
  const text = [
    'vault "vt" { redundancy LRS }',
    ...Object.entries(policies).map(([name, body]) => `policy "${name}-policy" {\n${body}\n}\nvm "${name}-vm" {\n  os linux\n  policy "${name}-policy"\n  vault "vt"\n  disk "os" { role os size 8 GB used 1 GB }\n}`),
  ].join("\n");
  return model(text).vms;
}

interface Sim {
  jobs: { vm: string; run?: string; reason: string; at: string }[];
  events: SchedulerEvent<string>[];
  sleeps: number;
}

/**
 * Runs the scheduler from `start` until `end` on a simulated clock. A job takes `jobMs` (or what
 * `duration` says) of simulated time; `outcome` decides what it reports.
 */
async function simulate(o: { vms: ScheduledVm[]; start: number; end: number; jobMs?: number; duration?: (job: ScheduledJob) => number; outcome?: (job: ScheduledJob) => string; stopAfterJobs?: number }): Promise<Sim> {
  let t = o.start;
  const stop = new AbortController();
  const sim: Sim = { jobs: [], events: [], sleeps: 0 };
  await runScheduler<string>({
    vms: o.vms,
    now: () => t,
    signal: stop.signal,
    async sleep(ms) {
      sim.sleeps++;
      if (t + ms >= o.end) {
        t = o.end;
        stop.abort();
      } else t += ms;
    },
    async runJob(job) {
      sim.jobs.push({ vm: job.vm.name, run: job.run === undefined ? undefined : utcIso(job.run), reason: job.reason, at: utcIso(t) });
      t += o.duration?.(job) ?? o.jobMs ?? 0;
      if (o.stopAfterJobs !== undefined && sim.jobs.length >= o.stopAfterJobs) stop.abort();
      return o.outcome?.(job) ?? "ok";
    },
    onEvent: (e) => sim.events.push(e),
  });
  return sim;
}

/** The runs a VM's policy has in [from, to): what `bkp plan` expands. */
function runsOf(vm: Vm, from: number, to: number): string[] {
  return expandSchedule(vm.policy.schedule, clockFor(vm.policy.zone), from, to).map(utcIso);
}

describe("runScheduler on a simulated clock", () => {
  it("over 3 days runs exactly the jobs expandSchedule gives, each at its instant (daily in Tokyo, every 4 h in India)", async () => {
    const m = vms({
      daily: '  schedule daily at 02:30\n  timezone "Tokyo Standard Time"\n  retain daily 7 days',
      hourly: '  schedule every 4 hours from 08:00 for 12 hours\n  timezone "India Standard Time"\n  instant-restore 7 days\n  retain daily 7 days',
    });
    const start = Date.parse("2026-05-01T00:00:00Z");
    const end = start + 3 * DAY;
    // Both have a point made just now: nothing to catch up.
    const sim = await simulate({ vms: [...m.values()].map((vm) => ({ vm, latest: start })), start, end });
    const daily = m.get("daily-vm")!;
    const hourly = m.get("hourly-vm")!;
    const expected = [
      ...runsOf(daily, start + 1, end).map((r) => ({ vm: "daily-vm", run: r, reason: "scheduled", at: r })),
      ...runsOf(hourly, start + 1, end).map((r) => ({ vm: "hourly-vm", run: r, reason: "scheduled", at: r })),
    ].sort((a, b) => a.at.localeCompare(b.at) || a.vm.localeCompare(b.vm));
    expect(expected.filter((j) => j.vm === "daily-vm")).toHaveLength(3);
    expect(expected.filter((j) => j.vm === "hourly-vm")).toHaveLength(12); // 08, 12, 16, 20 IST × 3 days
    expect(sim.jobs).toEqual(expected);
    // While idle it names the next run, once per run, not once per sleep.
    const nexts = sim.events.filter((e) => e.kind === "next");
    const firstAfter = [...runsOf(daily, end, end + DAY), ...runsOf(hourly, end, end + DAY)].sort()[0];
    expect(nexts.map((e) => (e.kind === "next" ? utcIso(e.at) : ""))).toEqual([...expected.map((j) => j.at), firstAfter]);
    expect(sim.sleeps).toBeGreaterThan(nexts.length); // sleeps are capped (60 s), the announcements are not repeated
  });

  it("DST: New York's daily 02:30 runs at 03:00 EDT on the spring-forward day, and 01:30 runs once on the fall-back day", async () => {
    const spring = vms({ ny: '  schedule daily at 02:30\n  timezone "America/New_York"\n  retain daily 7 days' }).get("ny-vm")!;
    const s0 = Date.parse("2026-03-06T12:00:00Z");
    const s1 = s0 + 3 * DAY;
    const a = await simulate({ vms: [{ vm: spring, latest: s0 }], start: s0, end: s1 });
    expect(a.jobs.map((j) => j.at)).toEqual(runsOf(spring, s0 + 1, s1));
    expect(a.jobs.map((j) => clockFor("America/New_York").localIso(Date.parse(j.at)))).toEqual([
      "2026-03-07T02:30:00-05:00",
      "2026-03-08T03:00:00-04:00", // 02:30 does not exist that day
      "2026-03-09T02:30:00-04:00",
    ]);

    const fall = vms({ ny: '  schedule daily at 01:30\n  timezone "America/New_York"\n  retain daily 7 days' }).get("ny-vm")!;
    const f0 = Date.parse("2026-10-31T12:00:00Z");
    const f1 = f0 + 3 * DAY;
    const b = await simulate({ vms: [{ vm: fall, latest: f0 }], start: f0, end: f1 });
    expect(b.jobs.map((j) => j.at)).toEqual(runsOf(fall, f0 + 1, f1));
    // 01:30 happens twice on 2026-11-01; the job runs once, at the first (EDT).
    expect(b.jobs.map((j) => clockFor("America/New_York").localIso(Date.parse(j.at)))).toEqual(["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00", "2026-11-03T01:30:00-05:00"]);
  });

  it("catches up missed runs once, not once per missed run; a VM without points gets its first backup at once", async () => {
    const m = vms({ daily: '  schedule daily at 02:30\n  timezone "UTC"\n  retain daily 7 days', fresh: '  schedule daily at 23:00\n  timezone "UTC"\n  retain daily 7 days' });
    const start = Date.parse("2026-05-10T09:00:00Z");
    const end = start + 2 * DAY;
    // The last point is 4 days old: runs on the 7th, 8th, 9th and 10th were missed.
    const sim = await simulate({ vms: [{ vm: m.get("daily-vm")!, latest: Date.parse("2026-05-06T02:30:00Z") }, { vm: m.get("fresh-vm")! }], start, end, jobMs: 5 * MIN });
    // Due together at start: by the run they serve (yesterday 23:00 before today 02:30), one after another.
    expect(sim.jobs.slice(0, 2)).toEqual([
      { vm: "fresh-vm", run: "2026-05-09T23:00:00Z", reason: "first", at: "2026-05-10T09:00:00Z" },
      { vm: "daily-vm", run: "2026-05-10T02:30:00Z", reason: "catch-up", at: "2026-05-10T09:05:00Z" },
    ]);
    expect(sim.jobs.slice(2)).toEqual([
      ...runsOf(m.get("daily-vm")!, start, end).map((r) => ({ vm: "daily-vm", run: r, reason: "scheduled", at: r })),
      ...runsOf(m.get("fresh-vm")!, start, end).map((r) => ({ vm: "fresh-vm", run: r, reason: "scheduled", at: r })),
    ].sort((a, b) => a.at.localeCompare(b.at)));
  });

  it("VMs due together run one after another; a job that outlasts the next runs is followed by one catch-up, not several", async () => {
    const m = vms({ a: '  schedule every 4 hours from 00:00 for 24 hours\n  timezone "UTC"\n  instant-restore 7 days\n  retain daily 7 days', b: '  schedule daily at 00:00\n  timezone "UTC"\n  retain daily 7 days' });
    const start = Date.parse("2026-05-10T23:00:00Z");
    const end = Date.parse("2026-05-11T13:00:00Z");
    // a's 00:00 job takes 9 hours: its 04:00 and 08:00 runs pass meanwhile.
    const sim = await simulate({
      vms: [{ vm: m.get("a-vm")!, latest: start }, { vm: m.get("b-vm")!, latest: start }],
      start,
      end,
      duration: (j) => (j.vm.name === "a-vm" && j.run === Date.parse("2026-05-11T00:00:00Z") ? 9 * HOUR : 10 * MIN),
    });
    expect(sim.jobs).toEqual([
      { vm: "a-vm", run: "2026-05-11T00:00:00Z", reason: "scheduled", at: "2026-05-11T00:00:00Z" },
      { vm: "b-vm", run: "2026-05-11T00:00:00Z", reason: "scheduled", at: "2026-05-11T09:00:00Z" },
      { vm: "a-vm", run: "2026-05-11T08:00:00Z", reason: "scheduled", at: "2026-05-11T09:10:00Z" },
      { vm: "a-vm", run: "2026-05-11T12:00:00Z", reason: "scheduled", at: "2026-05-11T12:00:00Z" },
    ]);
  });

  it("a failed job is tried again at the next run, not in a loop", async () => {
    const vm = vms({ d: '  schedule daily at 02:30\n  timezone "UTC"\n  retain daily 7 days' }).get("d-vm")!;
    const start = Date.parse("2026-05-10T09:00:00Z");
    const sim = await simulate({ vms: [{ vm }], start, end: start + 2 * DAY, jobMs: MIN, outcome: () => "failed" });
    expect(sim.jobs.map((j) => [j.reason, j.at])).toEqual([
      ["first", "2026-05-10T09:00:00Z"],
      ["scheduled", "2026-05-11T02:30:00Z"],
      ["scheduled", "2026-05-12T02:30:00Z"],
    ]);
    expect(sim.events.filter((e) => e.kind === "job-done").map((e) => (e.kind === "job-done" ? e.outcome : ""))).toEqual(["failed", "failed", "failed"]);
  });

  it("stopping: the job in progress finishes, no new job starts", async () => {
    const m = vms({ a: '  schedule daily at 02:30\n  timezone "UTC"\n  retain daily 7 days', b: '  schedule daily at 02:30\n  timezone "UTC"\n  retain daily 7 days' });
    const start = Date.parse("2026-05-10T09:00:00Z");
    // Both are due (no points); the stop comes while the first one runs.
    const sim = await simulate({ vms: [{ vm: m.get("a-vm")! }, { vm: m.get("b-vm")! }], start, end: start + DAY, jobMs: MIN, stopAfterJobs: 1 });
    expect(sim.jobs.map((j) => j.vm)).toEqual(["a-vm"]);
    expect(sim.events.map((e) => e.kind)).toEqual(["job-start", "job-done"]);
  });
});
