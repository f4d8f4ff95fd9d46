// `bkp run` as a process: the built CLI stays in the foreground, catches up a missed run once,
// runs a scheduled job at its time (BKP_NOW starts the clock; real time runs on), and stops on
// SIGTERM after the backup in progress (exit 0), or abandons it on a second signal (exit 130)
// leaving a vault that `bkp verify` finds valid.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, bkp } from "../helpers.js";

const MiB = 1024 * 1024;
let dir: string;
let env: Record<string, string>;
const children: ChildProcess[] = [];

function policy(vault: string, scripts = ""): string {
  return `vault "main" {
  path "${vault}"
}
policy "daily" {
  schedule daily at 02:30
  timezone "UTC"
  retain daily 7 days
}
vm "web" {
  os linux
  policy "daily"
  vault "main"
  ${scripts}
  disk "os"   { role os   size 8 GB used 1 GB image "os.img" }
  disk "data" { role data size 8 GB used 1 GB image "data.img" }
}
vm "old" {
  os linux
  policy "daily"
  vault "main"
  protection stopped retain-data
  disk "os" { role os size 8 GB used 1 GB image "os.img" }
}
`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-cli-run-"));
  env = { BKP_MACHINE_SECRET: join(dir, "machine.key") };
  writeFileSync(join(dir, "os.img"), crypto.randomBytes(3 * MiB));
  writeFileSync(join(dir, "data.img"), crypto.randomBytes(2 * MiB));
  writeFileSync(join(dir, "p.bkp"), policy("vault"));
  mkdirSync(join(dir, "scripts"), { mode: 0o700 });
  // A pre-script that says it started, then holds the backup in progress for a while.
  for (const [name, secs] of [["slow.sh", 2], ["slower.sh", 10]] as const) {
    writeFileSync(join(dir, "scripts", name), `#!/bin/sh\ntouch "$(dirname "$0")/${name}.started"\nsleep ${secs}\n`);
    chmodSync(join(dir, "scripts", name), 0o700);
  }
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], extra: Record<string, string> = {}) => bkp(args, { cwd: dir, env: { ...env, ...extra } });

