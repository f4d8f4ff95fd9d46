// Engine benchmark: bkp vs restic vs borg on one generated raw image (issue #5).
//   npm run bench -- engine [--size-mib=2048] [--trials=3] [--tools=bkp,bkp-tier,restic,borg]
//                           [--block-size=BYTES] [--write-docs] [--keep] [--warm-restore]
// Every timed command is followed by `sync` (inside the timing) so all tools are durable; each
// restore starts with the page cache dropped (--warm-restore: not);
// figures are medians over the trials. Peak RSS comes from /usr/bin/time (max RSS, KiB).
// `bkp-tier` is bkp with the instant-restore snapshot tier on (BackupOptions.instantRestore, as
// for a VM whose policy has `instant-restore N days`): its own vault, the same image and changes;
// its rows add restore from the snapshot (`--point instant`) vs from the vault (`--from vault`)
// and the space the snapshots take (allocated, `du`) next to the image's data.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { NODE_BUNDLE } from "../esbuild-node.mjs";
import type { VmBackupResult } from "../../src/engine/types.js";
import { MiB, args, flag, opt, repo } from "./args.js";

const sizeMiB = Number(opt("size-mib", "2048"));
const trials = Number(opt("trials", "3"));
const blockSize = opt("block-size", "");
const wanted = opt("tools", "bkp,bkp-tier,restic,borg").split(",");
/** bkp with the instant-restore tier on (2 days, UTC, set in the bundle entry: Azure's default, and nothing expires during a run). */
const TIER = "bkp-tier";
const startedAt = new Date();
const startLoad = os.loadavg()[0];
const work = path.resolve(opt("dir", path.join(repo, ".bench", "engine")));
/** Names the docs section, e.g. --label=tmpfs for a run with --dir on a memory file system. */
const label = opt("label", "");
fs.mkdirSync(work, { recursive: true });

