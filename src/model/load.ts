// Loading a policy set from files: read, parse, check — every problem as a diagnostic.
import { parseFile, type ParsedFile } from "../lang/index.js";
import { sortDiagnostics, type Diagnostic } from "../lang/diagnostics.js";
import { decodeSource, readSource } from "../lang/source.js";
import { annotateOrigins } from "../lang/origin-comments.js";
import { check } from "./check.js";
import type { Model } from "./model.js";

export interface PolicySet {
  /** Parsed files by path (files that could not be read are absent). */
  files: Map<string, ParsedFile>;
  /** Undefined when a file could not be read. */
  model?: Model;
  diagnostics: Diagnostic[];
}

/**
 * Parses and checks texts as one policy set. `earlier` holds earlier parses (the language
 * server keeps them between edits): a file whose text is unchanged is not parsed again.
 */
export function loadTexts(inputs: { path: string; text: string }[], earlier?: ReadonlyMap<string, ParsedFile>): PolicySet {
  const files = new Map<string, ParsedFile>();
  const diagnostics: Diagnostic[] = [];
  for (const { path, text } of inputs) {
    const prev = earlier?.get(path);
    const parsed = prev && prev.text === text ? prev : parseFile(path, text);
    files.set(path, parsed);
    diagnostics.push(...parsed.diagnostics);
  }
  const checked = check([...files.values()].map((f) => f.ast));
  diagnostics.push(...checked.diagnostics);
  // Lines written by `bkp import azure` name their JSON origin; diagnostics quote it.
  return { files, model: checked.model, diagnostics: sortDiagnostics(annotateOrigins(diagnostics, (f) => files.get(f)?.ast.comments)) };
}

/** The name standard input has in diagnostics. */
export const STDIN_NAME = "<stdin>";

/** Loads the files; a path `-` is standard input, whose text is `stdin`. */
export function loadPolicySet(paths: string[], stdin?: string): PolicySet {
  const inputs: { path: string; text: string }[] = [];
  const ioErrors: Diagnostic[] = [];
  for (const p of paths) {
    const r = p === "-" && stdin !== undefined ? decodeSource(STDIN_NAME, Buffer.from(stdin, "utf8")) : readSource(p);
    if (r.ok) inputs.push(r.source);
    else ioErrors.push(r.diagnostic);
  }
  const set = loadTexts(inputs);
  if (ioErrors.length) return { files: set.files, model: undefined, diagnostics: sortDiagnostics([...ioErrors, ...set.diagnostics]) };
  return set;
}
