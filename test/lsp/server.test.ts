// The language server driven over stdio as an editor drives it: JSON-RPC framing,
// initialize, didOpen/didChange, requests; every answer checked (ranges, texts, edits).
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bkp, expectNoUiOrEngine, ROOT } from "../helpers.js";
import { startClient, uri, type Client } from "./client.js";

const SEED = join(ROOT, "policies", "seed-a2-standard.bkp");

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "bkp-lsp-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The 0-based position of the `nth` occurrence of `needle` in `text` (plus `shift` characters). */
function pos(text: string, needle: string, shift = 0, nth = 0) {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`no ${needle}`);
  const before = text.slice(0, at + shift).split("\n");
  return { line: before.length - 1, character: before[before.length - 1].length };
}
const range = (text: string, needle: string, nth = 0) => ({ start: pos(text, needle, 0, nth), end: pos(text, needle, needle.length, nth) });

interface Hover { contents: { kind: string; value: string }; range: unknown }
interface Item { label: string; kind: number; textEdit?: { newText: string; range: unknown } }
interface Edit { range: unknown; newText: string }

describe("bkp lsp on the seed", () => {
  let c: Client;
  let dir: string;
  let text: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bkp-lsp-seed-"));
    copyFileSync(SEED, join(dir, "seed-a2-standard.bkp"));
    text = readFileSync(SEED, "utf8");
    c = await startClient(dir);
  });
  afterAll(async () => {
    expect(await c.close()).toBe(0);
  });

  it("hover on the VM shows the 47 GB protected instance, its monthly cost, next backups and consistency", async () => {
    const u = uri(join(dir, "seed-a2-standard.bkp"));
    const cost = JSON.parse(bkp(["cost", "--format", "json", SEED], { env: { BKP_TODAY: "2026-12-01" } }).stdout);
    const h = await c.request<Hover>("textDocument/hover", { textDocument: { uri: u }, position: pos(text, 'vm "a2-standard"', 5) });
    expect(h.range).toEqual(range(text, '"a2-standard"'));
    const v = h.contents.value;
    expect(h.contents.kind).toBe("markdown");
    expect(v).toContain("**Protected instance:** 47 GB → 1 × tier <= 50 GB (not billed: temp (temporary disk))");
    expect(v).toContain(`**At the end of the projection** (${cost.month}): USD ${cost.monthlyTotal} — instance ${cost.vms[0].instanceFee}`);
    expect(v).toMatch(/\*\*Monthly cost:\*\* USD \d+\.\d\d in 2026-12/);
    // Daily at 02:30 Tokyo: the next run after 2026-12-01T00:00Z, in the zone and in UTC.
    expect(v).toContain("- 2026-12-02 02:30 +09:00 (Asia/Tokyo) = 2026-12-01 17:30 UTC — incremental, predicted");
    expect(v).toContain("**Consistency:** application — VSS full backup, application logs truncated");
  });

  it("hover on a policy reference gives the schedule in words, next runs, retention and its VMs", async () => {
    const u = uri(join(dir, "seed-a2-standard.bkp"));
    const h = await c.request<Hover>("textDocument/hover", { textDocument: { uri: u }, position: pos(text, 'policy "daily"', 9, 1) });
    expect(h.range).toEqual(range(text, '"daily"', 1));
    expect(h.contents.value).toContain("**Schedule:** every day at 02:30, Asia/Tokyo");
    expect(h.contents.value).toContain("- 2026-12-02 02:30 +09:00 = 2026-12-01 17:30 UTC");
    expect(h.contents.value).toMatch(/\*\*Retention:\*\* \d+ recovery points per VM once the retention is full \(`retain daily 30 days`, `retain weekly 12 weeks on Sun`/);
    expect(h.contents.value).toContain("**Used by** 1 VM: `a2-standard`");
  });

  it("hover on a keyword and a unit explains them", async () => {
    const u = uri(join(dir, "seed-a2-standard.bkp"));
    const kw = await c.request<Hover>("textDocument/hover", { textDocument: { uri: u }, position: pos(text, "redundancy GRS", 2) });
    expect(kw.range).toEqual(range(text, "redundancy"));
    expect(kw.contents.value).toContain("**redundancy** (in vault)");
    expect(kw.contents.value).toContain("redundancy LRS | ZRS | GRS | RA-GRS");
    expect(kw.contents.value).not.toContain("DOMAIN");
    const unit = await c.request<Hover>("textDocument/hover", { textDocument: { uri: u }, position: pos(text, "32 TB", 3) });
    expect(unit.contents.value).toContain("**TB** — a size unit: 1000000000000 bytes (decimal");
  });
});

