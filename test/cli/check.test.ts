import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { BIN, bkp, policySets } from "../helpers.js";

let dir: string;
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-check-"));
});

describe("bkp check on the bundled policies", () => {
  it.each(policySets().map((s) => [s.map((f) => f.split("/policies/")[1]).join(" "), s] as const))("%s checks clean", (_n, files) => {
    const r = bkp(["check", ...files]);
    expect(r.stdout).toMatch(/^checked \d+ files?: no problems\n$/);
    expect(r.code).toBe(0);
  });
});

describe("bad input gets a clear message and the documented exit code, never a stack trace", () => {
  const cases: [string, () => string[], number, RegExp][] = [
    ["an empty file", () => [file("empty.bkp", "  \n\n")], 1, /error\[BKP0006\]: .*empty\.bkp' is empty/],
    ["a binary file", () => [file("bin.bkp", Buffer.from([0x76, 0x6d, 0x00, 0xff, 0x10]))], 1, /error\[BKP0003\]: .*binary file \(NUL byte at offset 2\)/],
    ["invalid UTF-8", () => [file("latin1.bkp", Buffer.from('vault "caf\xe9" {}', "latin1"))], 1, /error\[BKP0004\]: .*not valid UTF-8 \(first bad byte at offset 10\)/],
    ["a 50 MB file", () => [file("big.bkp", Buffer.alloc(50 * 1024 * 1024, "# padding\n"))], 1, /error\[BKP0005\]: .*52\.4 MB; policy files are limited to 16 MiB/],
    ["a missing file", () => [join(dir, "nope.bkp")], 2, /error\[BKP0001\]: cannot find '.*nope\.bkp'/],
    ["an unknown keyword", () => [file("kw.bkp", 'vault "vt" {\n  redundnacy GRS\n}\n')], 1, /error\[BKP1002\]: unknown attribute 'redundnacy' in a vault block\n --> .*kw\.bkp:2:3\n  \|\n2 \|   redundnacy GRS\n  \|   \^{10}\n  = help: did you mean 'redundancy'\?/],
    ["an unterminated string", () => [file("str.bkp", 'vault "v {\n  path "x"\n}\n')], 1, /error\[BKP1003\]: unterminated string.*\n --> .*str\.bkp:1:7/],
    ["a number with the wrong unit", () => [file("unit.bkp", 'vault "vt" { path "p" }\npolicy "pol" { schedule daily at 02:00 retain daily 7 days }\nvm "x" { os linux policy "pol" vault "vt" disk "os" { role os size 8 GB used 5 s } }\n')], 1, /error\[BKP2003\]: used takes a size, but '5 s' is a duration\n --> .*unit\.bkp:3:80/],
    ["a reference to an undefined block", () => [file("ref.bkp", 'policy "pol" { schedule daily at 02:00 retain daily 7 days }\nvm "x" { os linux policy "pol" vault "backups" disk "os" { role os size 8 GB used 1 GB } }\n')], 1, /error\[BKP2002\]: no vault named "backups"\n --> .*ref\.bkp:2:38\n.*\n.*\n.*\n  = help: declare it: vault "backups" \{ … \}/],
  ];
  it.each(cases)("%s", (_name, args, code, pattern) => {
    const r = bkp(["check", ...args()]);
    expect(r.stdout).toMatch(pattern);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(r.code).toBe(code);
  });

  it("a missing '}' is reported and the errors after it still are", () => {
    const p = file("brace.bkp", 'vault "vt" {\n  path "p"\n\npolicy "pol" {\n  scedule daily at 02:00\n}\n\nvm "x" {\n  os plan9\n}\n');
    const r = bkp(["check", p]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error\[BKP1004\]: missing '}' to close vault "vt" opened at line 1; found 'policy'\n --> .*brace\.bkp:2:11/);
    expect(r.stdout).toMatch(/error\[BKP1002\]: unknown attribute 'scedule'[\s\S]*brace\.bkp:5:3/);
    expect(r.stdout).toMatch(/brace\.bkp:9:6/);
  });

  it("reports every file's problems in one run and counts them", () => {
    const a = file("a.bkp", 'vault "vt" { redundancy XRS }\n');
    const b = file("b.bkp", 'policy "pol" { schedule daily at 02:00 retain daily 3 days }\n');
    const r = bkp(["check", a, b]);
    expect(r.stdout).toContain("a.bkp:1:25");
    expect(r.stdout).toContain("b.bkp:1:53");
    expect(r.stdout).toMatch(/checked 2 files: 2 errors\n$/);
  });
});

describe("output formats and colour", () => {
  it("--format json prints the documented array shape", () => {
    const p = file("j.bkp", 'policy "pol" { schedule daily at 02:15 retain daily 7 days }\n');
    const r = bkp(["check", "--format", "json", p]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { file: p, line: 1, column: 34, endLine: 1, endColumn: 39, code: "BKP2014", severity: "warning", message: expect.stringContaining("02:15 is not on the hour or half hour"), hint: "write 02:00" },
    ]);
  });

  it("colours only when forced or on a terminal, never with NO_COLOR", () => {
    const p = file("c.bkp", 'vault "vt" { redundancy XRS }\n');
    expect(bkp(["check", p]).stdout).not.toContain("\u001b[");
    expect(bkp(["check", p], { env: { NO_COLOR: "", FORCE_COLOR: "1" } }).stdout).toContain("\u001b[31m");
  });
});

