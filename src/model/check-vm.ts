// Checking a vm block: references, disks, consistency options per OS (DOMAIN §2, §7).
import Decimal from "decimal.js";
import type * as A from "../lang/ast.js";
import type { CheckContext } from "./check-context.js";
import { MAX_DATA_DISKS, MAX_DISK_BYTES, MAX_VM_BYTES, SCRIPT_TIMEOUT } from "./limits.js";
import type { Assumptions, Disk, Policy, Scripts, StorageAccount, Vault, Vm } from "./model.js";
import { toBytes, toSeconds } from "./units.js";

export interface VmTables {
  policies: Map<string, Policy>;
  /** Policies that exist but failed to check (already reported). */
  brokenPolicies: Set<string>;
  vaults: Map<string, Vault>;
  storageAccounts: Map<string, StorageAccount>;
  assumptions: Assumptions;
}

function percent(ctx: CheckContext, file: string, q: A.Quantity | undefined, what: string): Decimal | undefined {
  const p = ctx.unit(file, q, "percent", what, "40%");
  if (!p) return undefined;
  return ctx.inRange(file, p, p.number.value, 0, 100, "BKP2008", what, "write a percentage from 0% to 100%") ? p.number.value : undefined;
}

function disk(ctx: CheckContext, file: string, d: A.DiskAst, t: VmTables): Disk | undefined {
  const where = `disk "${d.name.value}"`;
  if (!d.size && !ctx.attempted(d.syntax, "size")) ctx.report(file, "BKP2007", d.name.range, `${where} has no size`, "add the provisioned size, e.g. size 128 GB");
  if (!d.used && !ctx.attempted(d.syntax, "used")) ctx.report(file, "BKP2007", d.name.range, `${where} has no used size`, "add the data actually on the disk, e.g. used 30 GB (it decides the bill)");
  const size = ctx.unit(file, d.size, "size", "size", "128 GB");
  const used = ctx.unit(file, d.used, "size", "used", "30 GB");
  const role = d.role?.value ?? "data";
  const sizeBytes = size ? toBytes(size) : undefined;
  const usedBytes = used ? toBytes(used) : undefined;
  if (sizeBytes && usedBytes && usedBytes.gt(sizeBytes)) {
    ctx.report(file, "BKP2005", d.used!.range, `${where} uses ${used!.number.text} ${used!.unit!.text}, more than its size of ${size!.number.text} ${size!.unit!.text}`, "used is the data on the disk and cannot exceed size; correct one of them");
  }
  if (sizeBytes && role !== "temp" && sizeBytes.gt(MAX_DISK_BYTES)) {
    ctx.report(file, "BKP2025", d.size!.range, `${where} is larger than Azure's 32 TiB disk limit`, "split the data over several disks of at most 32 TiB");
  }

  let churnBytesPerDay: Decimal | undefined;
  let churnAssumed = false;
  if (d.churn) {
    if (d.churn.unit?.kind === "percent") {
      const pct = percent(ctx, file, d.churn, "churn");
      if (pct && usedBytes) churnBytesPerDay = usedBytes.mul(pct).div(100);
    } else {
      const c = ctx.unit(file, d.churn, "size", "churn", "2% per day or 1 GB per day");
      if (c) churnBytesPerDay = toBytes(c);
    }
  } else if (usedBytes) {
    const dc = t.assumptions.defaultChurn;
    churnBytesPerDay = dc.kind === "percent" ? usedBytes.mul(dc.percent).div(100) : Decimal.min(dc.bytesPerDay, usedBytes);
    churnAssumed = true;
  }
  const free = d.free ? percent(ctx, file, d.free, "free") : undefined;

  let storageAccount: StorageAccount | undefined;
  if (d.storageAccount) storageAccount = ctx.lookup(file, d.storageAccount, "storage-account", t.storageAccounts);

  let lun: number | undefined;
  if (d.lun) {
    // Azure: data disks only, LUN 0..63 (docs/azure-model.md "Selective disk backup").
    const n = d.lun.value;
    if (role !== "data") ctx.report(file, "BKP2041", d.lun.range, `only data disks have a LUN; disk "${d.name.value}" is the ${role} disk`, "remove lun (the OS disk is always backed up; the temporary disk never is)");
    else if (!n.isInteger() || n.lt(0) || n.gt(63)) ctx.report(file, "BKP2041", d.lun.range, `LUN ${d.lun.text} is not a LUN; Azure numbers data disks 0 to 63`, "write the LUN the disk has on the VM, e.g. lun 0");
    else lun = n.toNumber();
  }
  if (!sizeBytes || !usedBytes || churnBytesPerDay === undefined) return undefined;
  return {
    name: d.name.value,
    ast: d,
    role,
    sizeBytes,
    usedBytes,
    churnBytesPerDay,
    churnAssumed,
    pattern: d.pattern?.value ?? "sequential",
    added: d.added?.text,
    storageAccount,
    storageAccountName: d.storageAccount?.value,
    tier: d.tier?.value ?? "standard",
    freePercent: free,
    image: d.image ? ctx.resolvePath(file, d.image) : undefined,
    excluded: d.exclude !== undefined,
    lun,
  };
}

