import { codeFrame, summary } from "../../src/lang/code-frame.js";
import { exportAzure } from "../../src/interop/export-azure.js";
import { exportTerraform } from "../../src/interop/export-terraform.js";
import { exportVaultsAzure, exportVaultsTerraform } from "../../src/interop/export-vault.js";
import type { Diagnostic } from "../../src/lang/diagnostics.js";
import type { Policy } from "../../src/model/model.js";
import { loadPolicySet, type PolicySet } from "../../src/model/load.js";
import { exitCodeFor } from "../report.js";
import { parse, UsageError } from "../args.js";
import type { Command } from "../command.js";
import { styleFor, type Io } from "../io.js";

export const command: Command = {
  help: `Usage: bkp export azure FILE.bkp... [--policy NAME]...
       bkp export terraform FILE.bkp... [--policy NAME]... [--resource-group RG] [--vault VAULT]
       bkp export azure|terraform FILE.bkp... --vaults [--resource-group RG]

Write policies for deployment. The files form one policy set and must check without errors.

  azure      the REST body Azure accepts: for one policy the body of
             PUT .../vaults/{vault}/backupPolicies/{policy} ({"properties": {...}}; the
             name goes in the URL); for several, a JSON array of {"name", "properties"}
             (the shape 'az backup policy list' prints, which 'bkp import azure' reads back).
  terraform  azurerm_backup_policy_vm resources, formatted as 'terraform fmt' does.

Settings an Azure policy cannot hold (a policy-level vss copy, a time not on :00/:30, a
name Azure does not accept) are errors at their line in the .bkp. A level the plan only
expects (consistency file-system or crash) is exported as the agent-based policy, with a
warning. For Terraform, a policy azurerm_backup_policy_vm cannot say (agentless-crash,
retention times other than the schedule's) is written as an azapi_resource with the REST
body. With --policy, errors in the other policies do not stop the export.

Options:
  --policy NAME          export only this policy (repeatable; default: every policy)
  --resource-group RG    Terraform: resource_group_name (default: var.resource_group_name)
  --vault VAULT          Terraform: recovery_vault_name (default: var.recovery_vault_name)
  --vms                  Terraform: also azurerm_backup_protected_vm for each VM of the exported
                         policies, with exclude_disk_luns for its excluded disks (by lun)
  --vaults               export the vaults' settings instead of the policies (redundancy,
                         soft delete, immutability, cross-region and cross-subscription
                         restore, resource guard): azure writes a JSON array of resources
                         (PUT .../vaults/{vault} bodies, api-version 2025-02-01, and
                         backupResourceGuardProxies/VaultProxy); terraform writes
                         azurerm_recovery_services_vault, its resource guard association and an
                         azapi_update_resource for what azurerm cannot say
                         (docs/azure-interop.md#vaults)
  -h, --help             show this help

Exit codes: 0 written, 1 the policies have errors or cannot be expressed, 2 usage or I/O error.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      policy: { type: "string", multiple: true },
      "resource-group": { type: "string" },
      vault: { type: "string" },
      vms: { type: "boolean" },
      vaults: { type: "boolean" },
    });
    const [target, ...files] = positionals;
    if (target !== "azure" && target !== "terraform") {
      throw new UsageError(target === undefined ? "say what to export: bkp export azure|terraform FILE.bkp..." : `cannot export to '${target}'; choose azure or terraform`);
    }
    if (!files.length) throw new UsageError(`bkp export ${target} needs at least one .bkp file`);
    if (values.vaults && (values.policy?.length || values.vms || values.vault !== undefined)) {
      throw new UsageError("--vaults exports every vault's settings; --policy, --vms and --vault are for exporting policies");
    }
    if (target === "azure" && !values.vaults && (values["resource-group"] !== undefined || values.vault !== undefined || values.vms)) {
      throw new UsageError("--resource-group, --vault and --vms are for 'bkp export terraform'; an Azure policy PUT body names neither vault nor VMs (they are in the URL and in protected items)");
    }

    const set = loadPolicySet(files);
    const texts = new Map([...set.files].map(([k, v]) => [k, v.text]));
    // With --policy, only errors in the chosen policies' blocks (or outside every policy
    // block: syntax, files) stop the export; other policies' errors are not its business.
    const blocking = set.diagnostics.filter((d) => d.severity === "error" && (!values.policy?.length || !insideOtherPolicy(set, d, values.policy)));
    if (blocking.length || !set.model) {
      print(io, blocking.length ? blocking : set.diagnostics, texts);
      io.stderr(summary(blocking.length ? blocking : set.diagnostics, files.length, styleFor(io)) + "; nothing exported\n");
      return exitCodeFor(set.diagnostics) || 1;
    }
    const ignored = set.diagnostics.filter((d) => d.severity === "error").length;
    if (ignored) io.stderr(`note: ${ignored} error${ignored === 1 ? "" : "s"} in other policies ignored (not exported)\n`);

    if (values.vaults) {
      const vaults = [...set.model.vaults.values()];
      if (!vaults.length) {
        io.stderr(`bkp export: ${files.join(", ")} define${files.length === 1 ? "s" : ""} no vault\n`);
        return 1;
      }
      const ex = target === "azure" ? exportVaultsAzure(vaults) : exportVaultsTerraform(vaults, { resourceGroupName: values["resource-group"] });
      if (ex.diagnostics.some((d) => d.severity === "error")) return fail(io, ex.diagnostics.filter((d) => d.severity === "error"), texts);
      print(io, ex.diagnostics, texts);
      io.stdout(ex.text ?? JSON.stringify(ex.resources, null, 2) + "\n");
      return 0;
    }
    const all = [...set.model.policies.values()];
    let chosen: Policy[] = all;
    if (values.policy?.length) {
      chosen = values.policy.map((name) => {
        const p = set.model!.policies.get(name);
        if (!p) throw new UsageError(`no policy named "${name}" in ${files.join(", ")}${all.length ? `; policies: ${all.map((x) => `"${x.name}"`).join(", ")}` : ""}`);
        return p;
      });
    }
    if (!chosen.length) {
      io.stderr(`bkp export: ${files.join(", ")} define${files.length === 1 ? "s" : ""} no policy\n`);
      return 1;
    }

    if (target === "terraform") {
      const vms = values.vms ? [...set.model.vms.values()] : undefined;
      const tf = exportTerraform(chosen, { resourceGroupName: values["resource-group"], recoveryVaultName: values.vault, vms });
      if (!tf.text) return fail(io, tf.diagnostics, texts);
      print(io, tf.diagnostics, texts);
      io.stdout(tf.text);
      return 0;
    }
    const exported = chosen.map(exportAzure);
    const problems = exported.flatMap((e) => e.diagnostics);
    if (problems.some((d) => d.severity === "error")) return fail(io, problems.filter((d) => d.severity === "error"), texts);
    print(io, problems, texts);
    const resources = exported.map((e) => e.resource!);
    const body = resources.length === 1 ? { properties: resources[0].properties } : resources;
    io.stdout(JSON.stringify(body, null, 2) + "\n");
    return 0;
  },
};

/** True when `d` lies inside a policy block that is not one of `chosen`. */
function insideOtherPolicy(set: PolicySet, d: Diagnostic, chosen: string[]): boolean {
  const file = set.files.get(d.file);
  if (!file) return false;
  const block = file.ast.blocks.find((b) => b.kind === "policy" && b.range.start.offset <= d.range.start.offset && d.range.end.offset <= b.range.end.offset);
  return block !== undefined && block.kind === "policy" && !chosen.includes(block.name.value);
}

function fail(io: Io, diags: Diagnostic[], texts: Map<string, string>): number {
  print(io, diags, texts);
  const n = diags.length;
  io.stderr(`${n} setting${n === 1 ? "" : "s"} cannot be expressed; nothing exported\n`);
  return 1;
}

function print(io: Io, diags: Diagnostic[], texts: Map<string, string>): void {
  const style = styleFor(io);
  for (const d of diags) io.stderr(codeFrame(d, texts.get(d.file)?.split(/\r?\n/), style) + "\n\n");
}
