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
  help: `Usage: bkp import azure FILE.json... [-o OUT.bkp]
       az backup policy list -g RG -v VAULT | bkp import azure -

Turn Azure VM backup policies into formatted .bkp text. Each FILE may hold the body of
PUT .../backupPolicies/{policy} ({"properties": {...}}), a policy resource as Azure returns it
({"name", "type", "properties"}), a list of them (a JSON array, or {"value": [...]} as the REST
API and 'az backup policy list' print), or a REST API example ({"parameters": {"parameters":
...}}). A policy is named by its "name" (or the example's policyName), else by its file name.

Every generated line ends in '# azure: <json path>'. Policies Azure would reject still import;
'bkp check' then reports them at their line, quoting the JSON path they came from. Unknown or
malformed fields are errors located in the JSON; then nothing is written.

Options:
  -o, --output OUT.bkp  write the .bkp here (replacing it) instead of standard output
  -h, --help            show this help

Exit codes: 0 imported (warnings allowed), 1 errors in the JSON, 2 usage error or unreadable file.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { output: { type: "string", short: "o" } });
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

    const out = values.output;
    const result = importAzure(inputs, { outPath: out });
    printDiagnostics(io, result.diagnostics, new Map(inputs.map((i) => [i.path, i.text])));
    if (result.text === undefined) {
      const errors = result.diagnostics.some((d) => d.severity === "error");
      if (errors) io.stderr(summary(result.diagnostics, inputs.length, styleFor(io)) + "; nothing written\n");
      else io.stderr("bkp import: no Azure VM policy found; nothing written\n");
      return 1;
    }
    if (out) {
      const tmp = `${out}.bkp-import-${process.pid}`;
      writeFileSync(tmp, result.text);
      renameSync(tmp, out);
    } else io.stdout(result.text);

    const n = result.policies.length;
    io.stderr(`imported ${n} polic${n === 1 ? "y" : "ies"} from ${inputs.map((i) => i.path).join(", ")}${out ? ` into ${out}` : ""}\n`);
    // Import keeps what Azure would reject (so that it can be seen); say so right away.
    const checked = loadTexts([{ path: out ?? "<imported>", text: result.text }]).diagnostics;
    const errors = checked.filter((d) => d.severity === "error").length;
    const warnings = checked.filter((d) => d.severity === "warning").length;
    if (errors || warnings) {
      io.stderr(`note: bkp check finds ${[errors ? `${errors} error${errors === 1 ? "" : "s"}` : "", warnings ? `${warnings} warning${warnings === 1 ? "" : "s"}` : ""].filter(Boolean).join(" and ")} in the result (settings Azure would reject or warn about)${out ? `: run 'bkp check ${out}'` : ""}\n`);
    }
    return 0;
  },
};

function readJson(path: string): { ok: true; text: string } | { ok: false; message: string } {
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
