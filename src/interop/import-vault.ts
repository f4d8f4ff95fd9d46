// `bkp import azure` of Recovery Services vault documents (docs/azure-interop.md#vaults): a vault
// resource or GET body, a PUT body, a REST example (PUTVault*.json: "parameters.vault"; GET:
// "responses.200.body"), a list ({"value": […]}, a JSON array), `bkp export azure --vaults`'s
// output, and resource guard proxies (backupResourceGuardProxies) -> a `vault` block with
// redundancy, region, soft delete, immutability, cross-region/-subscription restore and
// resource guard. Vault settings bkp does not model (network access, monitoring, encryption,
// …) are named in a comment in the block; read-only status fields are ignored.
import type { JsonNode, JsonObject } from "./json-locate.js";
import { joinPath, member } from "./json-locate.js";
import type { Draft, Line, Reader } from "./import-azure.js";
import { count, enumMember, wrongType } from "./import-azure.js";
import { GUARD_PROXY_TYPE, VAULT_TYPE } from "./export-vault.js";

/** A JSON path of nested keys. */
const jp = (path: string, ...keys: string[]): string => keys.reduce((p, k) => joinPath(p, k), path);

const VAULT_PROPS = ["redundancySettings", "securitySettings", "restoreSettings"];
/** Read-only status of a vault (GET bodies): nothing to say in a policy set. */
const READ_ONLY = ["provisioningState", "privateEndpointConnections", "privateEndpointStateForBackup", "privateEndpointStateForSiteRecovery", "secureScore", "bcdrSecurityLevel", "backupStorageVersion", "moveDetails", "moveState", "upgradeDetails", "resourceGuardOperationRequests"];

const typeOf = (o: JsonObject): string | undefined => {
  const t = member(o, "type");
  return t?.value.kind === "string" ? t.value.value.toLowerCase() : undefined;
};
const isVaultType = (o: JsonObject) => typeOf(o) === VAULT_TYPE.toLowerCase();
const isProxyType = (o: JsonObject) => typeOf(o) === GUARD_PROXY_TYPE.toLowerCase();
const hasVaultProps = (o: JsonObject): boolean => {
  const p = member(o, "properties");
  return p?.value.kind === "object" && !member(p.value, "backupManagementType") && VAULT_PROPS.some((k) => member(p.value as JsonObject, k) !== undefined);
};
const asObject = (n: JsonNode | undefined): JsonObject | undefined => (n?.kind === "object" ? n : undefined);

function exampleBody(root: JsonObject): { node: JsonNode; path: string } | undefined {
  const params = asObject(member(root, "parameters")?.value);
  if (!params) return undefined;
  const put = member(params, "vault") ?? member(params, "parameters");
  if (put) return { node: put.value, path: joinPath("parameters", put.key) };
  const responses = asObject(member(root, "responses")?.value);
  for (const st of ["200", "201"]) {
    const status = responses && asObject(member(responses, st)?.value);
    const body = status && member(status, "body");
    if (body) return { node: body.value, path: `responses.${st}.body` };
  }
  return undefined;
}

/** Whether `root` is a vault document (not a backup policy one). */
export function isVaultDocument(root: JsonNode): boolean {
  const one = (n: JsonNode | undefined): boolean => {
    const o = asObject(n);
    return o !== undefined && (isVaultType(o) || isProxyType(o) || hasVaultProps(o));
  };
  if (root.kind === "array") return root.items.length > 0 && root.items.every(one);
  if (root.kind !== "object") return false;
  if (one(root)) return true;
  const value = member(root, "value");
  if (value?.value.kind === "array" && !member(root, "properties")) return value.value.items.length > 0 && value.value.items.every(one);
  const params = asObject(member(root, "parameters")?.value);
  if (params && member(root, "responses") && !member(params, "policyName") && member(params, "vaultName")) {
    const body = exampleBody(root);
    if (!body) return false;
    const b = asObject(body.node);
    const list = b && member(b, "value");
    if (list?.value.kind === "array") return list.value.items.every(one);
    return one(body.node) || (b !== undefined && resourceGuardId(b) !== undefined);
  }
  return false;
}

function resourceGuardId(o: JsonObject): JsonNode | undefined {
  const p = asObject(member(o, "properties")?.value);
  return p ? member(p, "resourceGuardResourceId")?.value : undefined;
}

/** The vault blocks of a vault document (isVaultDocument said yes). */
export function vaultDrafts(r: Reader, root: JsonNode, base: string): Draft[] {
  if (root.kind === "array") return root.items.flatMap((n, i) => vaultDraft(r, n as JsonObject, joinPath("", i), base));
  const o = root as JsonObject;
  const value = member(o, "value");
  if (value?.value.kind === "array" && !member(o, "properties")) return value.value.items.flatMap((n, i) => vaultDraft(r, n as JsonObject, joinPath("value", i), base));
  const params = asObject(member(o, "parameters")?.value);
  if (params && member(o, "responses")) {
    const vn = member(params, "vaultName");
    const name = vn?.value.kind === "string" ? vn.value.value : base;
    const body = exampleBody(o)!;
    const b = body.node as JsonObject;
    const list = member(b, "value");
    if (list?.value.kind === "array") return list.value.items.flatMap((n, i) => vaultDraft(r, n as JsonObject, joinPath(joinPath(body.path, "value"), i), name));
    // An example's request or response body is one vault (or its proxy): the URL names it.
    return vaultDraft(r, b, body.path, name, true);
  }
  return vaultDraft(r, o, "", base);
}

/** A vault with an error is left out (partial success, as for policies). */
function vaultDraft(r: Reader, o: JsonObject, path: string, fallbackName: string, urlName = false): Draft[] {
  const errors = () => r.diagnostics.filter((d) => d.severity === "error").length;
  const before = errors();
  const out = readVault(r, o, path, fallbackName, urlName);
  return errors() === before ? out : [];
}

