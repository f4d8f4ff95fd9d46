// Declared vs real: a disk's `size` and `used` beside its local image — the image's size and
// the nonzero data the engine measured (or, before any backup, the image's allocated blocks).
// The bill and the Azure service's timings use the declared figures, the local engine the real
// ones, so a disagreement is worth a word (lint rule disk-declared-vs-image, and a plan note).
import type { Disk } from "../model/model.js";
import { decimalBytes } from "./report.js";

/** `used` further than this from the measured nonzero data (a share of it) disagrees. */
export const USED_TOLERANCE = 0.2;

export interface Disagreement {
  attribute: "size" | "used";
  message: string;
  hint: string;
}

/** What a disk declares that its image contradicts; `source` says where the nonzero figure comes from. */
export function declaredVsReal(vm: string, d: Disk, imageBytes: number, nonZeroBytes: number, source: string): Disagreement[] {
  const out: Disagreement[] = [];
  const size = d.sizeBytes.toNumber();
  if (imageBytes > size) {
    out.push({
      attribute: "size",
      message: `disk "${d.name}" of vm "${vm}" declares size ${decimalBytes(size)} but its image is ${decimalBytes(imageBytes)}`,
      hint: `write size ${decimalBytes(imageBytes)} or more: a disk holds no more than its provisioned size`,
    });
  }
  const used = d.usedBytes.toNumber();
  if (Math.abs(used - nonZeroBytes) > USED_TOLERANCE * nonZeroBytes) {
    out.push({
      attribute: "used",
      message: `disk "${d.name}" of vm "${vm}" declares used ${decimalBytes(used)} but its image holds ${decimalBytes(nonZeroBytes)} of nonzero data (${source}), off by more than ${USED_TOLERANCE * 100}%`,
      hint: `write used ${decimalBytes(nonZeroBytes)}: the bill (protected instance, storage) follows used, the local engine the image`,
    });
  }
  return out;
}
