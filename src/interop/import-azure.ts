// `bkp import azure`: Azure VM backup policy JSON -> formatted .bkp text.
//
// Every field is either mapped to a .bkp line, knowingly ignored (read-only metadata such as
// `id` or `protectedItemsCount`, listed in docs/azure-interop.md), reported as a warning
// when Azure itself ignores it, or reported as a located error: nothing is dropped silently.
// Values Azure would reject but the language can say (a daily retention of 1 day, an hourly
// window that is not a multiple of the interval, …) are imported as they are, so that
// `bkp check` reports them; each generated line carries a `# azure: <json path>` comment,
// which the checker's diagnostics quote (origin-comments.ts).
import { basename } from "node:path";
import type { Diagnostic, Range, Severity } from "../lang/diagnostics.js";
import { sortDiagnostics } from "../lang/diagnostics.js";
import { format } from "../lang/format.js";
import { parseFile } from "../lang/index.js";
import { quote } from "../lang/build-ast.js";
import { closest } from "../lang/suggest.js";
import {
  BKP_MONTH, BKP_ORDINAL, BKP_WEEKDAY, DAY_OF_WEEK, DURATION_UNIT, MONTH_OF_YEAR, RESOURCE_TYPE, WEEK_OF_MONTH, type DurationType,
} from "./azure-json.js";
import { INTEROP_CODES, type InteropCode } from "./codes.js";
import { armParameterValues, armPolicies, isArmTemplate } from "./arm-template.js";
import { isVaultDocument, vaultDrafts } from "./import-vault.js";
import { fromPowerShell, isPowerShellPolicy } from "./powershell-policy.js";
import { joinPath, member, parseJson, type JsonEntry, type JsonNode, type JsonObject } from "./json-locate.js";
import { ORIGIN_PREFIX } from "../lang/origin-comments.js";

export interface ImportInput {
  /** The path as the user wrote it: diagnostics and comments show it. */
  path: string;
  text: string;
}

export interface ImportedPolicy {
  name: string;
  /** JSON file and path of the policy object. */
  file: string;
  path: string;
}

export interface ImportResult {
  /**
   * Formatted .bkp text of every policy that imported; undefined when none did. A policy with
   * an error is left out (its errors say why), the others are written.
   */
  text?: string;
  policies: ImportedPolicy[];
  /** Names of the vaults imported (vault documents, import-vault.ts). */
  vaults: string[];
  /** Located in the JSON files. */
  diagnostics: Diagnostic[];
}

export interface ImportOptions {
  /** The name the .bkp file will have (only used to label parse errors, which would be bkp bugs). */
  outPath?: string;
  /** An ARM parameters file for the templates among the inputs (`--parameters FILE`). */
  parameters?: ImportInput;
}

export interface Line {
  text: string;
  /** JSON path the line came from (the `# azure:` comment); none for notes. */
  path?: string;
  /** A comment-only line (a note about something bkp does not model). */
  note?: boolean;
}

export interface Draft {
  /** The block written: a policy unless said otherwise. */
  block?: "policy" | "vault";
  name: string;
  nameNode?: JsonNode;
  /** The policy object (where a policy named by its file is reported). */
  range: Range;
  file: string;
  path: string;
  lines: Line[];
}

interface Time {
  hour: number;
  minute: number;
  text: string;
}

/** One JSON file being read: where problems are reported. */
export interface Reader {
  file: string;
  diagnostics: Diagnostic[];
  report(code: InteropCode, range: Range, message: string, hint: string, severity?: Severity): void;
}

const IGNORED_RESOURCE_FIELDS = ["id", "type", "location", "tags", "eTag", "etag", "resourceGroup"];
const IGNORED_POLICY_FIELDS = ["protectedItemsCount", "resourceGuardOperationRequests"];

export function importAzure(inputs: ImportInput[], opts: ImportOptions = {}): ImportResult {
  const diagnostics: Diagnostic[] = [];
  const drafts: Draft[] = [];
  const reader = (file: string): Reader => ({
    file,
    diagnostics,
    report(code, range, message, hint, severity) {
      diagnostics.push({ code, severity: severity ?? INTEROP_CODES[code].severity, file, range, message, hint });
    },
  });
  let armValues: Map<string, JsonNode> | undefined;
  if (opts.parameters) {
    const parsed = parseJson(opts.parameters.text);
    const r = reader(opts.parameters.path);
    if (!parsed.ok) r.report("BKP6001", parsed.error.range, `invalid JSON: ${parsed.error.message}`, parsed.error.hint);
    else {
      armValues = armParameterValues(parsed.value);
      if (!armValues) r.report("BKP6002", parsed.value.range, "this is not an ARM parameters file: it has no \"parameters\" object", 'a parameters file is {"parameters": {"name": {"value": …}}}');
    }
  }
  for (const input of inputs) drafts.push(...readFile(reader(input.path), input.text, armValues));

  // Two policies of one name would make a policy set that does not check.
  const byName = new Map<string, Draft>();
  for (const d of drafts) {
    const prev = byName.get(`${d.block ?? "policy"}|${d.name}`);
    if (prev && d.block === "vault") {
      // A vault and its resource guard proxy (or two documents of one vault) make one block.
      prev.lines.push(...d.lines.filter((l) => l.note || !prev.lines.some((p) => !p.note && p.text.split(" ")[0] === l.text.split(" ")[0])));
      continue;
    }
    if (prev) {
      diagnostics.push({
        code: "BKP6008", severity: "error", file: d.file, range: d.nameNode?.range ?? d.range,
        message: `a second policy named "${d.name}" (the first is ${prev.file}:${prev.path || "the document"})`,
        hint: "import the vaults' policies into separate .bkp files, or rename one",
      });
    } else byName.set(`${d.block ?? "policy"}|${d.name}`, d);
  }

  // Partial success: what imported is written; every problem is reported, located.
  const kept = drafts.filter((d) => byName.get(`${d.block ?? "policy"}|${d.name}`) === d);
  const sorted = sortDiagnostics(diagnostics);
  const policies = kept.filter((d) => d.block !== "vault").map((d) => ({ name: d.name, file: d.file, path: d.path }));
  const vaults = kept.filter((d) => d.block === "vault").map((d) => d.name);
  if (!kept.length) return { policies, vaults, diagnostics: sorted, text: undefined };
  return { policies, vaults, diagnostics: sorted, text: render(kept, inputs.map((i) => i.path), opts.outPath ?? "imported.bkp") };
}

