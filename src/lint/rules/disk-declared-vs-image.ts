import { statSync } from "node:fs";
import { declaredVsReal } from "../../analyze/declared-vs-real.js";
import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

export const diskDeclaredVsImage: Rule = {
  name: "disk-declared-vs-image",
  code: "BKP4062",
  severity: "warning",
  summary: "a disk's declared size or used data disagrees with its local image",
  docs: {
    what: "A disk with `image \"file\"` whose image is larger than its `size`, or whose `used` is more than 20% away from the image's data (its allocated blocks; `bkp plan` compares with the nonzero data the engine measured).",
    why: "docs/domain.md#billing: the protected instance and backup storage are billed on the disks' actual data, which `used` declares; the local engine backs up the image as it is. When they disagree, `bkp cost` bills a disk that is not the one backed up, and a disk cannot hold more than its provisioned size.",
    instead: "Write the image's size (or more) as `size` and its data as `used`, or point `image` at the disk's real image.",
  },
  examples: {
    bad: `${VAULT}${POLICY}${vm("a", "os linux", '  disk "os" { role os size 1 GB used 900 MB image "os.img" }')}`,
    good: `${VAULT}${POLICY}${vm("a", "os linux", '  disk "os" { role os size 4 GB used 0 GB image "os.img" }')}`,
  },
  exampleFiles: { "os.img": 2_000_000_000 },
  check(ctx) {
    for (const v of ctx.model.vms.values()) {
      for (const d of v.disks) {
        if (!d.image || d.excluded || d.role === "temp") continue;
        const st = statSync(d.image, { throwIfNoEntry: false });
        if (!st?.isFile()) continue; // image-missing says so
        for (const x of declaredVsReal(v.name, d, st.size, Math.min(st.size, st.blocks * 512), "its allocated blocks")) {
          ctx.report({ file: v.ast.file, range: (x.attribute === "size" ? d.ast.size : d.ast.used)?.range ?? d.ast.image!.range, message: x.message, hint: x.hint });
        }
      }
    }
  },
};