describe("help, version, usage errors", () => {
  it("bkp --help lists the commands", () => {
    const r = bkp(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: bkp <command>[\s\S]*check[\s\S]*fmt/);
  });

  it("bkp check --help explains flags and exit codes", () => {
    const r = bkp(["check", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: bkp check[\s\S]*Exit codes: 0/);
  });

  it("bkp --version prints the package version", () => {
    const version = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
    expect(bkp(["--version"]).stdout).toBe(`bkp ${version}\n`);
  });

  it("an unknown command suggests the closest one, exit 2", () => {
    const r = bkp(["chekc", "x.bkp"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'chekc'; did you mean 'bkp check'?");
  });

  it("an unknown flag or a missing file argument is a usage error, exit 2", () => {
    expect(bkp(["check", "--frmat", "json", "x.bkp"])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--frmat'") });
    expect(bkp(["check"])).toMatchObject({ code: 2, stderr: expect.stringContaining("needs at least one policy file") });
    expect(bkp(["check", "--format", "xml", "x.bkp"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--format must be one of text, json") });
  });
});

describe("bkp fmt", () => {
  it("formats in place, then --check passes", () => {
    const sub = join(dir, "fmt");
    mkdirSync(sub, { recursive: true });
    const p = join(sub, "x.bkp");
    writeFileSync(p, 'vault "vt" {   path "p"  # here\nredundancy LRS }');
    expect(bkp(["fmt", "--check", p])).toMatchObject({ code: 1, stdout: expect.stringContaining("x.bkp: not formatted") });
    expect(bkp(["fmt", p])).toMatchObject({ code: 0, stdout: `formatted ${p}\n` });
    expect(readFileSync(p, "utf8")).toBe('vault "vt" {\n  path "p"  # here\n  redundancy LRS\n}\n');
    expect(bkp(["fmt", "--check", p])).toMatchObject({ code: 0, stdout: "" });
  });

  it("reads standard input with '-' and writes standard output", () => {
    const r = bkp(["fmt", "-"], { input: 'policy "pol" {schedule daily at 01:00 retain daily 7 days}' });
    expect(r).toMatchObject({ code: 0, stdout: 'policy "pol" {\n  schedule daily at 01:00\n  retain daily 7 days\n}\n' });
  });

  it("leaves a file with syntax errors untouched and says why", () => {
    const p = file("broken.bkp", 'vault "vt" { path }');
    const r = bkp(["fmt", p]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[BKP1001]: expected a quoted string after 'path', found '}'");
    expect(readFileSync(p, "utf8")).toBe('vault "vt" { path }');
  });
});

describe("pipes", () => {
  it("a reader that stops early (| head) ends bkp quietly, without a stack trace", () => {
    const p = file("many.bkp", Array.from({ length: 400 }, (_, i) => `vault "v${i}" { redundancy XRS }`).join("\n"));
    const r = spawnSync("sh", ["-c", `node ${BIN} check ${p} | head -1`], { encoding: "utf8" });
    expect(r.stdout).toMatch(/^error\[BKP1001\]/);
    expect(r.stderr).toBe("");
  });
});
