// A small JSON reader that keeps the source range of every value and key, so that a problem
// in an Azure policy document is reported at file:line:col with its JSON path (JSON.parse
// only says "position 1234"). Strict RFC 8259: no comments, no trailing commas; duplicate
// keys are an error because Azure would silently keep one of them.
import type { Position, Range } from "../lang/diagnostics.js";

export type JsonNode =
  | { kind: "object"; range: Range; entries: JsonEntry[] }
  | { kind: "array"; range: Range; items: JsonNode[] }
  | { kind: "string"; range: Range; value: string }
  | { kind: "number"; range: Range; value: number; text: string }
  | { kind: "boolean"; range: Range; value: boolean }
  | { kind: "null"; range: Range };

export interface JsonEntry {
  key: string;
  keyRange: Range;
  value: JsonNode;
}

export type JsonObject = Extract<JsonNode, { kind: "object" }>;
export type JsonArray = Extract<JsonNode, { kind: "array" }>;

export interface JsonSyntaxError {
  message: string;
  range: Range;
  hint: string;
}

export type JsonParseResult = { ok: true; value: JsonNode } | { ok: false; error: JsonSyntaxError };

/** Nesting deeper than this is not a policy document; the limit keeps recursion bounded. */
const MAX_DEPTH = 256;

class Fail extends Error {
  constructor(readonly error: JsonSyntaxError) {
    super(error.message);
  }
}

