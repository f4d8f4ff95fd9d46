// `bkp verify`'s part for the instant-restore snapshot tier (docs/vault-format.md,
// "Instant-restore snapshots"): each live snapshot's record names this vault and a committed
// point, each disk file is there with the size that was copied, and with readData every block
// equals the point's — the very check a restore runs on its copy (checkAgainstPoint of
// snapshot-restore.ts). A damaged snapshot is BKP5071, never vault damage: restores take those
// disks from the vault, whose copy is unaffected. Expired snapshots and `.tmp-` folders are notes.
import fs from "node:fs";
import path from "node:path";
import { EngineError, ErrorCodes, describe } from "../errors.js";
import type { ManifestRead } from "../vault/manifest.js";
import { pointObjectName, vmFolder } from "../vault/manifest.js";
import type { ProgressTracker } from "../progress.js";
import { SnapshotDamagedError, chainSource, checkAgainstPoint, snapshotFileProblem } from "./snapshot-restore.js";
import { SNAPSHOT_RECORD, effectiveExpiry } from "./snapshots.js";
import type { SnapshotTierScan, StoredSnapshot } from "./snapshots.js";
import type { Damage, SnapshotCheck, SnapshotProblem, SnapshotTier } from "../types.js";
import type { OpenVault } from "../vault/vault.js";

export interface SnapshotVerifyInput {
  v: OpenVault;
  /** Taken before the manifests were read: a snapshot is committed only after its point, so every listed snapshot's point is among `reads`. */
  scan: SnapshotTierScan;
  reads: readonly ManifestRead[];
  /** The vault's damage, to say whether the vault's copy of a disk is intact. */
  damage: readonly Damage[];
  readData: boolean;
  tiers?: ReadonlyMap<string, SnapshotTier>;
  now: Date;
  tracker: ProgressTracker;
}

export interface SnapshotVerifyOutput {
  checks: SnapshotCheck[];
  notes: string[];
  bytesChecked: number;
}

export async function verifySnapshots(inp: SnapshotVerifyInput): Promise<SnapshotVerifyOutput> {
  const out: SnapshotVerifyOutput = { checks: [], notes: [], bytesChecked: 0 };
  for (const u of inp.scan.unreadable) {
    out.checks.push({
      vm: u.vm ?? "(unknown VM)",
      point: "(all)",
      dir: u.dir,
      ok: false,
      disks: [],
      problems: [{ code: ErrorCodes.SNAPSHOT_IO, message: `${u.problem} Its snapshots were not checked; restores that cannot read them take the disks from the vault.` }],
    });
  }
  const tmp = inp.scan.temporary;
  if (tmp.length) {
    out.notes.push(
      `${tmp.length} temporary instant-restore snapshot folder(s) (${tmp.map((t) => path.basename(t)).join(", ")}): a backup writing or deleting a snapshot right now, or left by a killed one; no restore uses them, and the next backup or prune removes leftovers`,
    );
  }
  for (const s of inp.scan.strays) out.notes.push(`${s} is not an instant-restore snapshot folder of bkp: ignored`);
  const byName = new Map(inp.reads.map((r) => [r.name, r]));
  for (const { vm, snapshots } of inp.scan.vms) {
    for (const s of snapshots) {
      const c = await checkSnapshot(inp, out, byName, vm, s);
      if (c) out.checks.push(c);
    }
  }
  return out;
}

