// Writing what-if edits back: each changed file goes through the formatter (canonical layout,
// comments kept) and is replaced atomically — written to a temporary file beside it, flushed,
// then renamed over it — so an interrupted write never leaves half a policy file. A file that
// changed on disk since the session read it is not overwritten.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { format } from "../lang/format.js";
import { parseFile } from "../lang/index.js";
import { unifiedDiff, type DiffLine } from "./line-diff.js";

export interface FileChange {
  path: string;
  /** The text read from disk (or last written). */
  before: string;
  /** The formatted text to write. */
  after: string;
  diff: DiffLine[];
}

/** The formatted text of a file and its diff against what is on disk; undefined when unchanged. */
export function fileChange(path: string, before: string, current: string): FileChange | undefined {
  if (current === before) return undefined;
  const formatted = format(parseFile(path, current));
  const after = formatted.ok ? formatted.text : current;
  if (after === before) return undefined;
  return { path, before, after, diff: unifiedDiff(path, before, after) };
}

export type WriteResult = { ok: true } | { ok: false; message: string };

export function writeAtomically(change: FileChange): WriteResult {
  let onDisk: string;
  try {
    onDisk = readFileSync(change.path, "utf8");
  } catch (e) {
    return { ok: false, message: `cannot read ${change.path}: ${(e as Error).message}` };
  }
  // A BOM is dropped when a file is read (lang/source.ts); compare without it.
  if (onDisk.replace(/^\uFEFF/, "") !== change.before) return { ok: false, message: `${change.path} changed on disk since bkp ui read it; not written (quit and start again to see the new version)` };
  const tmp = join(dirname(change.path), `.${basename(change.path)}.${process.pid}.bkp-ui.tmp`);
  try {
    const mode = statSync(change.path).mode & 0o7777;
    const fd = openSync(tmp, "w", mode);
    try {
      writeSync(fd, change.after);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, change.path);
    return { ok: true };
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Nothing to clean up.
    }
    return { ok: false, message: `cannot write ${change.path}: ${(e as Error).message}` };
  }
}
