// Prediction vs reality: the local engine model's prediction of one backup job (what bkp backup
// and bkp run record in the job log before they run it), and how far a VM's recorded
// predictions were from what its jobs measured.
import type { Assumptions, Vm } from "../model/model.js";
import { jobAt } from "../plan/compile.js";
import type { JobPrediction } from "../plan/vault-facts.js";
import { learnEngine } from "./engine-model.js";
import { completed, median, type MeasuredJob, type Measurements } from "./measured.js";
import { timeEngineJob } from "./timing.js";

/** The local engine model's prediction for a backup of `vm` started at `ms`; undefined for a VM without images. */
export function predictBackup(vm: Vm, m: Measurements, ms: number, as: Assumptions): JobPrediction | undefined {
  const images = m.images?.get(vm.name);
  if (!images?.length) return undefined;
  const job = jobAt(vm, m.vault?.get(vm.name), ms);
  const t = timeEngineJob(job, learnEngine(vm, m.vms.get(vm.name) ?? [], images, as));
  return {
    model: "local-engine",
    seconds: t.durationSeconds,
    // Only disks with an image: the engine backs up nothing else.
    disks: t.disks.flatMap((d) => (d.engine && d.engine.detection !== "no-image" ? [{ name: d.task.disk.name, detection: d.engine.detection, bytesRead: Math.round(d.engine.bytesRead), bytesChanged: Math.round(d.engine.bytesChanged), seconds: d.engine.seconds }] : [])),
  };
}

/** (predicted − measured) / measured, in percent; undefined when the job recorded no prediction. */
export function errorPercent(j: Pick<MeasuredJob, "predicted" | "seconds">): number | undefined {
  if (!j.predicted || !(j.seconds > 0)) return undefined;
  return ((j.predicted.seconds - j.seconds) / j.seconds) * 100;
}

export interface PredictionErrors {
  /** Completed jobs with a recorded prediction, at most the last ERROR_JOBS. */
  jobs: number;
  /** Median and worst absolute error, in percent of the measured seconds. */
  medianPercent: number;
  worstPercent: number;
}

/** Jobs (newest first) the error summary covers. */
export const ERROR_JOBS = 10;

export function predictionErrors(jobs: MeasuredJob[]): PredictionErrors | undefined {
  const errs: number[] = [];
  for (let i = jobs.length - 1; i >= 0 && errs.length < ERROR_JOBS; i--) {
    const e = completed(jobs[i]) ? errorPercent(jobs[i]) : undefined;
    if (e !== undefined) errs.push(Math.abs(e));
  }
  return errs.length ? { jobs: errs.length, medianPercent: median(errs), worstPercent: Math.max(...errs) } : undefined;
}
