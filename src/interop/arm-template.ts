// ARM deployment templates: the backup policy resources of a template, with their template
// expressions (`[parameters('x')]`, `[concat(…)]`, `[format(…)]`, `[variables('y')]`) resolved
// from a parameters file (`bkp import azure T.json --parameters P.json`) or the parameters'
// defaults, so that the importer reads them as it reads a policy resource.
//
// Only the policy resources' `name` and `properties` are evaluated: a template's other
// resources (the vault, locks, diagnostics) and fields (location, dependsOn) may use functions
// bkp does not evaluate (`resourceGroup()`, `uniqueString()`) without harm. An expression in a
// policy that cannot be resolved is a located error (BKP6009) naming what is missing.
// Sources: learn.microsoft.com/azure/azure-resource-manager/templates/template-syntax and
// template-expressions ("[[" escapes a literal "[").
import type { Range, Severity } from "../lang/diagnostics.js";
import type { InteropCode } from "./codes.js";
import { joinPath, member, type JsonNode, type JsonObject } from "./json-locate.js";

export type Report = (code: InteropCode, range: Range, message: string, hint: string, severity?: Severity) => void;

/** A policy resource of a template, resolved: {"name", "type", "properties"}. */
export interface ArmPolicy {
  obj: JsonObject;
  /** JSON path of the resource in the template. */
  path: string;
}

const POLICY_TYPE = "microsoft.recoveryservices/vaults/backuppolicies";

/** A document is a template when its `$schema` says so, or it has `resources` and `contentVersion`. */
export function isArmTemplate(root: JsonObject): boolean {
  const schema = member(root, "$schema");
  if (schema?.value.kind === "string" && /deploymentTemplate\.json/i.test(schema.value.value)) return true;
  return member(root, "resources")?.value.kind === "array" && member(root, "contentVersion") !== undefined;
}

/** A parameters file: `{"$schema": …deploymentParameters.json#, "parameters": {name: {value}}}`. */
export function armParameterValues(root: JsonNode): Map<string, JsonNode> | undefined {
  if (root.kind !== "object") return undefined;
  const params = member(root, "parameters");
  if (params?.value.kind !== "object") return undefined;
  const out = new Map<string, JsonNode>();
  for (const e of params.value.entries) {
    const v = e.value.kind === "object" ? member(e.value, "value") : undefined;
    if (v) out.set(e.key.toLowerCase(), v.value);
  }
  return out;
}

export function armPolicies(root: JsonObject, values: Map<string, JsonNode> | undefined, report: Report): ArmPolicy[] {
  const ctx = new Context(root, values ?? new Map());
  const out: ArmPolicy[] = [];
  const visit = (list: JsonNode, path: string, parentName: string | undefined, parentType: string | undefined) => {
    if (list.kind !== "array") return;
    list.items.forEach((res, i) => {
      const p = joinPath(path, i);
      if (res.kind !== "object") return;
      const typeNode = member(res, "type")?.value;
      const typeText = typeNode?.kind === "string" ? typeNode.value : "";
      const fullType = parentType && !typeText.includes("/") ? `${parentType}/${typeText}` : typeText;
      const nameNode = member(res, "name")?.value;
      const children = member(res, "resources");
      if (fullType.toLowerCase() !== POLICY_TYPE) {
        const name = nameNode ? ctx.tryString(nameNode) : undefined;
        if (children) visit(children.value, joinPath(p, "resources"), name, fullType);
        return;
      }
      const policy = resolvePolicy(ctx, res, p, parentName, report);
      if (policy) out.push(policy);
    });
  };
  const resources = member(root, "resources");
  if (resources) visit(resources.value, "resources", undefined, undefined);
  return out;
}

function resolvePolicy(ctx: Context, res: JsonObject, path: string, parentName: string | undefined, report: Report): ArmPolicy | undefined {
  const copy = member(res, "copy");
  if (copy) {
    report("BKP6009", copy.keyRange, `${joinPath(path, "copy")}: a resource copy loop cannot be imported`, "deploy the template and import the policies with `az backup policy list`, or write one resource per policy");
    return undefined;
  }
  try {
    const condition = member(res, "condition");
    if (condition) {
      const c = ctx.resolve(condition.value);
      if (c.kind === "boolean" && !c.value) return undefined;
    }
    const nameEntry = member(res, "name");
    const props = member(res, "properties");
    if (!nameEntry || !props) return undefined;
    const name = ctx.resolve(nameEntry.value);
    if (name.kind !== "string") {
      report("BKP6004", nameEntry.value.range, `${joinPath(path, "name")} resolves to ${name.kind}, not a name`, "the name of a policy resource is a string: \"vault/policy\"");
      return undefined;
    }
    // A top-level resource is named "vault/policy"; a child of the vault resource "policy".
    const full = parentName !== undefined && !name.value.includes("/") ? `${parentName}/${name.value}` : name.value;
    const policyName = full.slice(full.lastIndexOf("/") + 1);
    const obj: JsonObject = {
      kind: "object",
      range: res.range,
      entries: [
        { key: "name", keyRange: nameEntry.keyRange, value: { kind: "string", range: name.range, value: policyName } },
        { key: "properties", keyRange: props.keyRange, value: ctx.resolve(props.value) },
      ],
    };
    return { obj, path };
  } catch (e) {
    if (!(e instanceof Unresolved)) throw e;
    report("BKP6009", e.range, e.message, e.hint);
    return undefined;
  }
}