// ---- document forms ------------------------------------------------------------------

function readFile(r: Reader, text: string, armValues: Map<string, JsonNode> | undefined): Draft[] {
  const parsed = parseJson(text);
  if (!parsed.ok) {
    r.report("BKP6001", parsed.error.range, `invalid JSON: ${parsed.error.message}`, parsed.error.hint);
    return [];
  }
  const root = parsed.value;
  const base = nameFromFile(basename(r.file).replace(/\.json$/i, ""));
  if (isVaultDocument(root)) return vaultDrafts(r, root, basename(r.file).replace(/\.json$/i, ""));
  if (root.kind === "array") return listItems(r, root.items, "", base);
  if (root.kind !== "object") {
    r.report("BKP6002", root.range, `expected a JSON object or array, found ${describe(root)}`, FORMS_HINT);
    return [];
  }
  const keys = new Set(root.entries.map((e) => e.key.toLowerCase()));
  if (isArmTemplate(root)) {
    return armPolicies(root, armValues, r.report).flatMap((p) => {
      const d = resource(r, p.obj, p.path, base);
      return d ? [d] : [];
    });
  }
  const value = member(root, "value");
  if (value && !keys.has("properties")) {
    checkKnown(r, root, "", ["value", "nextLink"]);
    if (value.value.kind !== "array") {
      wrongType(r, value.value, "value", "an array of policies");
      return [];
    }
    return listItems(r, value.value.items, "value", base);
  }
  const params = member(root, "parameters");
  if (params && !keys.has("properties")) return exampleWrapper(r, root, params, base);
  if (keys.has("properties") || isPowerShellPolicy(root)) {
    const d = resource(r, root, "", base);
    return d ? [d] : [];
  }
  r.report("BKP6002", root.range, "this JSON is not an Azure backup policy: it has no \"properties\", \"value\" or \"parameters\"", FORMS_HINT);
  return [];
}

/**
 * A policy named after its file gets a name Azure accepts (letters, digits, `-`, `_`, `!`;
 * starting with a letter; 3..150 characters): "prod.daily" becomes "prod-daily".
 */
function nameFromFile(base: string): string {
  const name = base.replace(/[^A-Za-z0-9_!-]+/g, "-").replace(/^[^A-Za-z]+/, "").slice(0, 150);
  return name.length >= 3 ? name : `policy-${name || "1"}`;
}

const FORMS_HINT =
  'bkp reads a PUT body {"properties": {…}}, a policy resource {"name", "properties"}, a list (a JSON array or {"value": […]}, as `az backup policy list` prints), a REST example {"parameters": …, "responses": …}, an ARM template {"$schema", "resources": […]} or Azure PowerShell\'s objects (ConvertTo-Json -Depth 10)';

function listItems(r: Reader, items: JsonNode[], path: string, base: string): Draft[] {
  const out: Draft[] = [];
  items.forEach((item, i) => {
    const p = joinPath(path, i);
    if (item.kind !== "object") {
      wrongType(r, item, p, "a policy object");
      return;
    }
    const d = resource(r, item, p, `${base}-${i + 1}`);
    if (d) out.push(d);
  });
  return out;
}

/**
 * The REST API's published example: {"parameters": {…, "parameters": {PUT body}}, "responses":
 * {"200": {"body": …}}}. A PUT example holds the request; a GET or List example (no request
 * body) holds the policy in its 200 response: a resource or {"value": […]}.
 */
function exampleWrapper(r: Reader, root: JsonObject, params: JsonEntry, base: string): Draft[] {
  checkKnown(r, root, "", ["parameters", "responses", "operationId", "title", "description"]);
  if (params.value.kind !== "object") {
    wrongType(r, params.value, "parameters", "an object");
    return [];
  }
  const p = params.value;
  // The operation's URL and query parameters (api-version, $filter, …) say nothing about the
  // policy but its name; any scalar is accepted.
  for (const e of p.entries) {
    if (e.key.toLowerCase() === "parameters" || e.value.kind === "string" || e.value.kind === "number" || e.value.kind === "boolean" || e.value.kind === "null") continue;
    wrongType(r, e.value, joinPath("parameters", e.key), "a string (an operation parameter)");
  }
  const policyName = member(p, "policyName");
  let name = base;
  if (policyName) {
    if (policyName.value.kind === "string") name = policyName.value.value;
    else wrongType(r, policyName.value, "parameters.policyName", "a string");
  }
  const body = member(p, "parameters");
  if (body) {
    if (body.value.kind !== "object") {
      wrongType(r, body.value, "parameters.parameters", "an object");
      return [];
    }
    const d = resource(r, body.value, "parameters.parameters", name);
    if (d && policyName && !member(body.value, "name")) d.nameNode = policyName.value;
    return d ? [d] : [];
  }
  const response = responseBody(root);
  if (!response) {
    r.report("BKP6006", p.range, "the example has neither a request body (parameters.parameters) nor a 200 response body (responses.200.body)", 'a PUT example holds "parameters": {"parameters": {"properties": {…}}}; a GET or List example holds "responses": {"200": {"body": …}}');
    return [];
  }
  const { node, path } = response;
  if (node.kind !== "object") return wrongType(r, node, path, "a policy or a list of policies") ?? [];
  const value = member(node, "value");
  if (value && !member(node, "properties")) {
    checkKnown(r, node, path, ["value", "nextLink"]);
    if (value.value.kind !== "array") return wrongType(r, value.value, joinPath(path, "value"), "an array of policies") ?? [];
    return listItems(r, value.value.items, joinPath(path, "value"), base);
  }
  const d = resource(r, node, path, name);
  return d ? [d] : [];
}

