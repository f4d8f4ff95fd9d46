// Shared helpers of the checker: reporting, unit checks, reference resolution.
import { dirname, resolve } from "node:path";
import type Decimal from "decimal.js";
import type { BlockSyntax, Node, Quantity, Str, UnitKind } from "../lang/ast.js";
import type { Diagnostic, Range, Severity } from "../lang/diagnostics.js";
import { closest } from "../lang/suggest.js";
import { keywordSpellings } from "../lang/tokens.js";
import { UNIT_EXAMPLES, UNIT_NOUN } from "./units.js";

export interface CheckContext {
  diagnostics: Diagnostic[];
  report(file: string, code: string, range: Range, message: string, hint?: string, severity?: Severity): void;
  /** The quantity if its unit is of `kind` (and present); reports otherwise. */
  unit(file: string, q: Quantity | undefined, kind: UnitKind, what: string, example: string): Quantity | undefined;
  /** `q` as a unitless count (e.g. iops). */
  count(file: string, q: Quantity | undefined, what: string): Decimal | undefined;
  /** Reports `what` outside min..max; `azure` says the limit is the Azure API's (DOMAIN §7). */
  inRange(file: string, node: Node, value: Decimal | number, min: number, max: number, code: string, what: string, hint?: string, azure?: boolean): boolean;
  resolvePath(file: string, p: Str): string;
  /** The block `ref` names; `alsoNamed`: blocks defined with errors of their own (suggested, not resolved). */
  lookup<T>(file: string, ref: Str, kind: string, table: Map<string, T>, alsoNamed?: Iterable<string>): T | undefined;
  /** Whether the block has a line for `keyword`, malformed or misspelt (so "no `keyword`" would repeat an error). */
  attempted(syntax: BlockSyntax, keyword: string): boolean;
}

export function createContext(diagnostics: Diagnostic[]): CheckContext {
  const ctx: CheckContext = {
    diagnostics,
    report(file, code, range, message, hint, severity = "error") {
      diagnostics.push({ code, severity, file, range, message, hint });
    },
    unit(file, q, kind, what, example) {
      if (!q) return undefined;
      if (!q.unit) {
        ctx.report(file, "BKP2004", q.range, `${what} needs a unit: ${q.number.text} what?`, `write ${UNIT_NOUN[kind]} (${UNIT_EXAMPLES[kind]}), e.g. ${example}`);
        return undefined;
      }
      if (q.unit.kind !== kind) {
        ctx.report(file, "BKP2003", q.unit.range, `${what} takes ${UNIT_NOUN[kind]}, but '${q.number.text} ${q.unit.text}' is ${UNIT_NOUN[q.unit.kind]}`, `write ${UNIT_NOUN[kind]} (${UNIT_EXAMPLES[kind]}), e.g. ${example}`);
        return undefined;
      }
      return q;
    },
    count(file, q, what) {
      if (!q) return undefined;
      if (q.unit) {
        ctx.report(file, "BKP2003", q.unit.range, `${what} is a plain number; '${q.unit.text}' does not belong here`, `write just the number, e.g. ${what} ${q.number.text}`);
        return undefined;
      }
      return q.number.value;
    },
    inRange(file, node, value, min, max, code, what, hint, azure = false) {
      const v = typeof value === "number" ? value : value.toNumber();
      if (v >= min && v <= max) return true;
      ctx.report(file, code, node.range, `${what} is ${v}; ${azure ? "Azure accepts" : "it must be"} ${min} to ${max}`, hint ?? `write a value from ${min} to ${max}`);
      return false;
    },
    resolvePath(file, p) {
      return resolve(dirname(resolve(file)), p.value);
    },
    lookup(file, ref, kind, table, alsoNamed = []) {
      const found = table.get(ref.value);
      if (found) return found;
      const guess = closest(ref.value, [...table.keys(), ...alsoNamed]);
      const known = [...table.keys()].slice(0, 5).map((k) => `"${k}"`).join(", ");
      ctx.report(
        file,
        "BKP2002",
        ref.range,
        `no ${kind} named "${ref.value}"`,
        guess ? `did you mean "${guess}"?` : table.size ? `defined ${kind}s: ${known}${table.size > 5 ? ", …" : ""}` : `declare it: ${kind} "${ref.value}" { … }`,
      );
      return undefined;
    },
    attempted(syntax, keyword) {
      return syntax.attributes.some((a) => a.keyword === keyword || (!KEYWORDS.has(a.keyword) && closest(a.keyword, [keyword]) === keyword));
    },
  };
  return ctx;
}

const KEYWORDS = new Set(keywordSpellings());
