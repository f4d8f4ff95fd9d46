// Chevrotain reports parse errors as strings; we encode the facts as JSON here and turn them
// into located diagnostics with codes and hints in parse.ts, where the source text is at hand.
import type { IParserErrorMessageProvider, IToken, TokenType } from "chevrotain";

export interface ParseErrorFacts {
  kind: "mismatch" | "no-alternative" | "early-exit" | "not-all-input";
  expected: string[];
  found: string;
  rule: string;
}

function label(t: TokenType): string {
  return typeof t.LABEL === "string" ? t.LABEL : t.name;
}

function firstTokens(paths: TokenType[][][]): string[] {
  const seen = new Set<string>();
  for (const alt of paths) for (const path of alt) if (path[0]) seen.add(label(path[0]));
  return [...seen];
}

function found(t: IToken | undefined): string {
  return t?.image ?? "";
}

export const parserErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    return JSON.stringify({ kind: "mismatch", expected: [label(expected)], found: found(actual), rule: ruleName } satisfies ParseErrorFacts);
  },
  buildNotAllInputParsedMessage({ firstRedundant, ruleName }) {
    return JSON.stringify({ kind: "not-all-input", expected: [], found: found(firstRedundant), rule: ruleName } satisfies ParseErrorFacts);
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    return JSON.stringify({ kind: "no-alternative", expected: firstTokens(expectedPathsPerAlt), found: found(actual[0]), rule: ruleName } satisfies ParseErrorFacts);
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    return JSON.stringify({ kind: "early-exit", expected: firstTokens([expectedIterationPaths]), found: found(actual[0]), rule: ruleName } satisfies ParseErrorFacts);
  },
};
