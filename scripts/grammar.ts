// Generates grammar/: the language reference, railroad diagrams and the editor grammar.
//
//   npm run grammar            write grammar/*
//   npm run grammar -- --check exit 1 if a file in grammar/ differs from a fresh generation
//
// Every list in the generated files comes from the code (tokens.ts, parser.ts,
// attribute-syntax.ts, diagnostic-codes.ts, limits.ts, defaults.ts, units.ts), so the files
// cannot drift from the language; test/grammar checks that the checked-in files equal a fresh
// generation. Importing this module has no side effects: `generateGrammarFiles()` returns the
// files, and only running it as a script writes them. The output is byte-for-byte reproducible:
// no dates, no absolute paths, no unordered iteration.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createSyntaxDiagramsCode, type ISerializedGast, type TokenType } from "chevrotain";
import { BLOCK_DOCS, type AttributeDoc } from "../src/lang/attribute-syntax.js";
import { vaultSecuritySection } from "./grammar-vault-security.js";
import { CODES } from "../src/lang/diagnostic-codes.js";
import { parseFile } from "../src/lang/index.js";
import { BLOCK_ATTRIBUTES, getParser, TOP_LEVEL_BLOCKS } from "../src/lang/parser.js";
import * as T from "../src/lang/tokens.js";
import {
  builtinPriceBook,
  defaultAssumptions,
  DEFAULT_CONSISTENCY,
  DEFAULT_REDUNDANCY,
  DEFAULT_TIMEZONE,
  DEFAULT_VSS,
} from "../src/model/defaults.js";
import * as L from "../src/model/limits.js";
import { sizeBytes, toSeconds } from "../src/model/units.js";
import type { AssumeAst, AttributeSyntax, Quantity } from "../src/lang/ast.js";
import type Decimal from "decimal.js";
import type { Assumptions } from "../src/model/model.js";

