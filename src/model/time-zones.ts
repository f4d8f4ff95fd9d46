// Time zones: IANA names as they are; Windows names (what the Azure API takes, DOMAIN §7)
// resolved through CLDR's windowsZones table as packaged by `windows-iana` (its territory
// "001" row is the zone CLDR names as the primary one for a Windows zone). The two lookups are
// generated from the package into zone-table.generated.ts (`npm run zone-table`): its own
// tables cost every `bkp check` ~5 ms to compile. Checking against the tables rather than ICU
// also avoids initialising ICU, which costs ~10 ms at startup.
import { IANAZone } from "luxon";
import { closest } from "../lang/suggest.js";
import { IANA_WINDOWS, WINDOWS_PRIMARY } from "./zone-table.generated.js";

export type ZoneResolution = { ok: true; iana: string; windows?: string } | { ok: false };

let primary: Map<string, string> | undefined;
let windowsOf: Map<string, string> | undefined;

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

export function resolveZone(name: string): ZoneResolution {
  if (name === "UTC" || name === "Etc/UTC") return { ok: true, iana: "UTC", windows: "UTC" };
  // ICU's zone lookup takes time quadratic in the length of the name: a 1 MiB string took minutes.
  if (name.length > MAX_ZONE_NAME) return { ok: false };
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

/** The zone name (Windows or IANA) closest to a mistyped one, for "did you mean". */
export function closestZone(name: string): string | undefined {
  if (name.length > MAX_ZONE_NAME) return undefined;
  const t = tables();
  return closest(name, [...t.primary.keys(), ...t.windowsOf.keys()]);
}