describe("bkp lsp on a two-file workspace", () => {
  const common = 'vault "prod" {\n  redundancy GRS\n}\n\npolicy "daily" {\n  schedule daily at 02:30\n  retain daily 30 days\n}\n\nstorage-account "sa-1" { kind premium  iops 7500  throughput 250 MB/s }\n';
  const vms = 'vm "app" {\n  os linux\n  policy "daily"\n  vault "prod"\n  disk "os" { role os size 64 GB used 20 GB storage-account "sa-1" }\n}\n';
  let c: Client;
  let dir: string;
  beforeAll(async () => {
    dir = project({ "common.bkp": common, "vms.bkp": vms, "bkp.json": JSON.stringify({ rules: { "linux-application-without-scripts": "off" } }) });
    c = await startClient(dir);
  });
  afterAll(async () => {
    expect(await c.close()).toBe(0);
  });

  it("publishes diagnostics as you type, with code, range, hint and the rule's page; a fix clears them", async () => {
    const u = await c.open(join(dir, "vms.bkp"), vms);
    const first = await c.diagnostics(u);
    // bkp.json turns this rule off: nothing about the Linux VM without scripts.
    expect(first.diagnostics.map((d) => d.code)).not.toContain("BKP4020");
    const typo = vms.replace('policy "daily"', 'policy "dialy"');
    await c.change(u, 2, typo);
    const d = await c.diagnostics(u, (p) => p.diagnostics.some((x) => x.code === "BKP2002"));
    const ref = d.diagnostics.find((x) => x.code === "BKP2002")!;
    expect(ref).toMatchObject({ severity: 1, source: "bkp", range: range(typo, '"dialy"') });
    expect(ref.message).toBe('no policy named "dialy"\nhelp: did you mean "daily"?');
    const slow = vms.replace("os linux", "os linux\n  vss full");
    await c.change(u, 3, slow);
    const vss = await c.diagnostics(u, (p) => p.diagnostics.some((x) => x.message.includes("vss")));
    expect(vss.diagnostics.find((x) => x.message.includes("vss"))!.range).toEqual(range(slow, "full"));
    await c.change(u, 4, vms);
    const clean = await c.diagnostics(u, (p) => p.diagnostics.every((x) => x.code !== "BKP2002" && !x.message.includes("vss")));
    expect(clean.diagnostics.filter((x) => x.severity === 1)).toEqual([]);
  });

  it("honours bkp.json: without it the rule it turns off reports", async () => {
    const bare = project({ "common.bkp": common, "vms.bkp": vms });
    const c2 = await startClient(bare);
    const u = await c2.open(join(bare, "vms.bkp"), vms);
    const d = await c2.diagnostics(u, (p) => p.diagnostics.length > 0);
    expect(d.diagnostics.find((x) => x.code === "BKP4020")).toMatchObject({ source: "bkp lint (linux-application-without-scripts)", range: range(vms, '"app"') });
    expect(await c2.close()).toBe(0);
  });

  it("links a rule's diagnostic to its documentation and shows related locations", async () => {
    const half = common.replace("02:30", "02:15");
    const u = await c.open(join(dir, "common.bkp"), half);
    const d = await c.diagnostics(u, (p) => p.diagnostics.some((x) => x.code === "BKP4001" || x.source.includes("schedule-not-on-half-hour")));
    const rule = d.diagnostics.find((x) => x.source.includes("schedule-not-on-half-hour"))!;
    expect(rule.range).toEqual(range(half, "02:15"));
    expect(rule.codeDescription!.href).toMatch(/^file:\/\/.*\/docs\/rules\/schedule-not-on-half-hour\.md$/);
    const actions = await c.request<{ title: string; edit: { changes: Record<string, Edit[]> } }[]>("textDocument/codeAction", { textDocument: { uri: u }, range: range(half, "02:15"), context: { diagnostics: [] } });
    const fix = actions.find((a) => a.title.includes("schedule-not-on-half-hour"))!;
    expect(fix.edit.changes[u]).toEqual([{ range: range(half, "02:15"), newText: "02:00" }]);

    const dup = 'vault "prod" { redundancy LRS }\n';
    const other = join(dir, "dup.bkp");
    const u2 = await c.open(other, dup);
    const d2 = await c.diagnostics(u2, (p) => p.diagnostics.some((x) => x.code === "BKP2001"));
    const twice = d2.diagnostics.find((x) => x.code === "BKP2001")!;
    expect(twice.relatedInformation).toEqual([{ location: { uri: u, range: range(half, '"prod"') }, message: "first defined here" }]);
    await c.change(u2, 2, "# nothing here yet\n");
    await c.change(u, 2, common);
    await c.diagnostics(u2, (p) => p.diagnostics.every((x) => x.code !== "BKP2001"));
  });

  it("offers did-you-mean as a quick fix", async () => {
    const u = uri(join(dir, "vms.bkp"));
    const typo = vms.replace('vault "prod"', 'vault "prd"');
    await c.change(u, 10, typo);
    await c.diagnostics(u, (p) => p.diagnostics.some((x) => x.code === "BKP2002"));
    const actions = await c.request<{ title: string; edit: { changes: Record<string, Edit[]> } }[]>("textDocument/codeAction", { textDocument: { uri: u }, range: range(typo, '"prd"'), context: { diagnostics: [] } });
    expect(actions.map((a) => a.title)).toContain('Change to "prod"');
    expect(actions.find((a) => a.title === 'Change to "prod"')!.edit.changes[u]).toEqual([{ range: range(typo, '"prd"'), newText: '"prod"' }]);
    await c.change(u, 11, vms);
  });

  it("goes to a definition in another file, finds references and renames across files", async () => {
    const u = uri(join(dir, "vms.bkp"));
    const cu = uri(join(dir, "common.bkp"));
    const def = await c.request<unknown[]>("textDocument/definition", { textDocument: { uri: u }, position: pos(vms, '"daily"', 2) });
    expect(def).toEqual([{ uri: cu, range: range(common, '"daily"') }]);
    const refs = await c.request<unknown[]>("textDocument/references", { textDocument: { uri: cu }, position: pos(common, '"sa-1"', 1), context: { includeDeclaration: true } });
    expect(refs).toEqual([{ uri: cu, range: range(common, '"sa-1"') }, { uri: u, range: range(vms, '"sa-1"') }]);
    const prep = await c.request<{ placeholder: string }>("textDocument/prepareRename", { textDocument: { uri: u }, position: pos(vms, '"prod"', 1) });
    expect(prep).toEqual({ range: range(vms, '"prod"'), placeholder: "prod" });
    const edit = await c.request<{ changes: Record<string, Edit[]> }>("textDocument/rename", { textDocument: { uri: u }, position: pos(vms, '"prod"', 1), newName: 'prod "eu"' });
    expect(edit.changes).toEqual({ [cu]: [{ range: range(common, '"prod"'), newText: '"prod \\"eu\\""' }], [u]: [{ range: range(vms, '"prod"'), newText: '"prod \\"eu\\""' }] });
  });

  it("hover on a storage account lists its disks", async () => {
    const cu = uri(join(dir, "common.bkp"));
    const h = await c.request<Hover>("textDocument/hover", { textDocument: { uri: cu }, position: pos(common, '"sa-1"', 1) });
    expect(h.contents.value).toContain('**storage-account "sa-1"** — premium, premium, 7500 IOPS, 250 MB/s');
    expect(h.contents.value).toContain("**Disks:** 1: `app/os (20 GB used)`");
  });

  it("completes block keywords, attributes, values, units, names and time zones", async () => {
    const u = uri(join(dir, "vms.bkp"));
    const labels = async (text: string, at: { line: number; character: number }) => {
      await c.change(u, 20, text);
      return (await c.request<Item[]>("textDocument/completion", { textDocument: { uri: u }, position: at })).map((i) => i.label);
    };
    const top = vms + "\nv";
    expect(await labels(top, pos(top, "\nv", 2))).toEqual(["vault", "policy", "vm", "storage-account", "restore", "assume", "pricing"]);
    const attr = vms.replace("  os linux\n", "  os linux\n  st\n");
    expect(await labels(attr, pos(attr, "  st\n", 4))).toEqual(expect.arrayContaining(["os", "state", "policy", "vault", "disk", "scripts"]));
    const os = vms.replace("os linux", "os ");
    expect(await labels(os, pos(os, "os \n", 3))).toEqual(["windows", "linux"]);
    const unit = vms.replace("size 64 GB", "size 64 ");
    expect(await labels(unit, pos(unit, "size 64 ", 8))).toEqual(expect.arrayContaining(["GB", "TB", "GiB"]));
    const ref = vms.replace('policy "daily"', 'policy "d');
    expect(await labels(ref, pos(ref, 'policy "d', 9))).toEqual(["daily"]);
    const pol = common.replace("  retain daily", '  timezone "Tok\n  retain daily');
    const cu = uri(join(dir, "common.bkp"));
    await c.change(cu, 30, pol);
    const zones = (await c.request<Item[]>("textDocument/completion", { textDocument: { uri: cu }, position: pos(pol, '"Tok', 4) })).map((i) => i.label);
    expect(zones).toEqual(expect.arrayContaining(["Asia/Tokyo", "Tokyo Standard Time"]));
    await c.change(cu, 31, common);
    await c.change(u, 32, vms);
  });

  it("gives the outline, folding ranges and formatting edits", async () => {
    const u = uri(join(dir, "vms.bkp"));
    const symbols = await c.request<{ name: string; detail: string; selectionRange: unknown; children?: { name: string }[] }[]>("textDocument/documentSymbol", { textDocument: { uri: u } });
    expect(symbols).toMatchObject([{ name: "app", detail: "vm (linux)", selectionRange: range(vms, '"app"'), children: [{ name: "os" }] }]);
    const cu = uri(join(dir, "common.bkp"));
    const folds = await c.request<{ startLine: number; endLine: number }[]>("textDocument/foldingRange", { textDocument: { uri: cu } });
    expect(folds).toEqual([{ startLine: 0, endLine: 1 }, { startLine: 4, endLine: 6 }]);
    const messy = vms.replace("  os linux", "os    linux");
    await c.change(u, 40, messy);
    const edits = await c.request<Edit[]>("textDocument/formatting", { textDocument: { uri: u }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits).toEqual([{ range: { start: { line: 0, character: 0 }, end: pos(messy + "\u0000", "\u0000") }, newText: bkp(["fmt", "-"], { input: messy }).stdout }]);
    expect(edits[0].newText).toContain("\n  os linux\n");
    await c.change(u, 41, vms);
  });
});

describe("bkp lsp loading", () => {
  it("does not load React, Ink or the engine", async () => {
    const log = join(mkdtempSync(join(tmpdir(), "bkp-loads-")), "loads.txt");
    const dir = mkdtempSync(join(tmpdir(), "bkp-lsp-seed-"));
    copyFileSync(SEED, join(dir, "seed.bkp"));
    const c = await startClient(dir, { BKP_LOAD_LOG: log }, ["--import", fileURLToPath(new URL("../cli/record-loads.mjs", import.meta.url))]);
    const u = await c.open(join(dir, "seed.bkp"));
    const text = readFileSync(SEED, "utf8");
    const h = await c.request<Hover>("textDocument/hover", { textDocument: { uri: u }, position: pos(text, 'vm "a2-standard"', 5) });
    expect(h.contents.value).toContain("47 GB");
    await c.diagnostics(u);
    expect(await c.close()).toBe(0);
    expectNoUiOrEngine(log);
  });
});

describe("bkp lsp isolation", () => {
  it("a request that throws answers with an error and the server goes on", async () => {
    const dir = project({ "p.bkp": 'policy "daily" {\n  schedule daily at 02:30\n  retain daily 30 days\n}\n' });
    const c = await startClient(dir, { BKP_LSP_FAIL: "textDocument/hover" });
    const u = await c.open(join(dir, "p.bkp"));
    await expect(c.request("textDocument/hover", { textDocument: { uri: u }, position: { line: 0, character: 9 } })).rejects.toMatchObject({
      code: -32603,
      message: expect.stringContaining("bkp lsp: textDocument/hover failed: failure injected by BKP_LSP_FAIL"),
    });
    const symbols = await c.request<{ name: string }[]>("textDocument/documentSymbol", { textDocument: { uri: u } });
    expect(symbols.map((s) => s.name)).toEqual(["daily"]);
    await c.change(u, 2, 'policy "daily" {\n  schedul daily at 02:30\n}\n');
    const d = await c.diagnostics(u, (p) => p.diagnostics.some((x) => x.code.startsWith("BKP1")));
    expect(d.diagnostics.find((x) => x.code.startsWith("BKP1"))!.range.start).toEqual({ line: 1, character: 2 });
    expect(await c.close()).toBe(0);
  });

  it("without --stdio it says how to run it (exit 2)", () => {
    const r = bkp(["lsp"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("run it as 'bkp lsp --stdio'");
  });
});