export interface GeneratedFile {
  /** Path relative to the repository root, with forward slashes. */
  path: string;
  content: string;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The example every reference section ends with (LANGUAGE.md's seed policy). */
const SEED_POLICY = "policies/seed-a2-standard.bkp";

// =============================================================================================
// Facts gathered from the code
// =============================================================================================

function label(t: TokenType): string {
  return typeof t.LABEL === "string" ? t.LABEL.replace(/^'(.*)'$/, "$1") : t.name;
}

function hasCategory(t: TokenType, category: TokenType): boolean {
  return t === category || (t.CATEGORIES ?? []).includes(category);
}

/** Every keyword spelling, in the order tokens.ts declares them. */
function spellings(): string[] {
  return T.keywordSpellings();
}

function spellingsOf(category: TokenType): string[] {
  return spellings().filter((s) => hasCategory(T.wordType(s), category));
}

/** Spellings grouped by the token they map to (e.g. `Mon`, `Monday`). */
function groupedSpellings(category: TokenType): string[][] {
  const groups = new Map<TokenType, string[]>();
  for (const s of spellingsOf(category)) {
    const t = T.wordType(s);
    groups.set(t, [...(groups.get(t) ?? []), s]);
  }
  // In declaration order of the tokens, except `last`: declared early (it is also a day of
  // month), it reads best after `fourth`.
  const rank = (g: string[]): number => (g.includes("last") ? Infinity : T.keywordTokens.indexOf(T.wordType(g[0])));
  return [...groups.values()].sort((a, b) => rank(a) - rank(b));
}

const SIZE_UNITS = (): string[] => spellingsOf(T.SizeUnit);
const DURATION_UNITS = (): string[] => spellingsOf(T.DurationUnit);
const RATE_UNITS = (): string[] => SIZE_UNITS().map((u) => u + "/s");

/** Parse `assume { prepare 1 <unit> }` with the real front end: the unit's canonical name and seconds. */
function durationFacts(): { canonical: string; spellings: string[]; seconds?: string }[] {
  const byCanonical = new Map<string, { canonical: string; spellings: string[]; seconds?: string }>();
  for (const spelling of DURATION_UNITS()) {
    const parsed = parseFile("unit.bkp", `assume { prepare 1 ${spelling} }`);
    const q = (parsed.ast.blocks[0] as AssumeAst | undefined)?.prepare as Quantity | undefined;
    if (!q?.unit || parsed.diagnostics.length) throw new Error(`duration unit '${spelling}' does not parse`);
    const entry = byCanonical.get(q.unit.name) ?? { canonical: q.unit.name, spellings: [], seconds: toSeconds(q)?.toFixed() };
    entry.spellings.push(spelling);
    byCanonical.set(q.unit.name, entry);
  }
  const fixed = [...byCanonical.values()].filter((d) => d.seconds !== undefined).sort((a, b) => Number(a.seconds) - Number(b.seconds));
  const calendar = [...byCanonical.values()].filter((d) => d.seconds === undefined);
  return [...fixed, ...calendar];
}

/** A serialized parser rule (chevrotain's type leaves `name` out). */
export type SerializedRule = ISerializedGast & { type: "Rule"; name: string };

/** The serialized grammar without the error-recovery alternatives (catch-all `AnyToken`, `unknownBlock`). */
export function userGrammar(): SerializedRule[] {
  const raw = getParser().getSerializedGastProductions() as ISerializedGast[];
  const isRecovery = (p: any): boolean =>
    p.type === "Alternative" &&
    p.definition.length === 1 &&
    ((p.definition[0].type === "Terminal" && p.definition[0].name === T.AnyToken.name) ||
      (p.definition[0].type === "NonTerminal" && p.definition[0].name === "unknownBlock"));
  const clean = (p: any): any => {
    const out: any = {};
    for (const [k, v] of Object.entries(p)) {
      if (k === "pattern" && v === "NOT_APPLICABLE") continue; // keywords: no pattern to show
      if (k === "definition") out.definition = (v as any[]).filter((c) => !isRecovery(c)).map(clean);
      else if (k === "separator") out.separator = clean(v);
      else out[k] = v;
    }
    return out;
  };
  const rules: SerializedRule[] = raw.filter((r: any) => r.name !== "unknownBlock").map(clean);
  const text = JSON.stringify(rules);
  if (text.includes(`"${T.AnyToken.name}"`) || text.includes('"unknownBlock"')) {
    throw new Error("grammar: a recovery production is left in the user grammar; update userGrammar()");
  }
  return rules;
}

/** `storage-account` -> `storageAccountBlock`: the parser rule of a top-level block. */
export function blockRuleName(keyword: string): string {
  return keyword.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) + "Block";
}

export function topLevelBlockKeywords(): string[] {
  return TOP_LEVEL_BLOCKS.map((b) => label(b.type));
}

/** Block keywords: the keys of BLOCK_ATTRIBUTES (top-level and nested blocks). */
function blockKeywords(): string[] {
  return Object.keys(BLOCK_ATTRIBUTES).filter((k) => spellings().includes(k));
}

function attributeKeywords(): string[] {
  const set = new Set<string>();
  for (const types of Object.values(BLOCK_ATTRIBUTES)) for (const t of types) set.add(label(t));
  return spellings().filter((s) => set.has(s));
}

type Gast = any;

function walk(p: Gast, f: (p: Gast, parent: Gast | undefined) => void, parent?: Gast): void {
  f(p, parent);
  for (const c of p.definition ?? []) walk(c, f, p);
  if (p.separator) f(p.separator, p);
}

/**
 * Keywords that end what they belong to and are chosen from alternatives (`application`,
 * `retain-data`) or complete a two-word attribute (`calibrate from-vault`) are values; keywords
 * that something follows (`at`, `per`, `up-to`, `daily` in `schedule daily at`) connect.
 */
function keywordRoles(): { values: string[]; connectors: string[] } {
  const followed = new Set<string>();
  const chosen = new Set<string>();
  const seen = new Set<string>();
  const kw = (p: Gast): string | undefined =>
    p?.type === "Terminal" && /^'.*'$/.test(p.label ?? "") ? (p.label as string).slice(1, -1) : undefined;
  /** `p` is a production; `follower`: whether something comes after it where it is used. */
  const visit = (p: Gast, follower: boolean, inAlternation: boolean): void => {
    const word = kw(p);
    if (word) {
      seen.add(word);
      if (follower) followed.add(word);
      return;
    }
    if (p.type === "NonTerminal" || p.type === "Terminal") return;
    const defs: Gast[] = p.definition ?? [];
    if (p.type === "Alternation") {
      for (const alt of defs) visit(alt, follower, true);
      return;
    }
    if (p.type === "Alternative" && inAlternation && defs.length === 1 && kw(defs[0])) chosen.add(kw(defs[0])!);
    if (defs.length === 2 && kw(defs[0]) && kw(defs[1])) chosen.add(kw(defs[1])!);
    defs.forEach((c, i) => visit(c, follower || i < defs.length - 1, false));
  };
  for (const rule of userGrammar()) visit(rule, false, false);
  const values: string[] = [];
  const connectors: string[] = [];
  for (const s of spellings()) {
    if (!seen.has(s)) continue;
    (chosen.has(s) && !followed.has(s) ? values : connectors).push(s);
  }
  return { values, connectors };
}

/** `attribute value` pairs where the value is one of a fixed set of keywords (`role os|data|temp`). */
function enumAttributes(): { attribute: string; values: string[] }[] {
  const out = new Map<string, Set<string>>();
  const kw = (p: Gast): string | undefined =>
    p?.type === "Terminal" && /^'.*'$/.test(p.label ?? "") ? (p.label as string).slice(1, -1) : undefined;
  for (const rule of userGrammar()) {
    walk(rule, (p) => {
      const defs: Gast[] = p.definition ?? [];
      for (let i = 0; i + 1 < defs.length; i++) {
        const attr = kw(defs[i]);
        const alt = defs[i + 1];
        if (!attr || alt.type !== "Alternation") continue;
        const values = alt.definition.map((a: Gast) => (a.definition.length === 1 ? kw(a.definition[0]) : undefined));
        if (values.some((v: string | undefined) => v === undefined)) continue;
        const set = out.get(attr) ?? new Set<string>();
        for (const v of values) set.add(v);
        out.set(attr, set);
      }
    });
  }
  return [...out.entries()].map(([attribute, values]) => ({ attribute, values: [...values] }));
}

// =============================================================================================
// grammar/reference.md
// =============================================================================================

const TERMINALS: Record<string, { ebnf: string; what: string }> = {
  [T.StringLit.name]: { ebnf: "STRING", what: 'a double-quoted string: `"prod"`' },
  [T.NumberLit.name]: { ebnf: "NUMBER", what: "a number: `17`, `0.5`" },
  [T.TimeLit.name]: { ebnf: "TIME", what: "a time of day: `02:30`" },
  [T.DateLit.name]: { ebnf: "DATE", what: "a date: `2026-11-20`" },
  [T.DateTimeLit.name]: { ebnf: "DATETIME", what: "a date and time: `2026-11-20T02:15`" },
  [T.SizeUnit.name]: { ebnf: "SIZE_UNIT", what: "a size unit (see Sizes)" },
  [T.DurationUnit.name]: { ebnf: "DURATION_UNIT", what: "a duration unit (see Durations)" },
  [T.RateUnit.name]: { ebnf: "RATE_UNIT", what: "a rate unit (see Rates)" },
  [T.Weekday.name]: { ebnf: "WEEKDAY", what: "a weekday (see Calendar words)" },
  [T.Month.name]: { ebnf: "MONTH", what: "a month (see Calendar words)" },
  [T.Ordinal.name]: { ebnf: "ORDINAL", what: "an ordinal (see Calendar words)" },
  [T.Bool.name]: { ebnf: "BOOL", what: "`true` or `false`" },
  [T.Redundancy.name]: { ebnf: "REDUNDANCY", what: "a redundancy: " },
  [T.Identifier.name]: { ebnf: "WORD", what: "a word that is not a keyword (e.g. a currency code `USD`)" },
};

function ebnfTerminal(p: Gast): string {
  const known = TERMINALS[p.name];
  if (known) return known.ebnf;
  if (/^'.*'$/.test(p.label ?? "")) return p.label;
  return String(p.name).toUpperCase();
}

function ebnf(p: Gast): string {
  const seq = (defs: Gast[]): string => defs.map(ebnf).join(" ");
  const group = (defs: Gast[]): string => (defs.length === 1 ? seq(defs) : `( ${seq(defs)} )`);
  switch (p.type) {
    case "Terminal":
      return ebnfTerminal(p);
    case "NonTerminal":
      return p.name;
    case "Alternative":
      return seq(p.definition);
    case "Alternation":
      return "( " + p.definition.map(ebnf).join(" | ") + " )";
    case "Option":
      return group(p.definition) + "?";
    case "Repetition":
      return group(p.definition) + "*";
    case "RepetitionMandatory":
      return group(p.definition) + "+";
    case "RepetitionWithSeparator":
      return `( ${seq(p.definition)} ( ${ebnfTerminal(p.separator)} ${seq(p.definition)} )* )?`;
    case "RepetitionMandatoryWithSeparator":
      return `${seq(p.definition)} ( ${ebnfTerminal(p.separator)} ${seq(p.definition)} )*`;
    default:
      throw new Error(`grammar: unknown production type ${p.type}`);
  }
}

function ebnfRules(): string {
  const rules = userGrammar() as Gast[];
  const width = Math.max(...rules.map((r) => r.name.length));
  const lines: string[] = [];
  for (const r of rules) {
    const head = r.name.padEnd(width) + " ::= ";
    const only = r.definition.length === 1 ? r.definition[0] : undefined;
    if (only?.type === "Alternation") {
      only.definition.forEach((alt: Gast, i: number) => {
        lines.push((i === 0 ? head : " ".repeat(width + 3) + "| ") + ebnf(alt));
      });
    } else {
      lines.push(head + r.definition.map(ebnf).join(" "));
    }
  }
  return lines.join("\n");
}

/** A Markdown table cell: pipes escaped, line breaks as <br>. */
function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, "<br>");
}

