// The lint config file, found upward from the first policy file: `bkp.json`
//   { "rules": { "high-churn": "error", "dst-not-adjusted": "off" }, "maxWarnings": 10 }
// Flags (--rule, --max-warnings) override it.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { RuleSeverity } from "./rule.js";

export const CONFIG_FILE = "bkp.json";

export interface LintConfig {
  path?: string;
  rules: Record<string, RuleSeverity>;
  maxWarnings?: number;
}

export class ConfigError extends Error {}

const SEVERITIES = new Set(["off", "info", "warning", "error"]);

export function findConfig(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const p = join(dir, CONFIG_FILE);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export function readConfig(path: string, knownRules: Set<string>): LintConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ConfigError(`${path}: expected an object like { "rules": { "high-churn": "error" } }`);
  const obj = raw as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (k !== "rules" && k !== "maxWarnings" && k !== "$schema") throw new ConfigError(`${path}: unknown key "${k}" (known: rules, maxWarnings)`);
  const rules: Record<string, RuleSeverity> = {};
  if (obj.rules !== undefined) {
    if (typeof obj.rules !== "object" || obj.rules === null) throw new ConfigError(`${path}: "rules" must be an object of rule name -> off|info|warning|error`);
    for (const [name, sev] of Object.entries(obj.rules as Record<string, unknown>)) {
      if (!knownRules.has(name)) throw new ConfigError(`${path}: unknown rule "${name}" (see bkp lint --list-rules)`);
      if (typeof sev !== "string" || !SEVERITIES.has(sev)) throw new ConfigError(`${path}: rule "${name}" must be off, info, warning or error, not ${JSON.stringify(sev)}`);
      rules[name] = sev as RuleSeverity;
    }
  }
  let maxWarnings: number | undefined;
  if (obj.maxWarnings !== undefined) {
    if (typeof obj.maxWarnings !== "number" || !Number.isInteger(obj.maxWarnings) || obj.maxWarnings < 0) throw new ConfigError(`${path}: "maxWarnings" must be a whole number >= 0`);
    maxWarnings = obj.maxWarnings;
  }
  return { path, rules, maxWarnings };
}

export function parseSeverity(value: string): RuleSeverity | undefined {
  return SEVERITIES.has(value) ? (value as RuleSeverity) : undefined;
}