function sh(cmd: string, a: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean } = {}) {
  const r = spawnSync(cmd, a, { cwd: o.cwd, env: o.env ?? process.env, encoding: "utf8", maxBuffer: 64 * MiB });
  if (r.status !== 0 && !o.quiet) throw new Error(`${cmd} ${a.join(" ")} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r;
}
const have = (bin: string) => spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0;

// ---- tools --------------------------------------------------------------------------------
function ensureDebian(bin: string, pkg: string): boolean {
  if (have(bin)) return true;
  console.log(`${bin} is missing: installing Debian package ${pkg} ...`);
  const r = spawnSync("sh", ["-c", `(apt-get install -y ${pkg} || (apt-get update && apt-get install -y ${pkg})) >/dev/null 2>&1`], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (r.status !== 0 || !have(bin)) {
    console.log(`!!! ${bin} could not be installed (apt-get install ${pkg} failed): skipping ${bin} in this run`);
    return false;
  }
  return true;
}
if (!fs.existsSync("/usr/bin/time")) ensureDebian("time", "time");
const hasTime = fs.existsSync("/usr/bin/time");
if (!hasTime) console.log("!!! /usr/bin/time missing: peak RSS is not measured");

// bkp runs as a bundled script (as the CLI will) so the unchanged re-run measures real startup.
// Inside the repo whatever --dir says, so the bundle's external imports resolve from node_modules.
const bkpDir = path.join(repo, ".bench", "engine", "bkp-bundle");
let bkpBuilt: Promise<string> | undefined;
/** One bundle for bkp and bkp-tier. */
const buildBkp = () => (bkpBuilt ??= bundleBkp());
async function bundleBkp(): Promise<string> {
  const esbuild = await import("esbuild");
  fs.rmSync(bkpDir, { recursive: true, force: true }); // no stale chunks of an earlier build
  fs.mkdirSync(bkpDir, { recursive: true });
  const entry = path.join(bkpDir, "entry.ts");
  fs.writeFileSync(
    entry,
    `import { backupVm, restoreVm } from ${JSON.stringify(path.join(repo, "src/engine/index.ts"))};
import type { RestoreRequest } from ${JSON.stringify(path.join(repo, "src/engine/index.ts"))};
// backup | backup-tier (instant-restore tier on) | restore (latest, as before) | restore-instant
// (--point instant: the engine's snapshot restore) | restore-vault (--from vault)
const [cmd, vaultPath, arg, bs] = process.argv.slice(2);
const vault = { name: "bench", path: vaultPath, encryption: { kind: "platform-key" as const } };
const tier = { days: 2, zone: "UTC" };
if (cmd === "backup" || cmd === "backup-tier") {
  const r = await backupVm(vault, { name: "vm", disks: [{ name: "disk0", image: arg }] }, { ...(bs ? { blockSize: Number(bs) } : {}), ...(cmd === "backup-tier" ? { instantRestore: tier } : {}) });
  process.stdout.write(JSON.stringify(r) + "\\n");
} else {
  const how: Partial<RestoreRequest> =
    cmd === "restore-instant" ? { point: "instant", from: "auto", instantRestore: tier } : cmd === "restore-vault" ? { point: "latest", from: "vault", instantRestore: tier } : {};
  const r = await restoreVm(vault, { vm: "vm", point: "latest", toDir: arg, overwrite: true, ...how });
  process.stdout.write(JSON.stringify(r) + "\\n");
  if (!r.ok) process.exit(1);
  const want = cmd === "restore-instant" ? "snapshot" : cmd === "restore-vault" ? "vault" : undefined;
  if (want && r.disks.some((d) => d.from !== want)) {
    process.stderr.write(\`\${cmd}: a disk was restored from \${r.disks.map((d) => d.from).join(", ")}, not from the \${want}\\n\`);
    process.exit(1);
  }
}
`,
  );
  await esbuild.build({
    entryPoints: { "bkp-bench": entry, "bkp-engine-worker": path.join(repo, "src/engine/workers/worker.ts") },
    outdir: bkpDir,
    ...NODE_BUNDLE,
    // Lazily loaded chunks, as in the CLI's own bundle (scripts/build.mjs): a run parses only
    // the code it needs (the Azure SDK of blob vaults is not loaded for a directory vault).
    splitting: true,
    logLevel: "warning",
  });
  return path.join(bkpDir, "bkp-bench.mjs");
}

// ---- the image ----------------------------------------------------------------------------
const WORDS = (
  "the of and to in is was for on that with as by at from it an be this which or are have not has but had they were " +
  "their been one all also can more other would there when what into some only new time may these two first after most " +
  "any such over up used out so than its then made many where about them each people could between through during under " +
  "world like well state part city known later since however several both while united being year three back name same " +
  "another use four high including early area until government disk backup vault policy error request service"
)
  .split(" ")
  .map((w) => Buffer.from(w + " "));

function textBlock(n: number, seed: number): Buffer {
  let s = seed >>> 0;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  const b = Buffer.allocUnsafe(n);
  let o = 0;
  while (o < n) {
    if ((r() & 15) === 0) o += b.write(`\n${String(r() % 100000).padStart(5, "0")} id=${r().toString(16)} `, o);
    else o += WORDS[r() % WORDS.length].copy(b, o);
  }
  return b;
}

/** 16 MiB stripes: random, text, random, zeros — half random, a quarter text, a quarter zeros. */
function makeImage(file: string): void {
  const stripe = 16 * MiB;
  const fd = fs.openSync(file, "w");
  const zeros = Buffer.alloc(stripe);
  for (let off = 0, i = 0; off < sizeMiB * MiB; off += stripe, i++) {
    const k = i % 4;
    const buf = k === 3 ? zeros : k === 1 ? textBlock(stripe, i + 1) : crypto.randomBytes(stripe);
    fs.writeSync(fd, buf, 0, Math.min(stripe, sizeMiB * MiB - off), off);
  }
  fs.closeSync(fd);
}

/** Writes the step's changes; returns the bytes written (the churn). */
function churn(file: string, kind: "clustered" | "scattered", seed: number): number {
  const size = fs.statSync(file).size;
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const fd = fs.openSync(file, "r+");
  let bytes = 0;
  const write = (len: number) => {
    const off = Math.floor((rnd() * (size - len)) / 4096) * 4096;
    fs.writeSync(fd, crypto.randomBytes(len), 0, len, off);
    bytes += len;
  };
  if (kind === "clustered") for (let i = 0; i < Math.round((0.02 * size) / (2 * MiB)); i++) write(2 * MiB);
  else for (let i = 0; i < 2000; i++) write(16 * 1024);
  fs.closeSync(fd);
  return bytes;
}

// ---- timing -------------------------------------------------------------------------------
interface Sample {
  seconds: number;
  rssKiB?: number;
  /** The command's standard output (bkp prints its result as JSON). */
  stdout?: string;
}

/**
 * Before each restore: write back and drop the page cache, so every restore reads its vault
 * (or snapshot) from the disk, as a real restore of last week's point does, and none inherits
 * the memory reclaim its predecessor's writes caused (the first restore after the backups took
 * 3-5x the others' time with warm caches). `--warm-restore` keeps the caches.
 */
const dropCaches = (): boolean => {
  spawnSync("sync");
  try {
    fs.writeFileSync("/proc/sys/vm/drop_caches", "3");
    return true;
  } catch {
    return false;
  }
};
const coldRestore = !flag("warm-restore") && dropCaches();

/**
 * The disk's write speed just before a heavy step: 64 MiB written and fsynced, MB/s. The
 * virtual disk has a burst budget (a full backup right after another can take 3-5x as long,
 * whichever tool), so each full backup's and restore's row is printed beside its probe, and
 * the report gives each tool's probes: a slow probe says the disk, not the tool, was slow.
 */
const probeData = crypto.randomBytes(64 * MiB);
function diskProbe(): number {
  const file = path.join(work, "disk-probe");
  const t0 = process.hrtime.bigint();
  const fd = fs.openSync(file, "w");
  fs.writeSync(fd, probeData);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.rmSync(file, { force: true });
  return probeData.length / 1e6 / s;
}
/** Probes (MB/s) per tool, before its full backups and its restores. */
const probes = new Map<string, number[]>();
const probe = (tool: string, step: string): void => {
  const mbps = diskProbe();
  probes.set(tool, [...(probes.get(tool) ?? []), mbps]);
  console.log(`  disk probe before ${tool} ${step}: ${mbps.toFixed(0)} MB/s`);
};
if (!flag("warm-restore") && !coldRestore) console.log("!!! cannot write /proc/sys/vm/drop_caches (not root?): restores run with warm caches");

/** Reads a file so it is in the page cache: every tool's backup starts from the same state. */
function warm(file: string): void {
  spawnSync("sh", ["-c", `cat '${file}' > /dev/null`]);
}

function timed(cmd: string, a: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Sample {
  const rssFile = path.join(work, "rss.txt");
  fs.rmSync(rssFile, { force: true });
  const t = process.hrtime.bigint();
  const r = hasTime ? spawnSync("/usr/bin/time", ["-f", "%M", "-o", rssFile, cmd, ...a], { ...o, encoding: "utf8", maxBuffer: 64 * MiB }) : spawnSync(cmd, a, { ...o, encoding: "utf8" });
  spawnSync("sync");
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${a.join(" ")} failed (${r.status}): ${r.stderr}`);
  const rss = hasTime && fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, "utf8").trim().split("\n").pop()) : undefined;
  return { seconds, rssKiB: rss, stdout: r.stdout };
}

const duBytes = (p: string) => Number(sh("du", ["-sb", p]).stdout.split("\t")[0]);
/** Allocated bytes (st_blocks x 512) under a path, each hard-linked file counted once, as `du` does. */
const duAllocated = (p: string) => Number(sh("du", ["-s", "--block-size=1", p]).stdout.split("\t")[0]);
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);

/** Bytes of the file in 64 KiB runs that are not all zero: what a sparse copy (snapshots.ts HOLE_GRAIN) keeps as data. */
function dataBytes(file: string): number {
  const grain = 64 * 1024;
  const buf = Buffer.allocUnsafe(16 * MiB);
  const zero = Buffer.alloc(grain);
  const fd = fs.openSync(file, "r");
  let data = 0;
  try {
    for (let at = 0; ; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, at);
      if (n <= 0) break;
      for (let o = 0; o < n; o += grain) {
        const len = Math.min(grain, n - o);
        if (!buf.subarray(o, o + len).equals(zero.subarray(0, len))) data += len;
      }
      at += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return data;
}

interface Tool {
  name: string;
  init(vault: string): void;
  backup(vault: string, image: string, tag: string): Sample;
  restore(vault: string, image: string, out: string, tag: string): { sample: Sample; file: string };
  /** bkp-tier only: the restore from the vault (`--from vault`), beside `restore` from the snapshot. */
  restoreFromVault?(vault: string, image: string, out: string): { sample: Sample; file: string };
}

const env = { ...process.env, RESTIC_PASSWORD: "bench", BORG_PASSPHRASE: "bench", BKP_MACHINE_SECRET: path.join(work, "machine.key"), BORG_BASE_DIR: path.join(work, "borg-base"), BORG_RELOCATED_REPO_ACCESS_IS_OK: "yes", BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: "yes" };

async function makeTools(): Promise<Tool[]> {
  const out: Tool[] = [];
  if (wanted.includes("bkp")) {
    const script = await buildBkp();
    out.push({
      name: "bkp",
      init: () => undefined,
      backup: (vault, image) => {
        warm(image);
        return timed(process.execPath, [script, "backup", vault, image, ...(blockSize ? [blockSize] : [])], { env });
      },
      restore: (vault, image, outDir) => ({ sample: timed(process.execPath, [script, "restore", vault, outDir], { env }), file: path.join(outDir, "disk0" + path.extname(image)) }),
    });
  }
  if (wanted.includes(TIER)) {
    const script = await buildBkp();
    const restore = (how: string) => (vault: string, image: string, outDir: string) => ({
      sample: timed(process.execPath, [script, how, vault, outDir], { env }),
      file: path.join(outDir, "disk0" + path.extname(image)),
    });
    out.push({
      name: TIER,
      init: () => undefined,
      backup: (vault, image) => {
        warm(image);
        return timed(process.execPath, [script, "backup-tier", vault, image, ...(blockSize ? [blockSize] : [])], { env });
      },
      restore: restore("restore-instant"),
      restoreFromVault: restore("restore-vault"),
    });
  }
  if (wanted.includes("restic") && ensureDebian("restic", "restic")) {
    const cache = ["--cache-dir", path.join(work, "restic-cache")];
    out.push({
      name: "restic",
      init: (vault) => sh("restic", ["-r", vault, "init", "-q", ...cache], { env }),
      backup: (vault, image) => {
        warm(image);
        return timed("restic", ["-r", vault, "backup", "-q", ...cache, image], { env });
      },
      restore: (vault, image, outDir) => ({ sample: timed("restic", ["-r", vault, "restore", "-q", ...cache, "latest", "--target", outDir], { env }), file: path.join(outDir, image) }),
    });
  }
  if (wanted.includes("borg") && ensureDebian("borg", "borgbackup")) {
    out.push({
      name: "borg",
      init: (vault) => sh("borg", ["init", "-e", "repokey", vault], { env }),
      backup: (vault, image, tag) => {
        warm(image);
        return timed("borg", ["create", `${vault}::${tag}`, image], { env });
      },
      restore: (vault, image, outDir, tag) => {
        fs.mkdirSync(outDir, { recursive: true });
        return { sample: timed("borg", ["extract", `${vault}::${tag}`], { env, cwd: outDir }), file: path.join(outDir, image.replace(/^\//, "")) };
      },
    });
  }
  return out;
}

function sameBytes(a: string, b: string): boolean {
  return spawnSync("cmp", ["-s", a, b]).status === 0;
}

// ---- run ----------------------------------------------------------------------------------
const STEPS = ["full", "incremental (clustered 2%)", "incremental (scattered 2000x16K)", "unchanged re-run", "restore"] as const;
/** bkp-tier's second restore: the same point from the vault. Its "restore" is from the snapshot (`--point instant`). */
const FROM_VAULT = "restore --from vault" as const;
type Step = (typeof STEPS)[number] | typeof FROM_VAULT;

/** What the bkp-tier runs did in the snapshot tier, from the engine's results and `du`. */
interface TierStats {
  /** Snapshot method(s) per step, as the engine reported them (sparse-copy | delta | reflink | link). */
  methods: Map<Step, Set<string>>;
  /** Change detection per step (the unchanged re-run must take the unchanged-file shortcut). */
  detections: Map<Step, Set<string>>;
  /** `du` (allocated) of <vault>.snapshots after the full backup, and after the 4 backups. */
  afterFull: number[];
  atEnd: number[];
  /** The engine's own figure after the 4 backups (live snapshots, st_blocks, each inode once). */
  engineAtEnd: number[];
  /** Snapshots kept after the 4 backups. */
  live: number[];
  /** Non-zero bytes of the image at the full backup, and at the last backup. */
  dataAtFull: number;
  dataAtEnd: number[];
  /** Allocated bytes of the image (the copy of the generated base file). */
  imageAllocated: number[];
  /** Bytes the two churn steps wrote, per trial. */
  churn: number[];
}

const snapshotDirOf = (vault: string) => `${vault}.snapshots`;

async function main(): Promise<void> {
  const base = path.join(work, `base-${sizeMiB}m.raw`);
  if (!fs.existsSync(base)) {
    console.log(`generating ${sizeMiB} MiB image ${base} ...`);
    makeImage(base + ".tmp");
    fs.renameSync(base + ".tmp", base);
  }
  const image = path.join(work, "image.raw");
  const tools = await makeTools();
  const samples = new Map<string, Map<Step, Sample[]>>(tools.map((t) => [t.name, new Map<Step, Sample[]>([...STEPS, FROM_VAULT].map((s): [Step, Sample[]] => [s, []]))]));
  const sizes = new Map<string, { afterFull: number[]; atEnd: number[] }>(tools.map((t) => [t.name, { afterFull: [], atEnd: [] }]));
  const tier: TierStats | undefined = tools.some((t) => t.name === TIER)
    ? { methods: new Map(), detections: new Map(), afterFull: [], atEnd: [], engineAtEnd: [], live: [], dataAtFull: dataBytes(base), dataAtEnd: [], imageAllocated: [], churn: [] }
    : undefined;
  const nodeBaseline: number[] = [];
  const rec = (tool: string, step: Step, s: Sample) => {
    samples.get(tool)?.get(step)?.push(s);
    console.log(`  ${tool.padEnd(8)} ${step.padEnd(34)} ${s.seconds.toFixed(2).padStart(7)} s  ${s.rssKiB ? (s.rssKiB / 1024).toFixed(0) + " MiB" : ""}`);
  };
  const vaultOf = (t: Tool) => path.join(work, `vault-${t.name}`);
  /** Times one backup; for bkp-tier also checks and notes what the tier did (a backup that kept no snapshot fails the run). */
  const backup = (t: Tool, step: Step, tag: string) => {
    const s = t.backup(vaultOf(t), image, tag);
    rec(t.name, step, s);
    if (t.name !== TIER || !tier) return;
    const r = JSON.parse(s.stdout ?? "{}") as VmBackupResult;
    const snap = r.snapshot;
    if (!snap?.dir || snap.warnings.length || snap.skipped.length) throw new Error(`${TIER} ${step}: no instant-restore snapshot was kept: ${JSON.stringify(snap)}`);
    const add = (m: Map<Step, Set<string>>, v: string) => m.set(step, (m.get(step) ?? new Set()).add(v));
    for (const d of snap.disks) add(tier.methods, d.method);
    for (const d of r.disks) add(tier.detections, d.detection);
    console.log(`           snapshot: ${snap.disks.map((d) => `${d.disk} ${d.method}, ${(d.allocatedBytes / MiB).toFixed(0)} MiB`).join("; ")}; ${snap.live} live, ${(snap.allocatedBytes / MiB).toFixed(0)} MiB in all`);
    return snap;
  };
  for (let trial = 1; trial <= trials; trial++) {
    console.log(`trial ${trial}/${trials}`);
    // Rotate the tools' order: the disk's write speed drifts, no tool always goes first.
    const ts = tools.slice((trial - 1) % tools.length).concat(tools.slice(0, (trial - 1) % tools.length));
    fs.copyFileSync(base, image);
    spawnSync("sync");
    tier?.imageAllocated.push(duAllocated(image));
    for (let i = 0; i < 3; i++) nodeBaseline.push(timed(process.execPath, ["-e", "0"]).seconds);
    for (const t of ts) {
      const vault = vaultOf(t);
      fs.rmSync(vault, { recursive: true, force: true });
      fs.rmSync(snapshotDirOf(vault), { recursive: true, force: true });
      fs.rmSync(path.join(work, "restic-cache"), { recursive: true, force: true });
      fs.rmSync(env.BORG_BASE_DIR, { recursive: true, force: true });
      t.init(vault);
      spawnSync("sync");
      probe(t.name, "full");
      backup(t, "full", "full");
      sizes.get(t.name)?.afterFull.push(duBytes(vault));
      if (t.name === TIER) tier?.afterFull.push(duAllocated(snapshotDirOf(vault)));
      backup(t, "unchanged re-run", "unchanged");
    }
    let churned = churn(image, "clustered", trial * 7919);
    spawnSync("sync"); // the churn's own writes are not charged to whichever tool runs next
    for (const t of ts) backup(t, "incremental (clustered 2%)", "clustered");
    churned += churn(image, "scattered", trial * 104729);
    tier?.churn.push(churned);
    spawnSync("sync");
    for (const t of ts) {
      const snap = backup(t, "incremental (scattered 2000x16K)", "scattered");
      if (snap && tier) {
        tier.atEnd.push(duAllocated(snapshotDirOf(vaultOf(t))));
        tier.engineAtEnd.push(snap.allocatedBytes);
        tier.live.push(snap.live);
      }
    }
    if (tier) tier.dataAtEnd.push(dataBytes(image));
    for (const t of ts) {
      const vault = vaultOf(t);
      sizes.get(t.name)?.atEnd.push(duBytes(vault));
      const out = path.join(work, `restore-${t.name}`);
      const restores: [Step, () => { sample: Sample; file: string }][] = [["restore", () => t.restore(vault, image, out, "scattered")]];
      // bkp-tier: from the snapshot and from the vault, in turn first (the page cache favours neither).
      if (t.restoreFromVault) restores[trial % 2 ? "push" : "unshift"]([FROM_VAULT, () => t.restoreFromVault!(vault, image, out)]);
      for (const [step, run] of restores) {
        fs.rmSync(out, { recursive: true, force: true });
        spawnSync("sync");
        probe(t.name, step);
        if (coldRestore) dropCaches();
        const r = run();
        rec(t.name, step, r.sample);
        if (!sameBytes(r.file, image)) throw new Error(`${t.name}: restored ${r.file} differs from ${image}`);
        fs.rmSync(out, { recursive: true, force: true });
      }
    }
  }
  report(tools.map((t) => t.name), samples, sizes, median(nodeBaseline), tier);
  if (!flag("keep")) {
    for (const t of tools) {
      fs.rmSync(vaultOf(t), { recursive: true, force: true });
      fs.rmSync(snapshotDirOf(vaultOf(t)), { recursive: true, force: true });
    }
  }
}

function report(tools: string[], samples: Map<string, Map<Step, Sample[]>>, sizes: Map<string, { afterFull: number[]; atEnd: number[] }>, nodeE0: number, tier: TierStats | undefined): void {
  const med = (tool: string, step: Step) => median((samples.get(tool)?.get(step) ?? []).map((s) => s.seconds));
  const peak = (tool: string) => Math.max(...[...(samples.get(tool)?.values() ?? [])].flat().map((s) => s.rssKiB ?? 0)) / 1024;
  const sec = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "");
  const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? (a / b).toFixed(2) + "x" : "");
  // bkp-tier has no column of its own: its rows (bkp only) go in bkp's column.
  const names = tools.filter((n) => n !== TIER);
  if (tier && !names.includes("bkp")) names.unshift("bkp");
  const hasRestic = names.includes("restic");
  const rows: string[][] = [["step", ...names.flatMap((n) => (hasRestic && n !== "restic" ? [`${n} s`, `${n}/restic`] : [`${n} s`]))]];
  for (const step of STEPS) {
    rows.push([step, ...names.flatMap((n) => {
      const v = med(n, step);
      return hasRestic && n !== "restic" ? [sec(v), ratio(v, med("restic", step))] : [sec(v)];
    })]);
  }
  const gib = (b: number) => (Number.isFinite(b) ? (b / 1024 ** 3).toFixed(3) + " GiB" : "");
  const sizeRow = (label: string, pick: (s: { afterFull: number[]; atEnd: number[] }) => number[]) =>
    rows.push([label, ...names.flatMap((n) => {
      const v = median(pick(sizes.get(n) ?? { afterFull: [], atEnd: [] }));
      const r = median(pick(sizes.get("restic") ?? { afterFull: [], atEnd: [] }));
      return hasRestic && n !== "restic" ? [gib(v), ratio(v, r)] : [gib(v)];
    })]);
  sizeRow("vault size after full", (s) => s.afterFull);
  sizeRow("vault size after 4 backups", (s) => s.atEnd);
  const peakCell = (n: string) => (samples.has(n) ? peak(n).toFixed(0) + " MiB" : "");
  rows.push(["peak RSS", ...names.flatMap((n) => (hasRestic && n !== "restic" ? [peakCell(n), ""] : [peakCell(n)]))]);
  let tail = "";
  if (tier) {
    /** A bkp-only row: `value` in bkp's column, `vsRestic` in bkp/restic; the other tools' cells empty. */
    const tierRow = (label: string, value: string, vsRestic = "") =>
      rows.push([label, ...names.flatMap((n) => (n === "bkp" ? (hasRestic ? [value, vsRestic] : [value]) : hasRestic && n !== "restic" ? ["", ""] : [""]))]);
    const timedRow = (label: string, step: Step, resticStep: Step = step) => tierRow(label, sec(med(TIER, step)), ratio(med(TIER, step), med("restic", resticStep)));
    timedRow("tier: full", "full");
    timedRow("tier: incremental (clustered 2%)", "incremental (clustered 2%)");
    timedRow("tier: incremental (scattered 2000x16K)", "incremental (scattered 2000x16K)");
    timedRow("tier: unchanged re-run", "unchanged re-run");
    timedRow("tier: restore --point instant (snapshot)", "restore");
    timedRow("tier: restore --from vault", FROM_VAULT, "restore");
    tierRow("tier: snapshots after full (allocated)", gib(median(tier.afterFull)));
    tierRow("tier: snapshots after 4 backups (allocated)", gib(median(tier.atEnd)));
    tierRow("tier: image data (non-zero), at full / at end", `${(tier.dataAtFull / 1024 ** 3).toFixed(3)} / ${gib(median(tier.dataAtEnd))}`);
    // The issue's yardstick: the tier after 4 backups against the image's data plus the churn since the full backup.
    tierRow("tier: snapshots after 4 backups / (image data at end + churn)", `${(median(tier.atEnd) / (median(tier.dataAtEnd) + median(tier.churn))).toFixed(2)}x (churn ${gib(median(tier.churn))})`);
    tierRow("tier: peak RSS", peak(TIER).toFixed(0) + " MiB");
    const methods = (step: Step) => [...(tier.methods.get(step) ?? [])].join("+") || "?";
    const all = new Set([...tier.methods.values()].flatMap((m) => [...m]));
    const fsType = sh("findmnt", ["-n", "-o", "FSTYPE", "-T", work], { quiet: true }).stdout.trim() || "?";
    const cost = (step: Step, what: string) => {
      const a = med(TIER, step);
      const b = med("bkp", step);
      return Number.isFinite(a / b) ? `${what} ${(a / b).toFixed(2)}x (${a - b >= 0 ? "+" : ""}${(a - b).toFixed(2)} s)` : `${what} ${sec(a)} s`;
    };
    const detected = (step: Step) => [...(tier.detections.get(step) ?? [])].join("+") || "?";
    const range = (xs: number[]) => (Math.min(...xs) === Math.max(...xs) ? gib(xs[0]) : `${gib(Math.min(...xs))} – ${gib(Math.max(...xs))}`);
    tail =
      `Rows "tier:": bkp with the instant-restore snapshot tier on (\`BackupOptions.instantRestore\` 2 days, UTC, as for a policy with ` +
      `\`instant-restore 2 days\`), in its own vault, on the same image with the same changes${hasRestic ? "; bkp/restic is to restic's same step (restores: to restic's restore)" : ""}. ` +
      `Snapshot copies as the engine reported them: full ${methods("full")}, clustered ${methods("incremental (clustered 2%)")}, ` +
      `scattered ${methods("incremental (scattered 2000x16K)")}, unchanged re-run ${methods("unchanged re-run")} ` +
      `(${all.has("reflink") ? "reflinks were used" : `no reflink: the bench folder is on ${fsType}, which has none, so the full backup writes a sparse copy and later ones deltas of the changed 64 KiB grains`}); ` +
      `change detection: clustered ${detected("incremental (clustered 2%)")}, scattered ${detected("incremental (scattered 2000x16K)")}, unchanged re-run ${detected("unchanged re-run")}. ` +
      `With / without the tier (bkp medians): ${cost("full", "full")}, ${cost("incremental (clustered 2%)", "clustered")}, ` +
      `${cost("incremental (scattered 2000x16K)", "scattered")}, ${cost("unchanged re-run", "unchanged")}; ` +
      `restore from the snapshot ${ratio(med(TIER, "restore"), med(TIER, FROM_VAULT))} the time of the restore from the same vault ` +
      `(the snapshot restore reads each data block through the snapshot chain, checks it against the point's block maps and writes it, in one pass). ` +
      `Snapshot space (\`du\`, allocated, hard links once): ${range(tier.afterFull)} after the full backup, for ${gib(tier.dataAtFull)} of image data ` +
      `(a ${gib(sizeMiB * MiB)} image, ${gib(median(tier.imageAllocated))} of it allocated); ${range(tier.atEnd)} after 4 backups ` +
      `(${median(tier.live)} snapshots, the unchanged re-run's an empty delta; the engine's own figure ${gib(median(tier.engineAtEnd))}).`;
  }
  const probeLine = [...probes].map(([tool, xs]) => `${tool} ${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)} – ${Math.max(...xs).toFixed(0)})`).join(", ");
  if (probeLine) tail += `${tail ? "\n\n" : ""}Disk probe (64 MiB written + fsync just before each full backup and each restore, MB/s, median (min – max) per tool): ${probeLine}.`;
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const md = rows.map((r, ri) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |` + (ri === 0 ? `\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|` : "")).join("\n");
  const cpu = (os.cpus()[0]?.model ?? "?").trim();
  const head =
    `${sizeMiB} MiB raw image (16 MiB stripes: random, text, random, zeros), medians of ${trials}, each timed command followed by \`sync\`${coldRestore ? ", page cache dropped before each restore" : ""}; ` +
    `\`node -e 0\` + sync: ${nodeE0.toFixed(3)} s (bkp unchanged re-run = ${(med("bkp", "unchanged re-run") / nodeE0).toFixed(1)}x that). ` +
    `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}` +
    (blockSize ? `, bkp block size ${blockSize}` : "") +
    `.`;
  console.log("\n" + head + "\n\n" + md + "\n" + (tail ? "\n" + tail + "\n" : ""));
  if (flag("write-docs")) writeDocs(head, md + (tail ? "\n\n" + tail : ""));
}

function writeDocs(head: string, table: string): void {
  const file = path.join(repo, "docs", "benchmarks.md");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const cmd = `npm run bench -- engine ${args.filter((a) => a !== "--write-docs").join(" ")}`.trim();
  const when = `${startedAt.toISOString().slice(0, 10)}, ${startedAt.toISOString().slice(11, 16)} UTC, load average ${startLoad.toFixed(2)} when it started`;
  const section =
    `## Engine${label ? ` (${label})` : ""}\n\nCommand: \`${cmd}\` (${when}; tools: ${sh("restic", ["version"], { quiet: true }).stdout.trim().split(" compiled")[0] || "restic ?"}, ` +
    `${sh("borg", ["--version"], { quiet: true }).stdout.trim() || "borg ?"}).\n\n${head}\n\n${table}\n\n`;
  let doc = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n\n";
  const heading = `## Engine${label ? ` (${label})` : ""}`;
  const start = doc.search(new RegExp(`^${heading.replace(/[()]/g, "\\$&")}\\s*$`, "m"));
  if (start >= 0) {
    const rest = doc.slice(start + 1);
    const next = rest.search(/^## /m);
    doc = doc.slice(0, start) + section + (next >= 0 ? rest.slice(next) : "");
  } else {
    doc = doc.trimEnd() + "\n\n" + section;
  }
  fs.writeFileSync(file, doc);
  console.log(`wrote ${file}`);
}

await main();