class Unresolved extends Error {
  constructor(message: string, readonly range: Range, readonly hint: string) {
    super(message);
  }
}

type Plain = string | number | boolean | null | Plain[] | { [k: string]: Plain };
/** A value while evaluating: plain, or a JSON node taken from the template or the parameters. */
type Value = Plain | JsonNode;

class Context {
  private readonly params: Map<string, JsonObject>;
  private readonly variables: Map<string, JsonNode>;
  private readonly resolving = new Set<string>();

  constructor(root: JsonObject, private readonly values: Map<string, JsonNode>) {
    this.params = new Map();
    const ps = member(root, "parameters")?.value;
    if (ps?.kind === "object") for (const e of ps.entries) if (e.value.kind === "object") this.params.set(e.key.toLowerCase(), e.value);
    this.variables = new Map();
    const vs = member(root, "variables")?.value;
    if (vs?.kind === "object") for (const e of vs.entries) this.variables.set(e.key.toLowerCase(), e.value);
  }

  tryString(n: JsonNode): string | undefined {
    try {
      const v = this.resolve(n);
      return v.kind === "string" ? v.value : undefined;
    } catch (e) {
      if (e instanceof Unresolved) return undefined;
      throw e;
    }
  }

  /** The node with every template expression in it evaluated; ranges stay those of the template. */
  resolve(n: JsonNode): JsonNode {
    if (n.kind === "string") {
      const expr = expressionOf(n.value);
      if (expr === undefined) return n.value.startsWith("[[") ? { ...n, value: n.value.slice(1) } : n;
      return toNode(this.evaluate(expr, n.range), n.range);
    }
    if (n.kind === "array") return { ...n, items: n.items.map((x) => this.resolve(x)) };
    if (n.kind === "object") return { ...n, entries: n.entries.map((e) => ({ ...e, value: this.resolve(e.value) })) };
    return n;
  }

  private evaluate(text: string, range: Range): Value {
    const p = new ExprParser(text, range);
    const v = this.call(p.parse(), range);
    return v;
  }

  private call(e: Expr, range: Range): Value {
    switch (e.kind) {
      case "lit": return e.value;
      case "prop": {
        const o = plain(this.call(e.of, range));
        const key = e.key;
        if (typeof key === "number") {
          if (!Array.isArray(o) || key >= o.length) throw new Unresolved(`cannot index ${JSON.stringify(o)} with [${key}]`, range, "check the expression");
          return o[key];
        }
        if (!o || typeof o !== "object" || Array.isArray(o)) throw new Unresolved(`cannot read .${key} of ${JSON.stringify(o)}`, range, "check the expression");
        const hit = Object.keys(o).find((k) => k.toLowerCase() === key.toLowerCase());
        if (hit === undefined) throw new Unresolved(`the object has no property '${key}'`, range, "check the expression");
        return o[hit];
      }
      case "call": {
        const args = () => e.args.map((a) => plain(this.call(a, range)));
        const fn = e.name.toLowerCase();
        switch (fn) {
          case "parameters": return this.parameter(String(args()[0]), range);
          case "variables": return this.variable(String(args()[0]), range);
          case "concat": {
            const xs = args();
            return xs.every(Array.isArray) ? (xs as Plain[][]).flat() : xs.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join("");
          }
          case "format": {
            const [fmt, ...rest] = args();
            return String(fmt).replace(/\{(\d+)\}/g, (_m, i: string) => String(rest[Number(i)]));
          }
          case "tolower": return String(args()[0]).toLowerCase();
          case "toupper": return String(args()[0]).toUpperCase();
          case "string": { const v = args()[0]; return typeof v === "string" ? v : JSON.stringify(v); }
          case "int": return Math.trunc(Number(args()[0]));
          case "true": return true;
          case "false": return false;
          case "if": { const [c, a, b] = args(); return c ? a : b; }
          case "equals": { const [a, b] = args(); return JSON.stringify(a) === JSON.stringify(b); }
          case "not": return !args()[0];
          case "createarray": return args();
          default:
            throw new Unresolved(`the template function ${e.name}() is not evaluated by bkp`, range, "write the value itself in the policy resource, or deploy the template and import the policies with `az backup policy list`");
        }
      }
    }
  }

  private parameter(name: string, range: Range): Value {
    const key = name.toLowerCase();
    const given = this.values.get(key);
    if (given) return this.resolve(given);
    const decl = this.params.get(key);
    if (!decl) throw new Unresolved(`the template declares no parameter '${name}'`, range, "declare it under \"parameters\", or correct the name");
    const def = member(decl, "defaultValue");
    if (def) return this.guard(`parameters('${name}')`, range, () => this.resolve(def.value));
    throw new Unresolved(`parameter '${name}' has no value and no defaultValue`, range, "give a parameters file: bkp import azure TEMPLATE.json --parameters PARAMETERS.json");
  }

