// Diagnostics for people, in rustc's layout:
//
//   error[BKP1002]: unknown attribute 'scedule' in a policy block
//    --> policies/x.bkp:7:3
//     |
//   7 |   scedule daily at 02:30
//     |   ^^^^^^^ did you mean 'schedule'?
//     |
//     = help: did you mean 'schedule'?
import type { Diagnostic } from "./diagnostics.js";

export interface Style {
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

export const plain: Style = { red: (s) => s, yellow: (s) => s, blue: (s) => s, cyan: (s) => s, bold: (s) => s, dim: (s) => s };

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const ansi: Style = { red: wrap(31, 39), yellow: wrap(33, 39), blue: wrap(34, 39), cyan: wrap(36, 39), bold: wrap(1, 22), dim: wrap(2, 22) };

/** Renders one diagnostic; `lines` is the file's text split into lines (absent: no frame). */
export function codeFrame(d: Diagnostic, lines: string[] | undefined, style: Style = plain): string {
  const color = d.severity === "error" ? style.red : d.severity === "warning" ? style.yellow : style.cyan;
  const { start, end } = d.range;
  const gutter = String(end.line).length;
  const pad = " ".repeat(gutter);
  const bar = style.blue(`${pad} |`);
  const out = [`${style.bold(color(`${d.severity}[${d.code}]`))}${style.bold(`: ${d.message}`)}`, `${pad}${style.blue("-->")} ${d.file}:${start.line}:${start.column}`];
  const src = lines?.[start.line - 1];
  if (lines && src !== undefined && !(start.line === 1 && start.column === 1 && end.offset === 0 && d.code.startsWith("BKP0"))) {
    out.push(bar);
    const lastLine = Math.min(end.line, start.line + 3);
    for (let ln = start.line; ln <= lastLine; ln++) {
      const full = (lines[ln - 1] ?? "").replace(/\t/g, " ");
      const from = ln === start.line ? start.column : firstNonSpace(full);
      const to = ln === end.line ? end.column : full.length + 1;
      const { text, shift } = window(full, from);
      out.push(`${style.blue(String(ln).padStart(gutter) + " |")} ${text}`);
      const width = Math.max(1, Math.min(to, shift + text.length + 1) - from);
      const marks = " ".repeat(Math.max(0, from - 1 - shift)) + "^".repeat(width);
      out.push(`${bar} ${color(marks)}`);
    }
  }
  if (d.hint) out.push(`${pad} ${style.blue("=")} ${style.bold("help")}: ${d.hint}`);
  for (const r of d.related ?? []) out.push(`${pad} ${style.blue("=")} ${style.bold("note")}: ${r.message} at ${r.file}:${r.range.start.line}:${r.range.start.column}`);
  return out.join("\n");
}

/** Source shown per line: a one-line JSON or a huge string is shown around the problem. */
const FRAME_WIDTH = 100;

/** The part of a long line shown around column `from`, and how many columns were cut before it. */
function window(line: string, from: number): { text: string; shift: number } {
  if (line.length <= FRAME_WIDTH) return { text: line, shift: 0 };
  const begin = Math.max(0, Math.min(from - 1 - 20, line.length - FRAME_WIDTH));
  const head = begin > 0 ? "…" : "";
  const tail = begin + FRAME_WIDTH < line.length ? "…" : "";
  return { text: head + line.slice(begin, begin + FRAME_WIDTH) + tail, shift: begin - head.length };
}

function firstNonSpace(s: string): number {
  const m = /\S/.exec(s);
  return m ? m.index + 1 : 1;
}

export function summary(diags: Diagnostic[], files: number, style: Style = plain): string {
  const errors = diags.filter((d) => d.severity === "error").length;
  const warnings = diags.filter((d) => d.severity === "warning").length;
  const fileWord = files === 1 ? "file" : "files";
  if (!errors && !warnings) return style.bold(`checked ${files} ${fileWord}: no problems`);
  const parts = [];
  if (errors) parts.push(style.red(`${errors} error${errors === 1 ? "" : "s"}`));
  if (warnings) parts.push(style.yellow(`${warnings} warning${warnings === 1 ? "" : "s"}`));
  return style.bold(`checked ${files} ${fileWord}: ${parts.join(", ")}`);
}
