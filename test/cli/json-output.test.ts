// Every --json / --format json prints one JSON document on stdout, errors included, valid against
// the command's schema in docs/schemas/, with an exit code that says what happened.
import crypto from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bkp, ROOT } from "../helpers.js";

const SCHEMAS = join(ROOT, "docs", "schemas");
const ajv = new Ajv({ allErrors: true, strict: false });
for (const f of readdirSync(SCHEMAS)) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, f), "utf8")) as object, f);

let dir: string;
const env = () => ({ BKP_MACHINE_SECRET: join(dir, "machine.key"), BKP_TODAY: "2026-11-20", BKP_NOW: "2026-11-20T03:00:00Z" });
const run = (args: string[], extra: Record<string, string> = {}) => bkp(args, { cwd: dir, env: { ...env(), ...extra } });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-json-"));
  writeFileSync(join(dir, "os.img"), crypto.randomBytes(256 * 1024));
  writeFileSync(
    join(dir, "p.bkp"),
    `vault "main" {\n  path "vault"\n  encryption platform-key\n}\n\npolicy "daily" {\n  schedule daily at 02:30\n  timezone "UTC"\n  retain daily 7 days\n}\n\nvm "web" {\n  os linux\n  policy "daily"\n  vault "main"\n  disk "os" { role os size 8 GB used 1 GB image "os.img" }\n}\n`,
  );
  writeFileSync(join(dir, "bad.bkp"), 'policy "pol" {\n  scedule daily at 02:00\n}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Parses stdout as exactly one JSON document and validates it against the command's schema. */
function document(schema: string, stdout: string): { kind?: string; errors?: { code: string; file?: string; line?: number }[] } {
  const doc = JSON.parse(stdout) as { kind?: string };
  const ok = ajv.validate(`${schema}.schema.json`, doc);
  expect(ajv.errorsText(ajv.errors), `${schema}: ${stdout.slice(0, 300)}`).toBe("No errors");
  expect(ok).toBe(true);
  return doc;
}

describe("JSON modes: one document, errors included", () => {
  it("succeeding commands print documents their schemas accept", () => {
    const cases: [string, string[]][] = [
      ["check", ["check", "--format", "json", "p.bkp"]],
      ["lint", ["lint", "--format", "json", "p.bkp"]],
      ["plan", ["plan", "--format", "json", "p.bkp"]],
      ["cost", ["cost", "--format", "json", "p.bkp"]],
      ["cost-diff", ["cost", "diff", "--format", "json", "p.bkp", "p.bkp"]],
      ["backup", ["backup", "--now", "--json", "p.bkp"]],
      ["points", ["points", "--json", "p.bkp"]],
      ["jobs", ["jobs", "--json", "p.bkp"]],
      ["verify", ["verify", "--json", "p.bkp"]],
      ["prune", ["prune", "--json", "p.bkp"]],
      ["restore", ["restore", "--vm", "web", "--to", "out", "--json", "p.bkp"]],
    ];
    for (const [schema, args] of cases) {
      const r = run(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(document(schema, r.stdout).kind).not.toBe("error");
    }
  });

  it("policy errors: plan, cost and cost diff print the error document, located, exit 1", () => {
    for (const [schema, args] of [
      ["plan", ["plan", "--format", "json", "bad.bkp"]],
      ["cost", ["cost", "--format", "json", "bad.bkp"]],
      ["cost-diff", ["cost", "diff", "--format", "json", "p.bkp", "bad.bkp"]],
      ["points", ["points", "--json", "bad.bkp"]],
    ] as const) {
      const r = run([...args]);
      expect(r.code).toBe(1);
      const doc = document(schema, r.stdout);
      expect(doc.kind).toBe("error");
      expect(doc.errors).toContainEqual(expect.objectContaining({ code: "BKP1002", file: "bad.bkp", line: 2 }));
    }
  });

  it("a vault that cannot be opened is an error document, not an empty success", () => {
    expect(run(["backup", "--now", "p.bkp"]).code).toBe(0);
    for (const cmd of ["points", "verify", "jobs", "prune"]) {
      const r = run([cmd, "--json", "p.bkp"], { BKP_MACHINE_SECRET: join(dir, "no-such.key") });
      expect(r.code, cmd).not.toBe(0);
      const doc = document(cmd, r.stdout);
      expect(doc.kind, cmd).toBe("error");
      expect(doc.errors?.[0].code, cmd).toMatch(/^BKP5\d{3}$/);
    }
  });

  it("usage errors and unreadable files are error documents (exit 2)", () => {
    for (const [schema, args] of [
      ["plan", ["plan", "--format", "json", "--days", "zero", "p.bkp"]],
      ["check", ["check", "--format", "json", "--bogus", "p.bkp"]],
      ["points", ["points", "--json", "--vm", "nobody", "p.bkp"]],
      ["cost", ["cost", "--format", "json", "missing.bkp"]],
    ] as const) {
      const r = run([...args]);
      expect(r.code, args.join(" ")).toBe(2);
      const doc = document(schema, r.stdout);
      if (schema !== "check") expect(doc.kind).toBe("error");
    }
  });
});
