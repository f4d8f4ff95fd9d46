// What every benchmark script reads from its command line: `--name=value` (or `--name value`)
// options and `--name` flags (scripts/bench.mjs passes on only arguments starting with "-").
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const args = process.argv.slice(2);
export const MiB = 1024 * 1024;

export function opt(name: string, dflt: string): string {
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  if (eq) return eq.slice(name.length + 3);
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] && !args[i + 1].startsWith("--") ? args[i + 1] : dflt;
}

export const flag = (name: string): boolean => args.includes(`--${name}`);
