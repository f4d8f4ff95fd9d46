import { loadPolicySet } from "../../src/model/load.js";
import { oneOf, parse } from "../args.js";
import { policyInputs } from "../inputs.js";
import type { Command } from "../command.js";
import { diagnosticJson } from "../../src/lang/diagnostics.js";
import { exitCodeFor, printDiagnostics } from "../report.js";

export const command: Command = {
  help: `Usage: bkp check [--format text|json] FILE...

Parse and check policy files. All files together form one policy set: a vm in one file may
use a policy or vault defined in another. Every syntax and semantic problem is reported in
one run, each with file:line:col, a stable code (BKPnnnn) and a hint.

Options:
  --format text|json  output format (default text; json: an array of diagnostics)
  -h, --help          show this help

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error or unreadable file.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { format: { type: "string" } });
    const format = oneOf(values.format, ["text", "json"] as const, "--format", "text");
    const { files, stdin } = await policyInputs(positionals, "check", io);
    const set = loadPolicySet(files, stdin);
    if (format === "json") io.stdout(JSON.stringify(set.diagnostics.map(diagnosticJson), null, 2) + "\n");
    else printDiagnostics(io, set.diagnostics, set.files, files.length);
    return exitCodeFor(set.diagnostics);
  },
};