function readVault(r: Reader, o: JsonObject, path: string, fallbackName: string, urlName: boolean): Draft[] {
  const nameEntry = member(o, "name");
  let name = fallbackName;
  if (!urlName && nameEntry?.value.kind === "string" && nameEntry.value.value) name = nameEntry.value.value;
  const lines: Line[] = [];
  const guard = resourceGuardId(o);
  if (isProxyType(o) || (guard && !isVaultType(o))) {
    // backupResourceGuardProxies are named "<vault>/VaultProxy" in a template, "VaultProxy" in a URL.
    if (!urlName && name.includes("/")) name = name.split("/")[0];
    else if (urlName) name = fallbackName;
    if (!guard) return wrongType(r, o, joinPath(path, "properties"), 'an object with "resourceGuardResourceId"') ?? [];
    if (guard.kind !== "string") return wrongType(r, guard, jp(path, "properties", "resourceGuardResourceId"), "a resource guard's ARM id") ?? [];
    lines.push({ text: `resource-guard ${JSON.stringify(guard.value)}`, path: jp(path, "properties", "resourceGuardResourceId") });
    return [{ block: "vault", name, nameNode: nameEntry?.value, range: o.range, file: r.file, path, lines }];
  }
  const location = member(o, "location");
  if (location?.value.kind === "string") lines.push({ text: `region ${JSON.stringify(location.value.value)}`, path: joinPath(path, "location") });
  const propsEntry = member(o, "properties");
  const props = asObject(propsEntry?.value);
  const pp = joinPath(path, "properties");
  if (propsEntry && !props) return wrongType(r, propsEntry.value, pp, "an object") ?? [];
  const unmodelled: string[] = [];
  if (props) {
    for (const e of props.entries) {
      const k = e.key.toLowerCase();
      if (VAULT_PROPS.some((v) => v.toLowerCase() === k) || READ_ONLY.some((v) => v.toLowerCase() === k)) continue;
      unmodelled.push(e.key);
    }
    const red = asObject(member(props, "redundancySettings")?.value);
    const rp = joinPath(pp, "redundancySettings");
    if (red) {
      const st = enumMember(r, red, rp, "standardTierStorageRedundancy", ["LocallyRedundant", "ZoneRedundant", "GeoRedundant", "Invalid"] as const);
      if (st && st.value !== "Invalid") lines.push({ text: `redundancy ${{ LocallyRedundant: "LRS", ZoneRedundant: "ZRS", GeoRedundant: "GRS" }[st.value]}`, path: joinPath(rp, "standardTierStorageRedundancy") });
      const crr = enumMember(r, red, rp, "crossRegionRestore", ["Enabled", "Disabled"] as const);
      if (crr) lines.push({ text: `cross-region-restore ${crr.value === "Enabled"}`, path: joinPath(rp, "crossRegionRestore") });
    }
    const sec = asObject(member(props, "securitySettings")?.value);
    const sp = joinPath(pp, "securitySettings");
    if (sec) {
      const sd = asObject(member(sec, "softDeleteSettings")?.value);
      const sdp = joinPath(sp, "softDeleteSettings");
      if (sd) {
        const state = enumMember(r, sd, sdp, "softDeleteState", ["Enabled", "Disabled", "AlwaysON", "Invalid"] as const);
        const daysEntry = member(sd, "softDeleteRetentionPeriodInDays");
        const days = daysEntry ? count(r, daysEntry.value, joinPath(sdp, "softDeleteRetentionPeriodInDays")) : undefined;
        if (state && state.value !== "Invalid") {
          const word = { Enabled: "on", Disabled: "off", AlwaysON: "always-on" }[state.value];
          lines.push({ text: `soft-delete ${word}${word !== "off" && days !== undefined ? ` ${days} days` : ""}`, path: joinPath(sdp, "softDeleteState") });
        }
        if (member(sd, "enhancedSecurityState")) unmodelled.push("securitySettings.softDeleteSettings.enhancedSecurityState");
      }
      const imm = asObject(member(sec, "immutabilitySettings")?.value);
      if (imm) {
        const st = enumMember(r, imm, joinPath(sp, "immutabilitySettings"), "state", ["Disabled", "Unlocked", "Locked"] as const);
        if (st) lines.push({ text: `immutability ${st.value.toLowerCase()}`, path: jp(sp, "immutabilitySettings", "state") });
      }
      if (member(sec, "sourceScanConfiguration")) unmodelled.push("securitySettings.sourceScanConfiguration");
      // multiUserAuthorization is read-only status: the resource guard is in backupResourceGuardProxies.
    }
    const rest = asObject(member(props, "restoreSettings")?.value);
    const csr = asObject(rest && member(rest, "crossSubscriptionRestoreSettings")?.value);
    if (csr) {
      const cp = jp(pp, "restoreSettings", "crossSubscriptionRestoreSettings");
      const st = enumMember(r, csr, cp, "crossSubscriptionRestoreState", ["Enabled", "Disabled", "PermanentlyDisabled"] as const);
      if (st) lines.push({ text: `cross-subscription-restore ${{ Enabled: "enabled", Disabled: "disabled", PermanentlyDisabled: "permanently-disabled" }[st.value]}`, path: joinPath(cp, "crossSubscriptionRestoreState") });
    }
  }
  if (unmodelled.length) lines.push({ text: `# not modelled by bkp: ${unmodelled.join(", ")}`, note: true });
  return [{ block: "vault", name, nameNode: nameEntry?.value, range: o.range, file: r.file, path, lines }];
}
