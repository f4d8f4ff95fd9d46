// Issue 13, items 8-9: a lock whose pid is alive again in another process (bkp as PID 1 in a
// restarted container, a later boot) is stale; an empty lock file is explained, and a full disk
// while taking the lock is BKP5030 and leaves no empty lock behind.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { backupVm } from "../../src/engine/index.js";
import type { EngineError } from "../../src/engine/index.js";
import { acquireLock } from "../../src/engine/vault/lock.js";
import { MiB, platformEnv, writeImage } from "./helpers.js";

afterEach(() => vi.restoreAllMocks());

function withLock(content: string) {
  const env = platformEnv();
  const img = path.join(env.dir, "i.raw");
  const bytes = writeImage(img, "rt", MiB);
  fs.mkdirSync(path.join(env.vault.path, "locks"), { recursive: true });
  const lockFile = path.join(env.vault.path, "locks", "writer");
  fs.writeFileSync(lockFile, content);
  return { env, vm: { name: "vm", disks: [{ name: "d", image: img }] }, bytes, lockFile };
}

const lockOf = (extra: Record<string, string>) =>
  JSON.stringify({ pid: process.pid, hostname: os.hostname(), startedAt: "2026-01-01T00:00:00.000Z", token: "0011223344556677", purpose: "backup of VM vm", ...extra });

describe("stale locks whose pid is alive again (item 8)", () => {
  it("a lock of the same pid but another process start time is taken over", async () => {
    const t = withLock(lockOf({ procStart: "1" }));
    const r = await backupVm(t.env.vault, t.vm, { machineKeyFile: t.env.machineKeyFile, lockWaitMs: 300 });
    expect(r.disks[0].detection).toBe("full");
    expect(fs.existsSync(t.lockFile)).toBe(false);
  });

  it("a lock of an earlier boot is taken over", async () => {
    const t = withLock(lockOf({ bootId: "00000000-0000-0000-0000-000000000000" }));
    const r = await backupVm(t.env.vault, t.vm, { machineKeyFile: t.env.machineKeyFile, lockWaitMs: 300 });
    expect(r.point).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/); // a committed point, despite the old lock
  });

  it.skipIf(!fs.existsSync("/proc/self/stat"))("the lock this process holds is not stale: a second writer waits and fails with BKP5010", async () => {
    const env = platformEnv();
    const held = await acquireLock(env.vault.path, "backup of VM vm", 100);
    try {
      expect(held.info.procStart).toMatch(/^\d+$/);
      const e = (await acquireLock(env.vault.path, "prune", 200).catch((x: unknown) => x)) as EngineError;
      expect(e.code).toBe("BKP5010");
    } finally {
      held.release();
    }
  });
});

describe("empty lock files and a full disk (item 9)", () => {
  it("a fresh empty lock is explained (not 'pid 0 on ?'), and says how to clear it", async () => {
    const t = withLock("");
    const e = (await backupVm(t.env.vault, t.vm, { machineKeyFile: t.env.machineKeyFile, lockWaitMs: 200 }).catch((x: unknown) => x)) as EngineError;
    expect(e.code).toBe("BKP5010");
    expect(e.message).not.toMatch(/pid 0 on \?/);
    expect(e.message).toMatch(/empty or unreadable lock file .*stale 10 s.*delete .*locks\/writer/);
  });

  it("an old empty lock (a writer killed between create and write) is taken over", async () => {
    const t = withLock("");
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(t.lockFile, old, old);
    const r = await backupVm(t.env.vault, t.vm, { machineKeyFile: t.env.machineKeyFile, lockWaitMs: 300 });
    expect(r.point).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/); // a committed point, despite the old lock
  });

  it("a full disk while writing the lock is BKP5030 and leaves no empty lock", async () => {
    const env = platformEnv();
    const real = fs.writeSync;
    vi.spyOn(fs, "writeSync").mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
      if (typeof args[1] === "string" && args[1].includes('"token"')) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      return (real as (...a: unknown[]) => number)(...args);
    }) as typeof fs.writeSync);
    const e = (await acquireLock(env.vault.path, "backup of VM vm", 100).catch((x: unknown) => x)) as EngineError;
    expect(e.code).toBe("BKP5030");
    expect(e.message).toMatch(/file system is full/);
    expect(fs.existsSync(path.join(env.vault.path, "locks", "writer"))).toBe(false);
  });
});
