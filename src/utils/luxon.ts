// luxon as bkp uses it: every DateTime formats in en-US, so output never depends on the machine's
// locale, and luxon never asks Intl for the system locale — ICU's start-up, 30–150 ms on this
// project's machine, which an unchanged re-run of `bkp backup` (a stat and a small commit) would
// otherwise pay on every run. Zones stay explicit at every call site.
import { Settings } from "luxon";

Settings.defaultLocale = "en-US";

export { DateTime, FixedOffsetZone, IANAZone, Settings } from "luxon";
export type { Zone } from "luxon";
