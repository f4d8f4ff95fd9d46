// "Did you mean" suggestions: the closest candidate by edit distance, if close enough.

/** Edit distance where swapping two neighbours counts as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidate nearest to `word`, when at most a third of it differs (at least 1 edit allowed). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return best !== undefined && bestD <= limit && bestD < word.length ? best : undefined;
}

/** `'a', 'b' or 'c'` */
export function oneOf(items: string[]): string {
  const q = items.map((s) => (s.startsWith("'") || s.startsWith("a ") || s.startsWith("an ") ? s : `'${s}'`));
  if (q.length <= 1) return q.join("");
  return q.slice(0, -1).join(", ") + " or " + q[q.length - 1];
}

/** A value echoed in a message, cut to `max` characters (a 1 MiB string is not repeated back). */
export function clip(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}… (${value.length} characters)`;
}
