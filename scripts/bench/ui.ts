// `bkp ui` speed (issue #7) on a generated 500-VM policy set:
//   npm run bench -- ui
// - first frame: the real binary (dist/bkp.mjs) in a tmux terminal, from starting the command
//   until the Overview with its totals row is on the screen (the bill's cells may still show
//   "…"), and until the bill is in too; median of 5 runs after a warm-up.
// - keypress to redraw: in this process, the app (src/ui, React in production mode as bundled)
//   under ink-testing-library, from the key written to stdin until the new frame is written;
//   median of 9 presses per kind, each press a new state (no cache hit) unless said otherwise.
//   The same through tmux (key sent, screen polled) for reference.
// Targets: first frame < 1 s, redraw < 100 ms. Writes the table into docs/benchmarks.md ("UI").
process.env.NODE_ENV = "production";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { median } from "../bench-lib/timing.js";
import { generatePolicySet } from "../gen-policy-set.js";

const VMS = 500;
const FROM = "2026-05-01";
const dir = join(".bench", `ui-${VMS}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
for (const f of generatePolicySet(VMS, 1)) writeFileSync(join(dir, f.name), f.text);
const files = readdirSync(dir).filter((f) => f.endsWith(".bkp")).map((f) => join(dir, f));
const ms = (x: number) => `${x.toFixed(0)} ms`;
const ok = (x: boolean) => (x ? "ok" : "MISSED");
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const load = () => loadavg()[0].toFixed(1);
const loadBefore = load();

// ---- The real binary in a terminal (tmux) ----
const HAS_TMUX = spawnSync("sh", ["-c", "command -v tmux"], { stdio: "ignore" }).status === 0;
const SOCKET = `bkp-ui-bench-${process.pid}`;
const env: Record<string, string | undefined> = { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8", TERM: "xterm-256color" };
delete env.CI;
delete env.CONTINUOUS_INTEGRATION;
delete env.TMUX;
delete env.NODE_ENV;
const tmux = (...a: string[]) => spawnSync("tmux", ["-u", "-L", SOCKET, ...a], { env, encoding: "utf8" }).stdout ?? "";
const screen = () => tmux("capture-pane", "-p", "-t", "b");

async function until(test: (s: string) => boolean, timeoutMs = 30_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (test(screen())) return performance.now() - t0;
    await sleep(2);
  }
  throw new Error(`timed out; the screen shows:\n${screen()}`);
}

const shown = (s: string) => /^total\s+500 VMs/m.test(s);
const billed = (s: string) => /^total\s+500 VMs\s+[\d,]+ GB\s+\d+\s+[\d,]+\.\d\d/m.test(s);
const firstFrames: number[] = [];
const billFrames: number[] = [];
const terminalKeys: { name: string; times: number[] }[] = [];
if (HAS_TMUX) {
  const cmd = `${process.execPath} ${resolve("dist/bkp.mjs")} ui --from ${FROM} ${files.map((f) => resolve(f)).join(" ")}; sleep 60`;
  // A session that outlives the measured ones keeps the server up between them (a server that
  // exits with its last session races the next new-session).
  tmux("new-session", "-d", "-s", "keep", "sleep 3600");
  for (let i = 0; i < 6; i++) {
    tmux("kill-session", "-t", "b");
    const t0 = performance.now();
    const started = spawnSync("tmux", ["-u", "-L", SOCKET, "new-session", "-d", "-s", "b", "-x", "100", "-y", "30", cmd], { env, encoding: "utf8" });
    if (started.status !== 0) throw new Error(`tmux new-session: ${started.stderr}`);
    await until(shown);
    const t = performance.now() - t0;
    await until(billed);
    const tb = performance.now() - t0;
    if (i > 0) {
      firstFrames.push(t);
      billFrames.push(tb);
    }
  }
  // Keys in the last session: each waits for what the key changes on the screen.
  const status = () => screen().split("\n").filter(Boolean).at(-1) ?? "";
  const press = async (key: string, changed: (before: string, after: string) => boolean) => {
    const before = screen();
    const t0 = performance.now();
    tmux("send-keys", "-t", "b", key);
    // Each poll starts a tmux client: poll every 5 ms, not to take the CPU from the app.
    while (!changed(before, screen())) await sleep(5);
    return performance.now() - t0;
  };
  const down: number[] = [];
  for (let i = 0; i < 9; i++) down.push(await press(i % 2 ? "Up" : "Down", (a, b) => a !== b));
  terminalKeys.push({ name: "↓/↑ (select a VM)", times: down });
  const plus: number[] = [];
  for (let i = 0; i < 9; i++) {
    const last = status();
    plus.push(await press("+", () => status() !== last && status().startsWith("schedule ")));
  }
  terminalKeys.push({ name: "+ on the schedule (plan and one group's bill again)", times: plus });
  tmux("kill-server");
} else console.log("tmux is not installed: the first frame in a terminal is not measured (apt-get install tmux)");

// ---- In process: keypress to redraw ----
const React = await import("react");
const { render } = await import("ink-testing-library");
const { App } = await import("../../src/ui/app.js");
const { Session } = await import("../../src/ui/session.js");
const inputs = files.map((p) => ({ path: p, text: readFileSync(p, "utf8") }));
let t0 = performance.now();
const opened = Session.open(inputs, { from: FROM, days: 7 }, true);
const openMs = performance.now() - t0;
if (!opened.ok) throw new Error("the generated set does not check");
t0 = performance.now();
opened.session.completeBill();
const billMs = performance.now() - t0;
const session = opened.session;
t0 = performance.now();
const ink = render(React.createElement(App, { session, size: { columns: 100, rows: 30 } }));
const renderMs = performance.now() - t0;
await sleep(50);
const out = ink.stdout as unknown as { write: (s: string) => void };
async function press(key: string): Promise<number> {
  let done = () => {};
  const drawn = new Promise<void>((r) => (done = r));
  const write = out.write;
  out.write = (s: string) => {
    write(s);
    done();
  };
  const start = performance.now();
  ink.stdin.write(key);
  await drawn;
  const t = performance.now() - start;
  out.write = write;
  await sleep(5);
  return t;
}
const KEY = { down: "\u001b[B", up: "\u001b[A", right: "\u001b[C", left: "\u001b[D" };
async function focus(label: string) {
  await press("1");
  for (let i = 0; i < 12; i++) await press(KEY.left);
  for (let i = 0; i < 12 && !(ink.lastFrame() ?? "").includes(`[${label}:`); i++) await press(KEY.right);
}
const kinds: { name: string; times: number[]; note?: string }[] = [];
async function measure(name: string, keys: () => string, n = 9, note?: string) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await press(keys()));
  kinds.push({ name, times, note });
}
// Warm-up: a few of each, as a user's first seconds would.
for (const k of [KEY.down, KEY.up, "+", "-", "4", "1"]) await press(k);
let flip = 0;
await measure("↓/↑ (select a VM)", () => (flip++ % 2 ? KEY.up : KEY.down));
await measure("4 / 1 (switch view)", () => (flip++ % 2 ? "1" : "4"));
await focus("schedule");
await measure("+ schedule time", () => "+", 9, "new time each press");
await focus("retain weekly");
await measure("+ retention count", () => "+", 9, "new count each press");
await focus("instant restore");
await measure("± instant-restore days", () => (flip++ % 2 ? "-" : "+"), 9, "2 ↔ 3 days: cache hits after the first");
await focus("redundancy");
await measure("+ vault redundancy (all 500 VMs)", () => "+", 9, "re-priced, not billed again");
await focus("disk os account");
await measure("+ disk storage account", () => "+", 9, "new account each press");
await measure("u undo", () => "u", 9, "earlier states: cache hits");
ink.unmount();

const worst = Math.max(...kinds.map((k) => median(k.times)));
const rows: string[][] = [];
if (firstFrames.length) {
  rows.push(["first frame in a terminal (tmux, 100x30): start to the Overview with its totals row", ms(median(firstFrames)), `${ms(Math.min(...firstFrames))} – ${ms(Math.max(...firstFrames))}`, `${ok(median(firstFrames) < 1000)} (< 1 s)`]);
  rows.push(["… and to the bill filled in (monthly cost per VM and in total)", ms(median(billFrames)), `${ms(Math.min(...billFrames))} – ${ms(Math.max(...billFrames))}`, ""]);
}
rows.push(["in process: open the set (parse, check, plan 7 days)", ms(openMs), "", ""]);
rows.push(["in process: bill it (12 months)", ms(billMs), "", ""]);
rows.push(["in process: first render of the Overview", ms(renderMs), "", ""]);
for (const k of kinds) rows.push([`keypress to redraw: ${k.name}${k.note ? ` (${k.note})` : ""}`, ms(median(k.times)), `${ms(Math.min(...k.times))} – ${ms(Math.max(...k.times))}`, `${ok(median(k.times) < 100)} (< 100 ms)`]);
for (const k of terminalKeys) rows.push([`in a terminal (tmux, polled): ${k.name}`, ms(median(k.times)), `${ms(Math.min(...k.times))} – ${ms(Math.max(...k.times))}`, ""]);
const table = ["| what | median | range | target |", "|---|---|---|---|", ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
console.log(table);
console.log(`\nslowest keypress median: ${ms(worst)}; load average ${loadBefore} before, ${load()} after`);

const file = join("docs", "benchmarks.md");
const heading = "## UI";
const section = `${heading}

Command: \`npm run bench -- ui\` (${new Date().toISOString().slice(0, 10)}; ${cpus().length} cores, Node ${process.versions.node}; load average ${loadBefore} when it started).
A generated set of ${VMS} VMs (\`scripts/gen-policy-set.ts --vms ${VMS}\`: 4 policies, one vault, 200
storage accounts), \`--from ${FROM}\`. The first frame is the built CLI started in a tmux window
until the Overview and its totals row show (the bill's cells show "…" there; the bill is
computed just after the first frame and fills them in: the next row); keypresses are timed in process (React in production mode,
ink-testing-library) from the key to the new frame, each press a new state unless noted. The
"in a terminal" rows add tmux and the polling (a tmux client started every few ms) to that.

${table}

`;
let doc = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\n";
const start = doc.search(/^## UI\s*$/m);
if (start >= 0) {
  const next = doc.slice(start + heading.length).search(/^## /m);
  doc = doc.slice(0, start) + section + (next >= 0 ? doc.slice(start + heading.length + next) : "");
} else doc = `${doc.trimEnd()}\n\n${section}`;
writeFileSync(file, doc);
console.log(`\nwritten to ${file}`);
