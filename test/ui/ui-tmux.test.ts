// End to end: the real `bkp ui` (dist/bkp.mjs) in a real terminal, driven through tmux as a
// user would: open a copy of the seed policy, see 47 GB, change the retention, see the monthly
// cost change, write back, check the file on disk, and find the shell's screen as it was.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../helpers.js";
import { seedWithRetention31 } from "./helpers.js";

const HAS_TMUX = spawnSync("sh", ["-c", "command -v tmux"], { stdio: "ignore" }).status === 0;
if (!HAS_TMUX) console.warn("test/ui/ui-tmux.test.ts: SKIPPED — tmux is not installed, so the end-to-end test of `bkp ui` in a terminal does not run (apt-get install tmux; `npm test` installs it where it can)");

// A private tmux server, so that the test neither sees nor disturbs anyone else's sessions.
const SOCKET = `bkp-ui-test-${process.pid}`;
const env: Record<string, string | undefined> = { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8", TERM: "xterm-256color", NO_COLOR: "1" };
// Ink holds back every frame until exit when it believes it runs in CI.
delete env.CI;
delete env.CONTINUOUS_INTEGRATION;
delete env.TMUX;

function tmux(...args: string[]): string {
  const r = spawnSync("tmux", ["-u", "-L", SOCKET, ...args], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const screen = () => tmux("capture-pane", "-p", "-t", "ui");

/** Waits until the screen shows `what` (a string or a test), for up to 20 s. */
async function waitFor(what: string | ((s: string) => boolean)): Promise<string> {
  const ok = typeof what === "string" ? (s: string) => s.includes(what) : what;
  const until = Date.now() + 20_000;
  let s = "";
  while (Date.now() < until) {
    s = screen();
    if (ok(s)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the screen never showed ${String(what)}; it shows:\n${s}`);
}

function start(dir: string): void {
  // A session that outlives the test's keeps the server up (a server that exits with its last
  // session races the next new-session).
  spawnSync("tmux", ["-u", "-L", SOCKET, "new-session", "-d", "-s", "keep", "sleep 600"], { env, stdio: "ignore" });
  spawnSync("tmux", ["-L", SOCKET, "kill-session", "-t", "ui"], { env, stdio: "ignore" });
  tmux("new-session", "-d", "-s", "ui", "-x", "100", "-y", "30", "-c", dir, "sh");
  tmux("send-keys", "-t", "ui", "echo BEFORE-THE-SESSION", "Enter");
}

afterAll(() => {
  if (HAS_TMUX) spawnSync("tmux", ["-L", SOCKET, "kill-server"], { stdio: "ignore" });
});

describe("bkp ui in a terminal (tmux)", () => {
  it.skipIf(!HAS_TMUX)("opens the seed, shows 47 GB, changes retention and the cost, writes back, restores the screen", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bkp-ui-tmux-"));
    const file = join(dir, "seed.bkp");
    const original = readFileSync(join(ROOT, "policies/seed-a2-standard.bkp"), "utf8");
    writeFileSync(file, original);
    start(dir);
    await waitFor("BEFORE-THE-SESSION");
    tmux("send-keys", "-t", "ui", `BKP_TODAY=2026-05-01 ${process.execPath} ${BIN} ui seed.bkp; echo EXIT=$?`, "Enter");

    let s = await waitFor("47 GB");
    expect(s).toMatch(/\[1 Overview\].*11\.20 USD\/month/);
    expect(s).toMatch(/a2-standard\s+daily\s+47 GB\s+1\s+11\.20/);
    // Full screen: the shell's lines are gone while the session runs.
    expect(s).not.toContain("BEFORE-THE-SESSION");

    tmux("send-keys", "-t", "ui", "Right");
    await waitFor("[retain daily: 30 days]");
    tmux("send-keys", "-t", "ui", "+");
    s = await waitFor("11.26 USD/month");
    expect(s).toMatch(/a2-standard\s+daily\s+47 GB\s+1\s+11\.26/);
    expect(s).toContain("retain daily 30 → 31 days · 11.20 → 11.26 USD/month (+0.06)");

    tmux("send-keys", "-t", "ui", "w");
    s = await waitFor("write 1 file");
    expect(s).toContain("+  retain daily 31 days");
    tmux("send-keys", "-t", "ui", "y");
    await waitFor("wrote seed.bkp");
    expect(readFileSync(file, "utf8")).toBe(seedWithRetention31(original, file));
    expect(readFileSync(file, "utf8")).toContain("# temporary disk: never backed up, never billed");

    tmux("send-keys", "-t", "ui", "q");
    s = await waitFor("EXIT=0");
    // The alternate screen is gone: the shell's screen is back as it was.
    expect(s).toContain("BEFORE-THE-SESSION");
    expect(s).not.toContain("[1 Overview]");
    tmux("kill-session", "-t", "ui");
  });

  it.skipIf(!HAS_TMUX)("adapts to a resize to 80x24 and quits on Ctrl-C, screen restored", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bkp-ui-tmux-"));
    writeFileSync(join(dir, "seed.bkp"), readFileSync(join(ROOT, "policies/seed-a2-standard.bkp"), "utf8"));
    start(dir);
    await waitFor("BEFORE-THE-SESSION");
    tmux("send-keys", "-t", "ui", `${process.execPath} ${BIN} ui seed.bkp; echo EXIT=$?`, "Enter");
    await waitFor("47 GB");
    tmux("resize-window", "-t", "ui", "-x", "80", "-y", "24");
    const s = await waitFor((x) => x.split("\n").length <= 25 && /^VM\s+policy\s+PI\s+PIs\s+USD\s+next/m.test(x));
    expect(s).toMatch(/a2-standard\s+daily\s+47 GB/);
    tmux("send-keys", "-t", "ui", "C-c");
    const after = await waitFor("EXIT=0");
    expect(after).toContain("BEFORE-THE-SESSION");
    expect(after).not.toContain("47 GB");
    tmux("kill-session", "-t", "ui");
  });

  it.skipIf(!HAS_TMUX)("does not start on a policy set with errors: reports them as bkp check does, exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bkp-ui-tmux-"));
    writeFileSync(join(dir, "bad.bkp"), readFileSync(join(ROOT, "policies/seed-a2-standard.bkp"), "utf8").replace('policy "daily"\n  vault', 'policy "dialy"\n  vault'));
    start(dir);
    await waitFor("BEFORE-THE-SESSION");
    tmux("send-keys", "-t", "ui", `${process.execPath} ${BIN} ui bad.bkp; echo EXIT=$?`, "Enter");
    const s = await waitFor("EXIT=1");
    expect(s).toMatch(/error\[BKP2002\]: .*"dialy"/);
    expect(s).toContain("--> bad.bkp:24:10");
    expect(s).toContain("bkp ui: fix the errors above first");
    tmux("send-keys", "-t", "ui", `${process.execPath} ${BIN} ui missing.bkp; echo EXIT=$?`, "Enter");
    expect(await waitFor("EXIT=2")).toContain("cannot find 'missing.bkp'");
    tmux("kill-session", "-t", "ui");
  });
});
