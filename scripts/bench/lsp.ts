// Language server latency (issue #18), measured as an editor sees it: over stdio, JSON-RPC.
//   npm run bench -- lsp
// - 500 VMs in one file: an edit (didChange) until its new diagnostics arrive, and a hover on
//   a VM (protected instance, bill, next jobs); medians of 21 after 3 warm-ups.
// - 10,000 VMs in 11 files: from starting the server to the answer of the first hover.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generatePolicySet } from "../gen-policy-set.js";
import { median } from "../bench-lib/timing.js";
import { startClient } from "../../test/lsp/client.js";

const ms = (x: number) => `${x.toFixed(1)} ms`;

/** CPU time the server's threads have used (Linux: /proc/PID/task/<tid>/schedstat, ns on CPU). */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
  return ns / 1e6;
}
const now = () => Number(process.hrtime.bigint()) / 1e6;

function positionOf(text: string, needle: string, shift: number) {
  const at = text.indexOf(needle);
  const before = text.slice(0, at + shift).split("\n");
  return { line: before.length - 1, character: before[before.length - 1].length };
}

async function singleFile(): Promise<{ edit: number[]; editCpu: number[]; hover: number[]; hoverCpu: number[]; diagnostics: number }> {
  const dir = resolve(".bench", "lsp-500");
  mkdirSync(dir, { recursive: true });
  const text = generatePolicySet(500, 1).map((f) => f.text).join("\n");
  const file = join(dir, "fleet.bkp");
  writeFileSync(file, text);
  const c = await startClient(dir);
  const uri = await c.open(file, text);
  const first = await c.diagnostics(uri);
  // Each edit renames one VM's policy reference to a new missing name: new diagnostics every time.
  const ref = text.indexOf('policy "', text.indexOf('vm "'));
  const edit: number[] = [];
  const editCpu: number[] = [];
  const pid = c.child.pid!;
  for (let i = 1; i <= 24; i++) {
    const name = `missing-${i}`;
    const changed = text.slice(0, ref) + `policy "${name}"` + text.slice(text.indexOf("\n", ref));
    const c0 = cpuMs(pid);
    const t0 = now();
    await c.change(uri, i + 1, changed);
    await c.diagnostics(uri, (p) => p.diagnostics.some((d) => d.message.includes(`"${name}"`)));
    if (i > 3) {
      edit.push(now() - t0);
      editCpu.push(cpuMs(pid) - c0);
    }
  }
  await c.change(uri, 100, text);
  await c.diagnostics(uri, (p) => !p.diagnostics.some((d) => d.message.includes("missing-")));
  const vm = text.lastIndexOf('vm "');
  const position = positionOf(text.slice(vm), 'vm "', 5);
  position.line += text.slice(0, vm).split("\n").length - 1;
  const hover: number[] = [];
  const hoverCpu: number[] = [];
  for (let i = 0; i < 24; i++) {
    const c0 = cpuMs(pid);
    const t0 = now();
    const h = await c.request<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri }, position });
    if (!h.contents.value.includes("Protected instance")) throw new Error("hover without the VM's bill");
    if (i >= 3) {
      hover.push(now() - t0);
      hoverCpu.push(cpuMs(pid) - c0);
    }
  }
  await c.close();
  return { edit, editCpu, hover, hoverCpu, diagnostics: first.diagnostics.length };
}

async function largeWorkspace(): Promise<{ wall: number; cpu: number }> {
  const dir = resolve(".bench", "lsp-10000");
  mkdirSync(dir, { recursive: true });
  const files = generatePolicySet(10000, 10);
  for (const f of files) writeFileSync(join(dir, f.name), f.text);
  const vms = files.find((f) => f.name !== "common.bkp")!;
  const t0 = now();
  const c = await startClient(dir);
  const uri = await c.open(join(dir, vms.name), vms.text);
  const h = await c.request<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri }, position: positionOf(vms.text, 'vm "', 5) });
  const t = now() - t0;
  const cpu = cpuMs(c.child.pid!);
  if (!h.contents.value.includes("Protected instance")) throw new Error("hover without the VM's bill");
  await c.close();
  return { wall: t, cpu };
}

const single = await singleFile();
const starts: number[] = [];
const startCpu: number[] = [];
for (let i = 0; i < 3; i++) {
  const r = await largeWorkspace();
  starts.push(r.wall);
  startCpu.push(r.cpu);
}
const range = (xs: number[]) => `${ms(Math.min(...xs))} – ${ms(Math.max(...xs))}`;
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const rows = [
  [`500 VMs, one file (${single.diagnostics} diagnostics): edit -> new diagnostics`, ms(median(single.edit)), range(single.edit), ms(median(single.editCpu)), "target <= 150 ms"],
  ["500 VMs, one file: hover on a VM", ms(median(single.hover)), range(single.hover), ms(median(single.hoverCpu)), "target <= 50 ms"],
  ["10,000 VMs, 11 files: start the server, open a file, first hover answered", ms(median(starts)), range(starts), ms(median(startCpu)), "target <= 3 s"],
];
console.log(`load average at the end: ${load}`);
console.log("| what | median wall | range | server CPU (median) | target |\n|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