function code(s: string): string {
  return s.includes("`") ? "`` " + s + " ``" : "`" + s + "`";
}

function table(head: string[], rows: string[][]): string {
  return [
    "| " + head.join(" | ") + " |",
    "| " + head.map(() => "---").join(" | ") + " |",
    ...rows.map((r) => "| " + r.map(cell).join(" | ") + " |"),
  ].join("\n");
}

/** The kinds of value an attribute's forms take, read from the forms and the token tables. */
function valueKinds(a: AttributeDoc): string {
  const kinds: string[] = [];
  for (const form of a.forms) {
    const found: string[] = [];
    const add = (k: string): void => {
      if (!found.includes(k)) found.push(k);
    };
    const words = (form.match(/"[^"]*"|[^\s,\[\]]+/g) ?? []).slice(1);
    if (form.includes("{")) add("block");
    else if (words.length === 0) add("none (a flag)");
    else {
      words.forEach((w, i) => {
        if (/^<[^>]*>%$/.test(w)) return add("percent");
        if (/^".*"$/.test(w)) return add("string");
        if (/^YYYY-MM-DDTHH:MM$/.test(w)) return add("date-time");
        if (/^YYYY-MM-DD$/.test(w)) return add("date");
        if (/^HH:MM$/.test(w)) return add("time");
        if (w === "<weekdays>") return add("weekdays");
        if (w === "<months>") return add("months");
        if (w === "<ordinals>") return add("ordinals");
        if (w === "<attribute>") return add("attribute names");
        if (/^<[^>]*>$/.test(w)) {
          const next = words[i + 1] ?? "";
          if (RATE_UNITS().includes(next)) return add("rate");
          const t = T.wordType(next);
          if (hasCategory(t, T.SizeUnit)) return add("size");
          if (hasCategory(t, T.DurationUnit)) return add("duration");
          return add("number");
        }
        if (T.wordType(w) === T.Identifier && new RegExp(`^(?:${(T.Word.PATTERN as RegExp).source})$`).test(w)) return add("word");
      });
      if (found.length === 0) add("keyword");
    }
    for (const k of found) if (!kinds.includes(k)) kinds.push(k);
  }
  return kinds.join(", ");
}

function lexicalSection(): string {
  const sizes = SIZE_UNITS().map((u) => {
    const bytes = sizeBytes(u)!;
    const binary = u.includes("i");
    const exp = binary ? `2^${Math.round(Math.log2(bytes.toNumber()))}` : `10^${bytes.toFixed().length - 1}`;
    return [code(u), binary ? "binary" : "decimal", u === "B" ? "1 byte" : `${exp} = ${bytes.toFixed()} bytes`];
  });
  const durations = durationFacts().map((d) => [
    code(d.canonical),
    d.spellings.map(code).join(", "),
    d.seconds === undefined ? "calendar unit (not a fixed number of seconds)" : `${d.seconds} s`,
  ]);
  const calendar = (category: TokenType, what: string): string[] => [
    what,
    groupedSpellings(category)
      .map((g) => g.map(code).join(" / "))
      .join(", "),
  ];
  const wordPattern = (T.Word.PATTERN as RegExp).source;
  const redundancy = spellingsOf(T.Redundancy).map(code).join(", ");
  return `## Lexical rules

A file is UTF-8 text: a sequence of tokens separated by whitespace (spaces, tabs, newlines;
newlines are not significant). Tokens:

- **Comments** run from ${code("#")} to the end of the line and are ignored (the formatter keeps them).
- **Strings** are double-quoted and end on the same line: ${code('"prod"')}. The only escapes are
  ${code('\\"')} (a quote) and ${code("\\\\")} (a backslash); any other backslash is an error
  (BKP1006), and a string without its closing quote is BKP1003. Names, paths, references to other
  blocks (${code('policy "daily"')}) and time-zone names are strings. A keyword is allowed as a
  name inside quotes (${code('vm "policy"')}).
- **Words** match ${code(wordPattern)}: letters, digits and ${code("_")}, with single
  hyphens inside (kebab-case). Keywords are case-sensitive: ${code("vault")} is a keyword,
  ${code("Vault")} is not (it is reported with a "did you mean" hint). Every keyword is listed in
  the appendix.
- **Numbers** match ${code((T.NumberLit.PATTERN as RegExp).source)}: ${code("17")}, ${code("0.5")}.
  There is no sign and no exponent. A unit follows the number, with or without spaces
  (${code("32 TB")} = ${code("32TB")}, ${code("2%")} = ${code("2 %")}).
- **Times of day** match ${code((T.TimeLit.PATTERN as RegExp).source)}, 24-hour, ${code("00:00")} to
  ${code("23:59")} (${code("2:30")} is ${code("02:30")}); anything else is BKP1008. Schedule times
  must be on ${code(":00")} or ${code(":30")} (BKP2014, a warning).
- **Dates** match ${code((T.DateLit.PATTERN as RegExp).source)} (${code("2026-11-20")}), and **dates with a
  time** match ${code((T.DateTimeLit.PATTERN as RegExp).source)} (${code("2026-11-20T02:15")}, a
  restore point); an impossible date is BKP1008.
- **Punctuation**: ${code("{")} ${code("}")} around a block's attributes, ${code(",")} between list
  items. Attributes need no separator; several may share a line.
- Any other character is an error (BKP1005).

### Sizes

A size is a number and a size unit. Decimal and binary units keep their exact meaning; nothing
is rounded (sizes are computed with exact decimals).

${table(["Unit", "Kind", "Exact meaning"], sizes)}

Billing counts in GB of 10^9 bytes unless a price book says ${code("unit GiB")}: the worked billing example's
${code("17 GB")} + ${code("30 GB")} + ${code("0 GB")} bill exactly 47 GB. A disk's ${code("size")} may be at
most ${L.MAX_DISK_BYTES.div(sizeBytes("TiB")!).toFixed()} TiB (${L.MAX_DISK_BYTES.toFixed()} bytes).

### Rates

A rate is a number and a size unit followed by ${code("/s")}, written without spaces:
${RATE_UNITS().map(code).join(", ")}. ${code("60 MB/s")} is 60,000,000 bytes per second.

### Durations

A duration is a number and a duration unit; the spellings in a row mean the same.

${table(["Unit", "Spellings", "Exact meaning"], durations)}

Attributes that count in a particular unit say so (${code("instant-restore")} counts days,
${code("horizon")} months or years, ${code("peak-lag")} and ${code("prepare")} take only fixed-length units).

### Percent

A percentage is a number followed by ${code("%")}: ${code("3%")}, ${code("40%")}.

### Calendar words and other value words

${table(["Kind", "Spellings (long forms mean the same)"], [
    calendar(T.Weekday, "Weekdays"),
    calendar(T.Month, "Months"),
    calendar(T.Ordinal, "Ordinals"),
    calendar(T.Bool, "Booleans"),
    ["Redundancy", redundancy],
  ])}

Lists are comma-separated: ${code("on Mon, Wed, Thu")}, ${code("in Feb, Nov")},
${code("on first, third Wed, Thu")}, ${code("on day 1, 15, last")}.
`;
}

function grammarSection(): string {
  const terminals = Object.entries(TERMINALS).map(([name, t]) => [
    code(t.ebnf),
    t.what + (name === T.Redundancy.name ? spellingsOf(T.Redundancy).map(code).join(", ") : ""),
  ]);
  return `## Grammar

Top-level blocks come in any order, in any number of files; several files form one policy set
and refer to each other's blocks by name. The top-level blocks are
${topLevelBlockKeywords().map(code).join(", ")}. This grammar is generated from the parser
(\`src/lang/parser.ts\`); [railroad.html](railroad.html) draws the same rules as diagrams.
Notation: ${code("'word'")} a keyword, ${code("x?")} optional, ${code("x*")} zero or more,
${code("( a | b )")} one of.

\`\`\`ebnf
${ebnfRules()}
\`\`\`

Which attribute is allowed where, and how often, is checked after parsing: a duplicate attribute
is BKP2006, a missing required one BKP2007. Terminals:

${table(["Terminal", "Meaning"], terminals)}
`;
}

function blocksSection(): string {
  const parts = ["## Blocks", ""];
  for (const b of BLOCK_DOCS) {
    parts.push(`### ${b.block}`, "", `${code(b.header)}`, "", b.meaning, "");
    parts.push(
      table(
        ["Attribute", "Forms", "Values", "Meaning", "Default"],
        b.attributes.map((a) => [
          code(a.keyword),
          a.forms.map(code).join("\n"),
          valueKinds(a),
          a.meaning,
          a.default ?? "—",
        ]),
      ),
      "",
      "Example:",
      "",
      "```bkp",
      b.example,
      "```",
      "",
    );
  }
  return parts.join("\n");
}

function defaultsSection(): string {
  const docs: string[][] = [];
  const required: string[] = [];
  for (const b of BLOCK_DOCS) {
    for (const a of b.attributes) {
      if (a.default === undefined) continue;
      if (a.default === "required") required.push(`${code(b.block)} ${code(a.keyword)}`);
      else docs.push([code(b.block), code(a.keyword), a.default]);
    }
  }
  const as = defaultAssumptions();
  const mb = (d: { div(n: number): { toFixed(): string } }): string => `${d.div(1e6).toFixed()} MB/s`;
  const hhmm = (t: { hour: number; minute: number }): string => `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
  // One row per field of Assumptions: a new assumption fails type-checking here until it is documented.
  const rendered: { [K in Exclude<keyof Assumptions, "ast">]: [string, (v: Assumptions[K]) => string] } = {
    transferRateBytesPerSecond: ["transfer-rate", (v) => mb(v) + " per disk"],
    checksumRateBytesPerSecond: ["checksum-rate", (v) => mb(v) + " per disk"],
    peakHours: ["peak-hours", (v) => `${hhmm(v.from)} to ${hhmm(v.to)}`],
    peakLagSeconds: ["peak-lag", (v) => `${v.div(3600).toFixed()} hours`],
    prepareSeconds: ["prepare", (v) => `${v.div(60).toFixed()} min`],
    horizonMonths: ["horizon", (v) => `${v} months`],
    fragmentationFactor: ["fragmentation", (v) => v.toFixed()],
    defaultChurn: ["churn", (v) => (v.kind === "percent" ? `${v.percent.toFixed()}% per day` : `${v.bytesPerDay.toFixed()} B per day`)],
    calibrateFromVault: ["calibrate", (v) => (v ? "from-vault" : "off (rates are the ones above)")],
    congestionVms: ["congestion", (v) => String(v)],
    restoreIoBytes: ["restore-io-size", (v) => (v.mod(1024).isZero() ? `${v.div(1024).toFixed()} KiB` : `${v.toFixed()} B`)],
    agentlessPiFactor: ["agentless-pi", (v) => v.toFixed()],
  };
  const assumptions = (Object.keys(rendered) as (keyof typeof rendered)[]).map((k) => {
    const [keyword, show] = rendered[k] as [string, (v: unknown) => string];
    return [code(keyword), code(show(as[k]))];
  });
  const book = builtinPriceBook();
  const price = (d: Decimal): string => `${d.toFixed(Math.max(2, d.decimalPlaces()))} ${book.currency}`;
  const bookRows = [
    ["currency", book.currency],
    ["unit", `${book.unit} (${book.unitBytes.toFixed()} bytes)`],
    ...book.instanceTiers.map((t) => ["instance", `up to ${t.upTo.toFixed()} ${book.unit}: ${price(t.fee)} per month`]),
    ...(book.instancePer ? [["instance", `above that, per started ${book.instancePer.block.toFixed()} ${book.unit}: ${price(book.instancePer.fee)} per month`]] : []),
    ...Object.entries(book.storagePerUnitMonth).map(([r, p]) => ["storage", `${r}: ${price(p)} per ${book.unit}-month`]),
    ["snapshot", `${price(book.snapshotPerUnitMonth)} per ${book.unit}-month`],
    ["archive", book.archivePerUnitMonth ? `${price(book.archivePerUnitMonth)} per ${book.unit}-month` : "none in the built-in book"],
    ...(book.region ? [["region", book.region]] : []),
  ].map(([k, v]) => [code(k), v]);
  return `## Defaults

What the checker assumes where a policy is silent (\`src/model/defaults.ts\`): a policy's
timezone is ${code(JSON.stringify(DEFAULT_TIMEZONE))}, its consistency ${code(DEFAULT_CONSISTENCY)}, its vss
${code(DEFAULT_VSS)}; a vault's redundancy is ${code(DEFAULT_REDUNDANCY)}.

### Attribute defaults

${table(["Block", "Attribute", "Default"], docs)}

Required attributes (BKP2007 when missing): ${required.join(", ")}.

### Analysis assumptions

The ${code("assume")} block overrides these; each value below is what applies without one.

${table(["Assumption", "Default"], assumptions)}

### Built-in price book

Used by a vault that names no ${code("pricing")} block (list prices, overridable).

${table(["Entry", "Price"], bookRows)}
`;
}

function limitsSection(): string {
  const rows: string[][] = [
    ...Object.entries(L.RETENTION_RANGE).map(([k, r]) => [code(`retain ${k}`), `${r.min} to ${r.max} ${r.unit}s`, "BKP2010"]),
    [code("instant-restore"), `${L.INSTANT_RESTORE_RANGE.standard.min} to ${L.INSTANT_RESTORE_RANGE.standard.max} days (Standard), ${L.INSTANT_RESTORE_RANGE.enhanced.min} to ${L.INSTANT_RESTORE_RANGE.enhanced.max} days (Enhanced)`, "BKP2011"],
    [code("instant-restore"), `exactly ${L.WEEKLY_INSTANT_RESTORE_DAYS} days with a weekly schedule`, "BKP2018"],
    [code("schedule every"), `every ${L.HOURLY_INTERVALS.join(", ")} hours`, "BKP2012"],
    [code("schedule … for"), `a window of ${L.HOURLY_WINDOW.min} to ${L.HOURLY_WINDOW.max} hours`, "BKP2013"],
    [code("scripts timeout"), `at most ${L.SCRIPT_TIMEOUT.max} s (default ${L.SCRIPT_TIMEOUT.default} s)`, "BKP2023"],
    ["recovery points", `at most ${L.MAX_RECOVERY_POINTS} kept per VM`, "BKP2029"],
    [code("disk size"), `at most ${L.MAX_DISK_BYTES.div(sizeBytes("TiB")!).toFixed()} TiB per disk, ${L.MAX_VM_BYTES.div(sizeBytes("TiB")!).toFixed()} TiB per VM`, "BKP2025"],
    ["data disks", `at most ${L.MAX_DATA_DISKS} per VM`, "BKP2026"],
    ["VMs per vault", `at most ${L.MAX_VMS_PER_VAULT}`, "BKP2027"],
  ];
  return `## Azure limits the checker enforces

From \`src/model/limits.ts\` (the Azure API ranges of docs/domain.md#azure-limits).

${table(["What", "Allowed", "Code"], rows)}
`;
}

function diagnosticsSection(): string {
  const groups: [string, string][] = [
    ["BKP0", "Reading files"],
    ["BKP1", "Syntax (the parser)"],
    ["BKP2", "Meaning (the checker)"],
  ];
  const entries = Object.entries(CODES) as [string, { severity: string; title: string }][];
  const parts = [
    "## Diagnostics",
    "",
    "Every problem is reported with file, line, column and range, a stable code, a message and a hint",
    "of what to write instead; one run reports every problem of every file. The catalogue",
    "(`src/lang/diagnostic-codes.ts`); a code never changes meaning:",
    "",
  ];
  for (const [prefix, title] of groups) {
    parts.push(`### ${title}`, "", table(["Code", "Severity", "Problem"], entries.filter(([c]) => c.startsWith(prefix)).map(([c, i]) => [c, i.severity, i.title])), "");
  }
  return parts.join("\n");
}

/** LANGUAGE.md's examples, verbatim (one policy set). */
const LANGUAGE_TOUR = "policies/language-tour";

/** The duration spellings LANGUAGE.md's lexical rules name. */
const LANGUAGE_MD_DURATIONS = ["s", "min", "hours", "h", "days", "day", "weeks", "months", "years"];

/** `block attribute` pairs that LANGUAGE.md's examples use, read with the real parser. */
function languageTourAttributes(): Set<string> {
  const used = new Set<string>();
  const visit = (block: string, attrs: AttributeSyntax[]): void => {
    for (const a of attrs) {
      used.add(`${block} ${a.keyword}`);
      if (a.block) visit(a.keyword === "encryption" ? "ade" : a.keyword, a.block.attributes);
    }
  };
  const dir = join(ROOT, LANGUAGE_TOUR);
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".bkp")).sort()) {
    const parsed = parseFile(f, readFileSync(join(dir, f), "utf8"));
    for (const b of parsed.ast.blocks) visit(b.kind, b.syntax.attributes);
  }
  return used;
}

