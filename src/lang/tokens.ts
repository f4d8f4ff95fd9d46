// Tokens of the .bkp language (LANGUAGE.md "Lexical rules").
//
// The lexer (lexer.ts) matches every bare word with one `Word` pattern and then retypes it
// through a keyword table. That keeps the lexer to a handful of regexes however many
// keywords the language grows, and lets an unknown word reach the parser as an `Identifier`
// so it can be reported with a "did you mean" hint instead of a lexer error.
import { createToken as chevrotainToken, Lexer, type ITokenConfig, type TokenType } from "chevrotain";

// Chevrotain's createToken re-derives every category's member list on each call (quadratic in
// the ~170 tokens here: ~12 ms of a CLI start-up that is a benchmark target). Tokens are created
// without categories and linked once, below, in the shape Chevrotain's own augmentation gives
// (categoryMatchesMap / categoryMatches / isParent); the parser's constructor re-derives the
// same shape from CATEGORIES, which the grammar test with BKP_VALIDATE_GRAMMAR=1 exercises.
const categoriesOf = new Map<TokenType, TokenType[]>();
function createToken(config: ITokenConfig): TokenType {
  const { categories, ...rest } = config;
  const t = chevrotainToken(rest);
  if (categories) categoriesOf.set(t, Array.isArray(categories) ? categories : [categories]);
  return t;
}

/** Every token the parser can see belongs to this category (used to skip junk after errors). */
export const AnyToken = createToken({ name: "AnyToken", pattern: Lexer.NA });
/** Every bare word (keyword or identifier). */
export const AnyWord = createToken({ name: "AnyWord", pattern: Lexer.NA, categories: [AnyToken] });

export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/ });

export const StringLit = createToken({
  name: "StringLit",
  pattern: /"(?:[^"\\\n\r]|\\.)*"/,
  categories: [AnyToken],
  label: "a quoted string",
});
/** A string whose closing quote is missing: lexed so the parser can report it precisely. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\n\r]|\\.)*/,
  categories: [AnyToken],
  label: "an unterminated string",
});
export const DateTimeLit = createToken({ name: "DateTimeLit", pattern: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, categories: [AnyToken], label: "a date and time (2026-11-20T02:15)" });
export const DateLit = createToken({ name: "DateLit", pattern: /\d{4}-\d{2}-\d{2}/, categories: [AnyToken], label: "a date (2026-11-20)" });
export const TimeLit = createToken({ name: "TimeLit", pattern: /\d{1,2}:\d{2}/, categories: [AnyToken], label: "a time of day (02:30)" });
export const NumberLit = createToken({ name: "NumberLit", pattern: /\d+(?:\.\d+)?/, categories: [AnyToken], label: "a number" });
export const Percent = createToken({ name: "Percent", pattern: "%", categories: [AnyToken], label: "'%'" });
export const LCurly = createToken({ name: "LCurly", pattern: "{", categories: [AnyToken], label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: "}", categories: [AnyToken], label: "'}'" });
export const Comma = createToken({ name: "Comma", pattern: ",", categories: [AnyToken], label: "','" });
/** A rate unit: a size unit per second, e.g. `MB/s`, `GiB/s`. */
export const RateUnit = createToken({
  name: "RateUnit",
  pattern: /(?:[KMGTP]i?B|B)\/s(?![A-Za-z0-9_-])/,
  categories: [AnyToken],
  label: "a rate unit (MB/s)",
});
export const Word = createToken({ name: "Word", pattern: /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/, categories: [AnyWord, AnyToken] });
/** A word that is not a keyword (e.g. a currency code); unknown keywords arrive as this. */
export const Identifier = createToken({ name: "Identifier", pattern: Lexer.NA, categories: [AnyWord, AnyToken], label: "a word" });
/** Anything else: reported as an unexpected character. */
export const Unknown = createToken({ name: "Unknown", pattern: /[^\s]/, categories: [AnyToken], label: "an unexpected character" });

