// The workspace: every .bkp file under the opened folders (and any file opened outside them),
// one policy set as `bkp check` treats the files it is given. Open documents take the
// editor's text; the rest are read from disk. Parses are kept per file: an edit re-parses
// the blocks it touched (lang/reparse.ts) and re-checks the set.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { DateTime } from "../utils/luxon.js";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Diagnostic } from "../lang/diagnostics.js";
import { sortDiagnostics } from "../lang/diagnostics.js";
import type { ParsedFile } from "../lang/index.js";
import { reparse } from "../lang/reparse.js";
import { readSource } from "../lang/source.js";
import { ConfigError, findConfig, readConfig } from "../lint/config.js";
import { lint } from "../lint/lint.js";
import type { LintDiagnostic, RuleSeverity } from "../lint/rule.js";
import { RULES } from "../lint/rules/index.js";
import { loadTexts, type PolicySet } from "../model/load.js";
import { uriOf } from "./uris.js";

export interface Workspace {
  roots: string[];
  /** Every file of the set by path: open in the editor, or as read from disk. */
  docs: Map<string, TextDocument>;
  open: Set<string>;
  /** Files under a root that could not be read, with why. */
  unreadable: Map<string, Diagnostic>;
  /** Bumped by every change; analyses are kept for one generation. */
  generation: number;
  /** The clock: real time, or BKP_NOW (a testing aid, as for `bkp run`). */
  now: () => DateTime;
  /** The last problem with bkp.json, shown once by the server. */
  configError?: string;
  cache: { parsed: Map<string, ParsedFile>; checked?: { generation: number; set: PolicySet }; linted?: { generation: number; diags: LintDiagnostic[] } };
}

const SKIP = new Set(["node_modules"]);

export function createWorkspace(env: Record<string, string | undefined> = process.env): Workspace {
  const fixed = env.BKP_NOW ? DateTime.fromISO(env.BKP_NOW, { zone: "utc" }) : undefined;
  return {
    roots: [],
    docs: new Map(),
    open: new Set(),
    unreadable: new Map(),
    generation: 0,
    now: () => (fixed?.isValid ? fixed : DateTime.utc()),
    cache: { parsed: new Map() },
  };
}

function bkpFiles(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith(".") || SKIP.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) bkpFiles(p, out);
    else if (e.isFile() && e.name.endsWith(".bkp")) out.push(p);
  }
}

function readFromDisk(ws: Workspace, path: string): void {
  const r = readSource(path);
  if (r.ok) {
    ws.docs.set(path, TextDocument.create(uriOf(path), "bkp", 0, r.source.text));
    ws.unreadable.delete(path);
  } else {
    ws.docs.delete(path);
    // An empty file is being written, not broken: it simply holds nothing yet.
    if (r.diagnostic.code === "BKP0006" || r.diagnostic.code === "BKP0001") ws.unreadable.delete(path);
    else ws.unreadable.set(path, r.diagnostic);
  }
}

/** Adds a folder: every .bkp file under it joins the set. */
export function addRoot(ws: Workspace, dir: string): void {
  ws.roots.push(dir);
  const files: string[] = [];
  bkpFiles(dir, files);
  for (const f of files) if (!ws.open.has(f)) readFromDisk(ws, f);
  ws.generation++;
}

export function setDocument(ws: Workspace, path: string, doc: TextDocument): void {
  // Opening a file as it is on disk changes nothing to analyse. (The editor's documents are
  // updated in place, so compare with the text last analysed.)
  const same = ws.cache.parsed.get(path)?.text === doc.getText();
  ws.docs.set(path, doc);
  ws.open.add(path);
  ws.unreadable.delete(path);
  if (!same) ws.generation++;
}

/** A closed document falls back to the file on disk (or leaves the set when it is outside every root). */
export function closeDocument(ws: Workspace, path: string): void {
  ws.open.delete(path);
  if (ws.roots.some((r) => path.startsWith(r.endsWith("/") ? r : `${r}/`))) readFromDisk(ws, path);
  else ws.docs.delete(path);
  ws.generation++;
}

/** A file changed on disk (the client's file watcher); open documents keep the editor's text. */
export function fileChanged(ws: Workspace, path: string): void {
  if (ws.open.has(path)) return;
  readFromDisk(ws, path);
  ws.generation++;
}

export function textOf(ws: Workspace, path: string): string | undefined {
  return ws.docs.get(path)?.getText();
}

/** The set parsed and checked (kept until the next change). */
export function checked(ws: Workspace): PolicySet {
  const c = ws.cache.checked;
  if (c && c.generation === ws.generation) return c.set;
  const inputs = [...ws.docs].map(([path, doc]) => ({ path, text: doc.getText() }));
  // An edited file is parsed again from its last parse: only the blocks the edit touched.
  for (const { path, text } of inputs) {
    const prev = ws.cache.parsed.get(path);
    if (prev && prev.text !== text) ws.cache.parsed.set(path, reparse(prev, text));
  }
  const set = loadTexts(inputs, ws.cache.parsed);
  ws.cache.parsed = set.files;
  ws.cache.checked = { generation: ws.generation, set };
  return set;
}

/** Severities from bkp.json, found upward from the first folder (or the first file). */
function severities(ws: Workspace): Record<string, RuleSeverity> {
  const from = ws.roots[0] ?? (ws.docs.size ? dirname(ws.docs.keys().next().value!) : undefined);
  const path = from === undefined ? undefined : findConfig(from);
  if (!path) return {};
  try {
    const cfg = readConfig(path, new Set(RULES.map((r) => r.name)));
    ws.configError = undefined;
    return cfg.rules;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    ws.configError = `bkp: ${e.message}; the rules' default severities apply`;
    return {};
  }
}

/** The checker's and the enabled lint rules' diagnostics, plus files that could not be read. */
export function linted(ws: Workspace): LintDiagnostic[] {
  const c = ws.cache.linted;
  if (c && c.generation === ws.generation) return c.diags;
  const diags = sortDiagnostics([...ws.unreadable.values(), ...lint(checked(ws), { severities: severities(ws), now: ws.now() })]);
  ws.cache.linted = { generation: ws.generation, diags };
  return diags;
}
