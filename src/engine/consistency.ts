// Taking a consistent snapshot (DOMAIN §2): run the Linux pre-script, take the snapshot, run
// the post-script — with the framework's timeout (per script, covering its retries), retries
// and continue-on-failure — and record the level the point really got, and why.
//
// Everything that does not depend on running scripts (agentless, stopped VM, provisioning
// state, Windows VSS, a Linux VM without scripts) is decided by the same prediction the plan
// shows (src/plan/consistency.ts), so `bkp plan` and `bkp points` agree.
import type { ConsistencyLevel, Script, Vm } from "../model/model.js";
import { currentUid, scriptProblem } from "../model/script-permissions.js";
import { predictConsistency } from "../plan/consistency.js";
import { childProcess } from "./lazy-builtin.js";
import type { ScriptRunRecord } from "./types.js";

export interface ConsistencyOutcome {
  level: ConsistencyLevel;
  reason: string;
  scripts: ScriptRunRecord[];
}

export class ConsistencyFailure extends Error {
  constructor(
    message: string,
    readonly scripts: ScriptRunRecord[],
  ) {
    super(message);
  }
}

export interface ScriptOptions {
  /** Test hook: the clock in milliseconds. */
  now?: () => number;
  uid?: number;
}

/** Runs one script once, killed (with its process group) when `budgetMs` runs out. */
function runOnce(script: Script, budgetMs: number): Promise<{ ok: boolean; failure?: string }> {
  return new Promise((resolve) => {
    const child = childProcess().spawn(script.path, script.args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString("utf8");
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, Math.max(1, budgetMs));
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, failure: `could not start: ${e.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const tail = stderr.trim() ? `: ${stderr.trim().split("\n").slice(-1)[0]}` : "";
      if (timedOut) resolve({ ok: false, failure: "timed out" });
      else if (code === 0) resolve({ ok: true });
      else resolve({ ok: false, failure: signal ? `killed by ${signal}` : `exit code ${code}${tail}` });
    });
  });
}

/** DOMAIN §2: `timeout` is per script and covers its retries; retries 0 = one try. */
async function runScript(which: "pre" | "post", script: Script, timeoutSeconds: number, retries: number, opts: ScriptOptions): Promise<ScriptRunRecord> {
  const now = opts.now ?? (() => Date.now());
  const problem = scriptProblem(script.path, opts.uid ?? currentUid());
  if (problem) return { which, path: script.path, attempts: 0, ok: false, failure: `not run: it ${problem}`, seconds: 0 };
  const start = now();
  const deadline = start + timeoutSeconds * 1000;
  let attempts = 0;
  let failure: string | undefined;
  while (attempts <= retries) {
    const left = deadline - now();
    if (left <= 0) {
      failure = `timed out after ${timeoutSeconds} s`;
      break;
    }
    attempts++;
    const r = await runOnce(script, left);
    if (r.ok) return { which, path: script.path, attempts, ok: true, seconds: (now() - start) / 1000 };
    failure = r.failure === "timed out" ? `timed out after ${timeoutSeconds} s` : r.failure;
    if (r.failure === "timed out") break;
  }
  return { which, path: script.path, attempts, ok: false, failure, seconds: (now() - start) / 1000 };
}

/**
 * Takes `snapshot` with the consistency the VM can get. Throws ConsistencyFailure when a script
 * fails with continue-on-failure false on a VM with more than one disk (the backup fails, as in
 * Azure); a single-disk VM then falls back to crash consistent.
 */
export async function snapshotConsistently<T>(vm: Vm, snapshot: () => Promise<T>, opts: ScriptOptions = {}): Promise<{ outcome: ConsistencyOutcome; result: T }> {
  const predicted = predictConsistency(vm);
  const s = vm.scripts;
  if (predicted.retried) {
    throw new ConsistencyFailure(`vm "${vm.name}" is in provisioning state ${vm.provisioning}; the service retries the backup later (docs/domain.md#consistency)`, []);
  }
  // Scripts matter only for a running Linux VM that asks for application consistency.
  if (vm.os !== "linux" || !s || predicted.level !== "application") {
    return { outcome: { level: predicted.level, reason: predicted.reason, scripts: [] }, result: await snapshot() };
  }

  const runs: ScriptRunRecord[] = [];
  const backedUp = vm.disks.filter((d) => d.role !== "temp" && !d.excluded).length;
  const failed = (run: ScriptRunRecord): ConsistencyOutcome | undefined => {
    if (run.ok) return undefined;
    const what = `the ${run.which}-script ${run.failure}`;
    if (s.continueOnFailure) return { level: "file-system", reason: `${what}; continue-on-failure true: file-system consistent`, scripts: runs };
    if (backedUp <= 1) return { level: "crash", reason: `${what}; continue-on-failure false on a single-disk VM: crash consistent`, scripts: runs };
    throw new ConsistencyFailure(`vm "${vm.name}": ${what}, and continue-on-failure is false: the backup fails (it is retried at the next run)`, runs);
  };

  let downgrade: ConsistencyOutcome | undefined;
  if (s.pre) {
    const pre = await runScript("pre", s.pre, s.timeoutSeconds, s.retries, opts);
    runs.push(pre);
    downgrade = failed(pre);
  }
  const result = await snapshot();
  // The post-script runs even after a failed pre-script: it undoes what the pre-script began.
  if (s.post) {
    const post = await runScript("post", s.post, s.timeoutSeconds, s.retries, opts);
    runs.push(post);
    downgrade ??= failed(post);
  }
  if (downgrade) return { outcome: { ...downgrade, scripts: runs }, result };
  const freeze = s.fsfreeze ? "; file systems frozen around the snapshot" : "; fsfreeze off";
  return { outcome: { level: "application", reason: `pre/post scripts succeeded${freeze}`, scripts: runs }, result };
}
