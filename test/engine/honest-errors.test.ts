// Issue 13, item 11: the vault never lies about what is wrong. A damaged key file is not a wrong
// secret; damaged sealed objects say so in words; a key path that is a directory, a key readable
// by others, damage to a pack's header or trailer, and an image changed while it was read are
// each reported for what they are.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, restoreVm, verifyVault } from "../../src/engine/index.js";
import type { EngineError, EngineVm } from "../../src/engine/index.js";
import { loadTexts } from "../../src/model/load.js";
import { filesUnder, MiB, onePointVault, overwrite, platformEnv, prng, writeImage } from "./helpers.js";

const vault = onePointVault;

function flip(file: string, offset: number): void {
  const b = fs.readFileSync(file);
  b[offset < 0 ? b.length + offset : offset] ^= 0x08;
  fs.writeFileSync(file, b);
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as EngineError);

describe("honest errors (item 11)", () => {
  it("a damaged key file is BKP5028 (damaged), never BKP5022 (wrong secret); with an intact copy the vault still opens", async () => {
    const t = await vault();
    const key = t.at("keys/vault.key");
    const j = JSON.parse(fs.readFileSync(key, "utf8")) as { wrapped: string };
    const w = Buffer.from(j.wrapped, "base64");
    w[3] ^= 1;
    fs.writeFileSync(key, JSON.stringify({ ...j, wrapped: w.toString("base64") }));
    const ok = await verifyVault(t.env.vault, t.o);
    expect(ok.ok).toBe(true);
    expect(ok.notes.join("\n")).toMatch(/key file .* is missing or damaged; its copy opened the vault: run `bkp repair`/);
    fs.copyFileSync(key, t.at("keys/vault.key.copy"));
    const e = await failure(verifyVault(t.env.vault, t.o));
    expect(e?.code).toBe("BKP5028");
    expect(e?.message).toMatch(/damaged \(its digest does not match/);
  });

  it("damaged sealed objects are described in words, not as GCM's 'Unsupported state'", async () => {
    const t = await vault();
    const map = filesUnder(t.env.vault.path).find((f) => f.startsWith("maps/")) ?? "";
    const idx = filesUnder(t.env.vault.path).find((f) => f.startsWith("index/")) ?? "";
    const point = filesUnder(t.env.vault.path).find((f) => f.startsWith("points/")) ?? "";
    for (const f of [map, idx, point]) flip(t.at(f), -20);
    const r = await verifyVault(t.env.vault, t.o);
    const problems = r.damage.map((d) => d.problem).join("\n");
    expect(r.damage.map((d) => d.kind).sort()).toEqual(["index", "manifest"]);
    expect(problems).not.toMatch(/Unsupported state|unable to authenticate/);
    expect(problems).toMatch(/authentication failed: its bytes were altered/);
    const rr = await failure(restoreVm(t.env.vault, { vm: "vm1", point: t.p1.point, toDir: path.join(t.env.dir, "o") }, t.o));
    expect(rr?.message).not.toMatch(/Unsupported state/);
  });

  it("a key path that is a directory is BKP5021 saying so, not a raw EISDIR", async () => {
    const t = await vault();
    const dirKey = path.join(t.env.dir, "keydir");
    fs.mkdirSync(dirKey);
    const e = await failure(verifyVault(t.env.vault, { ...t.o, machineKeyFile: dirKey }));
    expect(e?.code).toBe("BKP5021");
    expect(e?.message).toMatch(/is a directory, not a key file/);
    const c = await failure(backupVm({ ...t.env.vault, path: path.join(t.env.dir, "v2"), encryption: { kind: "customer-key", keyFile: dirKey } }, t.vm, t.o));
    expect(c?.code).toBe("BKP5021");
  });

  it("a machine secret readable by others is accepted with a warning that says how to fix it", async () => {
    const t = await vault();
    fs.chmodSync(t.env.machineKeyFile, 0o644);
    const r = await backupVm(t.env.vault, t.vm, t.o);
    expect(r.warnings?.join("\n")).toMatch(/machine secret .* is readable by others \(mode 0644\).*chmod 600/);
    fs.chmodSync(t.env.machineKeyFile, 0o600);
    expect((await backupVm(t.env.vault, t.vm, t.o)).warnings).toBeUndefined();
  });

  it("damage to a pack's header or trailer is found by verify --read-data", async () => {
    const t = await vault();
    const packs = filesUnder(t.env.vault.path).filter((f) => f.startsWith("packs/"));
    flip(t.at(packs[0]), 2); // header
    flip(t.at(packs[1]), -30); // trailer
    expect((await verifyVault(t.env.vault, t.o)).ok).toBe(true); // structure only: sizes are right
    const r = await verifyVault(t.env.vault, { ...t.o, readData: true });
    expect(r.damage.filter((d) => d.kind === "pack").map((d) => d.object).sort()).toEqual(packs.slice(0, 2).sort());
    expect(r.damage.map((d) => d.problem).join("\n")).toMatch(/pack header is damaged[\s\S]*trailer does not authenticate/);
  });

  it("a point whose image changed while it was read is labelled crash consistent, not file-system consistent", async () => {
    const env = platformEnv();
    const image = path.join(env.dir, "os.img");
    writeImage(image, "rtrtrtrt", MiB);
    const set = loadTexts([{ path: path.join(env.dir, "p.bkp"), text: `vault "vt" { path "vault" }\npolicy "pol" { schedule daily at 02:00 retain daily 7 days }\nvm "a" {\n  os linux policy "pol" vault "vt"\n  disk "os" { role os size 8 GB used 1 GB image "${image}" }\n}\n` }]);
    const model = set.model?.vms.get("a");
    if (!model) throw new Error("no model");
    const vm: EngineVm = { name: "a", disks: [{ name: "os", image }], model };
    const clean = await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile, instantRestore: false });
    expect(clean.consistency.level).toBe("file-system");
    let touched = false;
    overwrite(image, 0, prng(3, MiB)); // changed: read again
    const r = await backupVm(env.vault, vm, {
      machineKeyFile: env.machineKeyFile,
      instantRestore: false,
      onProgress: () => {
        if (touched) return;
        touched = true;
        const later = new Date(Date.now() + 5000);
        fs.utimesSync(image, later, later);
      },
    });
    expect(r.disks[0].warnings.join()).toMatch(/modified while it was read/);
    expect(r.consistency.level).toBe("crash");
    expect(r.consistency.reason).toMatch(/changed while it was read, so the copy is not file-system consistent/);
  });
});
