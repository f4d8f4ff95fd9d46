import { planAndAnalyze, type AnalyzedPlan } from "../../src/analyze/index.js";
import { selectVms } from "./engine-common.js";
import { planJson } from "../../src/analyze/json.js";
import { planMarkdown, planText } from "../../src/analyze/report.js";
import { oneOf, parse, positiveInt, UsageError } from "../args.js";
import type { Command } from "../command.js";
import { styleFor } from "../io.js";
import { policyInputs } from "../inputs.js";
import { isoDateFlag, loadForAnalysis, sourceLines } from "./plan-common.js";
import { readMeasurements } from "./measurements.js";

/** The plan of one VM: its jobs (with their timings), its restores and the risks that name it. */
function onlyVm(a: AnalyzedPlan, vm: string): AnalyzedPlan {
  const vms = new Map([...a.plan.vms].filter(([n]) => n === vm));
  return {
    ...a,
    plan: { ...a.plan, vms, jobs: a.plan.jobs.filter((j) => j.vm.name === vm), restores: a.plan.restores.filter((r) => r.spec.vms.some((v) => v.name === vm)) },
    // Timings stay whole: jobs find theirs by job.index.
    risks: a.risks.filter((r) => r.vms.includes(vm)),
    measured: a.measured && new Map([...a.measured].filter(([n]) => n === vm)),
  };
}

export const command: Command = {
  help: `Usage: bkp plan [--format text|json|markdown] [--from DATE] [--days N] [--vm NAME] [--no-measured] FILE|DIR|-...

The execution plan of a policy set: every backup job its policies schedule over the horizon
(start in the policy's zone and in UTC), its kind (initial, incremental or
checksum-comparison), predicted per-disk and total durations, the consistency each VM will
really get, restore assignments, and the risks found (BKP3xxx codes, with the source line
to change). The timing model and every default are in docs/analysis-model.md.

The vault's state: for a VM with local disk images, the plan reads its vault's recovery points
(no image bytes) and plans from them: a disk with points is incremental, a disk without one (a
disk added later) gets its initial replication while the others stay incremental, a VM without
points gets its first backup; the "state:" line says where each fact came from. VMs without
images (or whose vault cannot be read) keep protected-since. Two timing models, named per VM:
azure-service (the service: agent, peak-hour lag, transfer) for VMs without images, and
local-engine (the engine's own change-detection paths, rates and overhead, learned from the
job log, from the images' real sizes) for VMs with images. Each backup records its prediction;
the plan shows the median and worst error of the last ones.

Predicted vs actual: when a VM's vault exists (\`bkp backup\` or \`bkp run\` wrote it), the plan
shows beside its predictions what the VM's last real backup measured (the vault's job log:
seconds, bytes read, changed and stored) and what the model predicts for that data. With
\`assume { calibrate from-vault }\` the VM's transfer and checksum rates are measured from its
job log (each falls back to the assumed rate, and says so, when nothing measured it). A vault
that cannot be read (no machine secret, no customer key file) is one note line; the plan still
runs.

Options:
  --format text|json|markdown  output format (default text; json is documented in docs/plan-json.md)
  --from DATE                  first day of the horizon, YYYY-MM-DD, local midnight in each
                               policy's zone (default today, UTC)
  --days N                     days in the horizon (default 7)
  --vm NAME                    only this VM's jobs and risks (the others are planned too: they
                               share storage accounts and the vault's traffic)
  --no-measured                do not read the vaults (no measured figures, no vault state:
                               protected-since decides; with calibrate from-vault, the
                               assumed rates are used)
  -h, --help                   show this help

Environment: BKP_MACHINE_SECRET names the machine secret that opens platform-key vaults (as for
\`bkp backup\`); BKP_TODAY=YYYY-MM-DD fixes "today".

Exit codes: 0 no error risks, 1 errors in the policy files or risks of severity error,
2 usage error or unreadable file.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { format: { type: "string" }, from: { type: "string" }, days: { type: "string" }, "no-measured": { type: "boolean" }, vm: { type: "string" } });
    const format = oneOf(values.format, ["text", "json", "markdown"] as const, "--format", "text");
    const from = isoDateFlag(values.from, "--from", io);
    const days = positiveInt(values.days, "--days", 7);
    if (days > 3660) throw new UsageError("--days is at most 3660 (10 years)");
    const loaded = loadForAnalysis(io, await policyInputs(positionals, "plan", io));
    if (!loaded.ok) return loaded.code;
    const measurements = values["no-measured"] ? undefined : await readMeasurements(loaded.model, io);
    const all = planAndAnalyze(loaded.model, { from, days, measurements });
    const a = values.vm === undefined ? all : onlyVm(all, selectVms(loaded.model, values.vm)[0].name);
    const chunks = format === "json" ? planJson(a) : format === "markdown" ? planMarkdown(a) : planText(a, sourceLines(loaded.set), styleFor(io));
    for (const c of chunks) io.stdout(c);
    return a.risks.some((r) => r.severity === "error") ? 1 : 0;
  },
};
