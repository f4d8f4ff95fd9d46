// The Plan: what the compiler makes of a checked Model over a horizon — the jobs each VM's
// policy schedules (instants in the policy's zone and UTC, per-disk tasks), the consistency
// each VM will get, and restore assignments. Analysis (timings, risks, bills), lint and the
// engine all read it. Its JSON form is versioned (docs/plan-json.md).
import type { Disk, Model, Policy, RestorePlanSpec, StorageAccount, Vm } from "../model/model.js";
import type { PredictedConsistency } from "./consistency.js";
import type { ZoneClock } from "./time.js";
import type { VmVaultFacts } from "./vault-facts.js";

/** Bumped whenever the JSON shape of `bkp plan` / `bkp cost` changes incompatibly. */
export const PLAN_VERSION = 1;

export type JobKind = "initial" | "incremental" | "checksum-comparison";

export interface DiskTask {
  disk: Disk;
  /** initial: everything used is sent; incremental: the changes; checksum-comparison: every block is read, the changes sent. */
  kind: JobKind;
  /** A disk added to an already protected VM: its first backup is a full replication (DOMAIN §4). */
  added: boolean;
  /** Bytes sent to the vault. */
  transferBytes: number;
  /** Bytes read to find changed blocks by checksum (checksum comparison only). */
  scanBytes: number;
}

/** One scheduled run of a policy (shared by all its VMs). */
export interface Run {
  index: number;
  /** Epoch milliseconds. */
  ms: number;
  /** ISO 8601 in the policy's zone, with its offset. */
  local: string;
  /** ISO 8601 in UTC. */
  utc: string;
  /** Since the previous run; NaN for the first run looked at. */
  gapMs: number;
  /** Until the next run (a job longer than this overlaps the next one). */
  nextGapMs: number;
  /** The previous run's instant-restore snapshot has expired by this run: changes are found by checksum comparison (DOMAIN §4). */
  snapshotGone: boolean;
}

export interface PolicyRuns {
  policy: Policy;
  clock: ZoneClock;
  /** Runs from a little before the horizon (so the first job knows its predecessor) to a little after it. */
  runs: Run[];
  /** Index of the first run inside the horizon. */
  first: number;
  /** Index just after the last run inside the horizon. */
  end: number;
  /** The horizon in this policy's zone: local midnight of --from to local midnight --days later. */
  fromMs: number;
  toMs: number;
}

export interface Job {
  /** Position in plan.jobs (parallel arrays such as timings use it). */
  index: number;
  vm: Vm;
  run: Run;
  kind: JobKind;
  /** The VM's first backup: the agent is installed and the snapshot prepared (DOMAIN §1.3, §4). */
  firstBackup: boolean;
  /** Backed-up disks only (temp and excluded disks are never backed up). Shared between jobs of the same shape. */
  tasks: DiskTask[];
  consistency: PredictedConsistency;
  /** Milliseconds since the VM's previous backup (the vault's newest point for the first job after it); NaN for a first backup. */
  gapMs: number;
}

/** Where a VM's protection stands for the plan. */
export interface VmSchedule {
  vm: Vm;
  /** Epoch ms of the first successful backup (protected-since, or the first run in the horizon); undefined: none in the horizon. */
  firstBackupMs?: number;
  /** Why the VM has no jobs, if it has none. */
  noJobs?: string;
  /** The VM's jobs, in time order. */
  jobs: Job[];
  /** Where the VM's protection state comes from (its vault's points, protected-since, or neither), for people. */
  state: string;
  /** What the VM's local vault holds, when the caller read it. */
  vault?: VmVaultFacts;
}

export interface RestoreVm {
  vm: Vm;
  disks: Disk[];
  /** Bytes copied from the vault (the used data of its backed-up disks). */
  bytes: number;
}

export interface AccountAssignment {
  account: StorageAccount;
  /** Effective bytes/s available to restores after other applications' load. */
  rate: number;
  /** How the rate was found, for people. */
  rateBasis: string;
  vms: RestoreVm[];
  disks: number;
  bytes: number;
  /** Restores into one account queue (DOMAIN §4): the account is busy bytes / rate. */
  seconds: number;
}

export interface SpreadViolation {
  kind: "shared-account" | "too-many-disks" | "vm-over-limit" | "no-accounts";
  message: string;
  vms: string[];
  account?: string;
}

export interface RestoreAssignment {
  spec: RestorePlanSpec;
  accounts: AccountAssignment[];
  violations: SpreadViolation[];
  /** Accounts restore at once (DOMAIN §4): the slowest account decides. */
  seconds: number;
}

export interface Plan {
  version: typeof PLAN_VERSION;
  /** ISO date the horizon starts (local midnight in each policy's zone). */
  from: string;
  days: number;
  model: Model;
  policies: Map<string, PolicyRuns>;
  vms: Map<string, VmSchedule>;
  /** Sorted by start instant, then VM name. */
  jobs: Job[];
  restores: RestoreAssignment[];
}
