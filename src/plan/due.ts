// When a VM's backup is due: the rule `bkp backup` (without --now) and `bkp run` share.
// DOMAIN §1.1: a backup job starts on the schedule the policy sets. A VM is due when its
// policy's latest scheduled run at or before now has no recovery point yet, i.e. its newest
// point was created before that run; a VM without points is always due. Missed runs are caught
// up once, not once per missed run: only the latest run counts.
import type { Vm } from "../model/model.js";
import { expandSchedule, maxGapMs } from "./schedule.js";
import { clockFor } from "./time.js";

/** The policy's most recent scheduled run at or before `now` (epoch ms), if any. */
export function lastRun(vm: Vm, now: number): number | undefined {
  const s = vm.policy.schedule;
  const runs = expandSchedule(s, clockFor(vm.policy.zone), now - maxGapMs(s), now + 1);
  return runs.length ? runs[runs.length - 1] : undefined;
}

/** The policy's first scheduled run strictly after `now` (epoch ms), if any. */
export function nextRun(vm: Vm, now: number): number | undefined {
  const s = vm.policy.schedule;
  return expandSchedule(s, clockFor(vm.policy.zone), now + 1, now + 1 + maxGapMs(s))[0];
}

export interface Due {
  due: boolean;
  /** The scheduled run the backup serves (the latest at or before now), if any. */
  run?: number;
}

/**
 * Whether a VM is due at `now`, given when its newest recovery point (or, in `bkp run`, its
 * last attempt) was made: `latest` is epoch ms, undefined when there is none.
 */
export function isDue(vm: Vm, latest: number | undefined, now: number): Due {
  const run = lastRun(vm, now);
  if (latest === undefined) return { due: true, run };
  return { due: run !== undefined && latest < run, run };
}
