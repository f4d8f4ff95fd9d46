import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ruleDocs } from "../../scripts/rule-docs.js";
import { ROOT } from "../helpers.js";

it.each(ruleDocs().map((f) => [f.path, f.content] as const))("%s is up to date (npx tsx scripts/rule-docs.ts)", (path, content) => {
  expect(readFileSync(join(ROOT, path), "utf8")).toBe(content);
});
