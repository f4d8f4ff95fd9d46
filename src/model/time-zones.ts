// Time zones: IANA names as they are; Windows names (what the Azure API takes, DOMAIN §7)
// resolved through CLDR's windowsZones table as packaged by `windows-iana` (its territory
// "001" row is the zone CLDR names as the primary one for a Windows zone). The two lookups are
// generated from the package into zone-table.generated.ts (`npm run zone-table`): its own
// tables cost every `bkp check` ~5 ms to compile. Checking against the tables rather than ICU
// also avoids initialising ICU, which costs ~10 ms at startup.
import { IANAZone } from "../utils/luxon.js";
import { closest } from "../lang/suggest.js";
import { IANA_WINDOWS, WINDOWS_PRIMARY } from "./zone-table.generated.js";

export type ZoneResolution = { ok: true; iana: string; windows?: string } | { ok: false };

let primary: Map<string, string> | undefined;
let windowsOf: Map<string, string> | undefined;
/** Lower-cased Windows and IANA names -> their canonical spelling ("europe/paris" -> "Europe/Paris"). */
let canonical: Map<string, string> | undefined;

function table(lines: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of lines.split("\n")) {
    const eq = line.indexOf("=");
    m.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return m;
}

function tables() {
  primary ??= table(WINDOWS_PRIMARY);
  windowsOf ??= table(IANA_WINDOWS);
  return { primary, windowsOf };
}

/** Longer than any IANA or Windows zone name (the longest are about 32 and 40 characters). */
const MAX_ZONE_NAME = 64;
/** The shape of an IANA name (Area/Location, letters, digits, `_+-`). */
const IANA_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

export function resolveZone(written: string): ZoneResolution {
  // ICU's zone lookup takes time quadratic in the length of the name: a 1 MiB string took minutes.
  if (written.length > MAX_ZONE_NAME) return { ok: false };
  // Zone names are case-insensitive in the tz database and in Windows ("utc", "Europe/paris"):
  // resolve to the canonical spelling, which is what Azure and Terraform are given.
  const name = canonicalZoneName(written);
  if (name === "UTC" || name === "Etc/UTC") return { ok: true, iana: "UTC", windows: "UTC" };
  const t = tables();
  const iana = t.primary.get(name);
  if (iana) return { ok: true, iana, windows: name };
  if (t.windowsOf.has(name) || (IANA_SHAPE.test(name) && IANAZone.isValidZone(name))) return { ok: true, iana: name, windows: windowsZoneFor(name) };
  return { ok: false };
}

/** The Windows name Azure expects for an IANA zone, if there is one. */
export function windowsZoneFor(iana: string): string | undefined {
  if (iana === "UTC") return "UTC";
  return tables().windowsOf.get(iana) || undefined;
}

/** Every zone name the checker accepts from its tables: Windows names, then IANA names (for completion). */
export function zoneNames(): { windows: string[]; iana: string[] } {
  const t = tables();
  return { windows: [...t.primary.keys()], iana: ["UTC", ...[...t.windowsOf.keys()].filter((n) => n !== "UTC")] };
}

/** The canonical spelling of a zone name written in any case; the name itself when unknown. */
export function canonicalZoneName(name: string): string {
  const t = tables();
  if (t.primary.has(name) || t.windowsOf.has(name) || name === "UTC") return name;
  if (!canonical) {
    canonical = new Map([["utc", "UTC"], ["etc/utc", "Etc/UTC"]]);
    for (const k of [...t.primary.keys(), ...t.windowsOf.keys()]) if (k) canonical.set(k.toLowerCase(), k);
  }
  return canonical.get(name.toLowerCase()) ?? name;
}

/** The zone name (Windows or IANA) closest to a mistyped one, for "did you mean". */
export function closestZone(name: string): string | undefined {
  if (name.length > MAX_ZONE_NAME) return undefined;
  const t = tables();
  return closest(name, [...t.primary.keys(), ...t.windowsOf.keys()]);
}
