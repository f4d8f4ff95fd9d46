// Building models from .bkp text for plan and analysis tests.
import { loadTexts } from "../../src/model/load.js";
import type { Model } from "../../src/model/model.js";

/** The checked model of a policy set written inline; fails the test on any error. */
export function model(text: string, file = "test.bkp"): Model {
  const set = loadTexts([{ path: file, text }]);
  const errors = set.diagnostics.filter((d) => d.severity === "error");
  if (errors.length || !set.model) throw new Error(`policy does not check:\n${errors.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.code} ${d.message}`).join("\n")}`);
  return set.model;
}

export const VAULT = 'vault "vt" { redundancy LRS }\n';

/** A one-VM policy set: the policy body, the VM's disks and extra VM lines. */
export function oneVm(opts: { policy: string; disks: string; vm?: string; extra?: string }): Model {
  return model(`${VAULT}policy "pol" {\n${opts.policy}\n}\nvm "x" {\n  os linux\n  policy "pol"\n  vault "vt"\n${opts.vm ?? ""}\n${opts.disks}\n}\n${opts.extra ?? ""}`);
}
