// What a command may touch of the outside world; tests and the real process both provide it.
import { ansi, plain, type Style } from "../src/lang/code-frame.js";
import type { JsonError } from "./json-mode.js";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal (progress bars, colour). */
  isTTY: boolean;
  /** --quiet: no progress and no informational lines; results and every error stay. */
  quiet?: boolean;
  /** In a JSON mode: records an error for the error document (see json-mode.ts). */
  report?(e: JsonError): void;
}

export function processIo(): Io {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/** Diagnostics a person sees: with --quiet, the informational ones (severity info) are left out. */
export function shown<T extends { severity: string }>(io: Io, diags: T[]): T[] {
  return io.quiet ? diags.filter((d) => d.severity !== "info") : diags;
}

/** Colour only on a terminal, never with NO_COLOR (no-color.org); FORCE_COLOR forces it. */
export function styleFor(io: Io): Style {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return plain;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== "0") return ansi;
  return io.isTTY ? ansi : plain;
}
