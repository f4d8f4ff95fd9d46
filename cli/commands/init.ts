// `bkp init [DIR]`: a commented starter policy set (a vault with a price book, a Standard policy
// with instant restore, a VM with an OS and a data disk) that passes check, fmt --check and lint;
// with --from-azure the policies come from `bkp import azure`. Never overwrites a file.
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type Decimal from "decimal.js";
import { builtinPriceBook } from "../../src/model/defaults.js";
import { quote } from "../../src/lang/build-ast.js";
import { summary } from "../../src/lang/code-frame.js";
import { importAzure } from "../../src/interop/import-azure.js";
import { parse, UsageError } from "../args.js";
import type { Command } from "../command.js";
import { styleFor, type Io } from "../io.js";
import { checkNote, printDiagnostics, readJson } from "./import.js";

/** The built-in price book as a `pricing` block: the starter shows the prices bkp uses, not a copy that could drift. */
function priceBookText(): string {
  const b = builtinPriceBook();
  const u = b.unit;
  const [first, ...tiers] = b.instanceTiers;
  const money = (d: Decimal) => d.toFixed(2);
  return [
    `# The built-in list prices (${b.currency}, per month), to edit for your agreement or region.`,
    `pricing "list-prices" {`,
    `  currency ${b.currency}`,
    `  unit ${u}`,
    `  instance up-to ${first.upTo} ${u} ${money(first.fee)}  # protected-instance fee by the VM's protected size`,
    ...tiers.map((t) => `  instance up-to ${t.upTo} ${u} ${money(t.fee)}`),
    ...(b.instancePer ? [`  instance per ${b.instancePer.block} ${u} ${money(b.instancePer.fee)}  # above ${tiers.at(-1)?.upTo ?? first.upTo} ${u}: per started ${b.instancePer.block} ${u}`] : []),
    ...Object.entries(b.storagePerUnitMonth).map(([r, p]) => `  storage ${r} ${p} per ${u}-month`),
    `  snapshot ${b.snapshotPerUnitMonth} per ${u}-month  # instant-restore snapshots`,
    `}`,
    ``,
  ].join("\n");
}

const VAULT = `# The vault: where recovery points are kept and how redundantly (bkp help language, "vault").
# Written by bkp init as a starting point. Edit these files, then run:
#   bkp check .    every problem, located, with a hint
#   bkp plan .     when each backup runs, how long it takes, what may throttle
#   bkp cost .     the monthly bill per VM
#   bkp lint .     best-practice and risk rules (bkp lint --list-rules)

vault "main" {
  path "vault"             # where \`bkp backup\` keeps recovery points (relative to this file)
  redundancy GRS           # LRS | ZRS | GRS | RA-GRS: decides the storage price
  encryption platform-key  # or customer-key "keys/main.key": without that file nothing can be read
  pricing "list-prices"    # the price book below; remove this line for the built-in one
}

# The analysis assumptions bkp plan and bkp cost use; these are the defaults (bkp help analysis).
assume {
  transfer-rate 60 MB/s per disk  # snapshot-to-vault rate per disk
  peak-hours 00:00 to 06:00       # when Azure Backup is busiest: avoid scheduling in it
  horizon 12 months               # how far bkp cost projects the bill
}

${priceBookText()}`;

const POLICY = `# A Standard policy: one backup a day, with instant restore (bkp help domain).
policy "daily" {
  schedule daily at 22:00  # Standard: once a day, on :00 or :30
  timezone "UTC"           # the zone the schedule is read in: "Europe/Berlin", "Tokyo Standard Time"...
  instant-restore 2 days   # snapshots kept beside the vault: restores from them are near-instant (1-5 days)
  consistency application  # application | file-system | crash (docs/domain.md, "Consistency")
  retain daily 30 days
  retain weekly 12 weeks on Sun
  retain monthly 12 months on first Sun
}
`;

function vmFile(policy: string, others: string[]): string {
  const also = others.length ? `\n# The other policies (${others.map((p) => quote(p)).join(", ")}) are in policies.bkp: name one in a vm's policy.` : "";
  return `# One VM protected by the policy ${quote(policy)} in the vault "main": its OS disk and one data disk.${also}
# Add an \`image "<file>"\` to a disk to let \`bkp backup\` back up a local disk image.
vm "app-01" {
  os windows
  vss copy  # keeps SQL Server and other application logs; vss full truncates them
  policy ${quote(policy)}
  vault "main"
  disk "os" { role os size 64 GB used 20 GB }
  disk "data" { role data size 256 GB used 100 GB churn 2 GB per day }
}
`;
}

