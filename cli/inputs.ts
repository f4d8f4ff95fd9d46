// The policy files a command reads: files as given, every .bkp file under a directory (sorted,
// recursively) and `-` for standard input (read once, named <stdin> in diagnostics).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { compareText } from "../src/utils/compare.js";
import { UsageError, needFiles } from "./args.js";
import type { Io } from "./io.js";

export interface PolicyInputs {
  /** Paths, directories expanded; `-` stands for standard input. */
  files: string[];
  /** Standard input's text, when `-` was given. */
  stdin?: string;
}

/** A .bkp file as given, or every .bkp file under a directory (sorted). */
export function expand(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    return [path];
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareText(a.name, b.name))) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".bkp")) out.push(p);
    }
  };
  walk(path);
  if (!out.length) throw new UsageError(`'${path}' holds no .bkp files`);
  return out;
}

/** The policy files of an engine command (backup, restore, points…): as given, directories expanded like check's. */
export function policyFiles(args: string[], command: string): string[] {
  return needFiles(args, command).flatMap((a) => (a === "-" ? [a] : expand(a)));
}

export async function policyInputs(args: string[], command: string, io: Io): Promise<PolicyInputs> {
  const files = needFiles(args, command).flatMap((a) => (a === "-" ? [a] : expand(a)));
  if (files.filter((f) => f === "-").length > 1) throw new UsageError("'-' (standard input) may be given once");
  return files.includes("-") ? { files, stdin: await io.readStdin() } : { files };
}
