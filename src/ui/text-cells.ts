// Cell formatting for the terminal views: fixed-width cells, amounts, sizes, durations.
import Decimal from "decimal.js";
import type { Severity } from "../lang/diagnostics.js";

/** `s` cut or padded to exactly `width` columns ("…" marks a cut). */
export function fit(s: string, width: number, align: "left" | "right" = "left"): string {
  if (width <= 0) return "";
  if (s.length > width) return width === 1 ? "…" : `${s.slice(0, width - 1)}…`;
  return align === "right" ? s.padStart(width) : s.padEnd(width);
}

/** `s` cut at its start to `width` columns, for paths: "…/seed.bkp:10" keeps the line. */
export function fitStart(s: string, width: number): string {
  if (width <= 0) return "";
  if (s.length > width) return width === 1 ? "…" : `…${s.slice(s.length - width + 1)}`;
  return s.padEnd(width);
}

/** Money rounded half-up to the cent, with thousands separators: 37,302.89. */
export function amount(x: Decimal): string {
  const [int, frac] = x.toFixed(2, Decimal.ROUND_HALF_UP).split(".");
  return `${thousands(int)}.${frac}`;
}

/** A billed size: whole numbers stay whole (the seed's 47 GB), others keep two decimals. */
export function sizeText(x: Decimal, unit: string): string {
  const r = x.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const [int, frac] = (r.isInteger() ? r.toFixed(0) : r.toFixed(2)).split(".");
  return `${thousands(int)}${frac ? `.${frac}` : ""} ${unit}`;
}

const thousands = (int: string) => int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** `3h 38m`, `4m 43s`, `1d 2h`: two units at most, for narrow columns. */
export function shortDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}

export const SEVERITY_COLOR: Record<Severity, string> = { error: "red", warning: "yellow", info: "cyan" };
export const SEVERITY_WORD: Record<Severity, string> = { error: "error", warning: "warning", info: "note" };
export const SEVERITY_LETTER: Record<Severity, string> = { error: "E", warning: "W", info: "i" };

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Words wrapped to `width` columns (a word longer than a line is cut). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(/ +/)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = "";
      }
      line = line ? `${line} ${word}` : word;
      while (line.length > width) {
        out.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
    out.push(line);
  }
  return out;
}
