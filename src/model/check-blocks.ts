// Checking the smaller blocks: vault, storage-account, restore, assume, pricing.
import Decimal from "decimal.js";
import type * as A from "../lang/ast.js";
import type { CheckContext } from "./check-context.js";
import { builtinPriceBook, defaultAssumptions, DEFAULT_REDUNDANCY } from "./defaults.js";
import type { Assumptions, PriceBook, RestorePlanSpec, StorageAccount, Vault, Vm } from "./model.js";
import { sizeBytes, toBytes, toBytesPerSecond, toSeconds } from "./units.js";
import { parseBlobUrl } from "./blob-url.js";
import { checkVaultSecurity } from "./vault-security.js";


/** Azure's rule for Recovery Services vault names: 2 to 50 letters, digits and '-', starting with a letter. */
export function vaultNameProblem(name: string): string | undefined {
  if (/^[A-Za-z][A-Za-z0-9-]{1,49}$/.test(name)) return undefined;
  if (name.length < 2 || name.length > 50) return `is ${name.length} character${name.length === 1 ? "" : "s"} long; Azure takes 2 to 50`;
  if (!/^[A-Za-z]/.test(name)) return "does not start with a letter";
  return "has characters other than letters, digits and '-'";
}

export function checkVault(ctx: CheckContext, v: A.VaultAst, books: Map<string, PriceBook>): Vault {
  const file = v.file;
  let priceBook = builtinPriceBook();
  if (v.pricing) priceBook = ctx.lookup(file, v.pricing, "pricing", books) ?? priceBook;
  const redundancy = v.redundancy?.value ?? DEFAULT_REDUNDANCY;
  if (!priceBook.storagePerUnitMonth[redundancy]) {
    ctx.report(file, "BKP2033", (v.redundancy ?? v.pricing ?? v.name).range, `price book "${priceBook.name}" has no storage price for ${redundancy}`, `add storage ${redundancy} <price> per GB-month to pricing "${priceBook.name}"`);
  }
  // A vault that passes `bkp check` must export and deploy (export's BKP6108 is the same rule).
  const nameProblem = vaultNameProblem(v.name.value);
  if (nameProblem) {
    const fixed = v.name.value.replace(/[^A-Za-z0-9-]/g, "-").replace(/^[^A-Za-z]+/, "").slice(0, 50);
    ctx.report(file, "BKP2074", v.name.range, `vault name "${v.name.value}" ${nameProblem} (docs/azure-model.md "Vault names")`, `rename it, e.g. "${fixed.length >= 2 ? fixed : `${fixed || "backup"}-vault`}"`);
  }
  if (v.path && v.blob) {
    ctx.report(file, "BKP2060", v.blob.range, `vault "${v.name.value}" has both a path and a blob URL: a vault lives in one place`, "keep `path` for a directory vault or `blob` for Azure Blob Storage, not both");
  }
  if (v.blob) {
    const url = parseBlobUrl(v.blob.value);
    if ("problem" in url) ctx.report(file, "BKP2060", v.blob.range, `vault "${v.name.value}": ${url.problem}`, 'write blob "https://<account>.blob.core.windows.net/<container>[/<folder>]"');
  }
  return {
    name: v.name.value,
    ast: v,
    path: v.path && !v.blob ? ctx.resolvePath(file, v.path) : undefined,
    blob: v.blob?.value,
    redundancy,
    encryption: v.encryption?.kind === "customer-key" ? { kind: "customer-key", keyFile: ctx.resolvePath(file, v.encryption.keyFile) } : { kind: "platform-key" },
    priceBook,
    region: v.region?.value,
    security: checkVaultSecurity(ctx, v, redundancy),
  };
}

export function checkStorageAccount(ctx: CheckContext, s: A.StorageAccountAst): StorageAccount {
  const file = s.file;
  const iops = ctx.count(file, s.iops, "iops");
  const tp = ctx.unit(file, s.throughput, "rate", "throughput", "60 MB/s");
  const load = ctx.unit(file, s.load, "percent", "load", "30%");
  if (load) ctx.inRange(file, load, load.number.value, 0, 100, "BKP2008", "load", "write a percentage from 0% to 99%");
  if (load && load.number.value.gte(100)) ctx.report(file, "BKP2008", load.range, "a storage account loaded 100% by other applications leaves nothing for restores", "write the share other applications use, below 100%");
  return {
    name: s.name.value,
    ast: s,
    kind: s.accountKind?.value ?? "general-purpose-v2",
    iops: iops?.toNumber(),
    throughputBytesPerSecond: tp ? toBytesPerSecond(tp) : undefined,
    loadPercent: load && load.number.value.lt(100) ? load.number.value : new Decimal(0),
    path: s.path ? ctx.resolvePath(file, s.path) : undefined,
    tier: s.tier?.value ?? (s.accountKind?.value === "premium" ? "premium" : "standard"),
  };
}

