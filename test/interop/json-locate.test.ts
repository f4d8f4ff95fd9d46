import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { joinPath, parseJson, toPlain, type JsonNode } from "../../src/interop/json-locate.js";

function ok(text: string): JsonNode {
  const r = parseJson(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe("parseJson", () => {
  it("agrees with JSON.parse on any JSON value", () => {
    fc.assert(fc.property(fc.jsonValue(), fc.boolean(), (v, pretty) => {
      const text = JSON.stringify(v, null, pretty ? 2 : undefined);
      expect(toPlain(ok(text))).toEqual(JSON.parse(text));
    }), { numRuns: 300 });
  });

  it("keeps 1-based line and column of values and keys", () => {
    const text = '{\n  "a": [1, {"b": "x\\u00e9"}],\n  "c": null\n}';
    const root = ok(text);
    if (root.kind !== "object") throw new Error("object expected");
    const [a, c] = root.entries;
    expect(a.keyRange.start).toEqual({ line: 2, column: 3, offset: 4 });
    expect(a.value.range.start).toMatchObject({ line: 2, column: 8 });
    expect(a.value.range.end).toMatchObject({ line: 2, column: 29 });
    expect(c.value.range.start).toMatchObject({ line: 3, column: 8 });
    if (a.value.kind !== "array" || a.value.items[1].kind !== "object") throw new Error("array expected");
    expect(a.value.items[1].entries[0].value).toMatchObject({ kind: "string", value: "xé" });
  });

  it.each([
    ['{"a": 1,}', 1, 9, "expected a quoted key, found '}'", "remove the trailing comma before '}'"],
    ['{"a": 1 "b": 2}', 1, 9, "expected ',' or '}'", "add a ',' between the members"],
    ["[1, 2", 1, 6, "expected ',' or ']' in an array, found the end of the file", "separate the items with ',' and close the array with ']'"],
    ['{"a": tru}', 1, 7, "unexpected word 'tru'", 'write "tru" if it is a string'],
    ['{"a": 01}', 1, 7, "malformed number", "JSON numbers have no leading zeros"],
    ['{"a": "x\ny"}', 1, 7, "control character", "close the string on the same line"],
    ['{"a": "\\q"}', 1, 8, "invalid escape", "JSON escapes are"],
    ['{"a": 1, "a": 2}', 1, 10, 'key "a" appears twice', "keep one of them"],
    ['// c\n{}', 1, 1, "comments are not allowed", "remove the comment"],
    ["{} {}", 1, 4, "after the end of the JSON document", "wrap several policies in an array"],
    ['\n\n  {"a": ]', 3, 9, "expected a JSON value, found ']'", "write a value"],
    ["[1, ]", 1, 5, "expected a JSON value, found ']'", "remove the trailing comma before it"],
  ])("%j is an error at %i:%i", (text, line, column, message, hint) => {
    const r = parseJson(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect([r.error.range.start.line, r.error.range.start.column]).toEqual([line, column]);
    expect(r.error.message).toContain(message);
    expect(r.error.hint).toContain(hint);
  });

  it("skips a byte-order mark and survives deep nesting with an error, not a crash", () => {
    expect(toPlain(ok("\ufeff[true]"))).toEqual([true]);
    const deep = "[".repeat(5000) + "]".repeat(5000);
    expect(parseJson(deep).ok).toBe(false);
  });
});

describe("joinPath", () => {
  it("writes dotted paths, indexes and quoted odd keys", () => {
    expect(joinPath(joinPath(joinPath("", "value"), 2), "properties")).toBe("value[2].properties");
    expect(joinPath("parameters", "api-version")).toBe("parameters.api-version");
    expect(joinPath("tags", "cost center")).toBe('tags["cost center"]');
    expect(joinPath("", 0)).toBe("[0]");
  });
});
