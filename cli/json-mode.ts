// JSON modes (`--json`, `--format json`): standard output is always one JSON document, errors
// included. A command writes its own document; when it fails (a usage error, policy files with
// errors, a vault it cannot open) the document is an error document instead:
//   {"version": 1, "kind": "error", "command", "exitCode", "errors": [{code, severity, message,
//    hint?, file?, line?, column?, endLine?, endColumn?}], "partial"?: what the command printed}
// Human text still goes to standard error. Shapes: docs/json.md, schemas in docs/schemas/.
import type { Io } from "./io.js";

export interface JsonError {
  code: string;
  /** error, warning or info */
  severity: string;
  message: string;
  hint?: string;
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export interface ErrorDocument {
  version: 1;
  kind: "error";
  command: string;
  exitCode: number;
  errors: JsonError[];
  partial?: unknown;
}

/** Whether the arguments ask for JSON on standard output. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === "--json" || a === "--format=json" || (a === "--format" && argv[i + 1] === "json"));
}

/** Commands whose --json output is a stream of JSON lines (written as it happens, not buffered). */
const STREAMING = new Set(["run"]);

export interface JsonSession {
  io: Io;
  /** Writes the command's document, or the error document when the command failed. */
  finish(exitCode: number): number;
}

/** An Io that keeps standard output until the command ends and records the errors it reports. */
export function jsonSession(command: string, io: Io): JsonSession {
  const errors: JsonError[] = [];
  const streaming = STREAMING.has(command);
  let out = "";
  const wrapped: Io = {
    ...io,
    stdout: (t) => {
      if (streaming) io.stdout(t);
      else out += t;
    },
    report: (e) => errors.push(e),
  };
  return {
    io: wrapped,
    finish(exitCode) {
      const failed = exitCode !== 0 && errors.some((e) => e.severity === "error");
      if (!failed) {
        if (!streaming) io.stdout(out);
        return exitCode;
      }
      const doc: ErrorDocument = { version: 1, kind: "error", command, exitCode, errors };
      const partial = parsed(out);
      if (partial !== undefined && !(Array.isArray(partial) && partial.length === 0)) doc.partial = partial;
      // A stream of JSON lines ends with the error document on one line.
      io.stdout((streaming ? JSON.stringify(doc) : JSON.stringify(doc, null, 2)) + "\n");
      return exitCode;
    },
  };
}

function parsed(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
