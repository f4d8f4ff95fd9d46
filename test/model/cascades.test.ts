// One mistake, one diagnostic, with a hint that says what to write: no "missing" errors after a
// malformed or misspelt line, units and zones suggested, and referenced blocks suggested even
// when they have errors of their own.
import { describe, expect, it } from "vitest";
import { codeFrame } from "../../src/lang/code-frame.js";
import { loadTexts } from "../../src/model/load.js";
import { printEngineError } from "../../cli/commands/engine-common.js";
import { EngineError } from "../../src/engine/errors.js";
import type { Io } from "../../cli/io.js";
import { bkp } from "../helpers.js";

const HEAD = 'vault "vt" { path "x" }\n\n';
const VM = 'vm "x" {\n  os linux\n  policy "pol"\n  vault "vt"\n  disk "os" { role os size 64 GB used 10 GB }\n}\n';
const diags = (text: string) => loadTexts([{ path: "m.bkp", text }]).diagnostics.map((d) => ({ code: d.code, message: d.message, hint: d.hint }));

describe("no cascades", () => {
  it("a misspelt schedule is one error (no 'policy has no schedule')", () => {
    const d = diags(`${HEAD}policy "pol" {\n  scedule daily at 02:30\n  retain daily 7 days\n}\n\n${VM}`);
    expect(d).toEqual([expect.objectContaining({ code: "BKP1002", hint: "did you mean 'schedule'?" })]);
  });

  it("a schedule at 25:00 is one error", () => {
    const d = diags(`${HEAD}policy "pol" {\n  schedule daily at 25:00\n  retain daily 7 days\n}\n\n${VM}`);
    expect(d.map((x) => x.code)).toEqual(["BKP1008"]);
  });

  it("size 64 Gb is one error that says to write GB (no false 'no used size')", () => {
    const d = diags(`${HEAD}policy "pol" {\n  schedule daily at 02:30\n  retain daily 7 days\n}\n\n${VM.replace("size 64 GB", "size 64 Gb")}`);
    expect(d).toEqual([{ code: "BKP2004", message: "'Gb' is not a unit", hint: "did you mean 'GB'? (units are case-sensitive)" }]);
  });

  it("30 dys suggests days", () => {
    const d = diags(`${HEAD}policy "pol" {\n  schedule daily at 02:30\n  retain daily 30 dys\n}\n\n${VM}`);
    expect(d).toEqual([{ code: "BKP2004", message: "'dys' is not a unit", hint: "did you mean 'days'?" }]);
  });

  it("a mistyped time zone gets a suggestion", () => {
    const d = diags(`${HEAD}policy "pol" {\n  schedule daily at 02:30\n  timezone "Tokio Standard Time"\n  retain daily 7 days\n}\n\n${VM}`);
    expect(d).toEqual([expect.objectContaining({ code: "BKP2022", hint: 'did you mean "Tokyo Standard Time"?' })]);
  });

  it('policy "nighty" suggests "nightly" even when nightly has an error of its own', () => {
    const d = diags(`${HEAD}policy "nightly" {\n  retain daily 7 days\n}\n\n${VM.replace('"pol"', '"nighty"')}`);
    expect(d).toContainEqual(expect.objectContaining({ code: "BKP2002", hint: 'did you mean "nightly"?' }));
  });

  it("a one-line file's code frame is cut around the problem", () => {
    const long = `${HEAD}policy "pol" { schedule daily at 02:30 ${"retain daily 7 days ".repeat(1)}timezone "${"x".repeat(400)}" }\n`;
    const set = loadTexts([{ path: "m.bkp", text: long }]);
    const frame = codeFrame(set.diagnostics.find((x) => x.code === "BKP2022")!, long.split("\n"));
    for (const line of frame.split("\n")) expect(line.length).toBeLessThan(140);
  });
});

describe("command line", () => {
  it("a mistyped flag gets a did-you-mean, and messages are not prefixed twice", () => {
    const r = bkp(["check", "--formt", "json", "policies/seed-a2-standard.bkp"]);
    expect(r.stderr).toContain("Unknown option '--formt'; did you mean '--format'?");
    expect(bkp(["check"]).stderr).toMatch(/^bkp check: needs at least one policy file/);
  });

  it("an engine error that names its VM is not prefixed with the VM again", () => {
    let err = "";
    const io = { stderr: (t: string) => void (err += t) } as unknown as Io;
    printEngineError(io, "backup", new EngineError("BKP5040", 'vm "x": pre script failed'), 'VM "x": ');
    expect(err).toBe('bkp backup: error[BKP5040]: vm "x": pre script failed\n');
  });
});
