// The fleet runner: backs up several VMs at once, as the analysis recommends — never more disks
// of one storage account at once than the storage-account rule allows (DOMAIN §5), one writer
// per vault (the vault's lock), and at most `concurrency` VMs in flight.

export interface FleetJob {
  /** The vault the job writes: jobs of one vault run one after another. */
  vault: string;
  /** Disks per storage account this job reads (disks without an account are not limited). */
  accounts: ReadonlyMap<string, number>;
}

export interface FleetOptions {
  concurrency: number;
  maxDisksPerAccount: number;
  /** Called when a job starts (progress per VM). */
  onStart?: (index: number) => void;
}

/**
 * Runs `run` over the jobs, starting each as soon as the limits allow, in the given order among
 * those that fit. A job whose own disks exceed the account limit runs while nothing else uses
 * that account. Results keep the jobs' order; a job's rejection is its result's business (the
 * caller's `run` should not throw), so one failure never stops the others.
 */
export async function runFleet<J extends FleetJob, R>(jobs: readonly J[], opts: FleetOptions, run: (job: J, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(jobs.length);
  const waiting = jobs.map((_, i) => i);
  const busyVaults = new Set<string>();
  const busyDisks = new Map<string, number>();
  let running = 0;

  const fits = (j: FleetJob) =>
    !busyVaults.has(j.vault) &&
    [...j.accounts].every(([a, n]) => {
      const busy = busyDisks.get(a) ?? 0;
      return busy === 0 || busy + n <= opts.maxDisksPerAccount;
    });

  return new Promise<R[]>((resolve, reject) => {
    const pump = () => {
      if (!waiting.length && running === 0) return resolve(results);
      for (let k = 0; k < waiting.length && running < Math.max(1, opts.concurrency); ) {
        const i = waiting[k]!;
        const job = jobs[i]!;
        if (!fits(job)) {
          k++;
          continue;
        }
        waiting.splice(k, 1);
        running++;
        busyVaults.add(job.vault);
        for (const [a, n] of job.accounts) busyDisks.set(a, (busyDisks.get(a) ?? 0) + n);
        opts.onStart?.(i);
        run(job, i).then(
          (r) => {
            results[i] = r;
            running--;
            busyVaults.delete(job.vault);
            for (const [a, n] of job.accounts) busyDisks.set(a, (busyDisks.get(a) ?? 0) - n);
            pump();
          },
          reject,
        );
      }
    };
    pump();
  });
}