/** `responses["200"].body` (or 201's) of a REST example, with its JSON path. */
function responseBody(root: JsonObject): { node: JsonNode; path: string } | undefined {
  const responses = member(root, "responses");
  if (!responses || responses.value.kind !== "object") return undefined;
  for (const status of ["200", "201"]) {
    const st = member(responses.value, status);
    if (st?.value.kind !== "object") continue;
    const body = member(st.value, "body");
    if (body) return { node: body.value, path: joinPath(joinPath("responses", status), "body") };
  }
  return undefined;
}

/** A policy resource or PUT body: {"name"?, "type"?, "id"?, …, "properties": {…}}. */
function resource(r: Reader, obj: JsonObject, path: string, fallbackName: string): Draft | undefined {
  // Any error inside this policy leaves it out (partial success: the others are written).
  const errorsBefore = errorCount(r);
  // Azure PowerShell's object (ConvertTo-Json): read as the REST resource it stands for.
  const rest = isPowerShellPolicy(obj) ? fromPowerShell(obj, r.report) : obj;
  if (!rest) return undefined;
  const d = resourceDraft(r, rest, path, fallbackName);
  return d && errorCount(r) === errorsBefore ? d : undefined;
}

function errorCount(r: Reader): number {
  return r.diagnostics.filter((d) => d.severity === "error").length;
}

function resourceDraft(r: Reader, obj: JsonObject, path: string, fallbackName: string): Draft | undefined {
  checkKnown(r, obj, path, ["name", "properties", ...IGNORED_RESOURCE_FIELDS]);
  let name = fallbackName;
  const nameEntry = member(obj, "name");
  if (nameEntry) {
    if (nameEntry.value.kind === "string" && nameEntry.value.value !== "") name = nameEntry.value.value;
    else wrongType(r, nameEntry.value, joinPath(path, "name"), "a non-empty string");
  }
  if (/[\u0000-\u001f]/.test(name)) {
    r.report("BKP6005", (nameEntry?.value ?? obj).range, "the policy name contains a control character", "rename the policy");
    return undefined;
  }
  if (name.includes("\\")) {
    // The .bkp front end does not yet read every escaped backslash back (lang/parse.ts flags
    // `\\` before another character as a bad escape; build-ast's unquote mistakes a final
    // `\\` for an escaped quote): refuse rather than write a file that does not read back.
    r.report("BKP6007", (nameEntry?.value ?? obj).range, `the policy name ${JSON.stringify(name)} has a backslash, which bkp cannot write yet`, "rename the policy without a backslash");
    return undefined;
  }
  const type = member(obj, "type");
  if (type && !(type.value.kind === "string" && type.value.value.toLowerCase() === RESOURCE_TYPE.toLowerCase())) {
    r.report("BKP6002", type.value.range, `this resource is ${type.value.kind === "string" ? `a ${type.value.value}` : "not a backup policy"}, not a backup policy (${RESOURCE_TYPE})`, "export the policies with `az backup policy list` or `az backup policy show`");
    return undefined;
  }
  const props = member(obj, "properties");
  const propsPath = joinPath(path, "properties");
  if (!props) {
    missing(r, obj, "properties", `the policy${nameEntry ? ` "${name}"` : ""} has no "properties"`, 'the policy settings are in "properties": {"backupManagementType": "AzureIaasVM", …}');
    return undefined;
  }
  if (props.value.kind !== "object") {
    wrongType(r, props.value, propsPath, "an object");
    return undefined;
  }
  const lines = policyLines(r, props.value, propsPath, name);
  if (!lines) return undefined;
  return { name, nameNode: nameEntry?.value, range: obj.range, file: r.file, path, lines };
}

// ---- the policy --------------------------------------------------------------------

