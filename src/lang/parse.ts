// Source text -> CST and syntax diagnostics (BKP1xxx). The parser recovers from errors, so
// one run reports every syntax error of a file.
import type { CstNode, IRecognitionException, IToken } from "chevrotain";
import type { Diagnostic, Range } from "./diagnostics.js";
import { tokenize, type TextRegion } from "./lexer.js";
import { getParser, BLOCK_ATTRIBUTES } from "./parser.js";
import type { ParseErrorFacts } from "./parser-messages.js";
import { closest, oneOf } from "./suggest.js";
import { attributeForms } from "./attribute-syntax.js";
import * as T from "./tokens.js";
import { endOf, LineIndex, span, TextRange } from "./text-range.js";

export interface ParseResult {
  cst: CstNode;
  tokens: IToken[];
  comments: IToken[];
  diagnostics: Diagnostic[];
}

/** The lexer's tokens carry a slot for their range (see lexer.ts). */
type RangedToken = IToken & { bkpRange?: Range; bkpLines?: LineIndex };

/** A token's range, computed once per token and shared by every AST value that uses it. */
export function tokenRange(t: IToken): Range {
  const rt = t as RangedToken;
  if (rt.bkpRange) return rt.bkpRange;
  if (rt.bkpLines) return (rt.bkpRange = new TextRange(rt.bkpLines, t.startOffset, (t.endOffset ?? t.startOffset) + 1));
  // A token Chevrotain made (end of input, or one invented by error recovery).
  return {
    start: { line: t.startLine ?? 1, column: t.startColumn ?? 1, offset: t.startOffset },
    end: { line: t.endLine ?? t.startLine ?? 1, column: (t.endColumn ?? t.startColumn ?? 0) + 1, offset: (t.endOffset ?? t.startOffset) + 1 },
  };
}

/** A zero-width range just after token `t` (where something is missing). */
export function afterToken(t: IToken): Range {
  return endOf(tokenRange(t));
}

function endOfText(text: string): Range {
  const lines = text.split("\n");
  const pos = { line: lines.length, column: lines[lines.length - 1].length + 1, offset: text.length };
  return { start: pos, end: pos };
}

/** Spellings behind a category label, for "did you mean". */
const LABEL_CANDIDATES: Record<string, readonly string[]> = {
  [String(T.Weekday.LABEL)]: T.WEEKDAYS,
  [String(T.Month.LABEL)]: T.MONTHS,
  [String(T.Ordinal.LABEL)]: ["first", "second", "third", "fourth", "last"],
  [String(T.Redundancy.LABEL)]: ["LRS", "ZRS", "GRS", "RA-GRS"],
  [String(T.Bool.LABEL)]: ["true", "false"],
  [String(T.DurationUnit.LABEL)]: ["s", "min", "hours", "days", "weeks", "months", "years"],
  [String(T.SizeUnit.LABEL)]: ["B", "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "PiB"],
};

const BLOCK_NAMES = ["vault", "policy", "vm", "storage-account", "restore", "assume", "pricing"];

/** Parses `text`, or only its `region` (whole lines; ranges stay those of the whole text). */
export function parseText(file: string, text: string, region?: TextRegion): ParseResult {
  // The parser assigns token type indexes, which the lexer's tokens carry.
  const parser = getParser();
  const { tokens: all, comments } = tokenize(text, region);
  const diagnostics: Diagnostic[] = [];
  const tokens: IToken[] = [];
  for (const t of all) {
    if (t.tokenType === T.Unknown) {
      diagnostics.push({
        code: "BKP1005", severity: "error", file, range: tokenRange(t),
        message: `unexpected character '${t.image}'`,
        hint: "names and paths go in double quotes; comments start with '#'",
      });
      continue;
    }
    if (t.tokenType === T.UnterminatedString) {
      diagnostics.push({
        code: "BKP1003", severity: "error", file, range: tokenRange(t),
        message: "unterminated string: the closing '\"' is missing",
        hint: `close it on the same line: ${t.image.trimEnd()}"`,
      });
      // Treat it as a string so the rest of the file still parses.
      t.tokenType = T.StringLit;
      t.tokenTypeIdx = T.StringLit.tokenTypeIdx!;
    }
    if (t.tokenType === T.StringLit) {
      // Read escape pairs left to right: only \" and \\ are escapes.
      const bad = /\\(?:["\\]|([^"\\]))/g;
      let m: RegExpExecArray | null;
      while ((m = bad.exec(t.image)) && m[1] === undefined);
      if (m) {
        const found = m;
        const at = t.startOffset + found.index;
        diagnostics.push({
          code: "BKP1006", severity: "error", file,
          range: new TextRange((t as RangedToken).bkpLines!, at, at + 2),
          message: `invalid escape '${found[0]}' in a string: only \\" and \\\\ are escapes`,
          hint: `write '\\\\' for a backslash, e.g. "${t.image.slice(1, found.index)}\\\\${t.image.slice(found.index + 1, -1)}"`,
        });
      }
    }
    tokens.push(t);
  }

  parser.problems = [];
  parser.input = tokens;
  const cst = parser.file();
  const errors = parser.errors;
  // Let go of the tokens: the parser is a singleton and would keep the last file's alive.
  parser.input = [];

  // One diagnostic per place: after a parse error, recovery may also skip the same token.
  const seen = new Set<number>();
  for (const err of errors) {
    const d = errorDiagnostic(file, region ? text.slice(0, region.to) : text, tokens, err);
    if (seen.has(d.range.start.offset)) continue;
    seen.add(d.range.start.offset);
    diagnostics.push(d);
  }
  for (const p of parser.problems) {
    const d = problemDiagnostic(file, p);
    if (!seen.has(d.range.start.offset)) diagnostics.push(d);
  }
  return { cst, tokens, comments, diagnostics };
}