export function checkRestore(ctx: CheckContext, r: A.RestoreAst, vms: Map<string, Vm>, accounts: Map<string, StorageAccount>): RestorePlanSpec | undefined {
  const file = r.file;
  const where = `restore "${r.name.value}"`;
  if (!r.vms) ctx.report(file, "BKP2007", r.name.range, `${where} names no VMs`, 'add vms "<vm>", … or vms all');
  if (!r.into) ctx.report(file, "BKP2007", r.name.range, `${where} names no storage accounts to restore into`, 'add into "<storage-account>", …');
  const list: Vm[] = [];
  if (r.vms && !r.vms.all) for (const n of r.vms.names) {
    const vm = ctx.lookup(file, n, "vm", vms);
    if (vm) list.push(vm);
  }
  const into: StorageAccount[] = [];
  for (const n of r.into?.names ?? []) {
    const sa = ctx.lookup(file, n, "storage-account", accounts);
    if (sa) into.push(sa);
  }
  let spread: RestorePlanSpec["spread"] = { kind: "one-vm-per-account" };
  if (r.spread?.kind === "max-disks") {
    const n = r.spread.max.value;
    if (!n.isInteger() || n.lt(1)) ctx.report(file, "BKP2008", r.spread.max.range, `max ${n} disks per account is not a positive whole number`, "write e.g. spread max 8 disks per account");
    else spread = { kind: "max-disks", max: n.toNumber() };
  }
  if (!r.vms || !r.into) return undefined;
  const point: RestorePlanSpec["point"] = !r.point ? { kind: "latest" } : r.point.kind === "id" ? { kind: "id", id: r.point.id.value } : r.point.kind === "time" ? { kind: "time", iso: r.point.text } : { kind: r.point.kind };
  return {
    name: r.name.value,
    ast: r,
    vms: r.vms.all ? [...vms.values()] : list,
    point,
    into,
    spread,
    resourceGroup: r.resourceGroup?.value,
  };
}

export function checkAssume(ctx: CheckContext, a: A.AssumeAst | undefined): Assumptions {
  const out = defaultAssumptions();
  if (!a) return out;
  const file = a.file;
  out.ast = a;
  const rate = (q: A.Quantity | undefined, what: string): Decimal | undefined => {
    const r = ctx.unit(file, q, "rate", what, "60 MB/s");
    if (!r) return undefined;
    if (r.number.value.lte(0)) {
      ctx.report(file, "BKP2008", r.range, `${what} must be more than 0`, "write e.g. 60 MB/s");
      return undefined;
    }
    return toBytesPerSecond(r);
  };
  const seconds = (q: A.Quantity | undefined, what: string, example: string): Decimal | undefined => {
    const d = ctx.unit(file, q, "duration", what, example);
    if (!d) return undefined;
    const s = toSeconds(d);
    if (!s) ctx.report(file, "BKP2003", d.unit!.range, `${what} is a fixed duration; ${d.unit!.text} vary in length`, `write e.g. ${example}`);
    return s;
  };
  out.transferRateBytesPerSecond = rate(a.transferRate, "transfer-rate") ?? out.transferRateBytesPerSecond;
  out.checksumRateBytesPerSecond = rate(a.checksumRate, "checksum-rate") ?? out.checksumRateBytesPerSecond;
  if (a.peakHours) out.peakHours = { from: { hour: a.peakHours.from.hour, minute: a.peakHours.from.minute }, to: { hour: a.peakHours.to.hour, minute: a.peakHours.to.minute } };
  out.peakLagSeconds = seconds(a.peakLag, "peak-lag", "8 hours") ?? out.peakLagSeconds;
  out.prepareSeconds = seconds(a.prepare, "prepare", "20 min") ?? out.prepareSeconds;
  if (a.horizon) {
    const h = ctx.unit(file, a.horizon, "duration", "horizon", "36 months");
    if (h) {
      const months = h.unit!.name === "month" ? h.number.value : h.unit!.name === "year" ? h.number.value.mul(12) : undefined;
      if (!months || !months.isInteger()) ctx.report(file, "BKP2003", h.range, "horizon is a whole number of months or years", "write e.g. horizon 36 months");
      else if (ctx.inRange(file, h, months, 1, 1200, "BKP2008", "horizon in months")) out.horizonMonths = months.toNumber();
    }
  }
  if (a.fragmentation) {
    if (a.fragmentation.value.lt(1)) ctx.report(file, "BKP2008", a.fragmentation.range, "fragmentation is a slow-down factor of at least 1", "write e.g. fragmentation 2");
    else out.fragmentationFactor = a.fragmentation.value;
  }
  if (a.churn) {
    if (a.churn.unit?.kind === "percent") {
      if (ctx.inRange(file, a.churn, a.churn.number.value, 0, 100, "BKP2008", "churn")) out.defaultChurn = { kind: "percent", percent: a.churn.number.value };
    } else {
      const c = ctx.unit(file, a.churn, "size", "churn", "2% per day");
      if (c) out.defaultChurn = { kind: "bytes", bytesPerDay: toBytes(c) };
    }
  }
  out.calibrateFromVault = a.calibrate !== undefined;
  if (a.congestion) {
    const n = a.congestion.value;
    if (!n.isInteger() || n.lt(1)) ctx.report(file, "BKP2008", a.congestion.range, `congestion ${a.congestion.text} is not a positive whole number of VMs`, "write e.g. congestion 100");
    else out.congestionVms = n.toNumber();
  }
  if (a.restoreIoSize) {
    const q = ctx.unit(file, a.restoreIoSize, "size", "restore-io-size", "256 KiB");
    if (q && q.number.value.lte(0)) ctx.report(file, "BKP2008", q.range, "restore-io-size must be more than 0", "write e.g. restore-io-size 256 KiB");
    else if (q) out.restoreIoBytes = toBytes(q);
  }
  if (a.agentlessPi) {
    if (ctx.inRange(file, a.agentlessPi, a.agentlessPi.value, 0, 1, "BKP2008", "agentless-pi", "write a factor from 0 to 1, e.g. agentless-pi 0.5")) out.agentlessPiFactor = a.agentlessPi.value;
  }
  return out;
}

