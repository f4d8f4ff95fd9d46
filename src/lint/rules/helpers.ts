// Small helpers shared by rules.
import type { Range } from "../../lang/diagnostics.js";
import type { ParsedFile } from "../../lang/index.js";
import type { Vm } from "../../model/model.js";

export const GB = 1e9;

export function fmtGB(bytes: { toNumber(): number } | number): string {
  const n = typeof bytes === "number" ? bytes : bytes.toNumber();
  return `${Number((n / GB).toFixed(1))} GB`;
}

/** The text of a range in its file. */
export function textOf(files: Map<string, ParsedFile>, file: string, range: Range): string {
  return files.get(file)?.text.slice(range.start.offset, range.end.offset) ?? "";
}

/** Disks that are backed up: not temp, not excluded (DOMAIN §6). */
export function backedUpDisks(vm: Vm) {
  return vm.disks.filter((d) => d.role !== "temp" && !d.excluded);
}

/** Where to insert a new attribute line into a block: just after its '{'. */
export function afterOpenBrace(range: Range): number {
  return range.start.offset + 1;
}
