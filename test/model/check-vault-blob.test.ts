// A vault in Azure Blob Storage: `blob "URL"`, exclusive with `path`, URL checked by `bkp check`.
import { describe, expect, it } from "vitest";
import { loadTexts } from "../../src/model/load.js";

const vault = (body: string) => `vault "cloud" {\n${body}\n}\n`;

function check(text: string) {
  const set = loadTexts([{ path: "/work/p.bkp", text }]);
  return { diagnostics: set.diagnostics.map((d) => ({ code: d.code, line: d.range.start.line, message: d.message, hint: d.hint })), model: set.model };
}

describe("vault blob", () => {
  it("takes a container URL, with a folder, and keeps no local path", () => {
    const r = check(vault('  blob "https://acct1.blob.core.windows.net/backups/team-a"'));
    expect(r.diagnostics).toEqual([]);
    const v = r.model!.vaults.get("cloud")!;
    expect(v.blob).toBe("https://acct1.blob.core.windows.net/backups/team-a");
    expect(v.path).toBeUndefined();
  });

  it("refuses path and blob together, located at the blob URL", () => {
    const r = check(vault('  path "v"\n  blob "https://acct1.blob.core.windows.net/backups"'));
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: "BKP2060", line: 3, message: expect.stringContaining("both a path and a blob URL") })]);
  });

  it.each([
    ["not a url", "is not a URL"],
    ["ftp://acct1.blob.core.windows.net/backups", "https://"],
    ["https://acct1.blob.core.windows.net/", "names no container"],
    ["https://acct1.blob.core.windows.net/Backups_2026", "not a valid container name"],
    ["http://127.0.0.1:10000/devstoreaccount1", "names no container"],
  ])("reports a bad URL %s with BKP2060 and a hint", (url, problem) => {
    const r = check(vault(`  blob "${url}"`));
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: "BKP2060", line: 2, message: expect.stringContaining(problem), hint: expect.stringContaining("blob.core.windows.net/<container>") })]);
  });

  it("accepts an emulator's path-style URL", () => {
    expect(check(vault('  blob "http://127.0.0.1:10000/devstoreaccount1/vaults"')).diagnostics).toEqual([]);
  });
});
