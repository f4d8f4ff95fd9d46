// Consistency through the engine (DOMAIN §2): backupVm runs the model VM's real pre/post scripts
// around its read of the images, and the point's manifest records the level, reason and scripts.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, listPoints } from "../../src/engine/index.js";
import { isEngineError } from "../../src/engine/errors.js";
import type { EngineVm } from "../../src/engine/types.js";
import { loadTexts } from "../../src/model/load.js";
import { MiB, platformEnv, writeImage } from "./helpers.js";

function script(dir: string, name: string, body: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`);
  fs.chmodSync(p, 0o700);
  return p;
}

/** A two-disk Linux VM from a real policy text, with real images. */
function setup(scriptsOf: (dir: string) => string, disks = 2) {
  const env = platformEnv();
  const scripts = scriptsOf(env.dir);
  const imgs = Array.from({ length: disks }, (_, i) => path.join(env.dir, `d${i}.img`));
  imgs.forEach((f, i) => writeImage(f, i ? "rz" : "tr", MiB));
  const diskText = imgs.map((f, i) => `disk "d${i}" { role ${i ? "data" : "os"} size 8 GB used 1 GB image "${f}" }`).join("\n  ");
  const set = loadTexts([
    {
      path: path.join(env.dir, "p.bkp"),
      text: `vault "vt" { path "vault" }\npolicy "pol" { schedule daily at 02:00 retain daily 7 days }\nvm "a" {\n  os linux policy "pol" vault "vt"\n  ${scripts ? `scripts { ${scripts} }` : ""}\n  ${diskText}\n}\n`,
    },
  ]);
  expect(set.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
  const model = set.model!.vms.get("a")!;
  const vm: EngineVm = { name: "a", disks: imgs.map((f, i) => ({ name: `d${i}`, image: f })), model };
  return { env, vm };
}

describe("backupVm with pre/post scripts", () => {
  it("succeeding scripts around the read: the point is application consistent, scripts recorded", async () => {
    let log = "";
    const { env, vm } = setup((dir) => {
      log = path.join(dir, "order.log");
      return `pre "${script(dir, "pre.sh", `echo pre >> "${log}"`)}" post "${script(dir, "post.sh", `echo post >> "${log}"`)}"`;
    });
    const r = await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile });
    expect(r.consistency.level).toBe("application");
    expect(r.consistency.reason).toMatch(/pre\/post scripts succeeded/);
    expect(r.consistency.scripts?.map((s) => [s.which, s.ok, s.attempts])).toEqual([["pre", true, 1], ["post", true, 1]]);
    expect(fs.readFileSync(log, "utf8")).toBe("pre\npost\n");
    const [p] = await listPoints(env.vault, { vm: "a" }, { machineKeyFile: env.machineKeyFile });
    expect(p.consistency).toMatchObject({ level: "application", scripts: [{ which: "pre", ok: true }, { which: "post", ok: true }] });
  });

  it("a failing pre-script (continue-on-failure true): file-system consistent, with the reason", async () => {
    const { env, vm } = setup((dir) => `pre "${script(dir, "fail.sh", "echo 'db busy' >&2; exit 4")}"`);
    const r = await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile });
    expect(r.consistency.level).toBe("file-system");
    expect(r.consistency.reason).toBe("the pre-script exit code 4: db busy; continue-on-failure true: file-system consistent");
    const [p] = await listPoints(env.vault, { vm: "a" }, { machineKeyFile: env.machineKeyFile });
    expect(p.consistency.level).toBe("file-system");
    expect(p.consistency.reason).toContain("db busy");
  });

  it("continue-on-failure false on a two-disk VM: the backup fails, no point is written", async () => {
    const { env, vm } = setup((dir) => `pre "${script(dir, "fail.sh", "exit 1")}" continue-on-failure false`);
    const err = await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile }).catch((e: unknown) => e);
    expect(isEngineError(err) && err.code).toBe("BKP5060");
    expect((err as Error).message).toMatch(/continue-on-failure is false: the backup fails.*No recovery point was written/);
    expect(await listPoints(env.vault, { vm: "a" }, { machineKeyFile: env.machineKeyFile })).toEqual([]);
  });

  it("without the model VM a point is a crash-consistent copy (no scripts)", async () => {
    const { env, vm } = setup(() => "");
    const r = await backupVm(env.vault, { name: vm.name, disks: vm.disks }, { machineKeyFile: env.machineKeyFile });
    expect(r.consistency).toMatchObject({ level: "crash" });
  });
});

