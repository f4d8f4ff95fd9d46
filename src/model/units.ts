// Exact unit conversion (LANGUAGE.md "Lexical rules"): decimal and binary sizes keep their
// exact meaning; nothing here is a float.
import Decimal from "decimal.js";
import type { Quantity, UnitKind } from "../lang/ast.js";

const SIZE: Record<string, Decimal> = {
  B: new Decimal(1),
  KB: new Decimal(1e3),
  MB: new Decimal(1e6),
  GB: new Decimal(1e9),
  TB: new Decimal(1e12),
  PB: new Decimal(1e15),
  KiB: new Decimal(2).pow(10),
  MiB: new Decimal(2).pow(20),
  GiB: new Decimal(2).pow(30),
  TiB: new Decimal(2).pow(40),
  PiB: new Decimal(2).pow(50),
};

/** Seconds per fixed-length duration unit; months and years are calendar units. */
const SECONDS: Record<string, Decimal> = {
  s: new Decimal(1),
  min: new Decimal(60),
  h: new Decimal(3600),
  day: new Decimal(86400),
  week: new Decimal(604800),
};

export function sizeBytes(unitName: string): Decimal | undefined {
  return SIZE[unitName];
}

// Policy sets repeat the same sizes thousands of times (128 GB); Decimals are immutable, so
// equal quantities share one (bounded, for long sessions).
const bytesOf = new Map<string, Map<string, Decimal>>();
export function toBytes(q: Quantity): Decimal {
  const unit = q.unit!.name;
  let byNumber = bytesOf.get(unit);
  if (!byNumber) bytesOf.set(unit, (byNumber = new Map()));
  let b = byNumber.get(q.number.text);
  if (!b) {
    b = q.number.value.mul(SIZE[unit]);
    if (byNumber.size < 4096) byNumber.set(q.number.text, b);
  }
  return b;
}

/** Seconds for s/min/h/day/week; undefined for calendar units. */
export function toSeconds(q: Quantity): Decimal | undefined {
  const f = SECONDS[q.unit!.name];
  return f ? q.number.value.mul(f) : undefined;
}

export function toBytesPerSecond(q: Quantity): Decimal {
  return q.number.value.mul(SIZE[q.unit!.name.replace("/s", "")]);
}

export const UNIT_EXAMPLES: Record<UnitKind, string> = {
  size: "GB, TB, GiB, …",
  duration: "s, min, hours, days, …",
  rate: "MB/s, GB/s, …",
  percent: "%",
};

export const UNIT_NOUN: Record<UnitKind, string> = {
  size: "a size",
  duration: "a duration",
  rate: "a rate",
  percent: "a percentage",
};