/** The attributes of the catalogue that LANGUAGE.md's examples never use: bkp's extensions. */
export function extensions(): { block: string; attribute: AttributeDoc }[] {
  const used = languageTourAttributes();
  return BLOCK_DOCS.flatMap((b) => b.attributes.filter((a) => !used.has(`${b.block} ${a.keyword}`)).map((a) => ({ block: b.block, attribute: a })));
}

function extensionsSection(): string {
  const rows = extensions().map(({ block, attribute: a }) => [code(block), a.forms.map(code).join("\n"), a.meaning, a.default ?? "—"]);
  return `## Extensions beyond the language tour

\`${LANGUAGE_TOUR}/\` holds the core language, one example of each form. These attributes go
beyond those examples (found by comparing the attribute catalogue with those files):

${table(["Block", "Forms", "Meaning", "Default"], rows)}

Other extensions:

- Duration spellings beyond the core ones (s, min, h, hours, day, days, weeks, months, years): ${durationFacts().flatMap((d) => d.spellings).filter((u) => !LANGUAGE_MD_DURATIONS.includes(u)).map(code).join(", ")};
  one-digit hours in times (${code("2:30")}).
- ${code("assume")} ${code("transfer-rate")} and ${code("checksum-rate")} may leave out ${code("per disk")}.
- A price book's ${code("unit GiB")} bills sizes in GiB (2^30 bytes) instead of GB.
`;
}