/** Starts `bkp run …` in the background; waitFor polls its output for a pattern. */
function start(args: string[], extra: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, "run", ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1", ...env, ...extra } });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const waitFor = async (what: RegExp | (() => boolean), limitMs = 30_000): Promise<void> => {
    const deadline = Date.now() + limitMs;
    const ok = () => (typeof what === "function" ? what() : what.test(stdout));
    while (!ok()) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`bkp run did not get to ${String(what)}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { child, exited, waitFor, out: () => stdout, err: () => stderr };
}

describe("bkp run", () => {
  it("catches up the missed run once, says when it runs next, and stops on SIGTERM with exit 0", async () => {
    const first = cli(["backup", "--now", "p.bkp"], { BKP_NOW: "2026-03-01T03:00:00Z" });
    expect(first.code, first.stderr).toBe(0);
    // Three days later: the runs of the 2nd, 3rd and 4th were missed; one catch-up serves them.
    const r = start(["p.bkp"], { BKP_NOW: "2026-03-04T09:00:00Z" });
    await r.waitFor(/next run: /);
    r.child.kill("SIGTERM");
    expect(await r.exited).toBe(0);
    const lines = r.out().split("\n");
    expect(lines[0]).toBe('vm "old": not scheduled: protection is stopped-retain-data');
    expect(lines[1]).toBe('bkp run: 1 VM scheduled ("web"); stop with Ctrl-C or SIGTERM');
    expect(lines[2]).toMatch(/^2026-03-04 09:00 \+00:00 {2}vm "web": catch-up of the 2026-03-04 02:30 run: point 20260304T0900\d\dZ-[0-9a-f]{6} \(file-system consistent\) in \d+\.\d s; read .*, changed .*, stored .*$/);
    expect(lines[3]).toBe('next run: vm "web" at 2026-03-05 02:30 +00:00 (UTC)');
    expect(lines[4]).toBe("stopped: 1 backup run, 0 failed");
    expect(r.out().match(/catch-up/g)).toHaveLength(1);
    expect(r.err()).toBe("bkp run: SIGTERM: stopping\n");

    const v = cli(["verify", "--read-data", "p.bkp"]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^vault "main": ok: 2 recovery points/);
    // Both jobs are in the job log.
    expect(JSON.parse(cli(["jobs", "--json", "p.bkp"]).stdout).map((j: { startedAt: string }) => j.startedAt.slice(0, 16))).toEqual(["2026-03-01T03:00", "2026-03-04T09:00"]);
  });

  it("runs a job at its scheduled time; --json prints one object per line", async () => {
    // Two seconds before the 02:30 run; the 09:00 catch-up point of the 4th serves the 4th's run.
    const r = start(["--json", "p.bkp"], { BKP_NOW: "2026-03-05T02:29:58Z" });
    await r.waitFor(/"event":"backup"/);
    await r.waitFor(/"event":"next".*\n(.|\n)*"event":"next"/);
    r.child.kill("SIGINT");
    expect(await r.exited).toBe(0);
    const events = r.out().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(["skipped", "next", "backup", "next", "stopped"]);
    expect(events[1]).toEqual({ event: "next", vms: ["web"], at: "2026-03-05T02:30:00Z", local: "2026-03-05T02:30:00Z" });
    expect(events[2]).toMatchObject({ event: "backup", vm: "web", reason: "scheduled", scheduled: "2026-03-05T02:30:00Z", status: "backed-up", point: expect.stringMatching(/^20260305T0230\d\dZ-/) });
    expect(String(events[2].startedAt) >= "2026-03-05T02:30:00Z").toBe(true);
    expect(events[3]).toMatchObject({ at: "2026-03-06T02:30:00Z" });
    expect(events[4]).toEqual({ event: "stopped", jobs: 1, failed: 0, signal: "SIGINT" });
  });

  it("SIGTERM during a backup: the backup finishes and commits its point, then exit 0", async () => {
    writeFileSync(join(dir, "slow.bkp"), policy("vault-slow", 'scripts { pre "scripts/slow.sh" timeout 60 s }'));
    const r = start(["slow.bkp"], { BKP_NOW: "2026-03-05T12:00:00Z" });
    await r.waitFor(() => existsSync(join(dir, "scripts", "slow.sh.started")));
    r.child.kill("SIGTERM");
    expect(await r.exited).toBe(0);
    expect(r.err()).toBe('bkp run: SIGTERM: stopping after the backup of VM "web" in progress (send the signal again to abandon it)\n');
    expect(r.out()).toMatch(/vm "web": first backup: point \S+ \(application consistent\)/);
    expect(r.out()).toMatch(/stopped: 1 backup run, 0 failed\n$/);
    expect(r.out()).not.toContain("next run");
    const v = cli(["verify", "--read-data", "slow.bkp"]);
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/ok: 1 recovery point/);
  });

  it("a second signal abandons the backup in progress (exit 130); the vault stays valid and the next backup completes", async () => {
    writeFileSync(join(dir, "slower.bkp"), policy("vault-slower", 'scripts { pre "scripts/slower.sh" timeout 60 s }'));
    const r = start(["slower.bkp"], { BKP_NOW: "2026-03-05T12:00:00Z" });
    await r.waitFor(() => existsSync(join(dir, "scripts", "slower.sh.started")));
    r.child.kill("SIGTERM");
    await r.waitFor(() => r.err().includes("stopping after"));
    r.child.kill("SIGTERM");
    expect(await r.exited).toBe(130);
    expect(r.err()).toMatch(/bkp run: SIGTERM again: abandoning the backup of VM "web"; no point is written for it and the vault stays valid/);
    const v = cli(["verify", "slower.bkp"]);
    expect(v.code, v.stdout).toBe(0);
    expect(cli(["points", "slower.bkp"]).stdout).toBe("no recovery points\n");
    // The abandoned run's lock is stale (its process is gone): the next backup takes it over.
    writeFileSync(join(dir, "slower.bkp"), policy("vault-slower"));
    const b = cli(["backup", "--now", "slower.bkp"]);
    expect(b.code, b.stderr).toBe(0);
    expect(cli(["verify", "--read-data", "slower.bkp"]).code).toBe(0);
  });

  it("--prune expires points by retention after each job (at BKP_NOW's clock); without it nothing expires", async () => {
    writeFileSync(join(dir, "prune.bkp"), policy("vault-prune"));
    const points = () => (JSON.parse(cli(["points", "--json", "prune.bkp"]).stdout) as { id: string }[]).map((p) => p.id);
    const b = cli(["backup", "--now", "prune.bkp"], { BKP_NOW: "2026-03-01T03:00:00Z" });
    expect(b.code, b.stderr).toBe(0);
    const [old] = points();
    expect(old).toMatch(/^20260301T0300\d\dZ-/);

    // Eleven days later, without --prune: the catch-up backup runs, the 11-day-old point stays.
    const plain = start(["prune.bkp"], { BKP_NOW: "2026-03-12T09:00:00Z" });
    await plain.waitFor(/next run: /);
    plain.child.kill("SIGTERM");
    expect(await plain.exited).toBe(0);
    expect(plain.out()).not.toMatch(/prune/);
    expect(points()).toHaveLength(2);
    expect(points()[0]).toBe(old);

    // A day later with --prune: after the catch-up backup, the point past its 7 days expires.
    const r = start(["--prune", "prune.bkp"], { BKP_NOW: "2026-03-13T09:00:00Z" });
    await r.waitFor(/next run: /);
    r.child.kill("SIGTERM");
    expect(await r.exited, r.err()).toBe(0);
    const lines = r.out().split("\n");
    expect(lines[2]).toMatch(/^2026-03-13 09:00 \+00:00 {2}vm "web": catch-up of the 2026-03-13 02:30 run: point 20260313T0900\d\dZ-/);
    expect(lines[3]).toMatch(new RegExp(`^2026-03-13 09:00 \\+00:00 {2}vault "main": prune: expired 1 point\\(s\\) \\(web ${old}\\)(; deleted \\d+ pack\\(s\\) \\(.*\\) and \\d+ block-map page\\(s\\))?; 2 point\\(s\\) kept$`));
    expect(lines[4]).toBe('next run: vm "web" at 2026-03-14 02:30 +00:00 (UTC)');
    expect(r.err()).toBe("bkp run: SIGTERM: stopping\n");
    const left = points();
    expect(left).toHaveLength(2);
    expect(left).not.toContain(old);
    expect(cli(["verify", "--read-data", "prune.bkp"]).code).toBe(0);

    // Next day, --json: one prune line after the backup line; nothing is old enough to expire.
    const j = start(["--prune", "--json", "prune.bkp"], { BKP_NOW: "2026-03-14T09:00:00Z" });
    await j.waitFor(/"event":"next"/);
    j.child.kill("SIGTERM");
    expect(await j.exited).toBe(0);
    const events = j.out().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(["skipped", "backup", "prune", "next", "stopped"]);
    expect(events[2]).toMatchObject({ event: "prune", status: "pruned", vault: "main", dryRun: false, now: expect.stringMatching(/^2026-03-14T09:00/), expired: [], untouchedVms: [] });
    expect((events[2].kept as unknown[]).length).toBe(3);
  });

  it("usage: --help, nothing to schedule (BKP5077, exit 2), a bad flag", () => {
    const h = cli(["run", "--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^Usage: bkp run \[--vm NAME\] \[--prune\] \[--json\] FILE\.\.\./);
    expect(h.stdout).toMatch(/--prune +after each backup job, prune its vault as `bkp prune` does \(default: off\)/);
    const none = cli(["run", "--vm", "old", "p.bkp"]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('vm "old": not scheduled: protection is stopped-retain-data\n');
    expect(none.stderr).toMatch(/^bkp run: error\[BKP5077\]: no VM to back up/);
    expect(cli(["run", "--bogus", "p.bkp"]).code).toBe(2);
    expect(cli(["run"]).stderr).toMatch(/bkp run: needs at least one policy file/);
  });
});
