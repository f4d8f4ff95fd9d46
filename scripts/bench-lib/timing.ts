// Shared helpers for benchmarks: run a command N times, take the median wall time.
import { spawnSync } from "node:child_process";

export function wall(cmd: string, args: string[], opts: { cwd?: string } = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: opts.cwd, stdio: ["ignore", "ignore", "pipe"] });
  const t1 = process.hrtime.bigint();
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(t1 - t0) / 1e9;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median of `runs` timings, after one warm-up run (page cache, disk). */
export function medianWall(cmd: string, args: string[], runs = 5, opts: { cwd?: string } = {}): number {
  wall(cmd, args, opts);
  return median(Array.from({ length: runs }, () => wall(cmd, args, opts)));
}

export const secs = (s: number) => `${s.toFixed(3)} s`;
