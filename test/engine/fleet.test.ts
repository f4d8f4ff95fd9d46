// The fleet runner's limits: concurrency, one writer per vault, and disks per storage account.
import { describe, expect, it } from "vitest";
import { runFleet, type FleetJob } from "../../src/engine/fleet.js";

interface Job extends FleetJob {
  name: string;
}

/** Runs the jobs with controllable completion; records what ran at the same time. */
function harness(jobs: Job[], concurrency: number, maxDisksPerAccount = 5) {
  const running = new Set<string>();
  const overlaps: string[][] = [];
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const done = runFleet(jobs, { concurrency, maxDisksPerAccount }, (j) => {
    running.add(j.name);
    started.push(j.name);
    overlaps.push([...running].sort());
    return new Promise<string>((res) =>
      finish.set(j.name, () => {
        running.delete(j.name);
        res(`${j.name} ok`);
      }),
    );
  });
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return { done, running, overlaps, started, finish: async (n: string) => (finish.get(n)!(), tick()), tick };
}

const job = (name: string, vault: string, accounts: Record<string, number> = {}): Job => ({ name, vault, accounts: new Map(Object.entries(accounts)) });

describe("runFleet", () => {
  it("runs up to `concurrency` jobs of different vaults at once, and returns results in job order", async () => {
    const h = harness([job("a", "v1"), job("b", "v2"), job("c", "v3")], 2);
    await h.tick();
    expect([...h.running].sort()).toEqual(["a", "b"]);
    await h.finish("b");
    expect([...h.running].sort()).toEqual(["a", "c"]);
    await h.finish("a");
    await h.finish("c");
    expect(await h.done).toEqual(["a ok", "b ok", "c ok"]);
  });

  it("never runs two jobs of one vault at once (one writer per vault)", async () => {
    const h = harness([job("a", "v1"), job("b", "v1"), job("c", "v2")], 3);
    await h.tick();
    expect([...h.running].sort()).toEqual(["a", "c"]);
    await h.finish("a");
    expect([...h.running].sort()).toEqual(["b", "c"]);
    await h.finish("b");
    await h.finish("c");
    expect(h.overlaps.every((o) => !(o.includes("a") && o.includes("b")))).toBe(true);
  });

  it("never reads more disks of one storage account at once than the limit; a VM over it alone runs by itself on that account", async () => {
    const h = harness([job("a", "v1", { sa: 3 }), job("b", "v2", { sa: 3 }), job("c", "v3", { sb: 2 }), job("d", "v4", { sa: 7 })], 4, 5);
    await h.tick();
    // a (3 disks) runs; b would make 6 > 5 on sa: waits; c is on another account.
    expect([...h.running].sort()).toEqual(["a", "c"]);
    await h.finish("a");
    expect([...h.running].sort()).toEqual(["b", "c"]);
    await h.finish("b");
    // d has 7 disks on sa: more than the limit, so it runs only when sa is idle.
    expect([...h.running].sort()).toEqual(["c", "d"]);
    await h.finish("c");
    await h.finish("d");
    expect(await h.done).toHaveLength(4);
  });

  it("with concurrency 1 runs in order, one at a time", async () => {
    const h = harness([job("a", "v1"), job("b", "v2")], 1);
    await h.tick();
    expect([...h.running]).toEqual(["a"]);
    await h.finish("a");
    await h.finish("b");
    expect(h.started).toEqual(["a", "b"]);
  });
});
