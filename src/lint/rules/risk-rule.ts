// Rules that report a risk the analysis finds (src/analyze/risks.ts), so the timing model
// lives in one place and `bkp plan` and `bkp lint` say the same thing.
import type { RiskCode } from "../../analyze/codes.js";
import type { LintContext } from "../rule.js";

export function reportRisks(ctx: LintContext, codes: RiskCode[]): void {
  for (const r of ctx.analysis().risks) {
    if (!codes.includes(r.code) || !r.file || !r.range) continue;
    ctx.report({ file: r.file, range: r.range, message: r.message, hint: r.hint ?? "see bkp plan for the predicted timings", severity: r.severity });
  }
}