function editorSection(): string {
  return `## Editor support

[bkp.tmLanguage.json](bkp.tmLanguage.json) is a TextMate grammar (scope ${code("source.bkp")}) that
highlights comments, strings and escapes, numbers with units, times and dates, block keywords,
attribute keywords and value keywords; its keyword lists are generated from the parser, so it
does not drift from the language. [language-configuration.json](language-configuration.json) gives
VS Code the ${code("#")} line comment, the ${code("{ }")} brackets and auto-closing quotes.

To use them in VS Code, make a folder with both files and this \`package.json\`, then copy the
folder into \`~/.vscode/extensions/\` (or package it with \`vsce package\`) and reload the window:

\`\`\`json
{
  "name": "bkp-language",
  "displayName": "bkp policy language",
  "version": "0.1.0",
  "engines": { "vscode": "^1.60.0" },
  "contributes": {
    "languages": [{ "id": "bkp", "aliases": ["bkp"], "extensions": [".bkp"], "configuration": "./language-configuration.json" }],
    "grammars": [{ "language": "bkp", "scopeName": "source.bkp", "path": "./bkp.tmLanguage.json" }]
  }
}
\`\`\`

Other editors that read TextMate grammars (Sublime Text, TextMate, JetBrains IDEs via the
TextMate Bundles plugin, GitHub Linguist, Shiki) can load \`bkp.tmLanguage.json\` directly.
`;
}

