// Invalid policies, each with the diagnostic it must produce and where. The base set below is
// valid; each case changes one thing, the way users get things wrong.
export const BASE = `vault "prod" {
  path "../vault/prod"
  redundancy GRS
}

policy "daily" {
  schedule daily at 02:30
  timezone "Asia/Tokyo"
  instant-restore 2 days
  retain daily 30 days
  retain weekly 12 weeks on Sun
}

vm "app" {
  os linux
  policy "daily"
  vault "prod"
  disk "os" { role os size 64 GB used 20 GB churn 2% per day }
}
`;

export interface InvalidCase {
  name: string;
  /** [search, replace] applied to BASE, or a whole text. */
  edit: [string, string] | string;
  code: string;
  line: number;
  column: number;
  /** A fragment the message must contain. */
  message?: string;
  hint?: string;
}

export const CASES: InvalidCase[] = [
  // ---- syntax
  { name: "misspelt attribute", edit: ["schedule daily", "scedule daily"], code: "BKP1002", line: 7, column: 3, hint: "did you mean 'schedule'?" },
  { name: "misspelt block", edit: ['vault "prod" {', 'vaullt "prod" {'], code: "BKP1007", line: 1, column: 1, hint: "did you mean 'vault'?" },
  { name: "unterminated string", edit: ['timezone "Asia/Tokyo"', 'timezone "Asia/Tokyo'], code: "BKP1003", line: 8, column: 12 },
  { name: "missing closing brace", edit: ["  redundancy GRS\n}", "  redundancy GRS\n"], code: "BKP1004", line: 3, column: 17, message: "missing '}' to close vault \"prod\"" },
  { name: "missing at in schedule", edit: ["daily at 02:30", "daily 02:30"], code: "BKP1001", line: 7, column: 18, message: "expected 'at'" },
  { name: "stray character", edit: ["  os linux", "  os linux;"], code: "BKP1005", line: 15, column: 11 },
  { name: "invalid escape", edit: ['path "../vault/prod"', 'path "..\\vault\\prod"'], code: "BKP1006", line: 2, column: 11 },
  { name: "hour out of range", edit: ["at 02:30", "at 25:30"], code: "BKP1008", line: 7, column: 21 },
  { name: "not a calendar date", edit: ['  vault "prod"\n  disk', '  vault "prod"\n  protected-since 2026-02-30\n  disk'], code: "BKP1008", line: 18, column: 19 },
  { name: "name not quoted", edit: ['policy "daily"\n  vault', "policy daily\n  vault"], code: "BKP1001", line: 16, column: 10, message: "expected a quoted string after 'policy', found 'daily'" },
  { name: "attribute of another block", edit: ["  os linux", "  os linux\n  retain daily 7 days"], code: "BKP1002", line: 16, column: 3, message: "'retain' is not allowed in a vm block" },
  { name: "missing value", edit: ["redundancy GRS", "redundancy"], code: "BKP1001", line: 3, column: 13, message: "expected a redundancy (LRS, ZRS, GRS, RA-GRS) after 'redundancy', found '}'" },
  { name: "unknown redundancy", edit: ["redundancy GRS", "redundancy GZRS"], code: "BKP1001", line: 3, column: 14, hint: "did you mean 'ZRS'?" },
  { name: "stray closing brace at top", edit: ["}\n\npolicy", "}\n}\n\npolicy"], code: "BKP1001", line: 5, column: 1, message: "at the top level" },
  { name: "malformed churn", edit: ["churn 2% per day", "churn per day"], code: "BKP1001", line: 18, column: 51, message: "expected a number after 'churn', found 'per'" },
  { name: "weekday typo", edit: ["on Sun", "on Sunn"], code: "BKP1001", line: 11, column: 29, message: "expected a weekday", hint: "did you mean 'Sun'?" },
  // ---- units
  { name: "used with a duration", edit: ["used 20 GB", "used 20 s"], code: "BKP2003", line: 18, column: 42, message: "used takes a size" },
  { name: "size without unit", edit: ["size 64 GB", "size 64"], code: "BKP2004", line: 18, column: 28 },
  { name: "instant-restore in hours", edit: ["instant-restore 2 days", "instant-restore 48 hours"], code: "BKP2003", line: 9, column: 22 },
  { name: "retain daily in weeks", edit: ["retain daily 30 days", "retain daily 4 weeks"], code: "BKP2003", line: 10, column: 18 },
  { name: "churn as a rate", edit: ["churn 2% per day", "churn 2 MB/s per day"], code: "BKP2003", line: 18, column: 53 },
  // ---- meaning
  { name: "used larger than size", edit: ["used 20 GB", "used 80 GB"], code: "BKP2005", line: 18, column: 39 },
  { name: "undefined policy with suggestion", edit: ['  policy "daily"\n  vault', '  policy "dayly"\n  vault'], code: "BKP2002", line: 16, column: 10, hint: 'did you mean "daily"?' },
  { name: "undefined vault", edit: ['  vault "prod"\n  disk', '  vault "backup"\n  disk'], code: "BKP2002", line: 17, column: 9 },
  { name: "duplicate policy", edit: ['vm "app" {', 'policy "daily" {\n  schedule daily at 03:00\n  retain daily 7 days\n}\n\nvm "app" {'], code: "BKP2001", line: 14, column: 8 },
  { name: "duplicate attribute", edit: ['  timezone "Asia/Tokyo"', '  timezone "Asia/Tokyo"\n  timezone "UTC"'], code: "BKP2006", line: 9, column: 3 },
  { name: "daily retention below 7", edit: ["retain daily 30 days", "retain daily 1 days"], code: "BKP2010", line: 10, column: 16, message: "Azure accepts 7 to 9999" },
  { name: "load of 100%", edit: ["}\n\nvm", "}\n\nstorage-account \"sa\" { load 100% }\n\nvm"], code: "BKP2008", line: 14, column: 29, message: "leaves nothing for restores" },
  { name: "yearly retention above 99", edit: ["retain weekly 12 weeks on Sun", "retain weekly 12 weeks on Sun\n  retain yearly 120 years in Jan on first Sun"], code: "BKP2010", line: 12, column: 17 },
  { name: "instant restore 6 days on standard", edit: ["instant-restore 2 days", "instant-restore 6 days"], code: "BKP2011", line: 9, column: 19 },
  { name: "hourly interval 5", edit: ["schedule daily at 02:30", "schedule every 5 hours from 08:00 for 20 hours"], code: "BKP2012", line: 7, column: 18 },
  { name: "hourly window not a multiple", edit: ["schedule daily at 02:30", "schedule every 4 hours from 08:00 for 10 hours"], code: "BKP2013", line: 7, column: 41 },
  { name: "schedule at :15 warns", edit: ["at 02:30", "at 02:15"], code: "BKP2014", line: 7, column: 21 },
  { name: "weekly schedule with daily retention", edit: ["schedule daily at 02:30", "schedule weekly on Sun at 02:30"], code: "BKP2015", line: 10, column: 3 },
  { name: "weekly schedule without weekly retention", edit: ["schedule daily at 02:30\n  timezone \"Asia/Tokyo\"\n  instant-restore 2 days\n  retain daily 30 days\n  retain weekly 12 weeks on Sun", "schedule weekly on Sun at 02:30\n  timezone \"Asia/Tokyo\"\n  instant-restore 5 days\n  retain monthly 12 months on first Sun"], code: "BKP2016", line: 7, column: 3 },
  { name: "daily schedule without daily retention", edit: ["  retain daily 30 days\n", ""], code: "BKP2017", line: 7, column: 3 },
  { name: "weekly schedule with 2 instant-restore days", edit: ["schedule daily at 02:30\n  timezone \"Asia/Tokyo\"\n  instant-restore 2 days\n  retain daily 30 days", "schedule weekly on Sun at 02:30\n  timezone \"Asia/Tokyo\"\n  instant-restore 2 days"], code: "BKP2018", line: 9, column: 19 },
  { name: "vss on linux", edit: ["  os linux", "  os linux\n  vss copy"], code: "BKP2019", line: 16, column: 7 },
  { name: "scripts on windows", edit: ["  os linux", '  os windows\n  scripts { pre "a.sh" }'], code: "BKP2020", line: 16, column: 3 },
  { name: "scripts with agentless-crash", edit: ["  instant-restore 2 days\n  retain daily 30 days\n  retain weekly 12 weeks on Sun\n}\n\nvm \"app\" {\n  os linux", '  instant-restore 2 days\n  consistency agentless-crash\n  retain daily 30 days\n  retain weekly 12 weeks on Sun\n}\n\nvm "app" {\n  os linux\n  scripts { pre "freeze.sh" }'], code: "BKP2021", line: 17, column: 3 },
  { name: "unknown time zone", edit: ['timezone "Asia/Tokyo"', 'timezone "Mars/Olympus"'], code: "BKP2022", line: 8, column: 12 },
  { name: "script timeout over 1800 s", edit: ["  os linux", '  os linux\n  scripts { pre "a.sh" timeout 3600 s }'], code: "BKP2023", line: 16, column: 32 },
  { name: "standard type with hourly schedule", edit: ["schedule daily at 02:30", "schedule every 4 hours from 08:00 for 16 hours\n  type standard"], code: "BKP2024", line: 8, column: 8 },
  { name: "disk over 32 TiB", edit: ["size 64 GB", "size 40 TB"], code: "BKP2025", line: 18, column: 28 },
  { name: "two os disks", edit: ['  disk "os"', '  disk "os2" { role os size 64 GB used 1 GB }\n  disk "os"'], code: "BKP2028", line: 19, column: 20 },
  { name: "day of month 32", edit: ["retain weekly 12 weeks on Sun", "retain monthly 12 months on day 32"], code: "BKP2031", line: 11, column: 35 },
  { name: "archive too early", edit: ["retain weekly 12 weeks on Sun", "retain monthly 12 months on first Sun\n  archive after 1 months"], code: "BKP2032", line: 12, column: 17 },
  { name: "retention day not scheduled", edit: ["schedule daily at 02:30\n  timezone \"Asia/Tokyo\"\n  instant-restore 2 days\n  retain daily 30 days\n  retain weekly 12 weeks on Sun", "schedule weekly on Sat at 02:30\n  timezone \"Asia/Tokyo\"\n  instant-restore 5 days\n  retain weekly 12 weeks on Sun"], code: "BKP2035", line: 10, column: 29 },
  { name: "vm without os", edit: ["  os linux\n", ""], code: "BKP2007", line: 14, column: 4 },
  { name: "percent over 100", edit: ["churn 2% per day", "churn 150% per day"], code: "BKP2008", line: 18, column: 51 },
  { name: "pricing reference missing", edit: ["  redundancy GRS", '  redundancy GRS\n  pricing "ea"'], code: "BKP2002", line: 4, column: 11 },
];
