// `bkp run --concurrency`: VMs due together start at once within the fleet runner's limits.
import { describe, expect, it } from "vitest";
import { runScheduler } from "../../src/engine/scheduler.js";
import { model } from "../plan/fixtures.js";

const text = `vault "v1" { redundancy LRS }
vault "v2" { redundancy LRS }
policy "pol" {
  schedule daily at 02:30
  timezone "UTC"
  retain daily 7 days
}
${["a:v1", "b:v2", "c:v1"].map((s) => { const [n, v] = s.split(":"); return `vm "${n}" { os linux policy "pol" vault "${v}" disk "os" { role os size 8 GB used 1 GB } }`; }).join("\n")}
`;

async function run(concurrency: number): Promise<string[][]> {
  const vms = [...model(text).vms.values()];
  const stop = new AbortController();
  const running = new Set<string>();
  const together: string[][] = [];
  let jobs = 0;
  await runScheduler<string>({
    vms: vms.map((vm) => ({ vm, latest: undefined })),
    now: () => Date.parse("2026-03-01T03:00:00Z"),
    signal: stop.signal,
    sleep: async () => stop.abort(),
    fleet: { concurrency, maxDisksPerAccount: 5, jobOf: (vm) => ({ vault: vm.vault.name, accounts: new Map() }) },
    async runJob(job) {
      running.add(job.vm.name);
      together.push([...running].sort());
      await new Promise((r) => setTimeout(r, 20));
      running.delete(job.vm.name);
      if (++jobs === vms.length) stop.abort();
      return "ok";
    },
  });
  return together;
}

describe("runScheduler with a fleet", () => {
  it("runs first backups of VMs in different vaults at once, never two of one vault", async () => {
    const together = await run(3);
    expect(together.some((t) => t.length === 2)).toBe(true);
    expect(together.every((t) => !(t.includes("a") && t.includes("c")))).toBe(true);
    expect(together.flat().filter((n, i, all) => all.indexOf(n) === i).sort()).toEqual(["a", "b", "c"]);
  });

  it("with concurrency 1 runs one after another", async () => {
    expect((await run(1)).every((t) => t.length === 1)).toBe(true);
  });
});