// --- Categories of keyword values -------------------------------------------------------
export const SizeUnit = createToken({ name: "SizeUnit", pattern: Lexer.NA, label: "a size unit (GB, GiB, …)" });
export const DurationUnit = createToken({ name: "DurationUnit", pattern: Lexer.NA, label: "a duration unit (s, min, hours, days, …)" });
export const Weekday = createToken({ name: "Weekday", pattern: Lexer.NA, label: "a weekday (Mon … Sun)" });
export const Month = createToken({ name: "Month", pattern: Lexer.NA, label: "a month (Jan … Dec)" });
export const Ordinal = createToken({ name: "Ordinal", pattern: Lexer.NA, label: "an ordinal (first … fourth, last)" });
export const Bool = createToken({ name: "Bool", pattern: Lexer.NA, label: "true or false" });
export const Redundancy = createToken({ name: "Redundancy", pattern: Lexer.NA, label: "a redundancy (LRS, ZRS, GRS, RA-GRS)" });

const keywordTypes = new Map<string, TokenType>();
/** Each keyword's spelling as one shared string, so tokens and AST values don't each hold a copy. */
const keywordImages = new Map<string, string>();
/** All keyword token types, for the parser's vocabulary. */
export const keywordTokens: TokenType[] = [];

function kw(image: string, extraCategories: TokenType[] = []): TokenType {
  const name = "Kw_" + image.replace(/[^A-Za-z0-9]/g, "_");
  const t = createToken({
    name,
    pattern: Lexer.NA,
    categories: [AnyWord, AnyToken, ...extraCategories],
    label: `'${image}'`,
  });
  keywordTypes.set(image, t);
  keywordImages.set(image, image);
  keywordTokens.push(t);
  return t;
}
/** One token type that several spellings map to (units, weekdays, months). */
function kwGroup(name: string, images: string[], categories: TokenType[]): TokenType {
  const t = createToken({ name, pattern: Lexer.NA, categories: [AnyWord, AnyToken, ...categories], label: `'${images[0]}'` });
  for (const image of images) keywordTypes.set(image, t), keywordImages.set(image, image);
  keywordTokens.push(t);
  return t;
}

// Block keywords
export const Vault = kw("vault");
export const Policy = kw("policy");
export const Vm = kw("vm");
export const StorageAccount = kw("storage-account");
export const Restore = kw("restore");
export const Assume = kw("assume");
export const Pricing = kw("pricing");
export const Disk = kw("disk");
export const Scripts = kw("scripts");

