// Whether a previous instant-restore snapshot's file may be shared (hard-linked) by the next
// point's snapshot. A file written after its snapshot's record was (a flipped byte, an edit) is
// not the copy that was checked when it was taken: the next snapshot copies the image afresh
// instead of inheriting the damage. A link changes only the file's ctime, never its mtime, so a
// file shared by several snapshots still passes. (Kept apart from snapshots.ts on purpose.)
import fs from "node:fs";
import path from "node:path";

export function linkable(snapshotDir: string, file: string, recordFile: string): boolean {
  const f = fs.statSync(path.join(snapshotDir, file), { throwIfNoEntry: false, bigint: true });
  const rec = fs.statSync(path.join(snapshotDir, recordFile), { throwIfNoEntry: false, bigint: true });
  return !!f && !!rec && f.mtimeNs <= rec.mtimeNs;
}
