// A tiny TextMate tokenizer for the tests: enough of the semantics of vscode-textmate to check
// what bkp.tmLanguage.json does with a line. It supports `match` (with `captures`),
// `begin`/`end` (with `beginCaptures`, `endCaptures` and nested `patterns`), `include` of
// `#repository` entries and `$self`. At each position the rule whose regex matches earliest
// wins; on a tie the end pattern of the open rule wins, then the first rule in the list.
// Regexes are compiled as JavaScript regexes (the grammar keeps to the common subset of
// Oniguruma and JavaScript). State does not carry over lines: bkp has no multi-line tokens.

export interface TmCapture {
  name?: string;
  patterns?: TmRule[];
}

export interface TmRule {
  name?: string;
  comment?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Record<string, TmCapture>;
  beginCaptures?: Record<string, TmCapture>;
  endCaptures?: Record<string, TmCapture>;
  patterns?: TmRule[];
  include?: string;
}

export interface TmGrammar {
  scopeName: string;
  patterns: TmRule[];
  repository?: Record<string, TmRule>;
}

const compiled = new Map<string, RegExp>();

function regex(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(source, "dg");
    compiled.set(source, re);
  }
  return re;
}

/** The rules a pattern list stands for, with includes expanded. */
export function expand(grammar: TmGrammar, patterns: TmRule[], seen = new Set<string>()): TmRule[] {
  const out: TmRule[] = [];
  for (const p of patterns) {
    if (p.include !== undefined) {
      if (seen.has(p.include)) continue;
      const next = new Set(seen).add(p.include);
      if (p.include === "$self" || p.include === "$base") out.push(...expand(grammar, grammar.patterns, next));
      else if (p.include.startsWith("#")) {
        const target = grammar.repository?.[p.include.slice(1)];
        if (!target) throw new Error(`include ${p.include}: no such repository entry`);
        out.push(...expand(grammar, [target], next));
      } else throw new Error(`include ${p.include}: only #name and $self are supported`);
    } else if (p.match === undefined && p.begin === undefined) {
      out.push(...expand(grammar, p.patterns ?? [], seen));
    } else out.push(p);
  }
  return out;
}

/** The scopes of every character of `line` (outermost first, `scopeName` included). */
export function tokenizeLine(grammar: TmGrammar, line: string): string[][] {
  const scopes: string[][] = Array.from(line, () => [grammar.scopeName]);
  const paint = (from: number, to: number, names: (string | undefined)[]): void => {
    for (let i = from; i < to; i++) for (const n of names) if (n) scopes[i].push(...n.split(/\s+/));
  };
  const paintCaptures = (m: RegExpExecArray, caps: Record<string, TmCapture> | undefined): void => {
    if (!caps) return;
    const indices = m.indices!;
    for (const [k, c] of Object.entries(caps).sort(([a], [b]) => Number(a) - Number(b))) {
      const span = indices[Number(k)];
      if (span) paint(span[0], span[1], [c.name]);
    }
  };
  const stack: TmRule[] = [];
  let pos = 0;
  for (let guard = 0; guard < 10 * line.length + 10; guard++) {
    const open = stack[stack.length - 1];
    const candidates: { kind: "end" | "match" | "begin"; rule: TmRule; re: RegExp }[] = [];
    if (open) candidates.push({ kind: "end", rule: open, re: regex(open.end!) });
    for (const r of expand(grammar, open ? open.patterns ?? [] : grammar.patterns)) {
      candidates.push({ kind: r.match !== undefined ? "match" : "begin", rule: r, re: regex((r.match ?? r.begin)!) });
    }
    let best: { kind: "end" | "match" | "begin"; rule: TmRule; m: RegExpExecArray } | undefined;
    for (const c of candidates) {
      c.re.lastIndex = pos;
      const m = c.re.exec(line);
      if (m && (!best || m.index < best.m.index)) best = { kind: c.kind, rule: c.rule, m };
    }
    const outer = stack.map((r) => r.name);
    if (!best) {
      paint(pos, line.length, outer);
      return scopes;
    }
    const { kind, rule, m } = best;
    const start = m.index;
    const end = start + m[0].length;
    paint(pos, start, outer);
    if (kind === "end") {
      paint(start, end, [...outer.slice(0, -1), rule.name]);
      paintCaptures(m, rule.endCaptures ?? rule.captures);
      stack.pop();
      pos = end;
      continue;
    }
    paint(start, end, [...outer, rule.name]);
    if (kind === "match") {
      paintCaptures(m, rule.captures);
      pos = end > start ? end : start + 1;
    } else {
      paintCaptures(m, rule.beginCaptures ?? rule.captures);
      stack.push(rule);
      pos = end;
    }
    if (pos > line.length) return scopes;
  }
  throw new Error(`tokenizer made no progress on ${JSON.stringify(line)}`);
}

/** Scopes of each character of the `occurrence`-th `text` in `line`. */
export function scopesOf(grammar: TmGrammar, line: string, text: string, occurrence = 0): string[][] {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = line.indexOf(text, at + 1);
    if (at < 0) throw new Error(`${JSON.stringify(text)} (#${occurrence}) not in ${JSON.stringify(line)}`);
  }
  return tokenizeLine(grammar, line).slice(at, at + text.length);
}

/** Every regex source in the grammar, with where it is. */
export function allRegexes(grammar: TmGrammar): { where: string; source: string }[] {
  const out: { where: string; source: string }[] = [];
  const visit = (r: TmRule | TmCapture, where: string): void => {
    for (const key of ["match", "begin", "end"] as const) {
      const src = (r as TmRule)[key];
      if (src !== undefined) out.push({ where: `${where}.${key}`, source: src });
    }
    for (const key of ["captures", "beginCaptures", "endCaptures"] as const) {
      const caps = (r as TmRule)[key];
      if (caps) for (const [k, c] of Object.entries(caps)) visit(c, `${where}.${key}[${k}]`);
    }
    (r.patterns ?? []).forEach((p, i) => visit(p, `${where}.patterns[${i}]`));
  };
  grammar.patterns.forEach((p, i) => visit(p, `patterns[${i}]`));
  for (const [k, r] of Object.entries(grammar.repository ?? {})) visit(r, `repository.${k}`);
  return out;
}
