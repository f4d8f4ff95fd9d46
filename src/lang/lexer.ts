// Tokenising. A hand-written scanner producing Chevrotain tokens: the language has a handful
// of lexical forms (tokens.ts), and building Chevrotain's Lexer costs ~15 ms per process,
// which matters when `bkp check` must start within 3x of `node -e 0`. Every bare word is
// retyped as its keyword (or Identifier) by one table lookup.
import type { IToken, TokenType } from "chevrotain";
import * as T from "./tokens.js";
import { LineIndex } from "./text-range.js";

export interface LexResult {
  tokens: IToken[];
  comments: IToken[];
}

// Sticky versions of tokens.ts' patterns, tried at a position in priority order. The forms
// start with different characters, so the first character picks the few worth trying.
const sticky = (types: TokenType[]): [RegExp, TokenType][] => types.map((t) => [new RegExp((t.PATTERN as RegExp).source, "y"), t]);
const STRING_FORMS = sticky([T.StringLit, T.UnterminatedString]);
const DIGIT_FORMS = sticky([T.DateTimeLit, T.DateLit, T.TimeLit, T.NumberLit]);
const WORD_FORMS = sticky([T.Word]);
/** Words that may be a rate unit (`MB/s`, `B/s`) start with one of these. */
const RATE_FORMS = sticky([T.RateUnit, T.Word]);
const NO_FORMS: [RegExp, TokenType][] = [];

function formsAt(c: number): [RegExp, TokenType][] {
  if (c === 34) return STRING_FORMS;
  if (c >= 48 && c <= 57) return DIGIT_FORMS;
  if (c === 66 || c === 71 || c === 75 || c === 77 || c === 80 || c === 84) return RATE_FORMS; // B G K M P T
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) return WORD_FORMS;
  return NO_FORMS;
}

const SINGLE: Record<string, TokenType> = { "{": T.LCurly, "}": T.RCurly, ",": T.Comma, "%": T.Percent };

/** A part of a text made of whole lines, [from, to): tokenised alone, located in the whole text. */
export interface TextRegion {
  from: number;
  to: number;
}

export function tokenize(text: string, region?: TextRegion): LexResult {
  const tokens: IToken[] = [];
  const comments: IToken[] = [];
  // One line table per text, shared by its tokens' ranges (text-range.ts).
  const lines = new LineIndex(text);
  let i = region?.from ?? 0;
  let line = region ? lines.position(i).line : 1;
  let lineStart = i;
  const n = region?.to ?? text.length;

  const push = (out: IToken[], type: TokenType, start: number, end: number, image = text.slice(start, end)): void => {
    // Tokens never span lines, except nothing: strings and comments stop at a newline.
    // tokenType first: Chevrotain's own tokens (EOF, recovery) have NaN offsets, and sharing
    // their object shape would make V8 box every number of every token as a double.
    // `bkpRange` is declared up front so caching a range later does not change the shape;
    // `bkpLines` turns the offsets into lines and columns when a range is read.
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
      bkpLines: lines,
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
    for (const [re, type] of formsAt(c)) {
      re.lastIndex = i;
      if (re.test(text)) {
        const end = re.lastIndex;
        if (type === T.Word) {
          const word = text.slice(i, end);
          push(tokens, T.wordType(word), i, end, T.keywordImage(word) ?? word);
        } else push(tokens, type, i, end);
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
