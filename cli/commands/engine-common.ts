// Shared by the engine commands (backup, points, restore, verify): turning the checked model
// into the engine's plain inputs, progress on a terminal, and engine errors as messages.
import os from "node:os";
import path from "node:path";
import type { FleetJob } from "../../src/engine/fleet.js";
import { createHash } from "node:crypto";
import type { Model, Vault, Vm } from "../../src/model/model.js";
import { backedUpDisks } from "../../src/plan/compile.js";
import { retentionSpec, type RetentionSpec } from "../../src/plan/retention.js";
import { EngineError } from "../../src/engine/errors.js";
import type { EngineVault, EngineVm, ProgressEvent, SnapshotReport, SnapshotTier } from "../../src/engine/types.js";
import { UsageError } from "../args.js";
import type { Io } from "../io.js";

export function engineVault(v: Vault): EngineVault {
  const encryption: EngineVault["encryption"] = v.encryption.kind === "customer-key" ? { kind: "customer-key", keyFile: v.encryption.keyFile } : { kind: "platform-key" };
  // A blob vault keeps its instant-restore snapshots on this machine, beside the policy file
  // that names the vault (as Azure keeps snapshots in the customer's own subscription).
  // Keyed by the URL too: two blob vaults of one name in one folder keep apart.
  if (v.blob) {
    const key = createHash("sha256").update(v.blob.split("?")[0]!).digest("hex").slice(0, 8);
    return { name: v.name, path: path.join(path.dirname(path.resolve(v.ast.file)), ".bkp", `${v.name}-${key}`), blob: v.blob, encryption };
  }
  if (!v.path) {
    throw new UsageError(`vault "${v.name}" has no path: add \`path "DIR"\` (or \`blob "https://…"\`) to the vault block so the local engine knows where to keep recovery points`);
  }
  return { name: v.name, path: v.path, encryption };
}

/** `--concurrency`'s default: the cores, at most 4 (each VM's disks use worker threads too). */
export const DEFAULT_CONCURRENCY = Math.max(1, Math.min(4, os.availableParallelism()));

/** What the fleet runner needs of a VM's backup: its vault and the disks it reads per storage account. */
export function fleetJobOf(vm: Vm): FleetJob {
  const accounts = new Map<string, number>();
  for (const d of backedUpDisks(vm)) if (d.image && d.storageAccount) accounts.set(d.storageAccount.name, (accounts.get(d.storageAccount.name) ?? 0) + 1);
  return { vault: vm.vault.blob ?? vm.vault.path ?? vm.vault.name, accounts };
}

/** The VM's disks the engine backs up: not temporary, not excluded (DOMAIN §6), with an image. */
export function engineVm(vm: Vm): { vm: EngineVm; skipped: string[] } {
  const skipped: string[] = [];
  const disks = [];
  for (const d of backedUpDisks(vm)) {
    if (d.image) disks.push({ name: d.name, image: d.image });
    else skipped.push(d.name);
  }
  // The model VM travels along: the engine runs its pre/post scripts and records the level (DOMAIN §2).
  // Its ADE key files go along too: every point stores the BEK, wrapped by the KEK (DOMAIN §3).
  return { vm: { name: vm.name, disks, model: vm, ...(vm.ade ? { ade: vm.ade } : {}) }, skipped };
}

/** The VM's instant-restore snapshot tier: its policy's `instant-restore` days in the policy's zone (DOMAIN §7). */
export function snapshotTier(vm: Vm): SnapshotTier {
  return { days: vm.policy.instantRestoreDays, zone: vm.policy.zone };
}

export function selectVms(model: Model, name: string | undefined): Vm[] {
  if (name === undefined) return [...model.vms.values()];
  const vm = model.vms.get(name);
  if (!vm) throw new UsageError(`no VM named "${name}" in these policy files; they define ${[...model.vms.keys()].map((n) => `"${n}"`).join(", ") || "no VMs"}`);
  return [vm];
}

/**
 * What `bkp prune` expires by: per vault name, the retention of each given VM that keeps its
 * points there (VM name → its policy's retention). Shared by `bkp prune` and `bkp run --prune`.
 */
export function retentionByVault(vms: readonly Vm[]): Map<string, Map<string, RetentionSpec>> {
  const byVault = new Map<string, Map<string, RetentionSpec>>();
  for (const vm of vms) {
    const m = byVault.get(vm.vault.name) ?? new Map<string, RetentionSpec>();
    m.set(vm.name, retentionSpec(vm.policy));
    byVault.set(vm.vault.name, m);
  }
  return byVault;
}

/** Error codes that are I/O problems (exit 2) rather than a failed or damaged backup (exit 1). */
const IO_CODES = new Set(["BKP5001", "BKP5002", "BKP5004", "BKP5011", "BKP5024", "BKP5030", "BKP5031", "BKP5044", "BKP5073", "BKP5080", "BKP5081", "BKP5082", "BKP5083"]);

export function exitCodeForError(e: unknown): number {
  return e instanceof EngineError && !IO_CODES.has(e.code) ? 1 : 2;
}

/** The exit code of a command whose failures came back as codes: 2 when every one is an I/O problem, else 1. */
export function exitCodeForCodes(codes: readonly (string | undefined)[]): number {
  return codes.length && codes.every((c) => c !== undefined && IO_CODES.has(c)) ? 2 : 1;
}

/**
 * Runs a vault command (verify, repair, prune) on each vault in turn. A vault with no backups yet
 * (BKP5011) is skipped; any other engine error is printed with the vault's name, raises the exit
 * code, and the next vault still runs. `failed` says which results exit 1.
 */