function scripts(ctx: CheckContext, file: string, s: A.ScriptsAst): Scripts {
  let timeoutSeconds = SCRIPT_TIMEOUT.default;
  if (s.timeout) {
    const q = ctx.unit(file, s.timeout, "duration", "timeout", "60 s");
    const secs = q ? toSeconds(q) : undefined;
    if (q && !secs) ctx.report(file, "BKP2003", q.unit!.range, `a script timeout is seconds or minutes, not ${q.unit!.text}`, "write e.g. timeout 60 s");
    // DOMAIN §2: timeoutInSeconds max 1800, per script covering its retries.
    else if (secs && ctx.inRange(file, q!, secs, 1, SCRIPT_TIMEOUT.max, "BKP2023", "the script timeout in seconds", "write 1 s to 1800 s (30 min)", true)) timeoutSeconds = secs.toNumber();
  }
  let retries = 0;
  if (s.retries) {
    const n = s.retries.value;
    if (!n.isInteger()) ctx.report(file, "BKP2008", s.retries.range, "retries is a whole number", "write e.g. retries 1");
    else retries = n.toNumber();
  }
  if (!s.pre && !s.post) ctx.report(file, "BKP2007", s.syntax.header, "scripts names neither a pre nor a post script", 'add pre "scripts/freeze.sh" and post "scripts/thaw.sh"');
  const script = (x: A.ScriptAst | undefined) => (x ? { path: ctx.resolvePath(file, x.path), args: x.args.map((a) => a.value) } : undefined);
  return {
    ast: s,
    pre: script(s.pre),
    post: script(s.post),
    timeoutSeconds,
    retries,
    continueOnFailure: s.continueOnFailure?.value !== "false",
    fsfreeze: s.fsfreeze?.value !== "false",
  };
}

