// Ordinal string comparison for sorting codes, names and paths.
// `localeCompare` would make the first comparison initialise ICU's collator (~6 ms of a CLI
// start-up that is a benchmark target), and its order changes with the machine's locale;
// output order must be the same everywhere.

/** Compares by UTF-16 code units: "BKP2001" < "BKP2010" < "a" < "b". */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