function policyLines(r: Reader, p: JsonObject, path: string, name: string): Line[] | undefined {
  const bmt = member(p, "backupManagementType");
  if (!bmt) {
    missing(r, p, "backupManagementType", `policy "${name}" has no backupManagementType`, 'add "backupManagementType": "AzureIaasVM" (bkp imports Azure VM policies)');
    return undefined;
  }
  if (bmt.value.kind !== "string") {
    wrongType(r, bmt.value, joinPath(path, "backupManagementType"), "a string");
    return undefined;
  }
  if (bmt.value.value.toLowerCase() !== "azureiaasvm") {
    // A vault's policy list also holds SQL, SAP HANA and file share policies; they are not
    // what bkp models, and failing the whole import for them would be unhelpful.
    r.report("BKP6020", bmt.value.range, `policy "${name}" is a ${bmt.value.value} policy, not a VM policy: skipped`, "bkp models Azure VM backup (AzureIaasVM) policies only");
    return undefined;
  }
  checkKnown(r, p, path, [
    "backupManagementType", "schedulePolicy", "retentionPolicy", "tieringPolicy", "instantRpRetentionRangeInDays", "timeZone", "policyType",
    "snapshotConsistencyType", "instantRPDetails", ...IGNORED_POLICY_FIELDS,
  ]);
  const errorsBefore = r.diagnostics.filter((d) => d.severity === "error").length;
  const lines: Line[] = [];

  const policyType = enumMember(r, p, path, "policyType", ["V1", "V2"] as const);
  const sched = member(p, "schedulePolicy");
  let schedule: ScheduleRead | undefined;
  if (!sched) {
    // Azure requires a schedule; the .bkp without one imports, and `bkp check` says so.
  } else if (sched.value.kind !== "object") wrongType(r, sched.value, joinPath(path, "schedulePolicy"), "an object");
  else schedule = readSchedule(r, sched.value, joinPath(path, "schedulePolicy"));
  if (schedule) lines.push(schedule.line);

  const tz = member(p, "timeZone");
  if (tz) {
    if (tz.value.kind !== "string") wrongType(r, tz.value, joinPath(path, "timeZone"), "a string");
    // Kept as written: the language accepts Windows zone names, and the round trip is exact.
    else lines.push({ text: `timezone ${quote(tz.value.value)}`, path: joinPath(path, "timeZone") });
  }

  // policyType absent: Azure infers it from the schedule policy's type.
  const type = policyType?.value ?? (schedule?.v2 ? "V2" : "V1");
  if (policyType && schedule && schedule.v2 !== (policyType.value === "V2")) {
    r.report("BKP6005", schedule.typeNode.range, `policyType ${policyType.value} goes with ${policyType.value === "V2" ? "SimpleSchedulePolicyV2" : "SimpleSchedulePolicy"}, not ${schedule.v2 ? "SimpleSchedulePolicyV2" : "SimpleSchedulePolicy"}`, `write "schedulePolicyType": "${policyType.value === "V2" ? "SimpleSchedulePolicyV2" : "SimpleSchedulePolicy"}"`);
  }
  const implied = schedule?.kind === "hourly" ? "V2" : "V1";
  if (type !== implied) {
    lines.push({ text: `type ${type === "V2" ? "enhanced" : "standard"}`, path: joinPath(path, policyType ? "policyType" : "schedulePolicy") });
  }

  const ir = member(p, "instantRpRetentionRangeInDays");
  if (ir) {
    const n = count(r, ir.value, joinPath(path, "instantRpRetentionRangeInDays"));
    if (n !== undefined) lines.push({ text: `instant-restore ${n} ${unit(n, "days")}`, path: joinPath(path, "instantRpRetentionRangeInDays") });
  }

  const sct = enumMember(r, p, path, "snapshotConsistencyType", ["OnlyCrashConsistent"] as const);
  if (sct) lines.push({ text: "consistency agentless-crash", path: joinPath(path, "snapshotConsistencyType") });

  const ret = member(p, "retentionPolicy");
  if (ret) {
    if (ret.value.kind !== "object") wrongType(r, ret.value, joinPath(path, "retentionPolicy"), "an object");
    else lines.push(...readRetention(r, ret.value, joinPath(path, "retentionPolicy"), schedule?.time));
  }

  const tier = member(p, "tieringPolicy");
  if (tier) {
    if (tier.value.kind !== "object") wrongType(r, tier.value, joinPath(path, "tieringPolicy"), "an object");
    else lines.push(...readTiering(r, tier.value, joinPath(path, "tieringPolicy")));
  }

  const details = member(p, "instantRPDetails");
  if (details) lines.push(...readInstantRpDetails(r, details.value, joinPath(path, "instantRPDetails")));

  const errorsAfter = r.diagnostics.filter((d) => d.severity === "error").length;
  return errorsAfter > errorsBefore ? undefined : lines;
}

// ---- schedule --------------------------------------------------------------------

interface ScheduleRead {
  kind: "daily" | "weekly" | "hourly";
  v2: boolean;
  typeNode: JsonNode;
  line: Line;
  /** The time retention points are taken (run time, or the hourly window's start). */
  time?: Time;
}

