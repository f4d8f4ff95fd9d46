// "Did you mean" suggestions: the closest candidate by edit distance, if close enough.

export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
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