export function checkPricing(ctx: CheckContext, p: A.PricingAst): PriceBook {
  const file = p.file;
  const book: PriceBook = {
    name: p.name.value,
    builtin: false,
    ast: p,
    currency: p.currency?.value ?? "USD",
    unit: p.unit?.value === "GiB" ? "GiB" : "GB",
    unitBytes: sizeBytes(p.unit?.value === "GiB" ? "GiB" : "GB")!,
    region: p.region?.value,
    instanceTiers: [],
    storagePerUnitMonth: {},
    snapshotPerUnitMonth: p.snapshot?.value ?? new Decimal(0),
    archivePerUnitMonth: p.archive?.value,
  };
  if (p.unit && p.unit.value !== "GB" && p.unit.value !== "GiB") {
    ctx.report(file, "BKP2033", p.unit.range, `prices are per GB or per GiB, not per ${p.unit.value}`, "write unit GB or unit GiB");
  }
  if (p.currency && !/^[A-Z]{3}$/.test(p.currency.value)) {
    ctx.report(file, "BKP2033", p.currency.range, `'${p.currency.value}' is not an ISO 4217 currency code`, "write e.g. currency USD or currency EUR");
  }
  const inUnits = (q: A.Quantity): Decimal | undefined => {
    const s = ctx.unit(file, q, "size", "instance size", "50 GB");
    return s ? toBytes(s).div(book.unitBytes) : undefined;
  };
  for (const t of p.instance) {
    const size = inUnits(t.size);
    if (!size) continue;
    if (t.kind === "up-to") {
      const prev = book.instanceTiers[book.instanceTiers.length - 1];
      if (prev && !size.gt(prev.upTo)) {
        ctx.report(file, "BKP2033", t.size.range, "instance tiers must grow: this one is not above the previous", "list instance up-to tiers from the smallest to the largest");
        continue;
      }
      book.instanceTiers.push({ upTo: size, fee: t.fee.value });
    } else if (book.instancePer) {
      ctx.report(file, "BKP2006", t.range, "instance per is set twice", "keep one instance per line");
    } else {
      book.instancePer = { block: size, fee: t.fee.value };
    }
  }
  if (!book.instanceTiers.length && !book.instancePer) {
    ctx.report(file, "BKP2033", p.name.range, `pricing "${p.name.value}" sets no protected-instance fee`, "add e.g. instance up-to 50 GB 5.00 and instance per 500 GB 10.00");
  }
  for (const s of p.storage) book.storagePerUnitMonth[s.redundancy.value] = s.price.value;
  return book;
}