function readSchedule(r: Reader, s: JsonObject, path: string): ScheduleRead | undefined {
  const spt = enumMember(r, s, path, "schedulePolicyType", ["SimpleSchedulePolicy", "SimpleSchedulePolicyV2"] as const, true);
  if (!spt) return undefined;
  const v2 = spt.value === "SimpleSchedulePolicyV2";
  if (v2) checkKnown(r, s, path, ["schedulePolicyType", "scheduleRunFrequency", "hourlySchedule", "dailySchedule", "weeklySchedule"]);
  else checkKnown(r, s, path, ["schedulePolicyType", "scheduleRunFrequency", "scheduleRunDays", "scheduleRunTimes", "hourlySchedule", "scheduleWeeklyFrequency"]);
  const freq = enumMember(r, s, path, "scheduleRunFrequency", ["Daily", "Weekly", "Hourly"] as const, true);
  if (!freq) return undefined;
  const kind = freq.value.toLowerCase() as ScheduleRead["kind"];

  // Sub-schedules that the frequency does not select: Azure ignores them, so do we, loudly.
  const subs = v2 ? { Hourly: "hourlySchedule", Daily: "dailySchedule", Weekly: "weeklySchedule" } : { Hourly: "hourlySchedule" };
  for (const [f, key] of Object.entries(subs)) {
    const e = member(s, key);
    if (e && f !== freq.value && !isEmpty(e.value)) {
      r.report("BKP6021", e.keyRange, `${joinPath(path, key)} is ignored: scheduleRunFrequency is ${freq.value}`, `remove it, or set "scheduleRunFrequency": "${f}"`);
    }
  }
  if (!v2) {
    const wf = member(s, "scheduleWeeklyFrequency");
    if (wf) {
      const n = count(r, wf.value, joinPath(path, "scheduleWeeklyFrequency"));
      if (n !== undefined && n > 1) r.report("BKP6007", wf.value.range, `a schedule every ${n} weeks cannot be written in bkp (and Azure VM policies run every week)`, 'remove "scheduleWeeklyFrequency" or set it to 0');
    }
  }

  const base = { v2, typeNode: spt.node };
  if (kind === "hourly") {
    const h = member(s, "hourlySchedule");
    const hp = joinPath(path, "hourlySchedule");
    if (!h) {
      r.report("BKP6006", freq.node.range, "an Hourly schedule needs an hourlySchedule", 'add "hourlySchedule": {"interval": 4, "scheduleWindowStartTime": "…T08:00:00Z", "scheduleWindowDuration": 16}');
      return undefined;
    }
    if (h.value.kind !== "object") return wrongType(r, h.value, hp, "an object");
    checkKnown(r, h.value, hp, ["interval", "scheduleWindowStartTime", "scheduleWindowDuration"]);
    const interval = requiredCount(r, h.value, hp, "interval");
    const start = requiredTime(r, h.value, hp, "scheduleWindowStartTime");
    const dur = requiredCount(r, h.value, hp, "scheduleWindowDuration");
    if (interval === undefined || !start || dur === undefined) return undefined;
    return { ...base, kind, time: start, line: { text: `schedule every ${interval} ${unit(interval, "hours")} from ${start.text} for ${dur} ${unit(dur, "hours")}`, path: hp } };
  }

  // Daily and weekly: V1 keeps days and times on the schedule policy, V2 in a sub-object.
  let holder = s;
  let hp = path;
  if (v2) {
    const key = kind === "daily" ? "dailySchedule" : "weeklySchedule";
    const sub = member(s, key);
    hp = joinPath(path, key);
    if (!sub) {
      r.report("BKP6006", freq.node.range, `a ${freq.value} SimpleSchedulePolicyV2 needs a ${key}`, `add "${key}": {${kind === "weekly" ? '"scheduleRunDays": ["Sunday"], ' : ""}"scheduleRunTimes": ["…T02:00:00Z"]}`);
      return undefined;
    }
    if (sub.value.kind !== "object") return wrongType(r, sub.value, hp, "an object");
    holder = sub.value;
    checkKnown(r, holder, hp, kind === "daily" ? ["scheduleRunTimes"] : ["scheduleRunDays", "scheduleRunTimes"]);
  }
  const times = member(holder, "scheduleRunTimes");
  const timesPath = joinPath(hp, "scheduleRunTimes");
  if (!times) {
    missing(r, holder, "scheduleRunTimes", `the ${kind} schedule has no scheduleRunTimes`, 'add "scheduleRunTimes": ["2024-01-01T02:00:00Z"] (the time of day is read in the policy\'s timeZone)');
    return undefined;
  }
  if (times.value.kind !== "array") return wrongType(r, times.value, timesPath, "an array of date-times");
  if (times.value.items.length === 0) {
    r.report("BKP6006", times.value.range, "scheduleRunTimes is empty", 'write one time, e.g. ["2024-01-01T02:00:00Z"]');
    return undefined;
  }
  if (times.value.items.length > 1) {
    r.report("BKP6007", times.value.items[1].range, "Azure VM policies run once a day: a second scheduleRunTimes entry cannot be written in bkp", "keep one time; for several backups a day use an Enhanced policy with an Hourly schedule");
  }
  const at = time(r, times.value.items[0], joinPath(timesPath, 0));
  if (!at) return undefined;

  const days = member(holder, "scheduleRunDays");
  if (kind === "daily") {
    if (days && !isEmpty(days.value)) r.report("BKP6021", days.keyRange, `${joinPath(hp, "scheduleRunDays")} is ignored by a Daily schedule`, 'remove it, or set "scheduleRunFrequency": "Weekly"');
    return { ...base, kind, time: at, line: { text: `schedule daily at ${at.text}`, path: joinPath(timesPath, 0) } };
  }
  if (!days) {
    missing(r, holder, "scheduleRunDays", "a Weekly schedule needs scheduleRunDays", 'add "scheduleRunDays": ["Sunday"]');
    return undefined;
  }
  const wd = weekdays(r, days.value, joinPath(hp, "scheduleRunDays"));
  if (!wd) return undefined;
  // Weekly: days and time are both on this line, so the comment names the object holding both.
  return { ...base, kind, time: at, line: { text: `schedule weekly on ${wd.join(", ")} at ${at.text}`, path: hp } };
}

// ---- retention ---------------------------------------------------------------------

function readRetention(r: Reader, ret: JsonObject, path: string, scheduleTime: Time | undefined): Line[] {
  const type = enumMember(r, ret, path, "retentionPolicyType", ["LongTermRetentionPolicy"] as const, true);
  if (!type) return [];
  checkKnown(r, ret, path, ["retentionPolicyType", "dailySchedule", "weeklySchedule", "monthlySchedule", "yearlySchedule"]);
  const out: Line[] = [];
  const each = (key: string, known: string[], build: (o: JsonObject, p: string, d: DurationRead) => string | undefined) => {
    const e = member(ret, key);
    if (!e) return;
    const p = joinPath(path, key);
    if (e.value.kind !== "object") return void wrongType(r, e.value, p, "an object");
    checkKnown(r, e.value, p, ["retentionDuration", "retentionTimes", ...known]);
    const at = retentionTime(r, e.value, p, scheduleTime);
    const d = duration(r, e.value, p);
    if (!d) return;
    const text = build(e.value, p, d);
    if (text) out.push({ text: at ? `${text} at ${at.text}` : text, path: d.path });
  };
  each("dailySchedule", [], (_o, _p, d) => `retain daily ${d.count} ${d.unit}`);
  each("weeklySchedule", ["daysOfTheWeek"], (o, p, d) => {
    const days = requiredWeekdays(r, o, p, "daysOfTheWeek");
    return days && `retain weekly ${d.count} ${d.unit} on ${days.join(", ")}`;
  });
  const formatKeys = ["retentionScheduleFormatType", "retentionScheduleDaily", "retentionScheduleWeekly"];
  each("monthlySchedule", formatKeys, (o, p, d) => {
    const on = monthlyOn(r, o, p);
    return on && `retain monthly ${d.count} ${d.unit} on ${on}`;
  });
  each("yearlySchedule", ["monthsOfYear", ...formatKeys], (o, p, d) => {
    const months = requiredMonths(r, o, p);
    const on = monthlyOn(r, o, p);
    return months && on && `retain yearly ${d.count} ${d.unit} in ${months.join(", ")} on ${on}`;
  });
  return out;
}

interface DurationRead {
  count: number;
  unit: string;
  /** The field the line's meaning hangs on: the count, or the durationType when it is unusual. */
  path: string;
}

const EXPECTED_DURATION: Record<string, DurationType> = { dailySchedule: "Days", weeklySchedule: "Weeks", monthlySchedule: "Months", yearlySchedule: "Years" };

