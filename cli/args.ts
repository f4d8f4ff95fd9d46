// Flag parsing on node:util's parseArgs; a bad flag is a usage error (exit 2), not a crash.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { closest } from "../src/lang/suggest.js";

export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig["options"]>;

export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" }, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message.replace(/^TypeError \[\w+\]: /, "").split(". To specify")[0];
    // An unknown option: suggest the nearest one (`--formt` -> `--format`).
    const unknown = /^Unknown option '(--[^'=]+)/.exec(message)?.[1];
    const guess = unknown ? closest(unknown, ["--help", ...Object.keys(options).map((o) => `--${o}`)]) : undefined;
    throw new UsageError(guess ? `${message}; did you mean '${guess}'?` : message);
  }
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(", ")}, not '${value}'`);
}

export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} takes a whole number of at least 1, not '${value}'`);
  return Number(value);
}

export function needFiles(files: string[], command: string): string[] {
  // The caller prints "bkp COMMAND: " before the message.
  if (!files.length) throw new UsageError(`needs at least one policy file: name .bkp files, a directory of them, or - for standard input`);
  return files;
}
