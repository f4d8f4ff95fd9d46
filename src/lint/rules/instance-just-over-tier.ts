import Decimal from "decimal.js";
import { instancePrice } from "../../analyze/billing.js";
import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";
import { backedUpDisks } from "./helpers.js";

/** "Just over": within this share of the tier boundary. */
const MARGIN = new Decimal("0.05");

const disks = (used: string) => `  disk "os" { role os size 64 GB used 20 GB }\n  disk "data" { role data size 128 GB used ${used} }`;

/** Whether `size` (in billing units) may be within the margin above a tier boundary. */
function nearBoundary(size: number, book: { instanceTiers: { upTo: Decimal }[]; instancePer?: { block: Decimal } }): boolean {
  const slack = 1 + MARGIN.toNumber() + 1e-9;
  if (book.instanceTiers.some((t) => size > t.upTo.toNumber() * 0.999 && size <= t.upTo.toNumber() * slack)) return true;
  if (!book.instancePer) return false;
  const block = book.instancePer.block.toNumber();
  const below = Math.floor(size / block) * block;
  return below > 0 && size <= below * slack;
}

export const instanceJustOverTier: Rule = {
  name: "instance-just-over-tier",
  code: "BKP4041",
  severity: "info",
  summary: "a protected instance is just over a price tier",
  docs: {
    what: "A VM whose protected-instance size is within 5% above a price-tier boundary (50 GB, 500 GB, or a multiple of the per-instance block), so a little less data would cost a tier less.",
    why: "docs/domain.md#billing: the protected instance is billed on the VM's actual data (not the disks' sizes) by tier: up to 50 GB, up to 500 GB, then per started 500 GB — 501 GB bills as two instances.",
    instead: "Exclude a disk that needs no backup (exclude), clean up data, or accept the tier knowingly.",
  },
  examples: { bad: `${VAULT}${POLICY}${vm("app", "os linux", disks("32 GB"))}`, good: `${VAULT}${POLICY}${vm("app", "os linux", disks("28 GB"))}` },
  check(ctx) {
    for (const v of ctx.model.vms.values()) {
      if (v.policy.consistency === "agentless-crash" || v.protection === "stopped-delete-data") continue;
      const book = v.vault.priceBook;
      const disks = backedUpDisks(v);
      // A float screen first: only sizes near a boundary need the exact decimal arithmetic.
      const approx = disks.reduce((a, d) => a + d.usedBytes.toNumber(), 0) / book.unitBytes.toNumber();
      if (!nearBoundary(approx, book)) continue;
      const size = disks.reduce((a, d) => a.add(d.usedBytes), new Decimal(0)).div(book.unitBytes);
      const price = instancePrice(size, book);
      // The largest boundary below the size: a tier's upper bound, or a whole number of blocks.
      const bounds = book.instanceTiers.map((t) => t.upTo);
      if (book.instancePer) bounds.push(size.div(book.instancePer.block).floor().mul(book.instancePer.block));
      const below = bounds.filter((b) => b.gt(0) && b.lt(size)).sort((a, b) => b.comparedTo(a))[0];
      if (!below || size.gt(below.mul(MARGIN.add(1)))) continue;
      const lower = instancePrice(below, book);
      if (!lower.fee.lt(price.fee)) continue;
      ctx.report({
        file: v.ast.file,
        range: v.ast.name.range,
        message: `vm "${v.name}" protects ${size.toDecimalPlaces(1).toString()} ${book.unit}, just over ${below.toString()} ${book.unit}: it bills ${price.fee.toFixed(2)} ${book.currency} a month instead of ${lower.fee.toFixed(2)}`,
        hint: `${size.minus(below).toDecimalPlaces(1).toString()} ${book.unit} less data (or an excluded disk) saves ${price.fee.minus(lower.fee).toFixed(2)} ${book.currency} a month`,
      });
    }
  },
};
