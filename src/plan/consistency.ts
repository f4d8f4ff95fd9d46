// The consistency a VM's recovery points will really get, and why (DOMAIN §2): what the
// policy asks for, degraded by the VM's OS, state, provisioning and scripts.
import type { ConsistencyLevel, RequestedConsistency, Vm } from "../model/model.js";

export interface PredictedConsistency {
  level: ConsistencyLevel;
  requested: RequestedConsistency;
  /** Why this level, in a sentence. */
  reason: string;
  /** What lowers it further if something fails at backup time. */
  fallback?: string;
  /** True when the service retries the backup instead of running it (provisioning creating/deleting). */
  retried: boolean;
}

export function predictConsistency(vm: Vm): PredictedConsistency {
  const requested = vm.policy.consistency;
  const retried = vm.provisioning === "creating" || vm.provisioning === "deleting";
  const base = { requested, retried };
  if (requested === "agentless-crash") {
    // Premium SSD v2 and Ultra disks are snapshotted one by one: each is crash-consistent on
    // its own, not with the VM's other disks (docs/azure-model.md "Disk types").
    const single = vm.disks.filter((d) => !d.excluded && (d.tier === "premium-v2" || d.tier === "ultra")).map((d) => `"${d.name}"`);
    if (single.length) return { ...base, level: "crash", reason: `agentless crash-consistent: no agent, disks only; ${single.join(", ")} (premium SSD v2/ultra) not crash-consistent with the other disks` };
    return { ...base, level: "crash", reason: "agentless crash-consistent: no agent, disks only" };
  }
  if (requested === "crash") return { ...base, level: "crash", reason: "the policy asks for crash consistency" };
  if (vm.provisioning === "failed" || vm.provisioning === "unavailable") {
    return { ...base, level: "crash", reason: `provisioning state is ${vm.provisioning}: the service takes crash-consistent snapshots` };
  }
  if (vm.state === "stopped") return { ...base, level: "crash", reason: "the VM is stopped: no agent runs, only what is on disk is captured" };
  const retryNote = retried ? `; provisioning is ${vm.provisioning}, so the service retries the backup` : "";
  if (requested === "file-system") return { ...base, level: "file-system", reason: `the policy asks for file-system consistency${retryNote}` };
  if (vm.os === "windows") {
    return {
      ...base,
      level: "application",
      reason: `VSS ${vm.vss ?? "full"} backup${vm.vss === "copy" ? ", application logs kept" : ", application logs truncated"}${retryNote}`,
      fallback: "file-system if a VSS writer fails",
    };
  }
  if (vm.scripts && (vm.scripts.pre || vm.scripts.post)) {
    const onFailure = vm.scripts.continueOnFailure
      ? "file-system if a script fails (continue-on-failure true)"
      : vm.disks.filter((d) => d.role !== "temp" && !d.excluded).length <= 1
        ? "crash if a script fails (continue-on-failure false, single disk)"
        : "the backup fails and is retried if a script fails (continue-on-failure false)";
    return { ...base, level: "application", reason: `pre/post scripts run around the snapshot${retryNote}`, fallback: onFailure };
  }
  return { ...base, level: "file-system", reason: `Linux without pre/post scripts is file-system consistent${retryNote}`, fallback: undefined };
}