function duration(r: Reader, o: JsonObject, p: string): DurationRead | undefined {
  const rd = member(o, "retentionDuration");
  const rp = joinPath(p, "retentionDuration");
  if (!rd) {
    missing(r, o, "retentionDuration", `${p} has no retentionDuration`, 'add "retentionDuration": {"count": 30, "durationType": "Days"}');
    return undefined;
  }
  if (rd.value.kind !== "object") return wrongType(r, rd.value, rp, "an object");
  checkKnown(r, rd.value, rp, ["count", "durationType"]);
  const n = requiredCount(r, rd.value, rp, "count");
  const dt = enumMember(r, rd.value, rp, "durationType", ["Days", "Weeks", "Months", "Years"] as const, true);
  if (n === undefined || !dt) return undefined;
  // An unexpected unit (a daily retention in weeks) is written as it is; `bkp check` reports
  // it, and the comment then names the durationType rather than the count.
  const key = p.slice(p.lastIndexOf(".") + 1);
  const expected = EXPECTED_DURATION[key];
  return { count: n, unit: unit(n, DURATION_UNIT[dt.value]), path: joinPath(rp, expected && dt.value !== expected ? "durationType" : "count") };
}

/**
 * A retention time other than the schedule's, kept as `retain … at HH:MM` (Azure stores and
 * returns it; export writes it back). Azure takes one time; a second one is an error.
 */
function retentionTime(r: Reader, o: JsonObject, p: string, scheduleTime: Time | undefined): Time | undefined {
  const rt = member(o, "retentionTimes");
  if (!rt) return undefined;
  const rp = joinPath(p, "retentionTimes");
  if (rt.value.kind !== "array") return wrongType(r, rt.value, rp, "an array of date-times");
  if (rt.value.items.length > 1) {
    r.report("BKP6007", rt.value.items[1].range, "a second retentionTimes entry cannot be written in bkp (Azure VM policies take one backup time)", "keep one time");
  }
  const first = rt.value.items[0];
  const t = first && time(r, first, joinPath(rp, 0), true);
  if (!t || !scheduleTime || (t.hour === scheduleTime.hour && t.minute === scheduleTime.minute)) return undefined;
  return t;
}

function monthlyOn(r: Reader, o: JsonObject, p: string): string | undefined {
  const fmt = enumMember(r, o, p, "retentionScheduleFormatType", ["Daily", "Weekly"] as const, true);
  if (!fmt) return undefined;
  const useKey = fmt.value === "Weekly" ? "retentionScheduleWeekly" : "retentionScheduleDaily";
  const otherKey = fmt.value === "Weekly" ? "retentionScheduleDaily" : "retentionScheduleWeekly";
  const other = member(o, otherKey);
  if (other && !isEmpty(other.value)) {
    r.report("BKP6021", other.keyRange, `${joinPath(p, otherKey)} is ignored: retentionScheduleFormatType is ${fmt.value}`, `remove it, or set "retentionScheduleFormatType": "${fmt.value === "Weekly" ? "Daily" : "Weekly"}"`);
  }
  const use = member(o, useKey);
  const up = joinPath(p, useKey);
  if (!use) {
    r.report("BKP6006", fmt.node.range, `retentionScheduleFormatType ${fmt.value} needs ${useKey}`, fmt.value === "Weekly" ? `add "${useKey}": {"weeksOfTheMonth": ["First"], "daysOfTheWeek": ["Sunday"]}` : `add "${useKey}": {"daysOfTheMonth": [{"date": 1, "isLast": false}]}`);
    return undefined;
  }
  if (use.value.kind !== "object") return wrongType(r, use.value, up, "an object");
  if (fmt.value === "Weekly") {
    checkKnown(r, use.value, up, ["daysOfTheWeek", "weeksOfTheMonth"]);
    const weeks = requiredList(r, use.value, up, "weeksOfTheMonth", WEEK_OF_MONTH, BKP_ORDINAL, '["First"]');
    const days = requiredWeekdays(r, use.value, up, "daysOfTheWeek");
    return weeks && days ? `${weeks.join(", ")} ${days.join(", ")}` : undefined;
  }
  checkKnown(r, use.value, up, ["daysOfTheMonth"]);
  const dom = member(use.value, "daysOfTheMonth");
  const dp = joinPath(up, "daysOfTheMonth");
  if (!dom) {
    missing(r, use.value, "daysOfTheMonth", `${up} has no daysOfTheMonth`, 'add "daysOfTheMonth": [{"date": 1, "isLast": false}]');
    return undefined;
  }
  if (dom.value.kind !== "array") return wrongType(r, dom.value, dp, "an array of days");
  if (!dom.value.items.length) {
    r.report("BKP6006", dom.value.range, "daysOfTheMonth is empty", 'name at least one day, e.g. [{"date": 1, "isLast": false}]');
    return undefined;
  }
  const days: string[] = [];
  let ok = true;
  dom.value.items.forEach((item, i) => {
    const ip = joinPath(dp, i);
    if (item.kind !== "object") {
      wrongType(r, item, ip, 'a day, {"date": 1, "isLast": false}');
      ok = false;
      return;
    }
    checkKnown(r, item, ip, ["date", "isLast"]);
    const last = member(item, "isLast");
    let isLast = false;
    if (last) {
      if (last.value.kind !== "boolean") {
        wrongType(r, last.value, joinPath(ip, "isLast"), "true or false");
        ok = false;
        return;
      }
      isLast = last.value.value;
    }
    const date = member(item, "date");
    if (isLast) {
      if (date && !(date.value.kind === "number" && date.value.value === 0)) {
        r.report("BKP6021", date.value.range, "the date is ignored: isLast is true", 'write "date": 0 with "isLast": true');
      }
      days.push("last");
      return;
    }
    if (!date) {
      missing(r, item, "date", `${ip} has no date`, 'write {"date": 1, "isLast": false}, or {"date": 0, "isLast": true} for the last day');
      ok = false;
      return;
    }
    const n = count(r, date.value, joinPath(ip, "date"));
    if (n === undefined) ok = false;
    else days.push(String(n));
  });
  return ok ? `day ${days.join(", ")}` : undefined;
}

// ---- tiering and other settings --------------------------------------------------------