function keywordAppendix(): string {
  const blocks = blockKeywords();
  const attrs = attributeKeywords();
  const { values, connectors } = keywordRoles();
  const units = new Set([...SIZE_UNITS(), ...durationFacts().flatMap((d) => d.spellings)]);
  const calendar = new Set([...spellingsOf(T.Weekday), ...spellingsOf(T.Month), ...spellingsOf(T.Ordinal), ...spellingsOf(T.Bool), ...spellingsOf(T.Redundancy)]);
  const other = (list: string[]): string =>
    list
      .filter((s) => !blocks.includes(s) && !attrs.includes(s) && !units.has(s) && !calendar.has(s))
      .map(code)
      .join(", ");
  return `## Appendix: keywords

- Blocks: ${blocks.map(code).join(", ")}
- Attributes: ${attrs.map(code).join(", ")}
- Values: ${other(values)}
- Connecting words: ${other(connectors)}
- Units: ${[...units].map(code).join(", ")}; calendar and other value words are listed under Lexical rules.
`;
}

export function renderReference(): string {
  const seed = readFileSync(join(ROOT, SEED_POLICY), "utf8").trimEnd();
  const sections = [
    `# The .bkp language reference

<!-- Generated by \`npm run grammar\` (scripts/grammar.ts) from src/lang and src/model. Do not edit by hand. -->

bkp is backup policy as code for Azure VM Backup. A policy set is one or more \`.bkp\` files of
blocks: vaults, policies, VMs with their disks, storage accounts, restore plans, analysis
assumptions and price books. This reference is generated from the implementation: the token
tables, the parser, the attribute catalogue, the defaults and the diagnostic catalogue. The
Azure behaviour behind the rules is in [docs/domain.md](../docs/domain.md).

Contents: [Lexical rules](#lexical-rules) · [Grammar](#grammar) · [Blocks](#blocks) ·
[Vault security](#vault-security) · [Defaults](#defaults) · [Azure limits](#azure-limits-the-checker-enforces) ·
[Diagnostics](#diagnostics) · [Extensions](#extensions-beyond-the-language-tour) ·
[Editor support](#editor-support) · [Keywords](#appendix-keywords)

Files in this folder (regenerate them with \`npm run grammar\`; the tests fail when they are stale):

- \`reference.md\`: this reference;
- \`railroad.html\`: syntax diagrams of every parser rule (self-contained: open it offline);
- \`bkp.tmLanguage.json\`, \`language-configuration.json\`: editor highlighting (see Editor support).

A complete example (\`${SEED_POLICY}\`, the A2 Standard VM of Microsoft's billing example):

\`\`\`bkp
${seed}
\`\`\`
`,
    lexicalSection(),
    grammarSection(),
    blocksSection(),
    vaultSecuritySection(),
    defaultsSection(),
    limitsSection(),
    diagnosticsSection(),
    extensionsSection(),
    editorSection(),
    keywordAppendix(),
  ];
  return sections.map((s) => s.trimEnd()).join("\n\n") + "\n";
}

