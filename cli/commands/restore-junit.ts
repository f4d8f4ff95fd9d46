// `bkp restore --plan NAME --junit FILE`: the restore drill as a JUnit XML report, so a CI job
// can rehearse recovery and show it like tests: one test suite per storage account (its
// predicted and measured seconds as properties), one test case per VM (restored, every disk
// verified while written, measured vs predicted); a VM that failed is a failure with its code.

export interface DrillVm {
  vm: string;
  point?: string;
  ok: boolean;
  seconds: number;
  disks: { disk: string; ok: boolean; imageBytes: number; from?: string; error?: { code: string; message: string } }[];
  error?: { code: string; message: string };
}

export interface DrillAccount {
  account: string;
  predictedSeconds: number;
  seconds: number;
  vms: DrillVm[];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
const t = (x: number) => x.toFixed(3);

function testCase(plan: string, a: DrillAccount, v: DrillVm): string {
  const failed = v.error ?? v.disks.find((d) => !d.ok)?.error;
  const out = [`    <testcase classname="${esc(`bkp.restore.${plan}.${a.account}`)}" name="${esc(`vm ${v.vm}`)}" time="${t(v.seconds)}">`];
  if (!v.ok) out.push(`      <failure type="${esc(failed?.code ?? "BKP5090")}" message="${esc(failed?.message ?? "the restore failed")}">${esc(v.disks.filter((d) => !d.ok).map((d) => `disk ${d.disk}: ${d.error?.code ?? ""} ${d.error?.message ?? ""}`).join("\n") || (failed?.message ?? ""))}</failure>`);
  const disks = v.disks.map((d) => `disk ${d.disk}: ${d.ok ? `restored and verified, ${d.imageBytes} bytes${d.from ? ` from the ${d.from}` : ""}` : "failed"}`).join("\n");
  out.push(`      <system-out>${esc(`point ${v.point ?? "-"}; VM restored in ${t(v.seconds)} s; account ${a.account}: measured ${t(a.seconds)} s, predicted ${t(a.predictedSeconds)} s\n${disks}`)}</system-out>`);
  out.push("    </testcase>");
  return out.join("\n");
}

/** The JUnit XML document of a restore drill. */
export function drillJunit(plan: string, accounts: DrillAccount[], seconds: number, timestamp: string): string {
  const all = accounts.flatMap((a) => a.vms);
  const failures = all.filter((v) => !v.ok).length;
  const suites = accounts.map((a) => {
    const f = a.vms.filter((v) => !v.ok).length;
    return [
      `  <testsuite name="${esc(`restore ${plan} into ${a.account}`)}" tests="${a.vms.length}" failures="${f}" errors="0" time="${t(a.seconds)}" timestamp="${esc(timestamp)}">`,
      "    <properties>",
      `      <property name="account" value="${esc(a.account)}"/>`,
      `      <property name="predictedSeconds" value="${t(a.predictedSeconds)}"/>`,
      `      <property name="measuredSeconds" value="${t(a.seconds)}"/>`,
      `      <property name="errorPercent" value="${a.seconds > 0 ? (((a.predictedSeconds - a.seconds) / a.seconds) * 100).toFixed(1) : "0"}"/>`,
      "    </properties>",
      ...a.vms.map((v) => testCase(plan, a, v)),
      "  </testsuite>",
    ].join("\n");
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${esc(`bkp restore --plan ${plan}`)}" tests="${all.length}" failures="${failures}" errors="0" time="${t(seconds)}">\n${suites.join("\n")}\n</testsuites>\n`;
}