  private variable(name: string, range: Range): Value {
    const v = this.variables.get(name.toLowerCase());
    if (!v) throw new Unresolved(`the template declares no variable '${name}'`, range, "declare it under \"variables\", or correct the name");
    return this.guard(`variables('${name}')`, range, () => this.resolve(v));
  }

  private guard(what: string, range: Range, f: () => Value): Value {
    if (this.resolving.has(what)) throw new Unresolved(`${what} refers to itself`, range, "remove the circular reference");
    this.resolving.add(what);
    try {
      return f();
    } finally {
      this.resolving.delete(what);
    }
  }
}

/** The expression inside `[…]`, or undefined for a plain string (or a `[[` escaped one). */
function expressionOf(s: string): string | undefined {
  if (s.length < 2 || !s.startsWith("[") || s.startsWith("[[") || !s.endsWith("]")) return undefined;
  return s.slice(1, -1);
}

function plain(v: Value): Plain {
  if (v && typeof v === "object" && !Array.isArray(v) && "kind" in v && "range" in v) return fromNode(v as JsonNode);
  return v as Plain;
}

function fromNode(n: JsonNode): Plain {
  switch (n.kind) {
    case "object": return Object.fromEntries(n.entries.map((e) => [e.key, fromNode(e.value)]));
    case "array": return n.items.map(fromNode);
    case "null": return null;
    default: return n.value;
  }
}

function toNode(v: Value, range: Range): JsonNode {
  if (v && typeof v === "object" && !Array.isArray(v) && "kind" in v && "range" in v) return v as JsonNode;
  if (v === null) return { kind: "null", range };
  if (typeof v === "string") return { kind: "string", range, value: v };
  if (typeof v === "number") return { kind: "number", range, value: v, text: String(v) };
  if (typeof v === "boolean") return { kind: "boolean", range, value: v };
  if (Array.isArray(v)) return { kind: "array", range, items: v.map((x) => toNode(x, range)) };
  return { kind: "object", range, entries: Object.entries(v).map(([key, x]) => ({ key, keyRange: range, value: toNode(x, range) })) };
}

type Expr =
  | { kind: "lit"; value: string | number }
  | { kind: "call"; name: string; args: Expr[] }
  | { kind: "prop"; of: Expr; key: string | number };

/** A recursive-descent reader of ARM's expression language (functions, literals, `.x`, `[n]`). */
class ExprParser {
  private i = 0;
  constructor(private readonly s: string, private readonly range: Range) {}

  parse(): Expr {
    const e = this.expr();
    this.space();
    if (this.i < this.s.length) this.fail(`unexpected '${this.s[this.i]}'`);
    return e;
  }

  private fail(what: string): never {
    throw new Unresolved(`cannot read the template expression [${this.s}]: ${what}`, this.range, "write a template expression such as [parameters('name')]");
  }

  private space(): void {
    while (this.s[this.i] === " ") this.i++;
  }

  private expr(): Expr {
    this.space();
    let e = this.primary();
    for (;;) {
      this.space();
      if (this.s[this.i] === ".") {
        this.i++;
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
        if (!m) this.fail("a property name must follow '.'");
        this.i += m[0].length;
        e = { kind: "prop", of: e, key: m[0] };
      } else if (this.s[this.i] === "[") {
        this.i++;
        const idx = this.expr();
        this.space();
        if (this.s[this.i] !== "]") this.fail("']' expected");
        this.i++;
        if (idx.kind !== "lit") this.fail("only literal indexes are evaluated");
        e = { kind: "prop", of: e, key: idx.value };
      } else return e;
    }
  }

  private primary(): Expr {
    const c = this.s[this.i];
    if (c === "'") {
      let out = "";
      this.i++;
      for (;;) {
        if (this.i >= this.s.length) this.fail("unterminated string");
        if (this.s[this.i] === "'") {
          if (this.s[this.i + 1] === "'") {
            out += "'";
            this.i += 2;
            continue;
          }
          this.i++;
          return { kind: "lit", value: out };
        }
        out += this.s[this.i++];
      }
    }
    const num = /^-?\d+/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return { kind: "lit", value: Number(num[0]) };
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!id) this.fail(c === undefined ? "the expression ends early" : `unexpected '${c}'`);
    this.i += id[0].length;
    this.space();
    if (this.s[this.i] !== "(") this.fail(`'(' expected after ${id[0]}`);
    this.i++;
    const args: Expr[] = [];
    this.space();
    if (this.s[this.i] === ")") {
      this.i++;
      return { kind: "call", name: id[0], args };
    }
    for (;;) {
      args.push(this.expr());
      this.space();
      if (this.s[this.i] === ",") {
        this.i++;
        continue;
      }
      if (this.s[this.i] === ")") {
        this.i++;
        return { kind: "call", name: id[0], args };
      }
      this.fail("',' or ')' expected");
    }
  }
}
