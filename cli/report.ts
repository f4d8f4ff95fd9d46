// Printing diagnostics: rustc-style frames for people, a flat JSON array for machines.
import { codeFrame, summary } from "../src/lang/code-frame.js";
import { diagnosticJson, type Diagnostic } from "../src/lang/diagnostics.js";
import type { ParsedFile } from "../src/lang/index.js";
import { shown, styleFor, type Io } from "./io.js";

export function printDiagnostics(io: Io, diags: Diagnostic[], files: Map<string, ParsedFile>, fileCount: number, quietOk = false): void {
  const style = styleFor(io);
  const lines = new Map<string, string[]>();
  for (const d of diags) io.report?.(diagnosticJson(d));
  diags = shown(io, diags);
  for (const d of diags) {
    if (!lines.has(d.file)) lines.set(d.file, files.get(d.file)?.text.split(/\r?\n/) ?? []);
    io.stdout(codeFrame(d, lines.get(d.file), style) + "\n\n");
  }
  if (diags.length || !(quietOk || io.quiet)) io.stdout(summary(diags, fileCount, style) + "\n");
}

/** Exit code for a set of diagnostics: 2 if a file could not be read, 1 on errors. */
export function exitCodeFor(diags: Diagnostic[]): number {
  if (diags.some((d) => d.code === "BKP0001" || d.code === "BKP0002" || d.code === "BKP0007")) return 2;
  return diags.some((d) => d.severity === "error") ? 1 : 0;
}