export function checkVm(ctx: CheckContext, v: A.VmAst, t: VmTables): Vm | undefined {
  const file = v.file;
  const where = `vm "${v.name.value}"`;
  if (!v.os && !ctx.attempted(v.syntax, "os")) ctx.report(file, "BKP2007", v.name.range, `${where} does not say its os`, "add os windows or os linux (it decides VSS, scripts and consistency)");
  if (!v.policy && !ctx.attempted(v.syntax, "policy")) ctx.report(file, "BKP2007", v.name.range, `${where} names no policy`, 'add policy "<name>"');
  if (!v.vault && !ctx.attempted(v.syntax, "vault")) ctx.report(file, "BKP2007", v.name.range, `${where} names no vault`, 'add vault "<name>"');
  const policy = v.policy && !t.brokenPolicies.has(v.policy.value) ? ctx.lookup(file, v.policy, "policy", t.policies, t.brokenPolicies) : undefined;
  const vault = v.vault ? ctx.lookup(file, v.vault, "vault", t.vaults) : undefined;
  const os = v.os?.value;

  // DOMAIN §1.4-5: VSS is Windows' mechanism; the script framework is Linux's.
  if (os === "linux" && v.vss) ctx.report(file, "BKP2019", v.vss.range, `${where} runs Linux; vss applies to Windows VMs only`, "remove the vss line; Linux uses scripts { pre … post … } for application consistency");
  if (os === "windows" && v.scripts) ctx.report(file, "BKP2020", v.scripts.syntax.header, `${where} runs Windows; the pre/post script framework is Linux-only`, "remove the scripts block; Windows gets application consistency from VSS");
  if (v.scripts && policy?.consistency === "agentless-crash") {
    ctx.report(file, "BKP2021", v.scripts.syntax.header, `${where} has scripts, but its policy "${policy.name}" is agentless-crash, which runs no scripts`, "use consistency application in the policy, or remove the scripts block (docs/domain.md#consistency: do not combine them)");
  }
  if (v.ade && !v.ade.bek) ctx.report(file, "BKP2007", v.ade.syntax.header, "encryption ade needs the BEK (the disk encryption secret)", 'add bek "keys/<vm>.bek"');

  const disks: Disk[] = [];
  let ok = true;
  for (const d of v.disks) {
    const m = disk(ctx, file, d, t);
    if (m) disks.push(m);
    else ok = false;
  }
  const seen = new Map<string, A.DiskAst>();
  for (const d of v.disks) {
    const prev = seen.get(d.name.value);
    if (prev) ctx.report(file, "BKP2001", d.name.range, `${where} has two disks named "${d.name.value}"`, `rename one (the first is at line ${prev.name.range.start.line})`);
    seen.set(d.name.value, d);
  }
  // Premium SSD v2 and Ultra disks are backed up by Enhanced policies only
  // (docs/azure-model.md "Disk types").
  const policyType = t.policies.get(v.policy?.value ?? "")?.type;
  for (const d of disks) {
    if ((d.tier === "premium-v2" || d.tier === "ultra") && !d.excluded && policyType === "standard") {
      ctx.report(file, "BKP2042", d.ast.tier!.range, `disk "${d.name}" of ${where} is ${d.tier === "ultra" ? "an ultra disk" : "a premium SSD v2 disk"}, which Azure backs up only with an enhanced policy; policy "${v.policy!.value}" is standard`, `give the VM an enhanced policy (type enhanced), or exclude the disk (lun <n> exclude)`);
    }
  }
  const vmPolicy = t.policies.get(v.policy?.value ?? "");
  if (vmPolicy) checkSecurityType(ctx, v, vmPolicy, vault);
  const luns = new Map<number, Disk>();
  for (const d of disks) {
    if (d.lun === undefined) continue;
    const prev = luns.get(d.lun);
    if (prev) ctx.report(file, "BKP2041", d.ast.lun!.range, `${where} has two disks at LUN ${d.lun} ("${prev.name}" and "${d.name}")`, "give each data disk the LUN it has on the VM");
    luns.set(d.lun, d);
  }
  const osDisks = v.disks.filter((d) => d.role?.value === "os");
  if (v.disks.length && osDisks.length !== 1) {
    ctx.report(file, "BKP2028", osDisks[1]?.role?.range ?? v.name.range, `${where} has ${osDisks.length} os disks; a VM has exactly one`, osDisks.length ? "give the other disks role data" : 'mark its system disk: disk "os" { role os … }');
  } else if (!v.disks.length) {
    ctx.report(file, "BKP2007", v.name.range, `${where} has no disks`, 'add at least its os disk: disk "os" { role os size 128 GB used 30 GB }');
  }
  const dataDisks = v.disks.filter((d) => (d.role?.value ?? "data") === "data");
  if (dataDisks.length > MAX_DATA_DISKS) ctx.report(file, "BKP2026", dataDisks[MAX_DATA_DISKS].range, `${where} has ${dataDisks.length} data disks; Azure allows ${MAX_DATA_DISKS}`, "move some data to another VM");
  const total = disks.filter((d) => d.role !== "temp").reduce((a, d) => a.add(d.sizeBytes), new Decimal(0));
  if (total.gt(MAX_VM_BYTES)) ctx.report(file, "BKP2025", v.name.range, `${where} has more than 256 TiB of disks, Azure's limit per VM`, "split the data over several VMs");

  const sc = v.scripts ? scripts(ctx, file, v.scripts) : undefined;
  if (!policy || !vault || !os || !ok) return undefined;
  return {
    name: v.name.value,
    ast: v,
    os,
    state: v.state?.value ?? "running",
    security: v.security?.value ?? "standard",
    provisioning: v.provisioning?.value ?? "succeeded",
    policy,
    vault,
    protectedSince: v.protectedSince?.text,
    protection: v.protection ? (v.protection.value === "active" ? "active" : v.protection.value === "stopped retain-data" ? "stopped-retain-data" : "stopped-delete-data") : "active",
    ade: v.ade?.bek ? { bek: ctx.resolvePath(file, v.ade.bek), kek: v.ade.kek ? ctx.resolvePath(file, v.ade.kek) : undefined } : undefined,
    vss: os === "windows" ? (v.vss?.value ?? policy.vss) : undefined,
    scripts: os === "linux" ? sc : undefined,
    disks,
  };
}

