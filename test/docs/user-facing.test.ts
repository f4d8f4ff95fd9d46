// What users get — the built CLI's strings, README, docs/, grammar/, the example policies and the
// packed npm package — cites only what users have: the repository's own docs, never the
// project's internal notes (DOMAIN.md, LANGUAGE.md, the seed document). Every link into
// docs/domain.md lands on an anchor that exists; counts in the README match the code.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RULES } from "../../src/lint/rules/index.js";
import { ROOT } from "../helpers.js";

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(e) ? [p] : [];
  });
}

const userFacing = [
  join(ROOT, "README.md"),
  ...files(join(ROOT, "docs"), /\.(md|json)$/),
  ...files(join(ROOT, "grammar"), /\.(md|html|json)$/),
  ...files(join(ROOT, "policies"), /\.(bkp|sh)$/),
  ...files(join(ROOT, "dist"), /\.mjs$/),
];

describe("user-facing text", () => {
  it("never cites the internal notes (DOMAIN.md, LANGUAGE.md, 'DOMAIN §', the seed document)", () => {
    const hits: string[] = [];
    for (const f of userFacing) {
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/DOMAIN\.md|LANGUAGE\.md|DOMAIN §|seed document|seed\/azure/g)) hits.push(`${relative(ROOT, f)}: ${text.slice(Math.max(0, m.index - 40), m.index + 40).replace(/\s+/g, " ")}`);
    }
    expect(hits).toEqual([]);
  });

  it("every link into docs/domain.md names an anchor it has", () => {
    const domain = readFileSync(join(ROOT, "docs", "domain.md"), "utf8");
    const anchors = new Set([...domain.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
    for (const m of domain.matchAll(/^#{2,3} (.+)$/gm)) anchors.add(m[1].toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-"));
    const cited = new Set<string>();
    for (const f of [...userFacing, ...files(join(ROOT, "src"), /\.tsx?$/), ...files(join(ROOT, "cli"), /\.ts$/)]) {
      for (const m of readFileSync(f, "utf8").matchAll(/domain\.md#([a-z0-9-]+)/g)) cited.add(m[1]);
    }
    expect(cited.size).toBeGreaterThan(8);
    expect([...cited].filter((a) => !anchors.has(a))).toEqual([]);
  });

  it("the README's count of lint rules is the number of rules", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toContain(`| ${RULES.length} best-practice and risk rules`);
  });
});

describe("npm pack", () => {
  const dir = mkdtempSync(join(tmpdir(), "bkp-pack-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("packs a package that runs, with every doc its --help cites", () => {
    // dist/ is built by the test command; --ignore-scripts packs it as it is.
    const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--pack-destination", dir, "--json"], { cwd: ROOT, encoding: "utf8" });
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string }[];
    expect(spawnSync("tar", ["xzf", join(dir, info.filename), "-C", dir]).status).toBe(0);
    const pkg = join(dir, "package");
    symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
    const run = (...args: string[]) => spawnSync(process.execPath, [join(pkg, "dist", "bkp.mjs"), ...args], { cwd: pkg, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(run("check", "policies/seed-a2-standard.bkp").stdout).toContain("no problems");
    // Every docs/… path that any --help names is in the package.
    const top = run("--help").stdout;
    const names = [...top.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]);
    const helps = [top, ...names.map((n) => run(n, "--help").stdout)].join("\n");
    const cited = [...new Set([...helps.matchAll(/docs\/[\w./-]+\.md/g)].map((m) => m[0]))];
    expect(cited.length).toBeGreaterThan(0);
    for (const c of cited) expect(existsSync(join(pkg, c)), c).toBe(true);
  });
});