function readTiering(r: Reader, t: JsonObject, path: string): Line[] {
  checkKnown(r, t, path, ["ArchivedRP"]);
  const a = member(t, "ArchivedRP");
  if (!a) return [];
  const ap = joinPath(path, "ArchivedRP");
  if (a.value.kind !== "object") return wrongType(r, a.value, ap, "an object") ?? [];
  checkKnown(r, a.value, ap, ["tieringMode", "duration", "durationType"]);
  const mode = enumMember(r, a.value, ap, "tieringMode", ["TierAfter", "TierRecommended", "DoNotTier"] as const, true);
  if (!mode) return [];
  if (mode.value !== "TierAfter") {
    // Azure writes `"duration": 0, "durationType": "Invalid"` beside these modes: no meaning.
    enumMember(r, a.value, ap, "durationType", ["Days", "Weeks", "Months", "Years", "Invalid"] as const);
    return [{ text: mode.value === "DoNotTier" ? "archive never" : "archive recommended", path: joinPath(ap, "tieringMode") }];
  }
  const n = requiredCount(r, a.value, ap, "duration");
  const dt = enumMember(r, a.value, ap, "durationType", ["Days", "Weeks", "Months", "Years"] as const, true);
  if (n === undefined || !dt) return [];
  return [{ text: `archive after ${n} ${unit(n, DURATION_UNIT[dt.value])}`, path: ap }];
}

function readInstantRpDetails(r: Reader, node: JsonNode, path: string): Line[] {
  if (node.kind !== "object") return wrongType(r, node, path, "an object") ?? [];
  checkKnown(r, node, path, ["azureBackupRGNamePrefix", "azureBackupRGNameSuffix"]);
  const values: (string | undefined)[] = [];
  for (const key of ["azureBackupRGNamePrefix", "azureBackupRGNameSuffix"]) {
    const e = member(node, key);
    if (e && e.value.kind !== "string") wrongType(r, e.value, joinPath(path, key), "a string");
    values.push(e?.value.kind === "string" && e.value.value !== "" ? e.value.value : undefined);
  }
  const [prefix, suffix] = values;
  if (prefix === undefined) {
    if (suffix !== undefined) {
      r.report("BKP6006", node.range, "instantRPDetails has a suffix but no azureBackupRGNamePrefix", 'add "azureBackupRGNamePrefix": "<prefix>" (Azure names the group prefix + a number + suffix)');
    }
    return [];
  }
  return [{ text: `instant-restore-resource-group ${quote(prefix)}${suffix !== undefined ? ` suffix ${quote(suffix)}` : ""}`, path }];
}

// ---- value readers ------------------------------------------------------------------

function isEmpty(n: JsonNode): boolean {
  return n.kind === "null" || (n.kind === "array" && !n.items.length) || (n.kind === "object" && n.entries.every((e) => isEmpty(e.value)));
}

function describe(n: JsonNode): string {
  if (n.kind === "string") return `the string ${JSON.stringify(n.value.length > 40 ? n.value.slice(0, 40) + "…" : n.value)}`;
  if (n.kind === "number") return `the number ${n.text}`;
  if (n.kind === "boolean") return String(n.value);
  return n.kind === "null" ? "null" : `an ${n.kind}`;
}

export function wrongType(r: Reader, n: JsonNode, path: string, expected: string): undefined {
  r.report("BKP6004", n.range, `${path || "the document"} should be ${expected}, not ${describe(n)}`, `write ${expected} here`);
  return undefined;
}

/**
 * Reports a missing field, unless a misspelling of it is there: the unknown-field error
 * ("did you mean …?") already says all there is to say.
 */
function missing(r: Reader, obj: JsonObject, key: string, message: string, hint: string): void {
  if (obj.entries.some((e) => e.key !== key && closest(e.key, [key]) === key)) return;
  r.report("BKP6006", obj.range, message, hint);
}

export function checkKnown(r: Reader, obj: JsonObject, path: string, known: string[]): void {
  const lower = new Set(known.map((k) => k.toLowerCase()));
  for (const e of obj.entries) {
    if (lower.has(e.key.toLowerCase())) continue;
    const guess = closest(e.key, known);
    r.report(
      "BKP6003", e.keyRange, `unknown field ${joinPath(path, e.key)}`,
      guess ? `did you mean "${guess}"?` : `${path || "the document"} takes ${known.map((k) => `"${k}"`).join(", ")}`,
    );
  }
}

export function enumMember<T extends string>(r: Reader, obj: JsonObject, path: string, key: string, allowed: readonly T[], required = false): { value: T; node: JsonNode } | undefined {
  const e = member(obj, key);
  const p = joinPath(path, key);
  if (!e) {
    if (required) missing(r, obj, key, `${path || "the document"} has no ${key}`, `add "${key}": ${allowed.map((a) => `"${a}"`).join(" or ")}`);
    return undefined;
  }
  if (e.value.kind !== "string") return wrongType(r, e.value, p, `one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
  const v = e.value.value;
  const hit = allowed.find((a) => a === v) ?? allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  if (!hit) {
    const guess = closest(v, allowed);
    r.report("BKP6005", e.value.range, `${p} is "${v}"; bkp reads ${allowed.map((a) => `"${a}"`).join(", ")}`, guess ? `did you mean "${guess}"?` : `write one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
    return undefined;
  }
  return { value: hit, node: e.value };
}

/** A whole number of at least 0 (the language has no negative numbers). */
export function count(r: Reader, n: JsonNode, path: string): number | undefined {
  if (n.kind !== "number") return wrongType(r, n, path, "a whole number");
  if (!Number.isInteger(n.value) || n.value < 0 || n.value > 2 ** 31 - 1) {
    r.report("BKP6005", n.range, `${path} is ${n.text}; it must be a whole number from 0 to 2147483647`, "write a whole number, e.g. 30");
    return undefined;
  }
  return n.value;
}

function requiredCount(r: Reader, obj: JsonObject, path: string, key: string): number | undefined {
  const e = member(obj, key);
  if (!e) {
    missing(r, obj, key, `${path} has no ${key}`, `add "${key}": <whole number>`);
    return undefined;
  }
  return count(r, e.value, joinPath(path, key));
}

const TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** The time of day of an Azure date-time; Azure reads it in the policy's timeZone. */
function time(r: Reader, n: JsonNode, path: string, quiet = false): Time | undefined {
  if (n.kind !== "string") return wrongType(r, n, path, 'a date-time string such as "2024-01-01T02:30:00Z"');
  const m = TIME.exec(n.value);
  const hour = m ? Number(m[2]) : NaN;
  const minute = m ? Number(m[3]) : NaN;
  if (!m || hour > 23 || minute > 59 || Number(m[4] ?? 0) > 59) {
    r.report("BKP6005", n.range, `${path} is "${n.value}", not a date-time`, 'write e.g. "2024-01-01T02:30:00Z"');
    return undefined;
  }
  if (Number(m[4] ?? 0) !== 0 || (m[5] && Number(m[5]) !== 0)) {
    r.report("BKP6007", n.range, `${path} has seconds (${n.value}); bkp schedules are whole minutes (and Azure takes :00 or :30)`, `write ${m[2]}:${m[3]}:00`);
    return undefined;
  }
  if (!quiet && m[6] && m[6] !== "Z" && m[6] !== "+00:00" && m[6] !== "-00:00") {
    r.report("BKP6021", n.range, `the offset ${m[6]} is ignored: Azure reads the time of day ${m[2]}:${m[3]} in the policy's timeZone`, `write ${m[1]}T${m[2]}:${m[3]}:00Z`);
  }
  return { hour, minute, text: `${m[2]}:${m[3]}` };
}

function requiredTime(r: Reader, obj: JsonObject, path: string, key: string): Time | undefined {
  const e = member(obj, key);
  if (!e) {
    missing(r, obj, key, `${path} has no ${key}`, `add "${key}": "2024-01-01T08:00:00Z"`);
    return undefined;
  }
  return time(r, e.value, joinPath(path, key));
}

function requiredList<T extends string>(r: Reader, obj: JsonObject, path: string, key: string, azure: readonly string[], bkp: readonly T[], example: string): T[] | undefined {
  const e = member(obj, key);
  if (!e) {
    missing(r, obj, key, `${path} has no ${key}`, `add "${key}": ${example}`);
    return undefined;
  }
  return listOf(r, e.value, joinPath(path, key), azure, bkp, example);
}

/** A non-empty array of Azure enum names, as bkp's words. */
function listOf<T extends string>(r: Reader, n: JsonNode, p: string, azure: readonly string[], bkp: readonly T[], example: string): T[] | undefined {
  if (n.kind !== "array") return wrongType(r, n, p, `an array such as ${example}`);
  if (!n.items.length) {
    r.report("BKP6006", n.range, `${p} is empty`, `name at least one, e.g. ${example}`);
    return undefined;
  }
  const out: T[] = [];
  let ok = true;
  n.items.forEach((item, i) => {
    const ip = joinPath(p, i);
    if (item.kind !== "string") {
      wrongType(r, item, ip, `one of ${azure.map((a) => `"${a}"`).join(", ")}`);
      ok = false;
      return;
    }
    let k = azure.indexOf(item.value);
    if (k < 0) k = azure.findIndex((a) => a.toLowerCase() === item.value.toLowerCase());
    if (k < 0) {
      const guess = closest(item.value, azure);
      r.report("BKP6005", item.range, `${ip} is "${item.value}"; bkp reads ${azure.map((a) => `"${a}"`).join(", ")}`, guess ? `did you mean "${guess}"?` : `write one of ${azure.map((a) => `"${a}"`).join(", ")}`);
      ok = false;
      return;
    }
    out.push(bkp[k]);
  });
  return ok ? out : undefined;
}

function weekdays(r: Reader, n: JsonNode, path: string): string[] | undefined {
  return listOf(r, n, path, DAY_OF_WEEK, BKP_WEEKDAY, '["Sunday"]');
}

function requiredWeekdays(r: Reader, obj: JsonObject, path: string, key: string): string[] | undefined {
  return requiredList(r, obj, path, key, DAY_OF_WEEK, BKP_WEEKDAY, '["Sunday"]');
}

function requiredMonths(r: Reader, obj: JsonObject, path: string): string[] | undefined {
  return requiredList(r, obj, path, "monthsOfYear", MONTH_OF_YEAR, BKP_MONTH, '["January"]');
}

// ---- output ---------------------------------------------------------------------------

/** `1 day`, `2 days`: the language takes both, and people read the first more easily. */
function unit(n: number, plural: string): string {
  return n === 1 ? plural.slice(0, -1) : plural;
}

function render(drafts: Draft[], files: string[], outPath: string): string {
  const out: string[] = [
    `# Azure VM backup ${drafts.some((d) => d.block === "vault") ? "settings" : "policies"} imported by \`bkp import azure\` from ${files.join(", ")}.`,
    `# A trailing "${ORIGIN_PREFIX} <path>" comment names the JSON field a line came from; \`bkp check\` quotes it.`,
    "",
  ];
  for (const d of drafts) {
    out.push(`# from ${d.file}${d.path ? ` at ${d.path}` : ""}`);
    out.push(`${d.block ?? "policy"} ${quote(d.name)} {`);
    for (const l of d.lines) {
      if (l.note) out.push(`  ${l.text}`);
      else out.push(`  ${l.text}${l.path ? `  ${ORIGIN_PREFIX} ${l.path}` : ""}`);
    }
    out.push("}", "");
  }
  const text = out.join("\n");
  const parsed = parseFile(outPath, text);
  const syntax = parsed.diagnostics.filter((x) => x.code.startsWith("BKP1"));
  if (syntax.length) {
    // The importer only writes forms of the language; a syntax error here is a bkp bug.
    throw new Error(`bkp import wrote text it cannot parse: ${syntax[0].message} at line ${syntax[0].range.start.line}`);
  }
  return format(parsed).text;
}
