// End to end with a real editor: headless Neovim's built-in LSP client runs `bkp lsp --stdio`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BIN, ROOT } from "../helpers.js";

const hasNvim = spawnSync("sh", ["-c", "command -v nvim"], { stdio: "ignore" }).status === 0;
if (!hasNvim) console.warn("skipping the Neovim end-to-end test of bkp lsp: nvim is not installed (scripts/ensure-tools.mjs installs it)");

describe.skipIf(!hasNvim)("bkp lsp in Neovim (nvim --headless)", () => {
  it("shows an error's diagnostic and the seed VM's cost on hover", () => {
    const dir = mkdtempSync(join(tmpdir(), "bkp-nvim-"));
    const seed = readFileSync(join(ROOT, "policies", "seed-a2-standard.bkp"), "utf8");
    // One error: a second VM that names a policy nobody defined.
    const text = `${seed}\nvm "broken" {\n  os linux\n  policy "nightly"\n  vault "prod"\n  disk "os" { role os size 10 GB used 1 GB }\n}\n`;
    const file = join(dir, "seed.bkp");
    writeFileSync(file, text);
    const out = join(dir, "out.json");
    const lines = text.split("\n");
    const r = spawnSync("nvim", ["--headless", "--clean", "-u", "NONE", "-c", `luafile ${fileURLToPath(new URL("./nvim-client.lua", import.meta.url))}`], {
      env: { ...process.env, BKP_FILE: file, BKP_OUT: out, BKP_NODE: process.execPath, BKP_BIN: BIN, BKP_NOW: "2026-12-01T00:00:00Z", BKP_HOVER_LINE: String(lines.findIndex((l) => l.startsWith('vm "a2-standard"'))) },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(readFileSync(out, "utf8")) as { diagnostics: { lnum: number; col: number; severity: number; message: string; code: string }[]; hover?: string };
    const line = lines.findIndex((l) => l.includes('policy "nightly"'));
    expect(got.diagnostics).toContainEqual(expect.objectContaining({ lnum: line, col: 9, severity: 1, code: "BKP2002", message: expect.stringContaining('no policy named "nightly"') }));
    expect(got.hover).toContain("**Protected instance:** 47 GB → 1 × tier <= 50 GB");
    expect(got.hover).toMatch(/\*\*Monthly cost:\*\* USD \d+\.\d\d in 2026-12/);
  });
});
