// CST -> typed AST. Each attribute's tokens are read in source order with a small cursor; the
// parser has already checked their shape, so the builder only has to be careful where error
// recovery left a token out (it then skips that attribute: the syntax error is reported).
import type { CstElement, CstNode, IToken, TokenType } from "chevrotain";
import Decimal from "decimal.js";
import { DateTime } from "../utils/luxon.js";
import type * as A from "./ast.js";
import type { Diagnostic, Range } from "./diagnostics.js";
import { tokenRange } from "./parse.js";
import * as T from "./tokens.js";
import { closest } from "./suggest.js";
import { endOf, span } from "./text-range.js";


// Decimals are immutable, and policy sets repeat the same few numbers (128 GB, 1%, 30 days)
// thousands of times: one instance per spelling keeps the AST smaller (bounded for long sessions).
const decimals = new Map<string, Decimal>();
function decimalOf(text: string): Decimal {
  let d = decimals.get(text);
  if (!d) {
    d = new Decimal(text);
    if (decimals.size < 4096) decimals.set(text, d);
  }
  return d;
}

function isNode(e: CstElement): e is CstNode {
  return (e as CstNode).children !== undefined;
}

/** All tokens under a CST node, in source order, without those invented by error recovery. */
export function flatTokens(node: CstNode): IToken[] {
  const out: IToken[] = [];
  collect(node, out);
  // Children are grouped by name, not position, so a token type that comes back later in the
  // attribute is out of order; most attributes are in order already, and sort() allocates.
  for (let i = 1; i < out.length; i++) if (out[i].startOffset < out[i - 1].startOffset) return out.sort((a, b) => a.startOffset - b.startOffset);
  return out;
}

function collect(node: CstNode, out: IToken[]): void {
  for (const key in node.children) {
    for (const e of node.children[key]) {
      if (isNode(e)) collect(e, out);
      else if (!e.isInsertedInRecovery && !Number.isNaN(e.startOffset)) out.push(e);
    }
  }
}

const KEYWORDS = new Set(T.keywordTokens);
const NESTED_BLOCKS = ["diskBlock", "scriptsBlock", "adeBlock"];
/** The CST key of each nested block's first keyword. */
const NESTED_KEYWORD: Record<string, string> = { diskBlock: T.Disk.name, scriptsBlock: T.Scripts.name, adeBlock: T.Encryption.name };

/** A token that the parser really consumed (not invented by error recovery). */
function real(t: CstElement | undefined): IToken | undefined {
  return t && !isNode(t) && !t.isInsertedInRecovery && !Number.isNaN(t.startOffset) ? t : undefined;
}

function rangeOf(tokens: IToken[]): Range {
  return span(tokenRange(tokens[0]), tokenRange(tokens[tokens.length - 1]));
}

/** A .bkp string literal: only `"` and `\\` are escaped in the language. */
export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The value of a string literal: quotes removed, `\"` and `\\` unescaped (an unterminated one has no closing quote). */
export function unquote(image: string): string {
  let out = "";
  for (let i = 1; i < image.length; i++) {
    const c = image[i];
    if (c === "\\" && i + 1 < image.length) {
      out += image[++i];
      continue;
    }
    if (c === '"') break;
    out += c;
  }
  return out;
}

const DURATION_NAMES: Record<string, string> = {
  s: "s", sec: "s", second: "s", seconds: "s",
  min: "min", mins: "min", minute: "min", minutes: "min",
  h: "h", hour: "h", hours: "h",
  day: "day", days: "day", week: "week", weeks: "week",
  month: "month", months: "month", year: "year", years: "year",
};

const WEEKDAY_FULL: Record<string, A.WeekdayName> = {
  Monday: "Mon", Tuesday: "Tue", Wednesday: "Wed", Thursday: "Thu", Friday: "Fri", Saturday: "Sat", Sunday: "Sun",
};
const MONTH_FULL: Record<string, A.MonthName> = {
  January: "Jan", February: "Feb", March: "Mar", April: "Apr", June: "Jun", July: "Jul",
  August: "Aug", September: "Sep", October: "Oct", November: "Nov", December: "Dec",
};