export async function eachVault<V, R>(
  io: Io,
  command: string,
  vaults: Iterable<[name: string, vault: V]>,
  run: (vault: V) => Promise<R>,
  failed: (result: R) => boolean = () => false,
  afterEach: () => void = () => undefined,
): Promise<{ results: R[]; exit: number }> {
  const results: R[] = [];
  let exit = 0;
  for (const [name, vault] of vaults) {
    try {
      const r = await run(vault);
      afterEach();
      results.push(r);
      if (failed(r)) exit = Math.max(exit, 1);
    } catch (e) {
      afterEach();
      if ((e as { code?: string }).code === "BKP5011") continue; // no backups in this vault yet
      printEngineError(io, command, e, `vault "${name}": `);
      exit = Math.max(exit, exitCodeForError(e));
    }
  }
  return { results, exit };
}

/** Prints an engine error without a stack; other errors are rethrown (the CLI reports bugs). */
export function printEngineError(io: Io, command: string, e: unknown, context = ""): void {
  // The context ("VM \"x\": ") is left out when the message already starts by naming it.
  const message = (e as Error)?.message ?? "";
  const prefix = context && message.toLowerCase().startsWith(context.replace(/:\s*$/, "").toLowerCase()) ? "" : context;
  if (e instanceof EngineError) {
    io.report?.({ code: e.code, severity: "error", message: `${prefix}${e.message}` });
    io.stderr(`bkp ${command}: error[${e.code}]: ${prefix}${e.message}\n`);
    return;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === "string" && err.syscall) {
    io.report?.({ code: "BKP0007", severity: "error", message: `${prefix}${err.message}` });
    io.stderr(`bkp ${command}: ${prefix}${err.message}\n`);
    return;
  }
  throw e;
}

export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** A backup's snapshot tier part, as text lines (without indentation). */
export function snapshotLines(s: SnapshotReport): string[] {
  const out: string[] = [];
  const how = (m: SnapshotReport["disks"][number]) =>
    m.method === "link" ? `image unchanged, shares point ${m.linkedFrom ?? "?"}'s file` : m.method === "delta" ? `changes since point ${m.linkedFrom ?? "?"}` : m.method === "reflink" ? "reflink" : "sparse copy";
  if (s.dir) {
    const disks = s.disks.map((d) => `${d.disk}: ${how(d)}, ${bytes(d.allocatedBytes)}`).join("; ");
    out.push(`instant-restore snapshot: kept until ${(s.expiresAt ?? "").replace("T", " ").replace(/\.\d+Z$/, "Z")} in ${s.dir} (${disks})`);
  } else {
    out.push("instant-restore snapshot: none kept for this point");
  }
  for (const x of s.skipped) out.push(`  no snapshot of disk "${x.disk}": ${x.reason}`);
  for (const x of s.expired) out.push(`  snapshot of point ${x.point} deleted: ${x.reason}`);
  out.push(`instant-restore snapshots of this VM: ${s.live}, ${bytes(s.allocatedBytes)} allocated (each file counted once)`);
  for (const w of s.warnings) out.push(`warning: ${w}`);
  return out;
}

export function seconds(s: number): string {
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/**
 * Per-disk progress bars (bytes, rate, ETA) on a terminal, redrawn at most 10 times a second;
 * on anything else, nothing: the summary lines say it all.
 */
export class ProgressView {
  private readonly rows = new Map<string, { e: ProgressEvent; start: number }>();
  private drawn = 0;
  private last = 0;
  private readonly enabled: boolean;

  /** Draws only when `enabled` (a terminal, no JSON) and not --quiet. */
  constructor(private readonly io: Io, enabled: boolean) {
    this.enabled = enabled && !io.quiet;
  }

  readonly onProgress = (e: ProgressEvent): void => {
    if (!this.enabled) return;
    const key = `${e.vm}/${e.disk}`;
    const row = this.rows.get(key);
    if (row) row.e = e;
    else this.rows.set(key, { e, start: Date.now() });
    const now = Date.now();
    if (now - this.last >= 100 || e.bytesDone === e.bytesTotal) {
      this.last = now;
      this.draw();
    }
  };

  private draw(): void {
    const width = Math.max(...[...this.rows.keys()].map((k) => k.length));
    let out = this.drawn ? `\x1b[${this.drawn}A` : "";
    for (const [key, { e, start }] of this.rows) {
      const frac = e.bytesTotal ? e.bytesDone / e.bytesTotal : 1;
      const secs = (Date.now() - start) / 1000;
      const rate = secs > 0 ? e.bytesDone / secs : 0;
      const eta = rate > 0 && frac < 1 ? ` ETA ${seconds((e.bytesTotal - e.bytesDone) / rate)}` : "";
      const bar = "#".repeat(Math.round(frac * 24)).padEnd(24, ".");
      out += `\x1b[2K${key.padEnd(width)}  [${bar}] ${String(Math.floor(frac * 100)).padStart(3)}%  ${bytes(e.bytesDone)}/${bytes(e.bytesTotal)}  ${bytes(rate)}/s${eta}\n`;
    }
    this.drawn = this.rows.size;
    this.io.stderr(out);
  }

  /** Forgets the bars (the next VM draws below them). */
  reset(): void {
    this.rows.clear();
    this.drawn = 0;
  }
}

export function machineKeyFile(io: Io): string | undefined {
  return io.env.BKP_MACHINE_SECRET ? path.resolve(io.cwd, io.env.BKP_MACHINE_SECRET) : undefined;
}

/** The clock of the engine commands: BKP_NOW (an ISO instant) for simulations and tests, else now. */
export function nowFrom(io: Io): Date {
  const s = io.env.BKP_NOW;
  if (!s) return new Date();
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new UsageError(`BKP_NOW must be an ISO instant such as 2026-01-31T02:30:00Z, not '${s}'`);
  return d;
}
