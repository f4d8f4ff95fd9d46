// `bkp ui`: thin — flags and the terminal check here; React, Ink and the session load only
// once we know there is a terminal to draw on.
import { parse, positiveInt, UsageError } from "../args.js";
import { policyFiles } from "../inputs.js";
import type { Command } from "../command.js";
import { styleFor } from "../io.js";
import { isoDateFlag } from "./plan-common.js";

export const command: Command = {
  help: `Usage: bkp ui [--from DATE] [--days N] [--months N] FILE...

An interactive planning session in the terminal (full screen): the policy set's VMs with
their protected-instance size, monthly cost, next backup, predicted duration, consistency
and worst risk; a 24-hour timeline of the jobs; the risks with explanations; the bill per VM
and vault with its month-by-month projection; restore spreading. Change schedules, retention,
instant-restore days, consistency, redundancy or a disk's storage account and see every
number recomputed at once; undo with u; write the changes back (formatted, comments kept)
with w after reviewing the diff. Press ? in the session for every key (docs/ui.md).

It needs a terminal. In pipes and CI use 'bkp plan' and 'bkp cost' instead.

Options:
  --from DATE   first day of the plan and of the cost projection, YYYY-MM-DD (default today, UTC)
  --days N      days of plan: jobs, timeline and risks (default 7)
  --months N    months of cost projection (default: the assume block's horizon, 12)
  -h, --help    show this help

Exit codes: 0 after quitting, 1 errors in the policy files, 2 usage error, unreadable file
or no terminal.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { from: { type: "string" }, days: { type: "string" }, months: { type: "string" } });
    const files = policyFiles(positionals, "ui");
    const from = isoDateFlag(values.from, "--from", io);
    const days = positiveInt(values.days, "--days", 7);
    if (days > 366) throw new UsageError("--days is at most 366 in the session (use bkp plan for longer)");
    const months = values.months === undefined ? undefined : positiveInt(values.months, "--months", 12);
    if (months !== undefined && months > 1200) throw new UsageError("--months is at most 1200 (100 years)");
    if (!io.isTTY || !process.stdin.isTTY) {
      io.stderr("bkp ui: needs a terminal (standard input and output must be a TTY); it does not start in a pipe or CI.\nUse 'bkp plan FILE...' for the jobs, timings and risks, and 'bkp cost FILE...' for the bill.\n");
      return 2;
    }
    // Someone at a terminal is interactive even where CI is set; Ink would hold back every
    // frame until exit if it believed it ran in CI.
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
    const { runUi } = await import("../../src/ui/run-ui.js");
    // A fixed --from (or BKP_TODAY) makes the session reproducible: "now" is the horizon's start.
    const fixedNow = values.from !== undefined || io.env.BKP_TODAY !== undefined;
    return runUi(files, { from, days, months, nowMs: fixedNow ? undefined : Date.now() }, { stderr: io.stderr, style: styleFor({ ...io, isTTY: Boolean(process.stderr.isTTY) }) });
  },
};
