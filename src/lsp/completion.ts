// Completion from what is written before the cursor, read with the language's own lexer (so
// it works in a file that does not parse yet): block keywords at the top level, each block's
// attributes, an attribute's keyword values, units after a number, the names of policies,
// vaults, storage accounts, price books and VMs in a reference, time zones after `timezone`.
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from "vscode-languageserver";
import type { IToken } from "chevrotain";
import { BLOCK_DOCS, type AttributeDoc } from "../lang/attribute-syntax.js";
import { tokenize } from "../lang/lexer.js";
import type { Model } from "../model/model.js";
import { zoneNames } from "../model/time-zones.js";
import { LineIndex, TextRange } from "../lang/text-range.js";
import { lspRange } from "./positions.js";

const TOP = ["vault", "policy", "vm", "storage-account", "restore", "assume", "pricing"];
const NESTED = ["disk", "scripts", "ade"];
const SIZE_UNITS = ["GB", "TB", "MB", "GiB", "TiB", "MiB", "KB", "KiB", "PB", "PiB", "B"];
const DURATION_UNITS = ["s", "min", "hours", "days", "weeks", "months", "years"];

/** Which names a reference attribute takes. */
const REFERENCE: Record<string, (m: Model) => Iterable<string>> = {
  policy: (m) => m.policies.keys(),
  vault: (m) => m.vaults.keys(),
  "storage-account": (m) => m.storageAccounts.keys(),
  into: (m) => m.storageAccounts.keys(),
  pricing: (m) => m.priceBooks.keys(),
  vms: (m) => m.vms.keys(),
};

const docOf = (block: string | undefined) => BLOCK_DOCS.find((b) => b.block === block);

/** The keyword values a form offers right after its keyword: `os windows | linux` -> windows, linux. */
export function formValues(a: AttributeDoc): string[] {
  const out = new Set<string>();
  for (const f of a.forms) {
    const words = f.slice(a.keyword.length).trim().split(/\s+/);
    for (let i = 0; i < words.length; i += 2) {
      if (/^[A-Za-z][A-Za-z0-9-]*$/.test(words[i]) && words[i] !== "YYYY-MM-DD") out.add(words[i]);
      if (words[i + 1] !== "|") break;
    }
  }
  return [...out];
}

/** The block around the end of `tokens`: a stack of block keywords opened by `{`. */
function enclosing(tokens: IToken[]): string | undefined {
  const stack: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i].image;
    if (t === "{") {
      const a = tokens[i - 1]?.image;
      const b = tokens[i - 2]?.image;
      stack.push([...TOP, ...NESTED].includes(a ?? "") ? a! : b ?? "");
    } else if (t === "}") stack.pop();
  }
  return stack.length ? stack[stack.length - 1] : undefined;
}

const snippet = (b: string) => (b === "assume" ? "assume {\n\t$0\n}" : `${b} "\${1:name}" {\n\t$0\n}`);

export interface CompletionInput {
  text: string;
  offset: number;
  model: Model;
}

export function complete({ text, offset, model }: CompletionInput): CompletionItem[] {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const line = text.slice(lineStart, offset);
  // Inside a string: the reference or zone named by the keyword before it.
  const quotes = (line.replace(/\\./g, "").match(/"/g) ?? []).length;
  if (quotes % 2 === 1) {
    const open = lineStart + line.lastIndexOf('"');
    const before = tokenize(text.slice(0, open)).tokens.filter((t) => t.image !== "," && !t.image.startsWith('"'));
    const keyword = before[before.length - 1]?.image ?? "";
    const range = lspRange(new TextRange(new LineIndex(text), open + 1, offset));
    const item = (label: string, kind: CompletionItemKind, detail?: string): CompletionItem => ({ label, kind, detail, textEdit: { range, newText: label } });
    if (keyword === "timezone") {
      const z = zoneNames();
      return [...z.iana.map((n) => item(n, CompletionItemKind.Value, "IANA time zone")), ...z.windows.map((n) => item(n, CompletionItemKind.Value, "Windows time zone"))];
    }
    const names = REFERENCE[keyword];
    return names ? [...names(model)].map((n) => item(n, CompletionItemKind.Reference, keyword)) : [];
  }
  const partial = /[A-Za-z0-9_-]*$/.exec(line)![0];
  const tokens = tokenize(text.slice(0, offset - partial.length)).tokens;
  const block = enclosing(tokens);
  if (block === undefined) {
    return TOP.map((b) => ({ label: b, kind: CompletionItemKind.Keyword, detail: docOf(b)?.header, documentation: docOf(b)?.meaning ?? "", insertText: snippet(b), insertTextFormat: InsertTextFormat.Snippet }));
  }
  const doc = docOf(block);
  const prev = tokens[tokens.length - 1];
  const attr = doc?.attributes.find((a) => a.keyword === prev?.image);
  if (attr && prev.tokenType.name !== "StringLit") {
    const names = REFERENCE[attr.keyword];
    if (names) return [...names(model)].map((n) => ({ label: `"${n}"`, kind: CompletionItemKind.Reference, detail: attr.keyword, filterText: n }));
    const values = formValues(attr);
    if (values.length) return values.map((v) => ({ label: v, kind: CompletionItemKind.EnumMember, detail: attr.forms.join("  |  ") }));
  }
  if (prev?.tokenType.name === "NumberLit") {
    const statement = [...tokens].reverse().find((t) => doc?.attributes.some((a) => a.keyword === t.image));
    const forms = doc?.attributes.find((a) => a.keyword === statement?.image)?.forms.join(" ") ?? "";
    const units = [...(/\bGB\b/.test(forms) ? SIZE_UNITS : []), ...(/\b(?:s|days|hours|weeks|months|years)\b/.test(forms) ? DURATION_UNITS : []), ...(/MB\/s/.test(forms) ? ["MB/s", "GB/s"] : []), ...(/%/.test(forms) ? ["%"] : [])];
    return (units.length ? units : [...SIZE_UNITS, ...DURATION_UNITS, "MB/s", "%"]).map((u) => ({ label: u, kind: CompletionItemKind.Unit }));
  }
  return (doc?.attributes ?? []).map((a) => ({ label: a.keyword, kind: CompletionItemKind.Property, detail: a.forms[0], documentation: a.meaning }));
}
