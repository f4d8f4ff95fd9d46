import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PolicyAst, VmAst, StorageAccountAst, RestoreAst, AssumeAst, PricingAst, VaultAst } from "../../src/lang/ast.js";
import { parseFile } from "../../src/lang/index.js";
import { loadTexts } from "../../src/model/load.js";
import { ROOT } from "../helpers.js";

/** The ```bkp blocks of LANGUAGE.md, the language contract. */
function languageBlocks(): string[] {
  const contract = join(ROOT, "..", "shared", "LANGUAGE.md");
  if (existsSync(contract)) {
    const md = readFileSync(contract, "utf8");
    return [...md.matchAll(/```bkp\n([\s\S]*?)```/g)].map((m) => m[1]);
  }
  // Outside the project's workspace (a clone) the committed copy of its examples stands in:
  // nothing is missing, so nothing is printed.
  const dir = join(ROOT, "policies", "language-tour");
  return readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), "utf8"));
}

describe("LANGUAGE.md, the language contract", () => {
  const blocks = languageBlocks();

  it("has its examples where this test looks for them", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  it.each(blocks.map((b, i) => [i + 1, b] as const))("block %i parses without syntax errors", (_i, text) => {
    const parsed = parseFile("LANGUAGE.md", text);
    expect(parsed.diagnostics).toEqual([]);
  });

  it("all blocks concatenated form one valid policy set", () => {
    const set = loadTexts([{ path: "all.bkp", text: blocks.join("\n") }]);
    expect(set.diagnostics).toEqual([]);
    expect([...set.model!.vms.keys()]).toEqual(["a2-standard", "db01", "legacy-app"]);
    expect([...set.model!.policies.keys()]).toEqual(["daily", "every-4h", "weekly", "month-days"]);
  });
});

describe("every construct becomes a typed AST value", () => {
  const text = languageBlocks().join("\n");
  const ast = parseFile("all.bkp", text).ast;
  const block = <K extends string>(kind: K, name?: string) =>
    ast.blocks.find((b) => b.kind === kind && (name === undefined || ("name" in b && b.name.value === name)));

  it("vault: path, redundancy, encryption", () => {
    const v = block("vault", "prod") as VaultAst;
    expect(v.path?.value).toBe("../vault/prod");
    expect(v.redundancy?.value).toBe("GRS");
    expect(v.encryption?.kind).toBe("platform-key");
  });

  it("policy: daily schedule, zone, instant restore, consistency, vss, four retention rules", () => {
    const p = block("policy", "daily") as PolicyAst;
    expect(p.schedule).toMatchObject({ kind: "daily", at: { hour: 2, minute: 30 } });
    expect(p.timezone?.value).toBe("Asia/Tokyo");
    expect(p.instantRestore?.number.text).toBe("2");
    expect(p.instantRestore?.unit).toMatchObject({ kind: "duration", name: "day" });
    expect(p.consistency?.value).toBe("application");
    expect(p.vss?.value).toBe("full");
    expect(p.retain.map((r) => r.kind)).toEqual(["daily", "weekly", "monthly", "yearly"]);
    const yearly = p.retain[3];
    expect(yearly.months?.map((m) => m.value)).toEqual(["Jan"]);
    expect(yearly.on).toMatchObject({ kind: "weekdays", ordinals: [{ value: "first" }], weekdays: [{ value: "Sun" }] });
  });

  it("policy: hourly schedule with window", () => {
    const p = block("policy", "every-4h") as PolicyAst;
    expect(p.schedule?.kind).toBe("hourly");
    if (p.schedule?.kind !== "hourly") return;
    expect(p.schedule.every.number.text).toBe("4");
    expect(p.schedule.from.text).toBe("08:00");
    expect(p.schedule.for.number.text).toBe("16");
  });

  it("policy: weekly schedule on several days, ordinal lists, several months", () => {
    const p = block("policy", "weekly") as PolicyAst;
    expect(p.schedule).toMatchObject({ kind: "weekly", days: [{ value: "Mon" }, { value: "Wed" }, { value: "Thu" }] });
    expect(p.retain[1].on).toMatchObject({ kind: "weekdays", ordinals: [{ value: "first" }, { value: "third" }], weekdays: [{ value: "Wed" }, { value: "Thu" }] });
    expect(p.retain[2].months?.map((m) => m.value)).toEqual(["Feb", "Nov"]);
  });

  it("policy: day-of-month retention with last, and archive", () => {
    const p = block("policy", "month-days") as PolicyAst;
    expect(p.retain[1].on).toMatchObject({ kind: "days", days: [{ value: 1 }, { value: 15 }, { value: "last" }] });
    expect(p.retain[2].on).toMatchObject({ kind: "days", days: [{ value: 15 }] });
    expect(p.archiveAfter?.number.text).toBe("3");
  });

  it("vm: scripts with args and options, disks with every attribute", () => {
    const v = block("vm", "db01") as VmAst;
    expect(v.scripts?.pre?.path.value).toBe("scripts/freeze.sh");
    expect(v.scripts?.pre?.args.map((a) => a.value)).toEqual(["--db", "main"]);
    expect(v.scripts?.timeout?.number.text).toBe("60");
    expect(v.scripts?.retries?.text).toBe("1");
    expect(v.scripts?.continueOnFailure?.value).toBe("true");
    expect(v.scripts?.fsfreeze?.value).toBe("true");
    const data = v.disks.find((d) => d.name.value === "data")!;
    expect(data.churn?.number.text).toBe("250");
    expect(data.churn?.unit?.name).toBe("GB");
    expect(data.pattern?.value).toBe("scattered");
    expect(data.storageAccount?.value).toBe("sa-data-1");
    expect(data.tier?.value).toBe("premium");
    expect(data.free?.unit?.kind).toBe("percent");
    const logs = v.disks.find((d) => d.name.value === "logs")!;
    expect(logs.added?.text).toBe("2026-11-20");
    expect(logs.exclude).toBeDefined();
    expect(v.disks.find((d) => d.name.value === "os")!.image?.value).toBe("../images/db01-os.img");
  });

  it("vm: state, provisioning, protection, ADE keys", () => {
    const v = block("vm", "legacy-app") as VmAst;
    expect(v.state?.value).toBe("stopped");
    expect(v.provisioning?.value).toBe("succeeded");
    expect(v.protectedSince?.text).toBe("2025-03-01");
    expect(v.protection?.value).toBe("stopped retain-data");
    expect(v.ade?.bek?.value).toBe("../keys/legacy-app.bek");
    expect(v.ade?.kek?.value).toBe("../keys/prod.kek");
  });

  it("storage-account, restore, assume, pricing", () => {
    const sa = block("storage-account", "restore-sa-1") as StorageAccountAst;
    expect(sa.accountKind?.value).toBe("general-purpose-v2");
    expect(sa.throughput?.unit).toMatchObject({ kind: "rate", name: "MB/s" });
    expect(sa.load?.number.text).toBe("30");
    const r = block("restore", "dr-drill") as RestoreAst;
    expect(r.vms).toMatchObject({ all: false, names: [{ value: "a2-standard" }, { value: "db01" }] });
    expect(r.point?.kind).toBe("latest");
    expect(r.spread?.kind).toBe("one-vm-per-account");
    expect(r.resourceGroup?.value).toBe("rg-restore");
    const a = block("assume") as AssumeAst;
    expect(a.peakHours?.from.text).toBe("00:00");
    expect(a.horizon?.unit?.name).toBe("month");
    const p = block("pricing", "my-ea-prices") as PricingAst;
    expect(p.instance.map((i) => [i.kind, i.size.number.text, i.fee.text])).toEqual([
      ["up-to", "50", "5.00"],
      ["up-to", "500", "10.00"],
      ["per", "500", "10.00"],
    ]);
    expect(p.storage.map((s) => s.redundancy.value)).toEqual(["LRS", "GRS"]);
    expect(p.snapshot?.text).toBe("0.05");
  });
});

describe("lexical rules", () => {
  it("a keyword is allowed as a name inside quotes, with escapes", () => {
    const ast = parseFile("k.bkp", 'vault "vault \\"x\\" \\\\ policy" { path "a" }').ast;
    expect((ast.blocks[0] as VaultAst).name.value).toBe('vault "x" \\ policy');
  });

  it("full weekday and month names mean the short ones", () => {
    const ast = parseFile("k.bkp", 'policy "pol" { schedule weekly on Monday, Friday at 01:00 retain yearly 2 years in January on last Sunday }').ast;
    const p = ast.blocks[0] as PolicyAst;
    expect(p.schedule).toMatchObject({ days: [{ value: "Mon" }, { value: "Fri" }] });
    expect(p.retain[0]).toMatchObject({ months: [{ value: "Jan" }], on: { weekdays: [{ value: "Sun" }] } });
  });

  it("whitespace and newlines are insignificant", () => {
    const one = parseFile("a.bkp", 'vm "x" { os linux policy "pol" vault "vt" disk "os" { role os size 1 GB used 1 GB } }');
    const many = parseFile("b.bkp", 'vm\n"x"\n{\nos\nlinux\npolicy\n"p"\nvault "vt"\n\tdisk "os" {\nrole os\nsize 1\nGB used 1 GB\n}\n}\n');
    expect(one.diagnostics).toEqual([]);
    expect(many.diagnostics).toEqual([]);
    expect((many.ast.blocks[0] as VmAst).disks[0].size?.number.text).toBe("1");
  });

  it("keeps every comment", () => {
    const parsed = parseFile("c.bkp", "# head\nvault \"v\" { # after brace\n  path \"p\" # trailing\n}\n# tail\n");
    expect(parsed.ast.comments.map((c) => c.text)).toEqual(["# head", "# after brace", "# trailing", "# tail"]);
  });

  it("reports every syntax error of a file in one run", () => {
    const parsed = parseFile("e.bkp", 'vault "a" { redundancy XRS }\npolicy "pol-b" { scedule daily at 01:00 }\nvm "c" { os plan9 }\n');
    expect(parsed.diagnostics.map((d) => d.range.start.line)).toEqual([1, 2, 3]);
  });
});

describe("edge cases of the lexical rules", () => {
  it("'second' is an ordinal and a duration unit", () => {
    const set = loadTexts([{ path: "s.bkp", text: 'policy "pol" { schedule daily at 02:00 retain daily 7 days retain monthly 3 months on second Sun }\nvault "vt" { path "x" }\nvm "a" { os linux policy "pol" vault "vt" scripts { pre "a.sh" timeout 1 second } disk "os" { role os size 8 GB used 1 GB } }' }]);
    expect(set.diagnostics).toEqual([]);
    expect(set.model!.vms.get("a")!.scripts!.timeoutSeconds).toBe(1);
    expect(set.model!.policies.get("pol")!.retention.monthly?.on).toEqual({ kind: "weekdays", ordinals: [2], weekdays: [7] });
  });

  it("a string ending in an escaped backslash, and a valid escape before a letter", () => {
    const parsed = parseFile("b.bkp", 'vault "vt" { path "C:\\\\" region "C:\\\\new" }');
    expect(parsed.diagnostics).toEqual([]);
    const v = parsed.ast.blocks[0] as VaultAst;
    expect(v.path?.value).toBe("C:\\");
    expect(v.region?.value).toBe("C:\\new");
  });

  it("a keyword in the wrong case says keywords are lower-case", () => {
    const parsed = parseFile("c.bkp", 'policy "pol" { schedule daily at 02:00 retain daily 30 days Timezone "UTC" }');
    expect(parsed.diagnostics).toMatchObject([{ code: "BKP1002", message: "'Timezone' is not a keyword here: keywords are lower-case", hint: "write 'timezone'" }]);
  });

  it("a unit in the wrong case is one error that says which unit (units are case-sensitive)", () => {
    const parsed = parseFile("c.bkp", 'policy "pol" { schedule daily at 02:00 retain daily 30 Days }');
    expect(parsed.diagnostics).toMatchObject([{ code: "BKP2004", message: "'Days' is not a unit", hint: "did you mean 'days'? (units are case-sensitive)" }]);
  });
});