/** One snapshot's check; undefined when it is not live (expired, or deleted meanwhile: a note). */
async function checkSnapshot(inp: SnapshotVerifyInput, out: SnapshotVerifyOutput, byName: ReadonlyMap<string, ManifestRead>, vm: string, s: StoredSnapshot): Promise<SnapshotCheck | undefined> {
  const { v } = inp;
  const what = `the instant-restore snapshot of point ${s.point} of VM "${vm}"`;
  const problems: SnapshotProblem[] = [];
  const disks: string[] = [];
  const whole = (why: string) => problems.push({ code: ErrorCodes.SNAPSHOT_DAMAGED, message: `${what} ${why}` });
  const rec = s.record;
  const read = byName.get(pointObjectName(vmFolder(v.keys.name, vm), s.point));
  if (!rec) {
    whole(`is unreadable: its record ${SNAPSHOT_RECORD} cannot be read (${s.problem ?? "?"}); restores of the point take its disks from the vault${vaultNote(inp.damage, vm, s.point)}, and \`bkp prune\` deletes the snapshot`);
  } else if (rec.vaultId !== v.config.id) {
    whole(`was left by another vault at this path (vault id ${rec.vaultId}, this vault's is ${v.config.id}): no restore uses it, and \`bkp prune\` deletes it`);
  } else if (effectiveExpiry(rec, inp.tiers?.get(vm)).getTime() <= inp.now.getTime()) {
    // Expired snapshots count as gone everywhere; their files wait for the next backup or prune.
    out.notes.push(`${what} expired at ${effectiveExpiry(rec, inp.tiers?.get(vm)).toISOString()} and is not deleted yet: no restore uses it; the next backup of the VM or \`bkp prune\` deletes it`);
    return undefined;
  } else if (!read) {
    whole(`belongs to no recovery point of the vault (point ${s.point} is not committed): no restore uses it, and \`bkp prune\` deletes it`);
  } else {
    const m = read.manifest;
    if (!m) out.notes.push(`${what} was not compared with its point: the point's manifest is damaged (see the damage above)`);
    for (const d of rec.disks) {
      disks.push(d.name);
      const problem = (why: string, offset?: number) =>
        problems.push({
          code: ErrorCodes.SNAPSHOT_DAMAGED,
          disk: d.name,
          ...(offset !== undefined ? { offset } : {}),
          message: `${why}; restores take this disk from the vault instead${vaultNote(inp.damage, vm, s.point, d.name)}`,
        });
      const diskWhat = `the instant-restore snapshot of disk "${d.name}" of point ${s.point}`;
      try {
        const fileProblem = snapshotFileProblem(s.dir, d);
        const md = m?.disks.find((x) => x.name === d.name);
        if (fileProblem) problem(`${diskWhat} ${fileProblem}`);
        else if (m && !md) problem(`${diskWhat} is a copy of a disk the point does not hold`);
        else if (inp.readData && m && md) {
          const key = `snapshot\u0000${vm}\u0000${s.point}\u0000${d.name}`;
          inp.tracker.add(key, vm, `${d.name} (snapshot ${s.point})`, "verify", md.imageBytes);
          // A raw disk's copy is read through its chain (a full copy is a chain of one file),
          // past the page cache: a verify reads it once (holes included), and reading holes
          // through the cache took 19 s of system time for 3 GiB on this VM (docs/benchmarks.md).
          // A VHD's copy is read as a VHD.
          const src = !md.vhd && rec ? chainSource(v, m, { ...s, record: rec }, md, d) : path.join(s.dir, d.file);
          try {
            await checkAgainstPoint(v, m, md, src, (n) => {
              out.bytesChecked += n;
              inp.tracker.advance(key, n);
            });
          } finally {
            if (typeof src !== "string") src.close();
          }
          inp.tracker.complete(key);
        }
      } catch (e) {
        if (e instanceof SnapshotDamagedError) problem(e.message, e.offset);
        else if (e instanceof EngineError && e.code === ErrorCodes.BLOCK_MAP_DAMAGED) out.notes.push(`${diskWhat} was not compared with its point: a block map of the point is damaged (see the damage above)`);
        else problem(`${diskWhat} cannot be read (${describe(e)})`);
      }
    }
  }
  // A backup may delete a VM's expired snapshots while verify runs (only prune is excluded): a
  // folder gone by now was deleted, not damaged.
  if (problems.length && !fs.existsSync(s.dir)) {
    out.notes.push(`${what} was deleted while verify ran (a backup expired it)`);
    return undefined;
  }
  return { vm, point: s.point, dir: s.dir, ok: problems.length === 0, disks, problems };
}

/** Whether the vault's copy of the point (or of one disk) is intact, as verify found it. */
function vaultNote(damage: readonly Damage[], vm: string, point: string, disk?: string): string {
  const hit = damage.some((x) => x.affects.some((a) => a.vm === vm && a.point === point && (disk === undefined || a.disks.includes(disk) || a.disks.includes("(all)"))));
  return hit ? " (but the vault's copy is damaged too: see the damage above)" : " (the vault's copy is intact)";
}
