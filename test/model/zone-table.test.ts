// src/model/zone-table.generated.ts is generated from windows-iana; these tests keep it fresh and
// check it answers every zone name exactly as the package's own tables do.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import { IANA_ALIAS_MAP, WINDOWS_TO_IANA_MAP } from "windows-iana";
import { resolveZone, windowsZoneFor } from "../../src/model/time-zones.js";
import { zoneTableSource } from "../../scripts/zone-table.js";
import { ROOT } from "../helpers.js";

/** The lookups as bkp made them from the package's tables before they were generated. */
function fromPackage(name: string): { ok: boolean; iana?: string; windows?: string } {
  if (name === "UTC" || name === "Etc/UTC") return { ok: true, iana: "UTC", windows: "UTC" };
  const primary = new Map<string, string>();
  const windowsOf = new Map<string, string>();
  for (const e of WINDOWS_TO_IANA_MAP) {
    if (e.territory === "001") primary.set(e.windowsName, e.iana[0]);
    for (const z of e.iana) if (!windowsOf.has(z)) windowsOf.set(z, e.windowsName);
  }
  const iana = primary.get(name);
  if (iana) return { ok: true, iana, windows: name };
  const names = new Set(IANA_ALIAS_MAP.flatMap((e) => e.alias as readonly string[]));
  if (!names.has(name) && !IANAZone.isValidZone(name)) return { ok: false };
  let windows = windowsOf.get(name);
  if (!windows) {
    const entry = IANA_ALIAS_MAP.find((e) => (e.alias as readonly string[]).includes(name));
    for (const alias of entry?.alias ?? []) if ((windows = windowsOf.get(alias))) break;
  }
  return { ok: true, iana: name, windows };
}

describe("time zone tables", () => {
  it("the checked-in table is a fresh generation (run `npm run zone-table` after updating windows-iana)", () => {
    expect(readFileSync(join(ROOT, "src/model/zone-table.generated.ts"), "utf8")).toBe(zoneTableSource());
  });

  it("resolve every Windows and IANA name (and a few that are neither) as the package's tables do", () => {
    const names = new Set<string>(["Tokyo Standard Time", "Asia/Kolkata", "Asia/Calcutta", "America/Montreal", "Etc/UTC", "Mars/Olympus"]);
    for (const e of WINDOWS_TO_IANA_MAP) {
      names.add(e.windowsName);
      for (const z of e.iana) names.add(z);
    }
    for (const e of IANA_ALIAS_MAP) for (const a of e.alias) names.add(a);
    expect(names.size).toBeGreaterThan(500);
    for (const name of names) {
      const want = fromPackage(name);
      const got = resolveZone(name);
      expect(got, name).toEqual(want.ok ? { ok: true, iana: want.iana, windows: want.windows } : { ok: false });
    }
    expect(windowsZoneFor("Asia/Kolkata")).toBe("India Standard Time");
    expect(resolveZone("Tokyo Standard Time")).toEqual({ ok: true, iana: "Asia/Tokyo", windows: "Tokyo Standard Time" });
  });

  it("reads zone names in any case, as Azure and the tz database do, and resolves them to the canonical spelling", () => {
    expect(resolveZone("tokyo standard time")).toEqual({ ok: true, iana: "Asia/Tokyo", windows: "Tokyo Standard Time" });
    expect(resolveZone("Europe/paris")).toEqual({ ok: true, iana: "Europe/Paris", windows: "Romance Standard Time" });
    expect(resolveZone("utc")).toEqual({ ok: true, iana: "UTC", windows: "UTC" });
  });
});
