// Shared by the UI tests: open a session from policy files, mount the app at a terminal size
// with ink-testing-library, press keys, and read the frame as the user sees it (no colours).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { format } from "../../src/lang/format.js";
import { parseFile } from "../../src/lang/index.js";
import { App } from "../../src/ui/app.js";
import { Session } from "../../src/ui/session.js";
import { ROOT } from "../helpers.js";

export const KEY = {
  up: "\u001b[A",
  down: "\u001b[B",
  right: "\u001b[C",
  left: "\u001b[D",
  enter: "\r",
  esc: "\u001b",
  tab: "\t",
  shiftTab: "\u001b[Z",
  pageDown: "\u001b[6~",
  home: "\u001b[H",
  end: "\u001b[F",
  ctrlC: "\u0003",
};

export const SEED = join(ROOT, "policies/seed-a2-standard.bkp");
export const FIXTURE = join(ROOT, "test/ui/fixtures/timeline.bkp");
export const TOUR = ["10-seed-blocks", "20-more-forms", "30-legacy-app", "40-restore-assume-pricing"].map((f) => join(ROOT, "policies/language-tour", `${f}.bkp`));

/** A session over files (read from disk, or given as texts), planned from 2026-05-01. */
export function open(files: (string | { path: string; text: string })[], from = "2026-05-01"): Session {
  const inputs = files.map((f) => (typeof f === "string" ? { path: f, text: readFileSync(f, "utf8") } : f));
  const r = Session.open(inputs, { from, days: 7 });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.range.start.line}: ${d.message}`).join("\n"));
  return r.session;
}

const strip = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
const settle = () => new Promise((r) => setTimeout(r, 5));

export interface Mounted {
  /** The last frame drawn, without colours. */
  frame(): string;
  lines(): string[];
  /** The frame as one line (wrapped text reads as written): lines trimmed and joined by a space. */
  text(): string;
  /** The status line's message (it may wrap over two lines). */
  message(): string;
  press(...keys: string[]): Promise<string>;
  resize(columns: number, rows: number): Promise<string>;
  exited(): boolean;
  unmount(): void;
}

export async function mount(session: Session, columns = 80, rows = 24): Promise<Mounted> {
  let exited = false;
  const node = (c: number, r: number) => <App session={session} size={{ columns: c, rows: r }} onQuit={() => (exited = true)} />;
  const ink = render(node(columns, rows));
  for (let t = 0; t < 200 && session.billPending; t++) await settle();
  await settle();
  const frame = () => strip(ink.lastFrame() ?? "");
  return {
    frame,
    lines: () => frame().split("\n"),
    text: () => frame().split("\n").map((l) => l.trim()).filter(Boolean).join(" "),
    message: () => {
      const lines = frame().split("\n");
      // The status lines follow the edit bar's second line (the field chips).
      const chips = lines.findIndex((l) => /^(\[| |◂).*: /.test(l) && /\[[^\]]+: [^\]]+\]/.test(l));
      return lines.slice(chips + 1).map((l) => l.replace(/\s*● unsaved\s*$/, "").trim()).join(" ");
    },
    async press(...keys) {
      for (const k of keys) {
        // Wait for the frame the key draws (a loaded machine can take a while), or give up
        // after a moment for keys that draw nothing.
        const before = ink.frames.length;
        ink.stdin.write(k);
        for (let t = 0; t < 60 && ink.frames.length === before; t++) await settle();
        await new Promise((r) => setImmediate(r));
      }
      return frame();
    },
    async resize(c, r) {
      ink.rerender(node(c, r));
      await settle();
      return frame();
    },
    exited: () => exited,
    unmount: () => ink.unmount(),
  };
}

/** The text of a top-level block: from its header line to its closing brace. */
export function blockOf(text: string, header: string): string {
  const start = text.indexOf(header);
  if (start < 0) throw new Error(`no ${header} in the text`);
  return text.slice(start, text.indexOf("\n}", start) + 2);
}

/** What write-back makes of the seed with `retain daily 31 days`: the policy block formatted, the rest as written. */
export function seedWithRetention31(original: string, path: string): string {
  const edited = original.replace("retain daily 30 days", "retain daily 31 days");
  const canonical = format(parseFile(path, edited)).text;
  return edited.replace(blockOf(edited, 'policy "daily" {'), blockOf(canonical, 'policy "daily" {'));
}
