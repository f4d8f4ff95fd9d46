// A unified diff of two texts by lines (Myers' O(ND) algorithm), for the write-back preview.
// Policy files are small and a what-if session changes a few lines, so D stays small.

export type DiffLine = { kind: "context" | "add" | "remove"; text: string } | { kind: "hunk"; text: string };

type Op = { kind: "context" | "add" | "remove"; text: string; a: number; b: number };

function split(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The edit script turning `a` into `b`: every line of both, in order. */
function script(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[max + k - 1] < v[max + k + 1]) ? v[max + k + 1] : v[max + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[max + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk back through the saved frontiers.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[max + k - 1] < vd[max + k + 1]) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd[max + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: "context", text: a[x], a: x, b: y });
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: "add", text: b[prevY], a: x, b: prevY });
      else ops.push({ kind: "remove", text: a[prevX], a: prevX, b: y });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

/** Unified diff lines (`--- a/…`, `+++ b/…`, `@@ … @@` hunks, 3 lines of context); empty when equal. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): DiffLine[] {
  if (before === after) return [];
  const ops = script(split(before), split(after));
  const changed = ops.map((o, i) => (o.kind !== "context" ? i : -1)).filter((i) => i >= 0);
  if (!changed.length) return [];
  // git's a/ and b/ prefixes only read well before a relative path.
  const [a, b] = path.startsWith("/") ? ["", ""] : ["a/", "b/"];
  const out: DiffLine[] = [{ kind: "hunk", text: `--- ${a}${path}` }, { kind: "hunk", text: `+++ ${b}${path}` }];
  let i = 0;
  while (i < changed.length) {
    const start = Math.max(0, changed[i] - context);
    let end = Math.min(ops.length, changed[i] + context + 1);
    let j = i + 1;
    while (j < changed.length && changed[j] - context <= end) {
      end = Math.min(ops.length, changed[j] + context + 1);
      j++;
    }
    const hunk = ops.slice(start, end);
    const aStart = hunk.find((o) => o.kind !== "add")?.a ?? hunk[0].a;
    const bStart = hunk.find((o) => o.kind !== "remove")?.b ?? hunk[0].b;
    const aLen = hunk.filter((o) => o.kind !== "add").length;
    const bLen = hunk.filter((o) => o.kind !== "remove").length;
    out.push({ kind: "hunk", text: `@@ -${aLen ? aStart + 1 : aStart},${aLen} +${bLen ? bStart + 1 : bStart},${bLen} @@` });
    for (const o of hunk) out.push({ kind: o.kind, text: `${o.kind === "add" ? "+" : o.kind === "remove" ? "-" : " "}${o.text}` });
    i = j;
  }
  return out;
}
