import { computeCost, diffCosts, planAndAnalyze } from "../../src/analyze/index.js";
import { costJson, diffJson } from "../../src/analyze/json.js";
import { irreversibleChanges, unacknowledged } from "../../src/analyze/irreversible.js";
import { costMarkdown, costText, diffMarkdown, diffText } from "../../src/analyze/report.js";
import { oneOf, parse, positiveInt, UsageError } from "../args.js";
import type { Command } from "../command.js";
import { styleFor, type Io } from "../io.js";
import { expand, policyInputs } from "../inputs.js";
import { isoDateFlag, loadForAnalysis, sourceLines } from "./plan-common.js";

const HELP = `Usage: bkp cost [--format text|json|markdown] [--months N] [--from DATE] FILE...
       bkp cost diff [--format text|json|markdown] [--months N] [--from DATE] [--days N] [--accept-irreversible] OLD NEW

The bill of a policy set (docs/domain.md#billing pricing; docs/analysis-model.md has every formula): per
VM its protected-instance size, PI units and fee, backup storage GB and fee, instant-restore
snapshot GB and fee and monthly total; a month-by-month projection as retention fills up;
totals per vault and overall. The monthly figures are those of the projection's last month.

'bkp cost diff OLD NEW' compares two policy sets (each a .bkp file or a directory of them):
the monthly bill per VM and the risks added or resolved; --format markdown is ready for a
pull-request comment. It also lists every change Azure cannot undo (soft delete made
always-on, immutability locked, cross-region restore turned on, cross-subscription restore
permanently disabled, the redundancy of a vault that protects VMs, a standard policy made
enhanced) and exits 1 unless each is acknowledged: 'accept-irreversible <attribute>' in the
vault or policy block of NEW, or --accept-irreversible (docs/ci.md#irreversible-changes).

Options:
  --format text|json|markdown  output format (default text)
  --months N                   months projected (default: the assume block's horizon, 12)
  --from DATE                  the projection starts with this date's month; VMs without
                               protected-since get their first backup on it (default today, UTC)
  --days N                     (diff) days of the plan whose risks are compared (default 14)
  --accept-irreversible        (diff) acknowledge every irreversible change for this run
  -h, --help                   show this help

Exit codes: 0 ok, 1 errors in the policy files (diff: or an irreversible change not
acknowledged), 2 usage error or unreadable file.
`;


async function diff(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { format: { type: "string" }, from: { type: "string" }, months: { type: "string" }, days: { type: "string" }, "accept-irreversible": { type: "boolean" } });
  const format = oneOf(values.format, ["text", "json", "markdown"] as const, "--format", "text");
  const from = isoDateFlag(values.from, "--from", io);
  const days = positiveInt(values.days, "--days", 14);
  if (positionals.length !== 2) throw new UsageError("bkp cost diff takes two policy sets: OLD NEW (files or directories)");
  const sides = [];
  for (const p of positionals) {
    const loaded = loadForAnalysis(io, { files: expand(p) });
    if (!loaded.ok) return loaded.code;
    sides.push(loaded.model);
  }
  const months = positiveInt(values.months, "--months", sides[1].assumptions.horizonMonths);
  const [before, after] = sides.map((model) => ({ cost: computeCost(model, { from, months }), risks: planAndAnalyze(model, { from, days }).risks }));
  const irreversible = irreversibleChanges(sides[0], sides[1], { acceptAll: values["accept-irreversible"] });
  const d = diffCosts(before, after, irreversible);
  if (format === "json") io.stdout(JSON.stringify(diffJson(d), null, 2) + "\n");
  else if (format === "markdown") io.stdout(diffMarkdown(d));
  else io.stdout(diffText(d, styleFor(io)));
  const open = unacknowledged(irreversible).length;
  if (open) io.stderr(`bkp cost diff: ${open} irreversible change${open === 1 ? "" : "s"} not acknowledged (docs/ci.md#irreversible-changes)\n`);
  return open ? 1 : 0;
}

export const command: Command = {
  help: HELP,
  async run(argv, io) {
    if (argv[0] === "diff") return diff(argv.slice(1), io);
    const { values, positionals } = parse(argv, { format: { type: "string" }, from: { type: "string" }, months: { type: "string" } });
    const format = oneOf(values.format, ["text", "json", "markdown"] as const, "--format", "text");
    const from = isoDateFlag(values.from, "--from", io);
    const loaded = loadForAnalysis(io, await policyInputs(positionals, "cost", io));
    if (!loaded.ok) return loaded.code;
    const months = positiveInt(values.months, "--months", loaded.model.assumptions.horizonMonths);
    if (months > 1200) throw new UsageError("--months is at most 1200 (100 years)");
    const c = computeCost(loaded.model, { from, months });
    if (format === "json") io.stdout(JSON.stringify(costJson(c), null, 2) + "\n");
    else if (format === "markdown") io.stdout(costMarkdown(c));
    else io.stdout(costText(c, sourceLines(loaded.set), styleFor(io)));
    return 0;
  },
};