/** Regions where Azure Backup of confidential VMs is offered (preview; docs/azure-model.md). */
const CONFIDENTIAL_REGIONS = ["uaenorth", "koreacentral"];

/**
 * Trusted Launch and confidential VMs (docs/azure-model.md "Trusted Launch and confidential VMs"):
 * a confidential VM's backup is a preview (v6 sizes, two regions) configured with an Enhanced
 * policy, and multi-disk crash-consistent backup is unsupported for it; a Trusted Launch VM on a
 * Standard policy deploys only through recent tools (REST 2025-01-01, CLI 2.73, Az 14), so it is a
 * warning, not an error.
 */
function checkSecurityType(ctx: CheckContext, v: A.VmAst, policy: Policy, vault: Vault | undefined): void {
  const sec = v.security;
  if (!sec || sec.value === "standard") return;
  const file = v.file;
  const where = `vm "${v.name.value}"`;
  if (sec.value === "trusted-launch") {
    if (policy.type === "standard") ctx.report(file, "BKP2081", sec.range, `${where} is a Trusted Launch VM on standard policy "${policy.name}": Azure backs it up with a standard policy only through REST API 2025-01-01, Azure CLI 2.73, Az PowerShell 14 or later (the portal and older tools need an enhanced policy)`, "give the VM an enhanced policy (type enhanced), or deploy with those tools", "warning");
    return;
  }
  // Microsoft's guide configures it through the Enhanced policy flow (VM restore points): bkp's
  // reading, so a warning rather than an error.
  if (policy.type === "standard") ctx.report(file, "BKP2083", sec.range, `${where} is a confidential VM, whose backup (a preview built on VM restore points) Microsoft configures with an enhanced policy; policy "${policy.name}" is standard`, "give the VM an enhanced policy (type enhanced)", "warning");
  if (policy.consistency === "agentless-crash") ctx.report(file, "BKP2080", sec.range, `${where} is a confidential VM, for which Azure does not support multi-disk crash-consistent backup; policy "${policy.name}" is agentless crash-consistent (OnlyCrashConsistent)`, "give the VM a policy with consistency application");
  const region = vault?.region?.toLowerCase().replace(/[\s-]/g, "");
  if (region && !CONFIDENTIAL_REGIONS.includes(region)) {
    ctx.report(file, "BKP2082", sec.range, `${where} is a confidential VM in a vault in "${vault!.region}"; Azure Backup of confidential VMs is a preview offered in UAE North and Korea Central`, "check that the preview is available in the vault's region before relying on these backups", "warning");
  }
}