// Attribute keywords
export const Path = kw("path");
export const RedundancyKw = kw("redundancy");
export const Encryption = kw("encryption");
export const PlatformKey = kw("platform-key");
export const CustomerKey = kw("customer-key");
export const Region = kw("region");
export const Blob = kw("blob");
export const Schedule = kw("schedule");
export const Daily = kw("daily");
export const Weekly = kw("weekly");
export const Monthly = kw("monthly");
export const Yearly = kw("yearly");
export const Every = kw("every");
export const At = kw("at");
export const On = kw("on");
export const In = kw("in");
export const From = kw("from");
export const For = kw("for");
export const To = kw("to");
export const Per = kw("per");
export const After = kw("after");
export const Timezone = kw("timezone");
export const InstantRestore = kw("instant-restore");
export const Consistency = kw("consistency");
export const Application = kw("application");
export const FileSystem = kw("file-system");
export const Crash = kw("crash");
export const AgentlessCrash = kw("agentless-crash");
export const Vss = kw("vss");
export const Full = kw("full");
export const Copy = kw("copy");
export const Retain = kw("retain");
export const Archive = kw("archive");
export const Recommended = kw("recommended");
export const Never = kw("never");
export const Security = kw("security");
export const TrustedLaunch = kw("trusted-launch");
export const Confidential = kw("confidential");
export const InstantRestoreResourceGroup = kw("instant-restore-resource-group");
export const Suffix = kw("suffix");
export const Type = kw("type");
export const Standard = kw("standard");
export const Enhanced = kw("enhanced");
export const Os = kw("os");
export const Windows = kw("windows");
export const Linux = kw("linux");
export const State = kw("state");
export const Running = kw("running");
export const Stopped = kw("stopped");
export const Provisioning = kw("provisioning");
export const Succeeded = kw("succeeded");
export const Failed = kw("failed");
export const Unavailable = kw("unavailable");
export const Creating = kw("creating");
export const Deleting = kw("deleting");
export const ProtectedSince = kw("protected-since");
export const Protection = kw("protection");
export const Active = kw("active");
export const RetainData = kw("retain-data");
export const DeleteData = kw("delete-data");
export const Ade = kw("ade");
export const Bek = kw("bek");
export const Kek = kw("kek");
export const Role = kw("role");
export const Data = kw("data");
export const Temp = kw("temp");
export const Size = kw("size");
export const Used = kw("used");
export const Churn = kw("churn");
export const Pattern = kw("pattern");
export const Sequential = kw("sequential");
export const Scattered = kw("scattered");
export const Added = kw("added");
export const Tier = kw("tier");
export const Premium = kw("premium");
export const PremiumV2 = kw("premium-v2");
export const Ultra = kw("ultra");
export const Free = kw("free");
export const Image = kw("image");
export const Exclude = kw("exclude");
export const Lun = kw("lun");
export const Pre = kw("pre");
export const Post = kw("post");
export const Args = kw("args");
export const Timeout = kw("timeout");
export const Retries = kw("retries");
export const ContinueOnFailure = kw("continue-on-failure");
export const Fsfreeze = kw("fsfreeze");
export const Kind = kw("kind");
export const GeneralPurposeV2 = kw("general-purpose-v2");
export const Iops = kw("iops");
export const Throughput = kw("throughput");
export const Load = kw("load");
export const Vms = kw("vms");
export const All = kw("all");
export const Point = kw("point");
export const Latest = kw("latest");
export const Instant = kw("instant");
export const Into = kw("into");
export const Spread = kw("spread");
export const OneVmPerAccount = kw("one-vm-per-account");
export const Max = kw("max");
export const Disks = kw("disks");
export const Account = kw("account");
export const ResourceGroup = kw("resource-group");
export const TransferRate = kw("transfer-rate");
export const ChecksumRate = kw("checksum-rate");
export const PeakHours = kw("peak-hours");
export const PeakLag = kw("peak-lag");
export const Prepare = kw("prepare");
export const Horizon = kw("horizon");
export const Fragmentation = kw("fragmentation");
export const Calibrate = kw("calibrate");
export const Congestion = kw("congestion");
export const RestoreIoSize = kw("restore-io-size");
export const AgentlessPi = kw("agentless-pi");
export const FromVault = kw("from-vault");
export const Currency = kw("currency");
export const Unit = kw("unit");
export const Instance = kw("instance");
export const UpTo = kw("up-to");
export const Storage = kw("storage");
export const Snapshot = kw("snapshot");
export const GbMonth = kw("GB-month");
// Vault security (grammar/reference.md "Vault security")
export const SoftDelete = kw("soft-delete");
export const Off = kw("off");
export const AlwaysOn = kw("always-on");
export const Immutability = kw("immutability");
export const Disabled = kw("disabled");
export const Unlocked = kw("unlocked");
export const Locked = kw("locked");
export const CrossRegionRestore = kw("cross-region-restore");
export const CrossSubscriptionRestore = kw("cross-subscription-restore");
export const Enabled = kw("enabled");
export const PermanentlyDisabled = kw("permanently-disabled");
export const ResourceGuard = kw("resource-guard");
export const AcceptIrreversible = kw("accept-irreversible");
export const True = kw("true", [Bool]);
export const FalseKw = kw("false", [Bool]);