function problemDiagnostic(file: string, p: import("./parser.js").SkippedProblem): Diagnostic {
  const range = tokenRange(p.token);
  const word = p.token.image;
  if (p.kind === "unknown-block") {
    const guess = closest(word, BLOCK_NAMES);
    return {
      code: "BKP1007", severity: "error", file, range,
      message: `unknown block '${word}'`,
      hint: guess ? `did you mean '${guess}'?` : `a policy file holds ${oneOf(BLOCK_NAMES)} blocks`,
    };
  }
  if (p.kind === "unknown-attribute") {
    const forms = attributeForms(p.block, word);
    if (forms && p.expected.includes(word)) {
      return {
        code: "BKP1001", severity: "error", file, range: span(range, p.skipped.length ? tokenRange(p.skipped[p.skipped.length - 1]) : range),
        message: `malformed '${word}' in a ${p.block} block`,
        hint: `write ${forms.map((f) => `'${f}'`).join(" or ")}`,
      };
    }
    if (word !== word.toLowerCase() && T.keywordSpellings().includes(word.toLowerCase())) {
      return {
        code: "BKP1002", severity: "error", file, range,
        message: `'${word}' is not a keyword here: keywords are lower-case`,
        hint: `write '${word.toLowerCase()}'`,
      };
    }
    const guess = closest(word, p.expected);
    const misplaced = T.keywordSpellings().includes(word) && !guess;
    return {
      code: "BKP1002", severity: "error", file, range,
      message: misplaced ? `'${word}' is not allowed in a ${p.block} block` : `unknown attribute '${word}' in a ${p.block} block`,
      hint: guess ? `did you mean '${guess}'?` : `a ${p.block} block accepts ${oneOf(p.expected)}`,
    };
  }
  return {
    code: "BKP1001", severity: "error", file, range,
    message: p.block === "file" ? `unexpected ${describe(p.token)} at the top level` : `unexpected ${describe(p.token)} in a ${p.block} block`,
    hint: p.block === "file" ? `a policy file holds ${oneOf(BLOCK_NAMES)} blocks` : `each line starts with an attribute: ${oneOf(p.expected)}`,
  };
}

