// What the local engine's vault says about a VM, as plain data: the plan decides its job kinds
// from it (a disk with points is incremental, a disk without one gets its initial replication,
// a VM without points its first backup). The CLI reads it through the engine (the points'
// manifests and the snapshot tier, never image bytes) and passes it in, so the plan does no I/O
// and imports nothing above it (DESIGN: lang <- model <- plan <- analyze/engine <- cli).

export interface VmVaultFacts {
  /** Where the facts come from, for people: `vault "main" (/srv/vault)`. */
  source: string;
  /** Recovery points of the VM in the vault. */
  points: number;
  /** Epoch ms of the oldest and the newest point; undefined without points. */
  firstPointMs?: number;
  lastPointMs?: number;
  /** Epoch ms until which the newest point's instant-restore snapshot is kept; undefined: it has none (expired, deleted, never made). */
  snapshotUntilMs?: number;
  /** Disk names the newest point holds. */
  disks: string[];
}

/** One line for people: where a VM's protection state comes from. */
export function factsText(f: VmVaultFacts | undefined, protectedSince: string | undefined): string {
  if (f) {
    if (!f.points) return `${f.source}: no recovery point yet, so the next run is its first backup`;
    const newest = f.lastPointMs === undefined ? "" : `, newest ${new Date(f.lastPointMs).toISOString().replace(/\.\d+Z$/, "Z")}`;
    const snap = f.snapshotUntilMs === undefined ? "; its instant-restore snapshot is gone" : `; its instant-restore snapshot is kept until ${new Date(f.snapshotUntilMs).toISOString().replace(/\.\d+Z$/, "Z")}`;
    return `${f.source}: ${f.points} recovery point${f.points === 1 ? "" : "s"}${newest} (disks ${f.disks.map((d) => `"${d}"`).join(", ") || "none"})${snap}`;
  }
  return protectedSince ? `protected-since ${protectedSince} (no local vault read)` : "no local vault read and no protected-since: a new VM";
}

/** How the local engine will find a disk's changes (its job log's `detection`; newer engines may add paths). */
export type DetectionPath = string;

/**
 * What the plan predicted for one backup job, as the job log keeps it beside what the job
 * measured: the timing model used, the whole job's seconds, and per disk the change-detection
 * path, the bytes it reads and changes, and its seconds.
 */
export interface JobPrediction {
  model: TimingModel;
  seconds: number;
  disks: { name: string; detection: DetectionPath; bytesRead: number; bytesChanged: number; seconds: number }[];
}

/**
 * The two timing models: the Azure service's (snapshot, lag, transfer; VMs without local
 * images) and the local engine's (the paths and rates of its job log; VMs with images).
 */
export type TimingModel = "azure-service" | "local-engine";
