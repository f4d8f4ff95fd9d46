import type { Rule } from "../rule.js";
import { currentUid, scriptProblem } from "../../model/script-permissions.js";
import { POLICY, VAULT, vm } from "./examples.js";

export const scriptNotRunnable: Rule = {
  name: "script-not-runnable",
  code: "BKP4023",
  severity: "warning",
  summary: "a pre/post script is missing, not executable, or writable by others",
  docs: {
    what: "A pre or post script that does not exist, is not executable, is not owned by the user running backups, or is writable by its group or by everyone.",
    why: "docs/domain.md#consistency: scripts must be mode 700 and owned by the user running them, or they do not run and the point is not application consistent. The engine enforces the same rule.",
    instead: "chmod 700 the script and chown it to the user that runs bkp backup.",
  },
  examples: {
    bad: `${VAULT}${POLICY}${vm("db", 'os linux\nscripts {\npre "no-such-script.sh"\n}')}`,
    good: `${VAULT}${POLICY}${vm("db", "os linux")}`,
  },
  check(ctx) {
    const uid = currentUid();
    for (const v of ctx.model.vms.values()) {
      const s = v.scripts;
      if (!s) continue;
      for (const [which, script, node] of [["pre", s.pre, s.ast.pre], ["post", s.post, s.ast.post]] as const) {
        if (!script || !node) continue;
        const problem = scriptProblem(script.path, uid);
        if (!problem) continue;
        ctx.report({
          file: v.ast.file,
          range: node.path.range,
          message: `the ${which}-script of vm "${v.name}" (${script.path}) ${problem}: it will not run, and the points will not be application consistent`,
          hint: `chmod 700 ${node.path.value} and make it owned by the user running backups`,
        });
      }
    }
  },
};
