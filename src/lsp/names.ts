// Where every block name is defined and referred to: the basis of go to definition, find
// references and rename. Names are per kind (a vm and a policy may share a name).
import type { BlockAst, FileAst, Str } from "../lang/ast.js";
import type { Range } from "../lang/diagnostics.js";
import { contains } from "./positions.js";

export type NameKind = "vault" | "policy" | "vm" | "storage-account" | "pricing" | "restore";

export interface NameSite {
  kind: NameKind;
  name: string;
  file: string;
  /** The quoted string, quotes included. */
  range: Range;
  definition: boolean;
}

function blockSites(b: BlockAst, add: (kind: NameKind, s: Str | undefined, definition: boolean) => void): void {
  if (b.kind === "assume") return;
  add(b.kind, b.name, true);
  if (b.kind === "vault") add("pricing", b.pricing, false);
  else if (b.kind === "vm") {
    add("policy", b.policy, false);
    add("vault", b.vault, false);
    for (const d of b.disks) add("storage-account", d.storageAccount, false);
  } else if (b.kind === "restore") {
    if (b.vms && !b.vms.all) for (const n of b.vms.names) add("vm", n, false);
    for (const n of b.into?.names ?? []) add("storage-account", n, false);
  }
}

export function fileSites(ast: FileAst): NameSite[] {
  const out: NameSite[] = [];
  for (const b of ast.blocks) {
    blockSites(b, (kind, s, definition) => {
      if (s) out.push({ kind, name: s.value, file: ast.file, range: s.range, definition });
    });
  }
  return out;
}

export function allSites(files: Iterable<FileAst>): NameSite[] {
  const out: NameSite[] = [];
  for (const f of files) out.push(...fileSites(f));
  return out;
}

export function siteAt(ast: FileAst, offset: number): NameSite | undefined {
  return fileSites(ast).find((s) => contains(s.range, offset));
}

export function sameName(a: NameSite, b: NameSite): boolean {
  return a.kind === b.kind && a.name === b.name;
}

/** The top-level block around an offset. */
export function blockAt(ast: FileAst, offset: number): BlockAst | undefined {
  return ast.blocks.find((b) => contains(b.range, offset));
}

/** The word (keyword, unit, name) under an offset, from the text. */
export function wordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_\-/%]/.test(c);
  let start = offset;
  while (start > 0 && isWord(text[start - 1])) start--;
  let end = offset;
  while (end < text.length && isWord(text[end])) end++;
  if (start === end) return undefined;
  return { word: text.slice(start, end), start, end };
}