export const RedundancyLrs = kw("LRS", [Redundancy]);
export const RedundancyZrs = kw("ZRS", [Redundancy]);
export const RedundancyGrs = kw("GRS", [Redundancy]);
export const RedundancyRaGrs = kw("RA-GRS", [Redundancy]);

// `day` is a duration unit but also introduces the day-of-month form (`on day 1, 15, last`).
export const Day = kw("day", [DurationUnit]);
export const Last = kw("last", [Ordinal]);

for (const u of ["B", "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "PiB"]) kwGroup("Size_" + u, [u], [SizeUnit]);
kwGroup("Dur_s", ["s", "sec", "seconds"], [DurationUnit]);
kwGroup("Dur_min", ["min", "mins", "minute", "minutes"], [DurationUnit]);
kwGroup("Dur_h", ["h", "hour", "hours"], [DurationUnit]);
kwGroup("Dur_days", ["days"], [DurationUnit]);
kwGroup("Dur_w", ["week", "weeks"], [DurationUnit]);
kwGroup("Dur_mo", ["month", "months"], [DurationUnit]);
kwGroup("Dur_y", ["year", "years"], [DurationUnit]);

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
const WEEKDAY_FULL = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
WEEKDAYS.forEach((d, i) => kwGroup("Wd_" + d, [d, WEEKDAY_FULL[i]], [Weekday]));
export const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
const MONTH_FULL = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
MONTHS.forEach((m, i) => kwGroup("Mo_" + m, m === "May" ? [m] : [m, MONTH_FULL[i]], [Month]));
// `second` is both an ordinal (`on second Sun`) and a duration unit (`timeout 1 second`).
for (const o of ["first", "second", "third", "fourth"]) kwGroup("Ord_" + o, [o], o === "second" ? [Ordinal, DurationUnit] : [Ordinal]);

/** The token type for a bare word: its keyword, or Identifier. */
export function wordType(image: string): TokenType {
  return keywordTypes.get(image) ?? Identifier;
}

/** The shared string of a keyword spelling, or undefined for a word that is no keyword. */
export function keywordImage(image: string): string | undefined {
  return keywordImages.get(image);
}

/** Every keyword spelling (for "did you mean" and the editor grammar). */
/** Every spelling of a size, duration or rate unit. */
export function unitSpellings(): string[] {
  return [...keywordTypes].filter(([, t]) => [SizeUnit, DurationUnit, RateUnit].some((c) => c.categoryMatchesMap?.[t.tokenTypeIdx!])).map(([image]) => image);
}

export function keywordSpellings(): string[] {
  return [...keywordTypes.keys()];
}

/** Sets each token's CATEGORIES and each category's members, transitively (once, for all tokens). */
function linkCategories(): void {
  for (const [t, cats] of categoriesOf) t.CATEGORIES = cats;
  const visit = (member: TokenType, category: TokenType): void => {
    category.categoryMatchesMap![member.tokenTypeIdx!] = true;
    for (const parent of category.CATEGORIES ?? []) visit(member, parent);
  };
  for (const [t, cats] of categoriesOf) for (const c of cats) visit(t, c);
  for (const t of new Set([...categoriesOf.keys(), ...[...categoriesOf.values()].flat()])) {
    t.categoryMatches = Object.keys(t.categoryMatchesMap!).map(Number);
    t.isParent = t.categoryMatches.length > 0;
  }
}
linkCategories();

/** The parser's vocabulary. */
export const allTokens: TokenType[] = [
  AnyToken,
  AnyWord,
  Comment,
  StringLit,
  UnterminatedString,
  DateTimeLit,
  DateLit,
  TimeLit,
  NumberLit,
  Percent,
  LCurly,
  RCurly,
  Comma,
  RateUnit,
  Word,
  Unknown,
  Identifier,
  SizeUnit,
  DurationUnit,
  Weekday,
  Month,
  Ordinal,
  Bool,
  Redundancy,
  ...keywordTokens,
];