export const command: Command = {
  help: `Usage: bkp init [DIR]
       bkp init [DIR] --from-azure FILE.json|-

Write a commented starter policy set into DIR (default: the current directory; created if
missing): vault.bkp (a vault, the analysis assumptions and a price book holding the built-in
list prices), policies.bkp (a Standard daily policy with instant restore) and vms.bkp (a VM
with an OS disk and a data disk). The files pass bkp check, bkp fmt --check and bkp lint;
edit them, then run bkp check DIR, bkp plan DIR, bkp cost DIR and bkp lint DIR.

With --from-azure, policies.bkp holds the Azure VM backup policies of FILE (or standard input
for -), imported as 'bkp import azure' does (every form it reads; bkp help azure), and the VM
uses the first of them. If the JSON has errors, they are shown and nothing is written.

bkp init never overwrites a file: if DIR already holds one of the three, nothing is written.

Options:
  --from-azure FILE|-  take the policies from Azure policy JSON (- reads standard input)
  -h, --help           show this help

Exit codes: 0 written, 1 errors in the Azure JSON (nothing written), 2 usage error, a file
that exists already or an unreadable/unwritable file.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { "from-azure": { type: "string" } });
    if (positionals.length > 1) throw new UsageError(`takes one directory, not ${positionals.length} (${positionals.join(", ")})`);
    const dir = positionals[0] ?? ".";
    if (existsSync(dir) && !statSync(dir).isDirectory()) {
      io.stderr(`bkp init: '${dir}' is a file, not a directory; nothing written\n`);
      return 2;
    }
    const files = ["vault.bkp", "policies.bkp", "vms.bkp"].map((f) => join(dir, f));
    const taken = files.filter((f) => existsSync(f));
    if (taken.length) {
      io.stderr(`bkp init: ${taken.join(", ")} already exist${taken.length === 1 ? "s" : ""}; bkp init never overwrites a file, nothing written. Choose a new directory: bkp init DIR\n`);
      return 2;
    }
    let policies = POLICY;
    let names = ["daily"];
    const from = values["from-azure"];
    if (from !== undefined) {
      const imported = await importPolicies(from, io);
      if (typeof imported === "number") return imported;
      [policies, names] = imported;
    }
    const texts = [VAULT, policies, vmFile(names[0], names.slice(1))];
    const written: string[] = [];
    try {
      makeDir(dir);
      // "wx": a file that appeared since the check above is still not overwritten.
      files.forEach((f, i) => {
        writeFileSync(f, texts[i], { flag: "wx" });
        written.push(f);
      });
    } catch (e) {
      for (const f of written) rmSync(f, { force: true });
      const code = (e as NodeJS.ErrnoException).code;
      const why = code ? (WRITE_ERRORS[code] ?? code) : e instanceof Error ? e.message : String(e);
      io.stderr(`bkp init: cannot write the starter files into '${dir}': ${why}; nothing written. Choose a directory you can write to: bkp init DIR\n`);
      return 2;
    }
    if (from !== undefined) checkNote(io, texts[1], files[1]);
    if (!io.quiet) {
      io.stdout(`wrote ${files.join(", ")}\n`);
      io.stdout(`next: bkp check ${dir} && bkp plan ${dir} && bkp cost ${dir} && bkp lint ${dir}\n`);
    }
    return 0;
  },
};

const WRITE_ERRORS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "over the disk quota",
  ENOENT: "the file system does not let a directory be made there",
  ENOTDIR: "a part of the path is a file, not a directory",
};

/**
 * Creates a directory and its missing parents one by one. Not `mkdirSync(dir, { recursive })`:
 * Node 20's retries loop forever where the file system answers ENOENT for a parent that exists
 * (a path under /proc); one level at a time, that answer is an error to report.
 */
function makeDir(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) mkdirSync(d);
}

/** The imported .bkp text and policy names, or an exit code (the problems already printed). */
async function importPolicies(from: string, io: Io): Promise<[string, string[]] | number> {
  const read = from === "-" ? { ok: true as const, text: await io.readStdin() } : readJson(from);
  if (!read.ok) {
    io.stderr(`bkp init: ${read.message}\n`);
    return 2;
  }
  const path = from === "-" ? "<stdin>" : from;
  const result = importAzure([{ path, text: read.text }], { outPath: "policies.bkp" });
  printDiagnostics(io, result.diagnostics, new Map([[path, read.text]]));
  const failed = result.diagnostics.some((d) => d.severity === "error");
  if (failed || result.text === undefined) {
    const why = failed ? summary(result.diagnostics, 1, styleFor(io)) : `no Azure VM policy in ${path}`;
    io.stderr(`bkp init: ${why}; nothing written\n`);
    return 1;
  }
  return [result.text, result.policies.map((p) => p.name)];
}