function describe(t: IToken): string {
  if (t.tokenType === T.StringLit) return `string ${t.image}`;
  if (t.tokenType === T.NumberLit) return `number ${t.image}`;
  return `'${t.image}'`;
}

function errorDiagnostic(file: string, text: string, tokens: IToken[], err: IRecognitionException): Diagnostic {
  let facts: ParseErrorFacts;
  try {
    facts = JSON.parse(err.message) as ParseErrorFacts;
  } catch {
    facts = { kind: "mismatch", expected: [], found: err.token.image, rule: "" };
  }
  const tok = err.token;
  const atEof = tok.tokenType.name === "EOF" || Number.isNaN(tok.startOffset);
  const prev = previousToken(tokens, atEof ? text.length : tok.startOffset);
  const foundText = atEof ? "the end of the file" : describe(tok);

  if (facts.expected.length === 1 && facts.expected[0] === "'}'") {
    const open = unclosedBrace(tokens, atEof ? text.length : tok.startOffset);
    const where = prev ? afterToken(prev) : endOfText(text);
    const opener = open ? blockOpener(tokens, open) : undefined;
    return {
      code: "BKP1004", severity: "error", file, range: where,
      message: `missing '}' to close ${opener ?? "the block"}${open ? ` opened at line ${open.startLine}` : ""}; found ${foundText}`,
      hint: `add '}' after line ${where.start.line}`,
      related: open ? [{ file, range: tokenRange(open), message: "the block opened here" }] : undefined,
    };
  }

  // Something missing at the end of a line is reported there, not at the next line's token.
  const missingAtEol = !atEof && prev !== undefined && prev.startLine !== tok.startLine;
  const range = atEof || missingAtEol ? (prev ? afterToken(prev) : endOfText(text)) : tokenRange(tok);
  const after = prev ? ` after '${prev.image}'` : "";
  const expected = facts.expected.filter((e) => e !== "AnyToken");
  const candidates = expected.flatMap((e) => LABEL_CANDIDATES[e] ?? [e.replace(/^'|'$/g, "")]).filter((e) => !e.includes(" "));
  const guess = !atEof && tok.tokenType !== T.StringLit ? closest(tok.image, candidates) : undefined;
  return {
    code: "BKP1001", severity: "error", file, range,
    message: `expected ${oneOf(expected)}${after}, found ${foundText}`,
    hint: guess ? `did you mean '${guess}'?` : expectationHint(expected),
  };
}

function expectationHint(expected: string[]): string {
  if (expected.some((e) => e.includes("time of day"))) return "times are written as 24-hour HH:MM, e.g. 02:30";
  if (expected.some((e) => e.includes("quoted string"))) return 'names, paths and references are written in double quotes, e.g. "prod"';
  if (expected.some((e) => e.includes("a number"))) return "write a number, e.g. 30";
  return `write ${oneOf(expected)} here`;
}

function previousToken(tokens: IToken[], offset: number): IToken | undefined {
  let lo = 0;
  let hi = tokens.length - 1;
  let best: IToken | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].startOffset < offset) {
      best = tokens[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** The innermost '{' still open before `offset`. */
function unclosedBrace(tokens: IToken[], offset: number): IToken | undefined {
  const stack: IToken[] = [];
  for (const t of tokens) {
    if (t.startOffset >= offset) break;
    if (t.tokenType === T.LCurly) stack.push(t);
    else if (t.tokenType === T.RCurly) stack.pop();
  }
  return stack[stack.length - 1];
}

/** `vm "a2"` for the '{' that opens it. */
function blockOpener(tokens: IToken[], brace: IToken): string | undefined {
  const i = tokens.indexOf(brace);
  const parts: string[] = [];
  for (let k = i - 1; k >= 0 && k >= i - 2; k--) {
    const t = tokens[k];
    if (t.tokenType === T.StringLit) parts.unshift(t.image);
    else if (T.keywordTokens.includes(t.tokenType)) {
      parts.unshift(t.image);
      break;
    } else break;
  }
  return parts.length ? parts.join(" ") : undefined;
}

export { BLOCK_ATTRIBUTES };
