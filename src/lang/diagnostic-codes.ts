// The catalogue of diagnostic codes, like the TypeScript compiler's: one stable code per kind
// of problem. BKP0xxx: reading files. BKP1xxx: syntax. BKP2xxx: meaning (the checker).
// A code is never reused for something else; retired codes stay listed.
import type { Severity } from "./diagnostics.js";

export interface CodeInfo {
  severity: Severity;
  title: string;
}

export const CODES = {
  // Files
  BKP0001: { severity: "error", title: "file not found" },
  BKP0002: { severity: "error", title: "path is a directory" },
  BKP0003: { severity: "error", title: "binary file" },
  BKP0004: { severity: "error", title: "invalid UTF-8" },
  BKP0005: { severity: "error", title: "file too large" },
  BKP0006: { severity: "error", title: "empty file" },
  BKP0007: { severity: "error", title: "file cannot be read" },
  // The command line (JSON modes report these in their error document)
  BKP0090: { severity: "error", title: "usage error (a bad flag or argument)" },
  BKP0099: { severity: "error", title: "internal error (a bug in bkp)" },
  // Syntax
  BKP1001: { severity: "error", title: "unexpected token" },
  BKP1002: { severity: "error", title: "unknown attribute" },
  BKP1003: { severity: "error", title: "unterminated string" },
  BKP1004: { severity: "error", title: "missing closing brace" },
  BKP1005: { severity: "error", title: "unexpected character" },
  BKP1006: { severity: "error", title: "invalid escape in string" },
  BKP1007: { severity: "error", title: "unknown block" },
  BKP1008: { severity: "error", title: "invalid date or time" },
  // Meaning
  BKP2001: { severity: "error", title: "duplicate name" },
  BKP2002: { severity: "error", title: "undefined reference" },
  BKP2003: { severity: "error", title: "wrong kind of unit" },
  BKP2004: { severity: "error", title: "missing unit" },
  BKP2005: { severity: "error", title: "used larger than size" },
  BKP2006: { severity: "error", title: "duplicate attribute" },
  BKP2007: { severity: "error", title: "missing attribute" },
  BKP2008: { severity: "error", title: "value out of range" },
  BKP2010: { severity: "error", title: "retention out of range" },
  BKP2011: { severity: "error", title: "instant-restore days out of range" },
  BKP2012: { severity: "error", title: "invalid hourly interval" },
  BKP2013: { severity: "error", title: "invalid hourly window" },
  BKP2014: { severity: "warning", title: "schedule time not on the hour or half hour" },
  BKP2015: { severity: "error", title: "weekly schedule with daily retention" },
  BKP2016: { severity: "error", title: "weekly schedule without weekly retention" },
  BKP2017: { severity: "error", title: "daily retention required" },
  BKP2018: { severity: "error", title: "weekly schedule needs 5 instant-restore days" },
  BKP2019: { severity: "error", title: "vss on a Linux VM" },
  BKP2020: { severity: "error", title: "scripts on a Windows VM" },
  BKP2021: { severity: "error", title: "scripts with agentless-crash" },
  BKP2022: { severity: "error", title: "unknown time zone" },
  BKP2023: { severity: "error", title: "script timeout out of range" },
  BKP2024: { severity: "error", title: "hourly schedule needs an enhanced policy" },
  BKP2025: { severity: "error", title: "disk or VM larger than Azure allows" },
  BKP2026: { severity: "error", title: "too many data disks" },
  BKP2027: { severity: "error", title: "too many VMs in a vault" },
  BKP2028: { severity: "error", title: "a VM needs exactly one os disk" },
  BKP2029: { severity: "warning", title: "more recovery points than Azure keeps" },
  BKP2030: { severity: "error", title: "several assume blocks" },
  BKP2031: { severity: "error", title: "invalid day of month" },
  BKP2032: { severity: "error", title: "archive needs monthly or yearly retention" },
  BKP2033: { severity: "error", title: "invalid price book" },
  BKP2035: { severity: "error", title: "retention day is not a backup day" },
  BKP2036: { severity: "error", title: "unknown attribute value" },
  BKP2037: { severity: "error", title: "time zone Azure cannot take" },
  BKP2038: { severity: "error", title: "policy name Azure does not accept" },
  BKP2039: { severity: "error", title: "invalid instant-restore resource group" },
  BKP2040: { severity: "error", title: "agentless crash-consistent backup needs an enhanced policy" },
  BKP2041: { severity: "error", title: "invalid disk LUN" },
  BKP2042: { severity: "error", title: "premium SSD v2 or ultra disk under a standard policy" },
  BKP2080: { severity: "error", title: "confidential VM under an agentless crash-consistent policy" },
  BKP2081: { severity: "warning", title: "Trusted Launch VM under a standard policy needs recent Azure tools" },
  BKP2082: { severity: "warning", title: "confidential VM outside the regions of the preview" },
  BKP2083: { severity: "warning", title: "confidential VM under a standard policy" },
  BKP2060: { severity: "error", title: "invalid vault location" },
  // Vault security (grammar/reference.md "Vault security")
  BKP2070: { severity: "error", title: "soft-delete retention out of range" },
  BKP2071: { severity: "error", title: "cross-region restore without geo-redundant storage" },
  BKP2072: { severity: "error", title: "invalid resource guard id" },
  BKP2073: { severity: "error", title: "accept-irreversible names nothing irreversible" },
  BKP2074: { severity: "error", title: "vault name Azure does not accept" },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;
