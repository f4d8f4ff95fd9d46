// One writer at a time, with real processes: a held lock makes a second writer fail clearly
// (or wait); a dead process's lock is taken over safely, even by several contenders at once.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, listPoints, verifyVault, EngineError } from "../../src/engine/index.js";
import { acquireLock } from "../../src/engine/vault/lock.js";
import { MiB, platformEnv, writeImage } from "./helpers.js";
import { childScript, runChild, waitExit, waitForOutput } from "./child.js";

async function deadPid(): Promise<number> {
  const c = await runChild("nothing", {});
  const pid = c.pid ?? 0;
  await waitExit(c);
  return pid;
}

describe("vault lock", () => {
  it("a second writer fails with a clear message while the first holds the lock, and goes ahead once it is gone", async () => {
    await childScript();
    const env = platformEnv();
    const img = path.join(env.dir, "i.raw");
    writeImage(img, "rt", MiB);
    const vm = { name: "vm", disks: [{ name: "d", image: img }] };
    const holder = await runChild("hold-lock", { vault: env.vault.path, log: path.join(env.dir, "log"), holdMs: 60_000 });
    const exited = waitExit(holder);
    await waitForOutput(holder, "locked");
    const e = await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile, lockWaitMs: 300 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe("BKP5010");
    expect((e as EngineError).message).toContain(`pid ${holder.pid} on ${os.hostname()}`);
    expect((e as EngineError).message).toMatch(/Wait for it to finish/);
    holder.kill("SIGKILL");
    await exited;
    // The dead holder's lock is stale: taken over.
    const r = await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile, lockWaitMs: 300 });
    expect(r.disks[0].detection).toBe("full");
    expect(fs.existsSync(path.join(env.vault.path, "locks", "writer"))).toBe(false);
  });

  it("two backups started at once both complete, one after the other", async () => {
    await childScript();
    const env = platformEnv();
    const a = path.join(env.dir, "a.raw");
    writeImage(a, "rtrt", MiB);
    const vm = { name: "vm", disks: [{ name: "d", image: a }] };
    const opts = { machineKeyFile: env.machineKeyFile, lockWaitMs: 30_000 };
    const [r1, r2] = await Promise.all([waitExit(await runChild("backup", { vault: env.vault, vm, opts })), waitExit(await runChild("backup", { vault: env.vault, vm, opts }))]);
    expect(r1.code, r1.out + r1.err).toBe(0);
    expect(r2.code, r2.out + r2.err).toBe(0);
    const pts = await listPoints(env.vault, {}, opts);
    expect(pts).toHaveLength(2);
    expect(pts.map((p) => p.disks[0].detection).sort()).toEqual(["full", "unchanged-file"]);
    expect((await verifyVault(env.vault, { readData: true, machineKeyFile: env.machineKeyFile })).ok).toBe(true);
  });

  it("several contenders taking over a stale lock never hold it at the same time", async () => {
    await childScript();
    const env = platformEnv();
    fs.mkdirSync(path.join(env.vault.path, "locks"), { recursive: true });
    const pid = await deadPid();
    fs.writeFileSync(
      path.join(env.vault.path, "locks", "writer"),
      JSON.stringify({ pid, hostname: os.hostname(), startedAt: new Date().toISOString(), token: "stale", purpose: "test" }),
    );
    const log = path.join(env.dir, "log");
    const kids = await Promise.all(Array.from({ length: 4 }, () => runChild("hold-lock", { vault: env.vault.path, log, holdMs: 150, waitMs: 30_000 })));
    const res = await Promise.all(kids.map(waitExit));
    for (const r of res) expect(r.code, r.err).toBe(0);
    const lines = fs.readFileSync(log, "utf8").trim().split("\n");
    expect(lines).toHaveLength(8);
    for (let i = 0; i < lines.length; i += 2) {
      const [s, p1] = lines[i].split(" ");
      const [e, p2] = lines[i + 1].split(" ");
      expect([s, e, p1]).toEqual(["start", "end", p2]);
    }
  });

  it("an unreadable lock file left by a writer that died while creating it is taken over once old", async () => {
    const env = platformEnv();
    fs.mkdirSync(path.join(env.vault.path, "locks"), { recursive: true });
    const f = path.join(env.vault.path, "locks", "writer");
    fs.writeFileSync(f, "");
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(f, old, old);
    const l = await acquireLock(env.vault.path, "test", 1000);
    expect(JSON.parse(fs.readFileSync(f, "utf8"))).toMatchObject({ pid: process.pid });
    l.release();
    expect(fs.existsSync(f)).toBe(false);
  });
});
