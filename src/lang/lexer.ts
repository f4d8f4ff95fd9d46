// Tokenising. A hand-written scanner producing Chevrotain tokens: the language has a handful
// of lexical forms (tokens.ts), and building Chevrotain's Lexer costs ~15 ms per process,
// which matters when `bkp check` must start within 3x of `node -e 0`. Every bare word is
// retyped as its keyword (or Identifier) by one table lookup.
import type { IToken, TokenType } from "chevrotain";
import * as T from "./tokens.js";

export interface LexResult {
  tokens: IToken[];
  comments: IToken[];
}

// Sticky versions of tokens.ts' patterns, tried at a position in priority order.
const FORMS: [RegExp, TokenType][] = [T.StringLit, T.UnterminatedString, T.DateTimeLit, T.DateLit, T.TimeLit, T.NumberLit, T.RateUnit, T.Word].map(
  (t) => [new RegExp((t.PATTERN as RegExp).source, "y"), t],
);

const SINGLE: Record<string, TokenType> = { "{": T.LCurly, "}": T.RCurly, ",": T.Comma, "%": T.Percent };

export function tokenize(text: string): LexResult {
  const tokens: IToken[] = [];
  const comments: IToken[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const n = text.length;

  const push = (out: IToken[], type: TokenType, start: number, end: number): void => {
    const image = text.slice(start, end);
    // Tokens never span lines, except nothing: strings and comments stop at a newline.
    // tokenType first: Chevrotain's own tokens (EOF, recovery) have NaN offsets, and sharing
    // their object shape would make V8 box every number of every token as a double.
    // `bkpRange` is declared up front so caching a range later does not change the shape.
    out.push({
      tokenType: type,
      tokenTypeIdx: type.tokenTypeIdx!,
      image,
      startOffset: start,
      endOffset: end - 1,
      startLine: line,
      endLine: line,
      startColumn: start - lineStart + 1,
      endColumn: end - lineStart,
      bkpRange: undefined,
    } as IToken);
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff) {
      i++;
      continue;
    }
    if (c === 35) {
      let j = text.indexOf("\n", i);
      if (j < 0) j = n;
      let end = j;
      if (end > i && text.charCodeAt(end - 1) === 13) end--;
      push(comments, T.Comment, i, end);
      i = j;
      continue;
    }
    const single = SINGLE[text[i]];
    if (single) {
      push(tokens, single, i, i + 1);
      i++;
      continue;
    }
    let matched = false;
    for (const [re, type] of FORMS) {
      re.lastIndex = i;
      if (re.test(text)) {
        const end = re.lastIndex;
        let t = type;
        if (t === T.Word) t = T.wordType(text.slice(i, end));
        push(tokens, t, i, end);
        i = end;
        matched = true;
        break;
      }
    }
    if (!matched) {
      // One unexpected character (a whole surrogate pair counts as one).
      const width = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
      push(tokens, T.Unknown, i, i + width);
      i += width;
    }
  }
  return { tokens, comments };
}