/** The unit a misspelt one most likely meant: the same letters in another case first. */
function closestUnit(word: string): string | undefined {
  const units = T.unitSpellings();
  return units.find((u) => u.toLowerCase() === word.toLowerCase() && u !== word) ?? closest(word, units);
}

class Cursor {
  i = 0;
  constructor(readonly tokens: IToken[]) {}
  peek(): IToken | undefined {
    return this.tokens[this.i];
  }
  is(type: TokenType): boolean {
    const t = this.tokens[this.i];
    // categoryMatchesMap: the token types in a category, by index (see tokens.ts).
    return t !== undefined && (t.tokenType === type || type.categoryMatchesMap?.[t.tokenTypeIdx] === true);
  }
  take(type?: TokenType): IToken | undefined {
    if (type && !this.is(type)) return undefined;
    return this.tokens[this.i++];
  }
}

/** Builds the AST of one file, adding diagnostics for bad literals and duplicate attributes. */
export function buildAst(file: string, cst: CstNode, comments: IToken[], diagnostics: Diagnostic[]): A.FileAst {
  const err = (code: string, range: Range, message: string, hint?: string): void => {
    diagnostics.push({ code, severity: "error", file, range, message, hint });
  };

  const str = (t: IToken | undefined): A.Str | undefined => (t ? { range: tokenRange(t), value: unquote(t.image) } : undefined);
  const word = <W extends string>(t: IToken | undefined): A.Word<W> | undefined => (t ? { range: tokenRange(t), value: t.image as W } : undefined);
  const num = (t: IToken | undefined): A.Num | undefined => (t ? { range: tokenRange(t), value: decimalOf(t.image), text: t.image } : undefined);

  function quantity(c: Cursor): A.Quantity | undefined {
    const n = num(c.take(T.NumberLit));
    if (!n) return undefined;
    const u = c.peek();
    let unit: A.Unit | undefined;
    if (u && c.is(T.SizeUnit)) unit = { range: tokenRange(u), kind: "size", name: u.image, text: u.image };
    else if (u && c.is(T.DurationUnit)) unit = { range: tokenRange(u), kind: "duration", name: DURATION_NAMES[u.image] ?? u.image, text: u.image };
    else if (u && c.is(T.RateUnit)) unit = { range: tokenRange(u), kind: "rate", name: u.image, text: u.image };
    else if (u && c.is(T.Percent)) unit = { range: tokenRange(u), kind: "percent", name: "%", text: "%" };
    if (unit) c.take();
    else if (u && c.is(T.Identifier) && u.startLine === n.range.start.line) {
      // The parser took a misspelt unit as the unit (`64 Gb`): say which one was meant, and drop
      // the attribute (its absence is not reported again: the checker sees it was written).
      c.take();
      const guess = closestUnit(u.image);
      err("BKP2004", tokenRange(u), `'${u.image}' is not a unit`, guess ? `did you mean '${guess}'?${guess.toLowerCase() === u.image.toLowerCase() ? " (units are case-sensitive)" : ""}` : "write a size (GB, TB, GiB, …), a duration (s, min, hours, days, …) or a rate (MB/s, GB/s, …)");
      return undefined;
    }
    return { range: unit ? span(n.range, unit.range) : n.range, number: n, unit };
  }

  function time(t: IToken | undefined): A.TimeOfDay | undefined {
    if (!t) return undefined;
    const [h, m] = t.image.split(":").map(Number);
    const range = tokenRange(t);
    if (h > 23 || m > 59) {
      err("BKP1008", range, `'${t.image}' is not a time of day`, "write a 24-hour time from 00:00 to 23:59, e.g. 02:30");
      return undefined;
    }
    return { range, hour: h, minute: m, text: `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}` };
  }

  function date(t: IToken | undefined): A.DateValue | undefined {
    if (!t) return undefined;
    const range = tokenRange(t);
    if (!DateTime.fromISO(t.image, { zone: "UTC" }).isValid) {
      err("BKP1008", range, `'${t.image}' is not a calendar date`, "write an existing date as YYYY-MM-DD, e.g. 2026-11-20");
      return undefined;
    }
    return { range, text: t.image };
  }

  function weekdays(c: Cursor): A.Word<A.WeekdayName>[] {
    const out: A.Word<A.WeekdayName>[] = [];
    while (c.is(T.Weekday)) {
      const t = c.take()!;
      out.push({ range: tokenRange(t), value: WEEKDAY_FULL[t.image] ?? (t.image as A.WeekdayName) });
      if (!c.take(T.Comma)) break;
    }
    return out;
  }

  function months(c: Cursor): A.Word<A.MonthName>[] {
    const out: A.Word<A.MonthName>[] = [];
    while (c.is(T.Month)) {
      const t = c.take()!;
      out.push({ range: tokenRange(t), value: MONTH_FULL[t.image] ?? (t.image as A.MonthName) });
      if (!c.take(T.Comma)) break;
    }
    return out;
  }

  function monthlyWhen(c: Cursor): A.MonthlyWhenAst | undefined {
    const start = c.peek();
    if (!start) return undefined;
    if (c.take(T.Day)) {
      const days: (A.Node & { value: number | "last" })[] = [];
      while (c.is(T.NumberLit) || c.is(T.Last)) {
        const t = c.take()!;
        days.push({ range: tokenRange(t), value: t.image === "last" ? "last" : Number(t.image) });
        if (!c.take(T.Comma)) break;
      }
      const last = c.tokens[c.i - 1];
      return { kind: "days", days, range: span(tokenRange(start), tokenRange(last)) };
    }
    const ordinals: A.Word<A.OrdinalName>[] = [];
    while (c.is(T.Ordinal)) {
      ordinals.push(word<A.OrdinalName>(c.take())!);
      if (!c.take(T.Comma)) break;
    }
    const wd = weekdays(c);
    const last = c.tokens[c.i - 1];
    return { kind: "weekdays", ordinals, weekdays: wd, range: span(tokenRange(start), tokenRange(last)) };
  }

  function names(c: Cursor): A.Str[] {
    const out: A.Str[] = [];
    while (c.is(T.StringLit)) {
      out.push(str(c.take())!);
      if (!c.take(T.Comma)) break;
    }
    return out;
  }

  /** Sets `target[key]` once; a second occurrence is a duplicate attribute. */
  function setOnce<O extends object, K extends keyof O>(target: O, key: K, value: O[K] | undefined, kw: IToken, where: string): void {
    if (value === undefined) return;
    const prev = target[key] as unknown as A.Node | undefined;
    if (prev !== undefined) {
      err("BKP2006", tokenRange(kw), `'${kw.image}' is set twice in ${where}`, `keep one '${kw.image}' line (the first is at line ${prev.range.start.line})`);
      return;
    }
    target[key] = value;
  }

  function blockSyntax(node: CstNode, attrs: A.AttributeSyntax[]): A.BlockSyntax {
    // The block rule consumes its keyword, name and braces itself; attributes are subrules.
    let first: IToken | undefined;
    for (const key in node.children) {
      for (const e of node.children[key]) {
        const t = real(e);
        if (t && t.tokenType !== T.LCurly && t.tokenType !== T.RCurly && (!first || t.startOffset < first.startOffset)) first = t;
      }
    }
    const lc = real(node.children.LCurly?.[0]);
    const rc = real(node.children.RCurly?.[0]);
    let headerEnd = first!;
    for (const key in node.children) {
      for (const e of node.children[key]) {
        const t = real(e);
        if (t && t.tokenType !== T.LCurly && t.tokenType !== T.RCurly && t.startOffset > headerEnd.startOffset) headerEnd = t;
      }
    }
    const lastAttr = attrs[attrs.length - 1]?.range;
    const end = rc ? tokenRange(rc) : lastAttr ?? (lc ? tokenRange(lc) : tokenRange(headerEnd));
    const range = span(tokenRange(first!), end);
    return {
      range,
      header: span(tokenRange(first!), tokenRange(headerEnd)),
      body: lc ? span(tokenRange(lc), end) : endOf(range),
      attributes: attrs,
    };
  }

  function attrNodes(node: CstNode, name: string): CstNode[] {
    return (node.children[name] ?? []).filter(isNode);
  }

  /** Runs `each` over every attribute of a block with its cursor; returns the syntax list. */
  function eachAttr(node: CstNode, attrRule: string, each: (kw: IToken, c: Cursor, attr: CstNode) => A.BlockSyntax | void): A.AttributeSyntax[] {
    const out: A.AttributeSyntax[] = [];
    for (const attr of attrNodes(node, attrRule)) {
      // A nested block (disk, scripts, encryption ade) builds its own syntax: no need to
      // flatten all of its tokens here just to find its keyword.
      const nestedRule = NESTED_BLOCKS.find((r) => attr.children[r]);
      if (nestedRule) {
        const nb = attr.children[nestedRule][0] as CstNode;
        const kw = real(nb.children[NESTED_KEYWORD[nestedRule]]?.[0]);
        if (!kw) continue;
        const nested = each(kw, new Cursor([]), attr);
        if (nested) out.push({ range: nested.range, keyword: kw.image, block: nested });
        continue;
      }
      const toks = flatTokens(attr);
      if (toks.length === 0) continue;
      const c = new Cursor(toks);
      const kw = c.take()!;
      // An unknown attribute was already reported by the parser; keep its text for fmt.
      const nested = KEYWORDS.has(kw.tokenType) ? each(kw, c, attr) : undefined;
      out.push({ range: rangeOf(toks), keyword: kw.image, block: nested || undefined });
    }
    return out;
  }

  function nameOf(node: CstNode): A.Str {
    const t = (node.children.StringLit?.[0] as IToken | undefined) ?? (node.children[Object.keys(node.children)[0]][0] as IToken);
    return str(t) ?? { range: tokenRange(t), value: "" };
  }

  /** The attribute names after `accept-irreversible` (checked by the checker). */
  function acceptIrreversible(c: Cursor): A.AcceptIrreversibleAst | undefined {
    const items: A.Word[] = [];
    for (let t = c.take(); t; t = c.take()) if (t.tokenType !== T.Comma && t.tokenType !== T.AcceptIrreversible) items.push({ range: tokenRange(t), value: t.image });
    return items.length ? { range: rangeOf(c.tokens), items } : undefined;
  }

  // ---- blocks -----------------------------------------------------------------------
  function vault(node: CstNode): A.VaultAst {
    const v = { kind: "vault", file, name: nameOf(node) } as A.VaultAst;
    const where = `vault ${v.name.range ? `"${v.name.value}"` : ""}`;
    const attrs = eachAttr(node, "vaultAttr", (kw, c) => {
      switch (kw.image) {
        case "path": return setOnce(v, "path", str(c.take(T.StringLit)), kw, where);
        case "blob": return setOnce(v, "blob", str(c.take(T.StringLit)), kw, where);
        case "redundancy": return setOnce(v, "redundancy", word(c.take(T.Redundancy)), kw, where);
        case "pricing": return setOnce(v, "pricing", str(c.take(T.StringLit)), kw, where);
        case "region": return setOnce(v, "region", str(c.take(T.StringLit)), kw, where);
        case "soft-delete": {
          const state = word<A.SoftDeleteState>(c.take());
          if (!state) return;
          const days = quantity(c);
          return setOnce(v, "softDelete", { range: rangeOf(c.tokens), state, days }, kw, where);
        }
        case "immutability": return setOnce(v, "immutability", word<A.ImmutabilityState>(c.take()), kw, where);
        case "cross-region-restore": return setOnce(v, "crossRegionRestore", word<"true" | "false">(c.take(T.Bool)), kw, where);
        case "cross-subscription-restore": return setOnce(v, "crossSubscriptionRestore", word<A.CrossSubscriptionRestoreState>(c.take()), kw, where);
        case "resource-guard": return setOnce(v, "resourceGuard", str(c.take(T.StringLit)), kw, where);
        case "accept-irreversible": return setOnce(v, "acceptIrreversible", acceptIrreversible(c), kw, where);
        case "encryption": {
          const t = c.take();
          if (!t) return;
          const range = span(tokenRange(kw), tokenRange(t));
          if (t.image === "platform-key") return setOnce(v, "encryption", { range, kind: "platform-key" }, kw, where);
          const f = str(c.take(T.StringLit));
          if (f) setOnce(v, "encryption", { range: span(range, f.range), kind: "customer-key", keyFile: f }, kw, where);
        }
      }
    });
    v.syntax = blockSyntax(node, attrs);
    v.range = v.syntax.range;
    return v;
  }

  function policy(node: CstNode): A.PolicyAst {
    const p = { kind: "policy", file, name: nameOf(node), retain: [] } as unknown as A.PolicyAst;
    const where = `policy "${p.name.value}"`;
    const attrs = eachAttr(node, "policyAttr", (kw, c) => {
      const range = rangeOf(c.tokens);
      switch (kw.image) {
        case "schedule": {
          const k = c.take();
          if (k?.image === "daily") {
            c.take(T.At);
            const at = time(c.take(T.TimeLit));
            if (at) setOnce(p, "schedule", { range, kind: "daily", at }, kw, where);
          } else if (k?.image === "weekly") {
            c.take(T.On);
            const days = weekdays(c);
            c.take(T.At);
            const at = time(c.take(T.TimeLit));
            if (at && days.length) setOnce(p, "schedule", { range, kind: "weekly", days, at }, kw, where);
          } else if (k?.image === "every") {
            const every = quantity(c);
            c.take(T.From);
            const from = time(c.take(T.TimeLit));
            c.take(T.For);
            const dur = quantity(c);
            if (every && from && dur) setOnce(p, "schedule", { range, kind: "hourly", every, from, for: dur }, kw, where);
          }
          return;
        }
        case "timezone": return setOnce(p, "timezone", str(c.take(T.StringLit)), kw, where);
        case "instant-restore": return setOnce(p, "instantRestore", quantity(c), kw, where);
        case "consistency": return setOnce(p, "consistency", word(c.take()), kw, where);
        case "vss": return setOnce(p, "vss", word(c.take()), kw, where);
        case "type": return setOnce(p, "type", word(c.take()), kw, where);
        case "accept-irreversible": return setOnce(p, "acceptIrreversible", acceptIrreversible(c), kw, where);
        case "archive": {
          // One archive line per policy: after, recommended or never (setOnce reports a second one).
          const next = c.take();
          const earlier = p.archiveAfter ? "archiveAfter" : p.archiveRecommended ? "archiveRecommended" : p.archiveNever ? "archiveNever" : undefined;
          if (earlier) return setOnce(p, earlier, p[earlier], kw, where);
          if (next?.image === "recommended") return setOnce(p, "archiveRecommended", { range }, kw, where);
          if (next?.image === "never") return setOnce(p, "archiveNever", { range }, kw, where);
          return setOnce(p, "archiveAfter", quantity(c), kw, where);
        }
        case "instant-restore-resource-group": {
          const prefix = str(c.take(T.StringLit));
          let suffix: A.Str | undefined;
          if (c.take(T.Suffix)) suffix = str(c.take(T.StringLit));
          if (prefix) setOnce(p, "instantRestoreResourceGroup", { range, prefix, suffix }, kw, where);
          return;
        }
        case "retain": {
          const k = c.take();
          if (!k) return;
          const kind = k.image as A.RetainAst["kind"];
          const count = quantity(c);
          if (!count) return;
          const r: A.RetainAst = { range, kind, keyword: span(tokenRange(kw), tokenRange(k)), count };
          if (kind === "weekly") {
            c.take(T.On);
            r.weekdays = weekdays(c);
          } else if (kind === "monthly") {
            c.take(T.On);
            r.on = monthlyWhen(c);
          } else if (kind === "yearly") {
            c.take(T.In);
            r.months = months(c);
            c.take(T.On);
            r.on = monthlyWhen(c);
          }
          if (c.take(T.At)) r.at = time(c.take(T.TimeLit));
          const dup = p.retain.find((x) => x.kind === kind);
          if (dup) err("BKP2006", r.keyword, `'retain ${kind}' is set twice in ${where}`, `keep one 'retain ${kind}' line (the first is at line ${dup.range.start.line})`);
          else p.retain.push(r);
        }
      }
    });
    p.syntax = blockSyntax(node, attrs);
    p.range = p.syntax.range;
    return p;
  }

  function disk(node: CstNode): A.DiskAst {
    const d = { name: nameOf(node) } as A.DiskAst;
    const where = `disk "${d.name.value}"`;
    const attrs = eachAttr(node, "diskAttr", (kw, c) => {
      switch (kw.image) {
        case "role": return setOnce(d, "role", word(c.take()), kw, where);
        case "size": return setOnce(d, "size", quantity(c), kw, where);
        case "used": return setOnce(d, "used", quantity(c), kw, where);
        case "churn": return setOnce(d, "churn", quantity(c), kw, where);
        case "pattern": return setOnce(d, "pattern", word(c.take()), kw, where);
        case "added": return setOnce(d, "added", date(c.take(T.DateLit)), kw, where);
        case "storage-account": return setOnce(d, "storageAccount", str(c.take(T.StringLit)), kw, where);
        case "tier": return setOnce(d, "tier", word(c.take()), kw, where);
        case "free": return setOnce(d, "free", quantity(c), kw, where);
        case "image": return setOnce(d, "image", str(c.take(T.StringLit)), kw, where);
        case "exclude": return setOnce(d, "exclude", { range: tokenRange(kw) }, kw, where);
        case "lun": return setOnce(d, "lun", num(c.take(T.NumberLit)), kw, where);
      }
    });
    d.syntax = blockSyntax(node, attrs);
    d.range = d.syntax.range;
    return d;
  }

  function scripts(node: CstNode): A.ScriptsAst {
    const s = {} as A.ScriptsAst;
    const where = "scripts";
    const attrs = eachAttr(node, "scriptsAttr", (kw, c) => {
      switch (kw.image) {
        case "pre":
        case "post": {
          const path = str(c.take(T.StringLit));
          if (!path) return;
          const args = c.take(T.Args) ? names(c) : [];
          return setOnce(s, kw.image, { range: rangeOf(c.tokens), path, args }, kw, where);
        }
        case "timeout": return setOnce(s, "timeout", quantity(c), kw, where);
        case "retries": return setOnce(s, "retries", num(c.take(T.NumberLit)), kw, where);
        case "continue-on-failure": return setOnce(s, "continueOnFailure", word(c.take(T.Bool)), kw, where);
        case "fsfreeze": return setOnce(s, "fsfreeze", word(c.take(T.Bool)), kw, where);
      }
    });
    s.syntax = blockSyntax(node, attrs);
    s.range = s.syntax.range;
    return s;
  }

  function ade(node: CstNode): A.AdeAst {
    const a = {} as A.AdeAst;
    const attrs = eachAttr(node, "adeAttr", (kw, c) => {
      if (kw.image === "bek") setOnce(a, "bek", str(c.take(T.StringLit)), kw, "encryption ade");
      if (kw.image === "kek") setOnce(a, "kek", str(c.take(T.StringLit)), kw, "encryption ade");
    });
    a.syntax = blockSyntax(node, attrs);
    a.range = a.syntax.range;
    return a;
  }

  function vm(node: CstNode): A.VmAst {
    const v = { kind: "vm", file, name: nameOf(node), disks: [] } as unknown as A.VmAst;
    const where = `vm "${v.name.value}"`;
    const attrs = eachAttr(node, "vmAttr", (kw, c, attr) => {
      switch (kw.image) {
        case "os": return setOnce(v, "os", word(c.take()), kw, where);
        case "state": return setOnce(v, "state", word(c.take()), kw, where);
        case "security": return setOnce(v, "security", word(c.take()), kw, where);
        case "provisioning": return setOnce(v, "provisioning", word(c.take()), kw, where);
        case "policy": return setOnce(v, "policy", str(c.take(T.StringLit)), kw, where);
        case "vault": return setOnce(v, "vault", str(c.take(T.StringLit)), kw, where);
        case "protected-since": return setOnce(v, "protectedSince", date(c.take(T.DateLit)), kw, where);
        case "vss": return setOnce(v, "vss", word(c.take()), kw, where);
        case "protection": {
          const a = c.take();
          if (!a) return;
          if (a.image === "active") return setOnce(v, "protection", word(a), kw, where);
          const b = c.take();
          if (b) setOnce(v, "protection", { range: span(tokenRange(a), tokenRange(b)), value: `stopped ${b.image}` as "stopped retain-data" }, kw, where);
          return;
        }
        case "encryption": {
          const n = attrNodes(attr, "adeBlock")[0];
          if (!n) return;
          const a = ade(n);
          setOnce(v, "ade", a, kw, where);
          return a.syntax;
        }
        case "scripts": {
          const n = attrNodes(attr, "scriptsBlock")[0];
          if (!n) return;
          const s = scripts(n);
          setOnce(v, "scripts", s, kw, where);
          return s.syntax;
        }
        case "disk": {
          const n = attrNodes(attr, "diskBlock")[0];
          if (!n) return;
          const d = disk(n);
          v.disks.push(d);
          return d.syntax;
        }
      }
    });
    v.syntax = blockSyntax(node, attrs);
    v.range = v.syntax.range;
    return v;
  }

  function storageAccount(node: CstNode): A.StorageAccountAst {
    const s = { kind: "storage-account", file, name: nameOf(node) } as A.StorageAccountAst;
    const where = `storage-account "${s.name.value}"`;
    const attrs = eachAttr(node, "storageAccountAttr", (kw, c) => {
      switch (kw.image) {
        case "kind": return setOnce(s, "accountKind", word(c.take()), kw, where);
        case "iops": return setOnce(s, "iops", quantity(c), kw, where);
        case "throughput": return setOnce(s, "throughput", quantity(c), kw, where);
        case "load": return setOnce(s, "load", quantity(c), kw, where);
        case "path": return setOnce(s, "path", str(c.take(T.StringLit)), kw, where);
        case "tier": return setOnce(s, "tier", word(c.take()), kw, where);
      }
    });
    s.syntax = blockSyntax(node, attrs);
    s.range = s.syntax.range;
    return s;
  }

  function restore(node: CstNode): A.RestoreAst {
    const r = { kind: "restore", file, name: nameOf(node) } as A.RestoreAst;
    const where = `restore "${r.name.value}"`;
    const attrs = eachAttr(node, "restoreAttr", (kw, c) => {
      const range = rangeOf(c.tokens);
      switch (kw.image) {
        case "vms":
          if (c.take(T.All)) return setOnce(r, "vms", { range, all: true }, kw, where);
          return setOnce(r, "vms", { range, all: false, names: names(c) }, kw, where);
        case "point": {
          const t = c.take();
          if (!t) return;
          if (t.image === "latest" || t.image === "instant") return setOnce(r, "point", { range, kind: t.image }, kw, where);
          if (t.tokenType === T.StringLit) return setOnce(r, "point", { range, kind: "id", id: str(t)! }, kw, where);
          if (!DateTime.fromISO(t.image, { zone: "UTC" }).isValid) {
            err("BKP1008", tokenRange(t), `'${t.image}' is not a valid date and time`, "write YYYY-MM-DDTHH:MM, e.g. 2026-11-20T02:15");
            return;
          }
          return setOnce(r, "point", { range, kind: "time", text: t.image }, kw, where);
        }
        case "into": return setOnce(r, "into", { range, names: names(c) }, kw, where);
        case "spread":
          if (c.take(T.OneVmPerAccount)) return setOnce(r, "spread", { range, kind: "one-vm-per-account" }, kw, where);
        {
          c.take(T.Max);
          // Error recovery may have dropped the number (`spread 5 disks per account`): the
          // syntax error is reported, the attribute is left out.
          const max = num(c.take(T.NumberLit));
          return max ? setOnce(r, "spread", { range, kind: "max-disks", max }, kw, where) : undefined;
        }
        case "resource-group": return setOnce(r, "resourceGroup", str(c.take(T.StringLit)), kw, where);
      }
    });
    r.syntax = blockSyntax(node, attrs);
    r.range = r.syntax.range;
    return r;
  }

  function assume(node: CstNode): A.AssumeAst {
    const a = { kind: "assume", file } as A.AssumeAst;
    const where = "assume";
    const attrs = eachAttr(node, "assumeAttr", (kw, c) => {
      const range = rangeOf(c.tokens);
      switch (kw.image) {
        case "transfer-rate": return setOnce(a, "transferRate", quantity(c), kw, where);
        case "checksum-rate": return setOnce(a, "checksumRate", quantity(c), kw, where);
        case "peak-hours": {
          const from = time(c.take(T.TimeLit));
          c.take(T.To);
          const to = time(c.take(T.TimeLit));
          if (from && to) setOnce(a, "peakHours", { range, from, to }, kw, where);
          return;
        }
        case "peak-lag": return setOnce(a, "peakLag", quantity(c), kw, where);
        case "prepare": return setOnce(a, "prepare", quantity(c), kw, where);
        case "horizon": return setOnce(a, "horizon", quantity(c), kw, where);
        case "fragmentation": return setOnce(a, "fragmentation", num(c.take(T.NumberLit)), kw, where);
        case "churn": return setOnce(a, "churn", quantity(c), kw, where);
        case "calibrate": return setOnce(a, "calibrate", { range }, kw, where);
        case "congestion": return setOnce(a, "congestion", num(c.take(T.NumberLit)), kw, where);
        case "restore-io-size": return setOnce(a, "restoreIoSize", quantity(c), kw, where);
        case "agentless-pi": return setOnce(a, "agentlessPi", num(c.take(T.NumberLit)), kw, where);
      }
    });
    a.syntax = blockSyntax(node, attrs);
    a.range = a.syntax.range;
    return a;
  }

  function pricing(node: CstNode): A.PricingAst {
    const p = { kind: "pricing", file, name: nameOf(node), instance: [], storage: [] } as unknown as A.PricingAst;
    const where = `pricing "${p.name.value}"`;
    const attrs = eachAttr(node, "pricingAttr", (kw, c) => {
      const range = rangeOf(c.tokens);
      switch (kw.image) {
        case "currency": return setOnce(p, "currency", word(c.take()), kw, where);
        case "unit": return setOnce(p, "unit", word(c.take()), kw, where);
        case "region": return setOnce(p, "region", str(c.take(T.StringLit)), kw, where);
        case "instance": {
          const k = c.take();
          const size = quantity(c);
          const fee = num(c.take(T.NumberLit));
          if (k && size && fee) p.instance.push({ range, kind: k.image as "up-to" | "per", size, fee });
          return;
        }
        case "storage": {
          const red = word<"LRS" | "ZRS" | "GRS" | "RA-GRS">(c.take(T.Redundancy));
          const price = num(c.take(T.NumberLit));
          if (!red || !price) return;
          const dup = p.storage.find((s) => s.redundancy.value === red.value);
          if (dup) err("BKP2006", range, `'storage ${red.value}' is priced twice in ${where}`, `keep one line (the first is at line ${dup.range.start.line})`);
          else p.storage.push({ range, redundancy: red, price });
          return;
        }
        case "snapshot": return setOnce(p, "snapshot", num(c.take(T.NumberLit)), kw, where);
        case "archive": return setOnce(p, "archive", num(c.take(T.NumberLit)), kw, where);
      }
    });
    p.syntax = blockSyntax(node, attrs);
    p.range = p.syntax.range;
    return p;
  }

  const builders: Record<string, (n: CstNode) => A.BlockAst> = {
    vaultBlock: vault,
    policyBlock: policy,
    vmBlock: vm,
    storageAccountBlock: storageAccount,
    restoreBlock: restore,
    assumeBlock: assume,
    pricingBlock: pricing,
  };

  const blocks: A.BlockAst[] = [];
  for (const [rule, nodes] of Object.entries(cst.children)) {
    const build = builders[rule];
    if (!build) continue;
    for (const n of nodes) if (isNode(n) && Object.values(n.children).some((l) => l.some((e) => real(e)))) blocks.push(build(n));
  }
  blocks.sort((a, b) => a.range.start.offset - b.range.start.offset);
  return {
    file,
    blocks,
    comments: comments.map((t) => ({ range: tokenRange(t), text: t.image })),
  };
}
