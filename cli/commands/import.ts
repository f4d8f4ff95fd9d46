import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { codeFrame, summary } from "../../src/lang/code-frame.js";
import type { Diagnostic } from "../../src/lang/diagnostics.js";
import { importAzure, type ImportInput } from "../../src/interop/import-azure.js";
import { loadTexts } from "../../src/model/load.js";
import { parse, UsageError } from "../args.js";
import type { Command } from "../command.js";
import { styleFor, type Io } from "../io.js";

/** Policy documents are small; a larger file is not one (az lists of 500 policies are ~2 MB). */
const MAX_JSON_BYTES = 32 * 1024 * 1024;

export const command: Command = {
  help: `Usage: bkp import azure FILE.json... [--parameters PARAMS.json] [-o OUT.bkp]
       az backup policy list -g RG -v VAULT | bkp import azure -
       Get-AzRecoveryServicesBackupProtectionPolicy -VaultId $v.ID | ConvertTo-Json -Depth 10 | bkp import azure -

Turn Azure VM backup policies into formatted .bkp text. Each FILE may hold the body of
PUT .../backupPolicies/{policy} ({"properties": {...}}), a policy resource as Azure returns it
({"name", "type", "properties"}; 'az backup policy show'), a list of them (a JSON array, or
{"value": [...]} as the REST API and 'az backup policy list' print), a REST API example (the
request of a PUT example, the 200 response of a GET or List example), or an ARM deployment
template (its Microsoft.RecoveryServices/vaults/backupPolicies resources, with template
expressions resolved from --parameters or the parameters' defaults), or Azure PowerShell's
policy objects (ConvertTo-Json -Depth 10; see docs/azure-interop.md). Property names are read
case-insensitively, as Azure reads them. A policy is named by its "name" (the part after '/'
in an ARM name "vault/policy"), else by the example's policyName, else by its file name.

A Recovery Services vault document (a vault resource or PUT/GET body, a REST example such as
PUTVault.json or GETVault.json, a backupResourceGuardProxies document, or the output of
'bkp export azure --vaults') becomes a vault block: redundancy, region, soft-delete,
immutability, cross-region-restore, cross-subscription-restore, resource-guard
(docs/azure-interop.md#vaults).

Every generated line ends in '# azure: <json path>'. Policies Azure would reject still import;
'bkp check' then reports them at their line, quoting the JSON path they came from. Policies
of other workloads (SQL, SAP HANA, file shares) are skipped and named. A policy with an
unknown or malformed field is an error located in the JSON and is left out; the others are
still written (exit 1).

Options:
  --parameters FILE     an ARM parameters file for the templates among FILE...
  -o, --output OUT.bkp  write the .bkp here (replacing it) instead of standard output
  -h, --help            show this help

Exit codes: 0 imported (warnings allowed), 1 errors in the JSON (what imported is still
written), 2 usage error or unreadable file.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { output: { type: "string", short: "o" }, parameters: { type: "string" } });
    const [source, ...files] = positionals;
    if (source !== "azure") throw new UsageError(source === undefined ? "say what to import: bkp import azure FILE.json..." : `cannot import from '${source}'; bkp imports 'azure' policy JSON`);
    if (!files.length) throw new UsageError("bkp import azure needs at least one JSON file (or - for standard input)");

    const inputs: ImportInput[] = [];
    for (const f of files) {
      const read = f === "-" ? { ok: true as const, text: await io.readStdin() } : readJson(f);
      if (!read.ok) {
        io.stderr(`bkp import: ${read.message}\n`);
        return 2;
      }
      inputs.push({ path: f === "-" ? "<stdin>" : f, text: read.text });
    }

    let parameters: ImportInput | undefined;
    if (values.parameters !== undefined) {
      const read = readJson(values.parameters);
      if (!read.ok) {
        io.stderr(`bkp import: ${read.message}\n`);
        return 2;
      }
      parameters = { path: values.parameters, text: read.text };
    }

    const out = values.output;
    const result = importAzure(inputs, { outPath: out, parameters });
    const texts = new Map(inputs.map((i) => [i.path, i.text]));
    if (parameters) texts.set(parameters.path, parameters.text);
    printDiagnostics(io, result.diagnostics, texts);
    const failed = result.diagnostics.some((d) => d.severity === "error");
    const skipped = result.diagnostics.filter((d) => d.code === "BKP6020").length;
    if (result.text === undefined) {
      if (failed) io.stderr(summary(result.diagnostics, inputs.length, styleFor(io)) + "; nothing written\n");
      else io.stderr(`bkp import: no Azure VM policy found${skipped ? ` (${skipped} polic${skipped === 1 ? "y" : "ies"} of other workloads skipped)` : ""}; nothing written\n`);
      return 1;
    }
    if (out) {
      const tmp = `${out}.bkp-import-${process.pid}`;
      writeFileSync(tmp, result.text);
      renameSync(tmp, out);
    } else io.stdout(result.text);

    const n = result.policies.length;
    const nv = result.vaults.length;
    const what = [n || !nv ? `${n} polic${n === 1 ? "y" : "ies"}` : "", nv ? `${nv} vault${nv === 1 ? "" : "s"}` : ""].filter(Boolean).join(" and ");
    if (!io.quiet) io.stderr(`imported ${what} from ${inputs.map((i) => i.path).join(", ")}${out ? ` into ${out}` : ""}${skipped ? `; skipped ${skipped} of other workloads` : ""}\n`);
    if (failed) io.stderr(summary(result.diagnostics, inputs.length, styleFor(io)) + "; the policies with errors were left out\n");
    checkNote(io, result.text, out);
    return failed ? 1 : 0;
  },
};

/** Import keeps what Azure would reject (so that it can be seen); says so right away. */
export function checkNote(io: Io, text: string, out: string | undefined): void {
  const checked = loadTexts([{ path: out ?? "<imported>", text }]).diagnostics;
  const errors = checked.filter((d) => d.severity === "error").length;
  const warnings = checked.filter((d) => d.severity === "warning").length;
  if (errors || warnings) {
    io.stderr(`note: bkp check finds ${[errors ? `${errors} error${errors === 1 ? "" : "s"}` : "", warnings ? `${warnings} warning${warnings === 1 ? "" : "s"}` : ""].filter(Boolean).join(" and ")} in the result (settings Azure would reject or warn about)${out ? `: run 'bkp check ${out}'` : ""}\n`);
  }
}

export function readJson(path: string): { ok: true; text: string } | { ok: false; message: string } {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return { ok: false, message: `'${path}' is a directory; name the JSON files in it` };
    if (st.size > MAX_JSON_BYTES) return { ok: false, message: `'${path}' is ${(st.size / 1e6).toFixed(1)} MB; Azure policy documents are limited to ${MAX_JSON_BYTES / 1024 / 1024} MiB` };
    const bytes = readFileSync(path);
    try {
      return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
    } catch {
      return { ok: false, message: `'${path}' is not UTF-8 text; save the JSON as UTF-8` };
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, message: err.code === "ENOENT" ? `cannot find '${path}'` : `cannot read '${path}': ${err.message}` };
  }
}

/** rustc-style frames on standard error (standard output carries the .bkp or JSON). */
export function printDiagnostics(io: Io, diags: Diagnostic[], texts: Map<string, string>): void {
  const style = styleFor(io);
  const lines = new Map<string, string[]>();
  for (const d of diags) {
    if (!lines.has(d.file)) lines.set(d.file, texts.get(d.file)?.split(/\r?\n/) ?? []);
    io.stderr(codeFrame(d, lines.get(d.file), style) + "\n\n");
  }
}