// =============================================================================================
// grammar/railroad.html
// =============================================================================================

const INLINE_BASE = "bkp-inline:/";

function chevrotainDiagramsDir(): string {
  const entry = createRequire(import.meta.url).resolve("chevrotain"); // …/chevrotain/lib/src/api.js
  let dir = dirname(entry);
  while (!dir.endsWith("chevrotain") && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, "diagrams");
}

function inlineText(file: string, closingTag: string): string {
  const text = readFileSync(file, "utf8").replace(/\r\n/g, "\n");
  if (text.toLowerCase().includes(closingTag)) throw new Error(`grammar: ${file} contains ${closingTag} and cannot be inlined`);
  return text.trimEnd();
}

function replaceOnce(html: string, from: string, to: string): string {
  const at = html.indexOf(from);
  if (at < 0 || html.indexOf(from, at + 1) >= 0) throw new Error(`grammar: expected exactly one ${JSON.stringify(from)} in the diagrams HTML`);
  return html.slice(0, at) + to + html.slice(at + from.length);
}

export function renderRailroad(): string {
  const dir = chevrotainDiagramsDir();
  let html = createSyntaxDiagramsCode(userGrammar(), { resourceBase: INLINE_BASE, css: INLINE_BASE + "diagrams.css" });
  html = replaceOnce(html, `<link rel='stylesheet' href='${INLINE_BASE}diagrams.css'>`, `<style>\n${inlineText(join(dir, "diagrams.css"), "</style")}\n</style>`);
  for (const m of [...html.matchAll(/<script src='([^']*)'><\/script>/g)]) {
    const src = m[1];
    if (!src.startsWith(INLINE_BASE)) throw new Error(`grammar: unexpected script ${src}`);
    const rel = src.slice(INLINE_BASE.length);
    html = replaceOnce(html, m[0], `<script>\n/* chevrotain/diagrams/${rel} (inlined) */\n${inlineText(join(dir, rel), "</script")}\n</script>`);
  }
  if (html.includes(INLINE_BASE)) throw new Error("grammar: a diagrams resource was not inlined");
  html = replaceOnce(
    html,
    "<!-- This is a generated file -->\n<!DOCTYPE html>",
    "<!DOCTYPE html>\n<!-- Generated by `npm run grammar` (scripts/grammar.ts) with chevrotain's createSyntaxDiagramsCode; do not edit. -->",
  );
  html = replaceOnce(html, '<meta charset="utf-8">', '<meta charset="utf-8">\n<title>bkp grammar: railroad diagrams</title>');
  html = replaceOnce(
    html,
    '<div id="diagrams"',
    `<div style="font-family: sans-serif; max-width: 60em; margin: 1em auto;">
<h1>The .bkp grammar</h1>
<p>Railroad diagrams of every rule of the bkp parser (<code>src/lang/parser.ts</code>), generated by
<code>npm run grammar</code>; do not edit. Start at <code>file</code>: a file is any number of top-level
blocks (${topLevelBlockKeywords().join(", ")}). Keywords are in quotes; hover a rule name to see where it is
used, click one to jump to its definition. Error-recovery alternatives of the parser are not drawn.
The language reference is <a href="reference.md">reference.md</a>.</p>
</div>
<div id="diagrams"`,
  );
  return html.replace(/[ \t]+$/gm, "").trimStart().trimEnd() + "\n";
}

// =============================================================================================
// grammar/bkp.tmLanguage.json and grammar/language-configuration.json
// =============================================================================================

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** An alternation of words, longest first so no spelling shadows a longer one. */
function words(list: string[]): string {
  const unique = [...new Set(list)].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  return unique.map(escapeRegex).join("|");
}

const BEFORE = "(?<![\\w-])"; // not inside a longer word (kebab-case included)
const AFTER = "(?![\\w-])";

function wordRule(name: string, list: string[]): object {
  return { name, match: `${BEFORE}(?:${words(list)})${AFTER}` };
}

