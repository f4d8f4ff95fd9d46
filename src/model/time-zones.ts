// Time zones: IANA names as they are; Windows names (what the Azure API takes, DOMAIN §7)
// resolved through CLDR's windowsZones table as packaged by `windows-iana` (its territory
// "001" row is the zone CLDR names as the primary one for a Windows zone).
// Checking against the packaged tables avoids initialising ICU, which costs ~10 ms at startup.
import { IANAZone } from "luxon";
import { IANA_ALIAS_MAP, WINDOWS_TO_IANA_MAP } from "windows-iana";

export type ZoneResolution = { ok: true; iana: string; windows?: string } | { ok: false };

let ianaNames: Set<string> | undefined;
let primary: Map<string, string> | undefined;
let windowsOf: Map<string, string> | undefined;

function tables() {
  if (!ianaNames || !primary || !windowsOf) {
    ianaNames = new Set(IANA_ALIAS_MAP.flatMap((e) => e.alias));
    primary = new Map();
    windowsOf = new Map();
    for (const e of WINDOWS_TO_IANA_MAP) {
      if (e.territory === "001") primary.set(e.windowsName, e.iana[0]);
      for (const z of e.iana) if (!windowsOf.has(z)) windowsOf.set(z, e.windowsName);
    }
  }
  return { ianaNames, primary, windowsOf };
}

export function resolveZone(name: string): ZoneResolution {
  if (name === "UTC" || name === "Etc/UTC") return { ok: true, iana: "UTC", windows: "UTC" };
  const t = tables();
  const iana = t.primary.get(name);
  if (iana) return { ok: true, iana, windows: name };
  if (t.ianaNames.has(name) || IANAZone.isValidZone(name)) return { ok: true, iana: name, windows: windowsZoneFor(name) };
  return { ok: false };
}

/** The Windows name Azure expects for an IANA zone, if there is one. */
export function windowsZoneFor(iana: string): string | undefined {
  if (iana === "UTC") return "UTC";
  const t = tables();
  const direct = t.windowsOf.get(iana);
  if (direct) return direct;
  // Try the zone's other names (Asia/Kolkata is listed as Asia/Calcutta).
  const entry = IANA_ALIAS_MAP.find((e) => (e.alias as readonly string[]).includes(iana));
  for (const alias of entry?.alias ?? []) {
    const w = t.windowsOf.get(alias);
    if (w) return w;
  }
  return undefined;
}
