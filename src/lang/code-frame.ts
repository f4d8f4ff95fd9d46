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
      const text = (lines[ln - 1] ?? "").replace(/\t/g, " ");
      out.push(`${style.blue(String(ln).padStart(gutter) + " |")} ${text}`);
      const from = ln === start.line ? start.column : firstNonSpace(text);
      const to = ln === end.line ? end.column : text.length + 1;
      const width = Math.max(1, to - from);
      const marks = " ".repeat(Math.max(0, from - 1)) + "^".repeat(width);
      out.push(`${bar} ${color(marks)}`);
    }
  }
  if (d.hint) out.push(`${pad} ${style.blue("=")} ${style.bold("help")}: ${d.hint}`);
  for (const r of d.related ?? []) out.push(`${pad} ${style.blue("=")} ${style.bold("note")}: ${r.message} at ${r.file}:${r.range.start.line}:${r.range.start.column}`);
  return out.join("\n");
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