export function renderTmLanguage(): string {
  const units = [...SIZE_UNITS(), ...DURATION_UNITS()];
  const weekdays = spellingsOf(T.Weekday);
  const months = spellingsOf(T.Month);
  const ordinals = spellingsOf(T.Ordinal);
  const bools = spellingsOf(T.Bool);
  const redundancy = spellingsOf(T.Redundancy);
  const taken = new Set([...units, ...weekdays, ...months, ...ordinals, ...bools, ...redundancy]);
  const attributes = [...blockKeywords(), ...attributeKeywords()].filter((s) => !taken.has(s));
  attributes.forEach((s) => taken.add(s));
  const { values, connectors } = keywordRoles();
  const valueWords = values.filter((s) => !taken.has(s));
  const connectorWords = connectors.filter((s) => !taken.has(s));
  const missing = spellings().filter((s) => !taken.has(s) && !valueWords.includes(s) && !connectorWords.includes(s));
  if (missing.length) throw new Error(`grammar: keywords the parser never uses: ${missing.join(", ")}`);

  const str = '"(?:[^"\\\\]|\\\\.)*"';
  const grammar = {
    $comment: "Generated by `npm run grammar` (scripts/grammar.ts) from the bkp parser's keyword tables. Do not edit by hand.",
    name: "bkp",
    scopeName: "source.bkp",
    fileTypes: ["bkp"],
    patterns: [
      { include: "#comment" },
      { include: "#string" },
      { include: "#block-header" },
      { include: "#datetime" },
      { include: "#number" },
      { include: "#punctuation" },
      { include: "#enum-attribute" },
      { include: "#keywords" },
    ],
    repository: {
      comment: {
        name: "comment.line.number-sign.bkp",
        match: "(#).*$",
        captures: { "1": { name: "punctuation.definition.comment.bkp" } },
      },
      string: {
        name: "string.quoted.double.bkp",
        begin: '"',
        beginCaptures: { "0": { name: "punctuation.definition.string.begin.bkp" } },
        end: '"|$',
        endCaptures: { "0": { name: "punctuation.definition.string.end.bkp" } },
        patterns: [{ include: "#string-escape" }],
      },
      "string-escape": {
        patterns: [
          { name: "constant.character.escape.bkp", match: '\\\\["\\\\]' },
          { name: "invalid.illegal.escape.bkp", match: "\\\\." },
        ],
      },
      "block-header": {
        comment: "A block keyword followed by an optional name and '{': vault \"prod\" {, scripts {, encryption ade {",
        match: `${BEFORE}(${words(blockKeywords())})(?:(\\s+)(${str}))?(?=\\s*\\{)`,
        captures: {
          "1": { name: "storage.type.block.bkp" },
          "3": { name: "string.quoted.double.bkp entity.name.section.bkp", patterns: [{ include: "#string-escape" }] },
        },
      },
      datetime: {
        patterns: [
          { name: "constant.numeric.datetime.bkp", match: `(?<![\\w.:-])\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?![\\w.:-])` },
          { name: "constant.numeric.date.bkp", match: `(?<![\\w.:-])\\d{4}-\\d{2}-\\d{2}(?![\\w.:-])` },
          { name: "constant.numeric.time.bkp", match: `(?<![\\w.:-])\\d{1,2}:\\d{2}(?![\\w.:-])` },
        ],
      },
      number: {
        comment: "A number and its unit: 32 TB, 60 MB/s, 2%, 4 hours",
        match: `(?<![\\w.:-])(\\d+(?:\\.\\d+)?)(?:\\s*(%)|\\s*(${words(RATE_UNITS())})(?![\\w/-])|\\s*(${words(units)})${AFTER})?`,
        captures: {
          "1": { name: "constant.numeric.bkp" },
          "2": { name: "keyword.other.unit.percent.bkp" },
          "3": { name: "keyword.other.unit.rate.bkp" },
          "4": { name: "keyword.other.unit.bkp" },
        },
      },
      punctuation: {
        patterns: [
          { name: "punctuation.section.block.begin.bkp", match: "\\{" },
          { name: "punctuation.section.block.end.bkp", match: "\\}" },
          { name: "punctuation.separator.comma.bkp", match: "," },
        ],
      },
      "enum-attribute": {
        comment: "An attribute and its keyword value, so a word that is both (`os`) is coloured by its place: role os",
        patterns: enumAttributes()
          // Only real values (`role os|data|temp`), not connecting words (`instance up-to|per`).
          .filter((e) => e.values.every((v) => values.includes(v) || attributes.includes(v)))
          .map((e) => ({
          match: `${BEFORE}(${escapeRegex(e.attribute)})(\\s+)(${words(e.values)})${AFTER}`,
          captures: {
            "1": { name: attributes.includes(e.attribute) ? "keyword.other.attribute.bkp" : "keyword.other.bkp" },
            "3": { name: valueScope(e.values) },
          },
        })),
      },
      keywords: {
        patterns: [
          wordRule("keyword.other.unit.bkp", units),
          wordRule("constant.language.weekday.bkp", weekdays),
          wordRule("constant.language.month.bkp", months),
          wordRule("constant.language.ordinal.bkp", ordinals),
          wordRule("constant.language.boolean.bkp", bools),
          wordRule("constant.language.redundancy.bkp", redundancy),
          wordRule("keyword.other.attribute.bkp", attributes),
          wordRule("constant.language.value.bkp", valueWords),
          wordRule("keyword.other.bkp", connectorWords),
        ],
      },
    },
  };

  function valueScope(list: string[]): string {
    const all = (cat: TokenType): boolean => list.every((v) => hasCategory(T.wordType(v), cat));
    if (all(T.Bool)) return "constant.language.boolean.bkp";
    if (all(T.Redundancy)) return "constant.language.redundancy.bkp";
    if (all(T.SizeUnit) || all(T.DurationUnit)) return "keyword.other.unit.bkp";
    return "constant.language.value.bkp";
  }

  return JSON.stringify(grammar, null, 2) + "\n";
}

export function renderLanguageConfiguration(): string {
  const config = {
    comments: { lineComment: "#" },
    brackets: [["{", "}"]],
    autoClosingPairs: [
      { open: "{", close: "}" },
      { open: '"', close: '"', notIn: ["string", "comment"] },
    ],
    surroundingPairs: [
      ["{", "}"],
      ['"', '"'],
    ],
    wordPattern: `${(T.Word.PATTERN as RegExp).source}|${(T.NumberLit.PATTERN as RegExp).source}`,
    indentationRules: {
      increaseIndentPattern: "^[^#]*\\{\\s*(#.*)?$",
      decreaseIndentPattern: "^\\s*\\}",
    },
  };
  return JSON.stringify(config, null, 2) + "\n";
}

// =============================================================================================

/** Every generated file of grammar/, in a fixed order. */
export function generateGrammarFiles(): GeneratedFile[] {
  return [
    { path: "grammar/reference.md", content: renderReference() },
    { path: "grammar/railroad.html", content: renderRailroad() },
    { path: "grammar/bkp.tmLanguage.json", content: renderTmLanguage() },
    { path: "grammar/language-configuration.json", content: renderLanguageConfiguration() },
  ];
}

function main(argv: string[]): number {
  const check = argv.includes("--check");
  let stale = 0;
  for (const f of generateGrammarFiles()) {
    const target = join(ROOT, f.path);
    let current: string | undefined;
    try {
      current = readFileSync(target, "utf8");
    } catch {
      current = undefined;
    }
    if (current === f.content) continue;
    if (check) {
      console.error(`${f.path} is out of date: run npm run grammar`);
      stale++;
    } else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.content);
      console.log(`wrote ${f.path}`);
    }
  }
  return stale ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
