import { existsSync } from "node:fs";
import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

export const imageMissing: Rule = {
  name: "image-missing",
  code: "BKP4061",
  severity: "warning",
  summary: "a disk's local image file does not exist",
  docs: {
    what: "A disk with `image \"file\"` where the file does not exist.",
    why: "`bkp backup` reads the image to back it up; a missing image fails that VM's backup.",
    instead: "Correct the path (it is relative to the policy file), or create the image.",
  },
  examples: {
    bad: `${VAULT}${POLICY}${vm("a", "os linux", '  disk "os" { role os size 64 GB used 20 GB image "no-such.img" }')}`,
    good: `${VAULT}${POLICY}${vm("a", "os linux")}`,
  },
  check(ctx) {
    for (const v of ctx.model.vms.values()) {
      for (const d of v.disks) {
        if (!d.image || existsSync(d.image) || d.excluded || d.role === "temp") continue;
        ctx.report({
          file: v.ast.file,
          range: d.ast.image!.range,
          message: `the image of disk "${d.name}" of vm "${v.name}" (${d.image}) does not exist; bkp backup will fail for this VM`,
          hint: "correct the path (relative to the policy file) or create the image",
        });
      }
    }
  },
};
