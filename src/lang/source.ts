// Reading policy files: every way a file can be unusable becomes a located diagnostic
// (BKP0xxx), never an exception, so `bkp check` can report it beside the other files.
import { readFileSync, statSync } from "node:fs";
import type { Diagnostic } from "./diagnostics.js";
import { ZERO_RANGE } from "./diagnostics.js";

export interface SourceFile {
  /** The path as the user wrote it (what diagnostics show). */
  path: string;
  text: string;
}

/** Larger files are refused: a policy set of 10,000 VMs is about 3 MB. */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

export type ReadResult = { ok: true; source: SourceFile } | { ok: false; diagnostic: Diagnostic };

function fail(path: string, code: string, message: string, hint?: string): ReadResult {
  return { ok: false, diagnostic: { code, severity: "error", message, hint, file: path, range: ZERO_RANGE } };
}

export function readSource(path: string): ReadResult {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return fail(path, "BKP0002", `'${path}' is a directory, not a policy file`, `name the .bkp files inside it, e.g. ${path.replace(/\/$/, "")}/*.bkp`);
    size = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return fail(path, "BKP0001", `cannot find '${path}'`, "check the path; it is relative to the current directory");
    return fail(path, "BKP0007", `cannot read '${path}': ${(e as Error).message}`);
  }
  if (size > MAX_SOURCE_BYTES) {
    return fail(path, "BKP0005", `'${path}' is ${(size / 1e6).toFixed(1)} MB; policy files are limited to ${MAX_SOURCE_BYTES / 1024 / 1024} MiB`, "split the policy set into several files and pass them all");
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return fail(path, "BKP0007", `cannot read '${path}': ${(e as Error).message}`);
  }
  return decodeSource(path, bytes);
}

/** Checks that bytes are a text policy: not binary, valid UTF-8, not empty. */
export function decodeSource(path: string, bytes: Uint8Array): ReadResult {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return fail(path, "BKP0003", `'${path}' is a binary file (NUL byte at offset ${nul}), not a .bkp policy`, "pass the .bkp text file");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return fail(path, "BKP0004", `'${path}' is not valid UTF-8 (first bad byte at offset ${at})`, "save the file as UTF-8");
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") return fail(path, "BKP0006", `'${path}' is empty: it defines no vault, policy or vm`, 'write at least one block, e.g. policy "daily" { schedule daily at 02:30 … }');
  return { ok: true, source: { path, text } };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b >> 5 === 6 ? 2 : b >> 4 === 14 ? 3 : b >> 3 === 30 ? 4 : 0;
    if (n === 0 || i + n > bytes.length) return i;
    for (let k = 1; k < n; k++) if (bytes[i + k] >> 6 !== 2) return i;
    i += n;
  }
  return bytes.length;
}
