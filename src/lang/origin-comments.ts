// Origin comments: a line that `bkp import` generated ends in `# azure: <json path>`. When a
// diagnostic points at such a line, the JSON path is appended to its message, so a problem
// Azure would reject is reported both where it is in the .bkp and where it came from.
//
// Why a comment and not a side file: the .bkp stays self-contained (it can be moved, edited,
// formatted — the formatter keeps trailing comments), the user sees the provenance, and the
// mechanism is generic: it works for any diagnostic of any later stage (check, lint) without
// their knowing about Azure. If the user edits a line the comment may become stale, but it
// is then visibly theirs to update or delete.
import type { CommentAst } from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";

export const ORIGIN_PREFIX = "# azure:";

const ORIGIN = /^#\s*azure:\s*(\S(?:.*\S)?)\s*$/;

/** The JSON path of an origin comment, if `text` is one. */
export function originOf(text: string): string | undefined {
  return ORIGIN.exec(text)?.[1];
}

/** Line -> JSON path of a file's origin comments (empty for files that were not imported). */
export function originsByLine(comments: readonly CommentAst[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const c of comments) {
    if (!c.text.includes("azure:")) continue;
    const path = originOf(c.text);
    if (path) out.set(c.range.start.line, path);
  }
  return out;
}

/**
 * Appends ` (from Azure JSON at <path>)` to each diagnostic that starts on a line with an
 * origin comment. `commentsOf(file)` gives a file's comments (undefined: not parsed).
 * Returns new diagnostic objects; the input is not changed.
 */
export function annotateOrigins<D extends Diagnostic>(diagnostics: D[], commentsOf: (file: string) => readonly CommentAst[] | undefined): D[] {
  const cache = new Map<string, Map<number, string>>();
  return diagnostics.map((d) => {
    let lines = cache.get(d.file);
    if (!lines) {
      lines = originsByLine(commentsOf(d.file) ?? []);
      cache.set(d.file, lines);
    }
    const path = lines.get(d.range.start.line);
    if (!path || d.message.includes(`(from Azure JSON at ${path})`)) return d;
    return { ...d, message: `${d.message} (from Azure JSON at ${path})` };
  });
}