export function parseJson(text: string): JsonParseResult {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = 0;

  const pos = (offset: number): Position => {
    // Only called at or after `lineStart` of the current line, or for earlier saved positions.
    return { line, column: offset - lineStart + 1, offset };
  };
  const here = (): Position => pos(i);
  const range = (start: Position, end: Position = here()): Range => ({ start, end });
  const fail = (message: string, start: Position, end: Position, hint: string): never => {
    throw new Fail({ message, range: range(start, end), hint });
  };
  const describeChar = (c: string | undefined) => (c === undefined ? "the end of the file" : c === "\n" ? "a line break" : `'${c}'`);

  function skipSpace(): void {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        i++;
        line++;
        lineStart = i;
      } else if (c === 32 || c === 9 || c === 13) i++;
      else if (c === 47 && (text[i + 1] === "/" || text[i + 1] === "*")) {
        const s = here();
        fail("comments are not allowed in JSON", s, pos(i + 2), "remove the comment; Azure accepts plain JSON only");
      } else break;
    }
  }

  function value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) fail(`JSON nested deeper than ${MAX_DEPTH} levels`, here(), pos(i + 1), "this is not an Azure policy document");
    skipSpace();
    const start = here();
    const c = text[i];
    if (c === "{") return object(start, depth);
    if (c === "[") return array(start, depth);
    if (c === '"') {
      const s = string();
      return { kind: "string", range: range(start), value: s };
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number(start);
    for (const [word, node] of [
      ["true", { kind: "boolean", value: true }],
      ["false", { kind: "boolean", value: false }],
      ["null", { kind: "null" }],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return { ...node, range: range(start) } as JsonNode;
      }
    }
    const word = /^[A-Za-z_][\w]*/.exec(text.slice(i, i + 40))?.[0];
    if (word) fail(`unexpected word '${word}': JSON values are strings, numbers, true, false, null, objects or arrays`, start, pos(i + word.length), `write "${word}" if it is a string`);
    // A closing bracket right after a comma is a trailing comma; after a colon or '[', a missing value.
    let before = i - 1;
    while (before >= 0 && " \t\r\n".includes(text[before])) before--;
    const trailingComma = (c === "]" || c === "}") && text[before] === ",";
    return fail(`expected a JSON value, found ${describeChar(c)}`, start, pos(Math.min(i + 1, text.length)), trailingComma ? "remove the trailing comma before it" : "write a value: a string, number, true, false, null, object or array");
  }

  function object(start: Position, depth: number): JsonNode {
    i++; // {
    const entries: JsonEntry[] = [];
    const seen = new Map<string, Range>();
    skipSpace();
    if (text[i] === "}") {
      i++;
      return { kind: "object", range: range(start), entries };
    }
    for (;;) {
      skipSpace();
      const keyStart = here();
      if (text[i] !== '"') {
        fail(`expected a quoted key, found ${describeChar(text[i])}`, keyStart, pos(Math.min(i + 1, text.length)), text[i] === "}" ? "remove the trailing comma before '}'" : 'object keys are double-quoted strings, e.g. "timeZone"');
      }
      const key = string();
      const keyRange = range(keyStart);
      const prev = seen.get(key);
      if (prev) fail(`key "${key}" appears twice in this object (first at line ${prev.start.line})`, keyRange.start, keyRange.end, "keep one of them: Azure would silently use only one");
      seen.set(key, keyRange);
      skipSpace();
      if (text[i] !== ":") fail(`expected ':' after the key "${key}", found ${describeChar(text[i])}`, here(), pos(Math.min(i + 1, text.length)), `write "${key}": <value>`);
      i++;
      const v = value(depth + 1);
      entries.push({ key, keyRange, value: v });
      skipSpace();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return { kind: "object", range: range(start), entries };
      }
      fail(`expected ',' or '}' after the value of "${key}", found ${describeChar(text[i])}`, here(), pos(Math.min(i + 1, text.length)), text[i] === '"' ? "add a ',' between the members" : "close the object with '}'");
    }
  }

  function array(start: Position, depth: number): JsonNode {
    i++; // [
    const items: JsonNode[] = [];
    skipSpace();
    if (text[i] === "]") {
      i++;
      return { kind: "array", range: range(start), items };
    }
    for (;;) {
      items.push(value(depth + 1));
      skipSpace();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return { kind: "array", range: range(start), items };
      }
      fail(`expected ',' or ']' in an array, found ${describeChar(text[i])}`, here(), pos(Math.min(i + 1, text.length)), "separate the items with ',' and close the array with ']'");
    }
  }

  function string(): string {
    const start = here();
    i++; // opening quote
    let out = "";
    let runStart = i;
    for (;;) {
      if (i >= text.length) fail("unterminated string: the closing '\"' is missing", start, here(), "close the string with '\"'");
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(runStart, i);
        i++;
        return out;
      }
      if (c === 10 || c < 0x20) fail("a control character (such as a line break) inside a string", start, pos(i), "escape it, e.g. \\n, or close the string on the same line");
      if (c === 92) {
        out += text.slice(runStart, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          i += 2;
        } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          fail(`invalid escape '\\${e ?? ""}' in a string`, pos(i), pos(Math.min(i + 2, text.length)), 'JSON escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX');
        }
        runStart = i;
        continue;
      }
      i++;
    }
  }

  function number(start: Position): JsonNode {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail("malformed number", start, pos(i + 1), "write a number such as 30 or 0.5");
    const next = text[i + m[0].length];
    if (next !== undefined && /[\w.]/.test(next)) fail(`malformed number '${m[0]}${next}'`, start, pos(i + m[0].length + 1), "JSON numbers have no leading zeros, units or trailing dots");
    i += m[0].length;
    return { kind: "number", range: range(start), value: Number(m[0]), text: m[0] };
  }

  try {
    const v = value(0);
    skipSpace();
    if (i < text.length) fail(`unexpected ${describeChar(text[i])} after the end of the JSON document`, here(), pos(i + 1), "a file holds one JSON value; wrap several policies in an array [ … ]");
    return { ok: true, value: v };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    throw e;
  }
}

/** `properties.retentionPolicy.dailySchedule`, `value[2].name`, `parameters["api-version"]`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
  if (!plain) return `${base}[${JSON.stringify(key)}]`;
  return base ? `${base}.${key}` : key;
}

/**
 * The member `key` of an object node, treating `null` as absent (Azure returns nulls freely).
 * Azure reads property names case-insensitively (`az` prints `instantRpDetails`, the REST
 * spec says `instantRPDetails`), so an exact match is preferred and any case accepted.
 */
export function member(obj: JsonObject, key: string): JsonEntry | undefined {
  const lower = key.toLowerCase();
  const e = obj.entries.find((x) => x.key === key) ?? obj.entries.find((x) => x.key.toLowerCase() === lower);
  return e && e.value.kind !== "null" ? e : undefined;
}

/** Converts a node to a plain JavaScript value (for tests and for comparing documents). */
export function toPlain(node: JsonNode): unknown {
  switch (node.kind) {
    case "object":
      return Object.fromEntries(node.entries.map((e) => [e.key, toPlain(e.value)]));
    case "array":
      return node.items.map(toPlain);
    case "null":
      return null;
    default:
      return node.value;
  }
}
