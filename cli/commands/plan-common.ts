// Shared by `bkp plan` and `bkp cost`: load a policy set and stop on errors, flag parsing for
// dates. Diagnostics go to standard error so that standard output stays the report.
import { DateTime } from "../../src/utils/luxon.js";
import { hasErrors } from "../../src/lang/diagnostics.js";
import type { Model } from "../../src/model/model.js";
import { loadPolicySet, type PolicySet } from "../../src/model/load.js";
import { parseIsoDate } from "../../src/plan/time.js";
import { UsageError } from "../args.js";
import type { PolicyInputs } from "../inputs.js";
import type { Io } from "../io.js";
import { exitCodeFor, printDiagnostics } from "../report.js";

export function isoDateFlag(value: string | undefined, flag: string, io: Io): string {
  if (value === undefined) return io.env.BKP_TODAY ?? DateTime.utc().toISODate()!;
  if (!parseIsoDate(value)) throw new UsageError(`${flag} takes a date as YYYY-MM-DD, not '${value}'`);
  return value;
}

export type Loaded = { ok: true; set: PolicySet; model: Model } | { ok: false; code: number };

/** Loads and checks; prints warnings (and errors) to standard error. */
export function loadForAnalysis(io: Io, inputs: PolicyInputs | string[]): Loaded {
  const { files, stdin } = Array.isArray(inputs) ? { files: inputs, stdin: undefined } : inputs;
  const set = loadPolicySet(files, stdin);
  if (set.diagnostics.length) {
    const errIo: Io = { ...io, stdout: io.stderr, isTTY: false };
    printDiagnostics(errIo, set.diagnostics, set.files, files.length, true);
  }
  if (!set.model || hasErrors(set.diagnostics)) return { ok: false, code: Math.max(1, exitCodeFor(set.diagnostics)) };
  return { ok: true, set, model: set.model };
}

export function sourceLines(set: PolicySet): (file: string) => string[] | undefined {
  const cache = new Map<string, string[]>();
  return (file) => {
    let l = cache.get(file);
    if (!l) {
      const text = set.files.get(file)?.text;
      if (text === undefined) return undefined;
      cache.set(file, (l = text.split(/\r?\n/)));
    }
    return l;
  };
}
