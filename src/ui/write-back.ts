// Writing what-if edits back: the blocks an edit changed go through the formatter (canonical
// layout, comments kept; an inserted attribute gets its own line), the other blocks stay as the
// user wrote them — so the diff shows the change, not a reformatting of the whole file. Each
// file is replaced atomically — written to a temporary file beside it, flushed, then renamed
// over it — so an interrupted write never leaves half a policy file. A file that changed on
// disk since the session read it is not overwritten.
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

const slice = (text: string, b: { range: { start: { offset: number }; end: { offset: number } } }) => text.slice(b.range.start.offset, b.range.end.offset);

/** `current` with each top-level block that differs from `before` in the formatter's layout. */
export function formatChangedBlocks(path: string, before: string, current: string): string {
  const cur = parseFile(path, current);
  const formatted = format(cur);
  if (!formatted.ok) return current;
  const base = parseFile(path, before);
  const fmt = parseFile(path, formatted.text);
  const n = cur.ast.blocks.length;
  // Blocks match one to one unless an edit added or removed one: then format it all.
  if (base.ast.blocks.length !== n || fmt.ast.blocks.length !== n || base.diagnostics.some((d) => d.code.startsWith("BKP1"))) return formatted.text;
  let out = current;
  for (let i = n - 1; i >= 0; i--) {
    const b = cur.ast.blocks[i];
    if (slice(current, b) === slice(before, base.ast.blocks[i])) continue;
    out = out.slice(0, b.range.start.offset) + slice(formatted.text, fmt.ast.blocks[i]) + out.slice(b.range.end.offset);
  }
  return out;
}

/** The text to write for a file and its diff against what is on disk; undefined when unchanged. */
export function fileChange(path: string, before: string, current: string): FileChange | undefined {
  if (current === before) return undefined;
  const after = formatChangedBlocks(path, before, current);
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
