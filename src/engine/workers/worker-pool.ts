// A small pool of engine worker threads. Finding the worker module: from .ts sources (vitest,
// tsx) a bootstrap registers tsx; in the esbuild bundle the worker is the sibling file
// bkp-engine-worker.mjs (an extra entry point of the build). BKP_ENGINE_WORKER overrides.
import type { Worker } from "node:worker_threads";
import fs from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { EngineError, ErrorCodes, deserializeError } from "../errors.js";
import { workerThreads } from "../lazy-builtin.js";
import type { FromWorker, Task, ToWorker, WorkerInit } from "./protocol.js";

export const WORKER_BUNDLE_NAME = "bkp-engine-worker.mjs";

function workerLocation(): { url: URL; entry?: string } {
  const override = process.env.BKP_ENGINE_WORKER;
  if (override) return { url: pathToFileURL(override) };
  const here = import.meta.url;
  if (/\.[cm]?ts$/.test(here)) return { url: new URL("./worker-bootstrap.mjs", here), entry: new URL("./worker.ts", here).href };
  // Bundled: this code may sit in dist/ or in a split chunk under dist/chunks/.
  const candidates = [new URL(`./${WORKER_BUNDLE_NAME}`, here), new URL(`../${WORKER_BUNDLE_NAME}`, here)];
  return { url: candidates.find((u) => fs.existsSync(fileURLToPath(u))) ?? candidates[0] };
}

export interface PoolHandlers {
  request(op: "claim" | "reuse" | "intact" | "locate", ids: string[]): unknown;
  progress(key: string, bytes: number): void;
  pack?(m: Extract<FromWorker, { type: "pack" }>): void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  onDone?: (m: FromWorker) => void;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private failure: Error | undefined;
  private closed = false;

  constructor(size: number, init: WorkerInit, private readonly handlers: PoolHandlers) {
    const loc = workerLocation();
    for (let i = 0; i < size; i++) {
      const worker = new (workerThreads().Worker)(loc.url, { workerData: { init, entry: loc.entry } });
      let readyResolve!: () => void;
      let readyReject!: (e: Error) => void;
      const slot: Slot = { worker, ready: new Promise<void>((res, rej) => ((readyResolve = res), (readyReject = rej))) };
      slot.ready.catch(() => undefined);
      worker.on("message", (m: FromWorker) => {
        switch (m.type) {
          case "ready":
            readyResolve();
            break;
          case "request": {
            let result: unknown;
            try {
              result = this.handlers.request(m.op, m.ids);
            } catch (e) {
              this.fail(e instanceof Error ? e : new Error(String(e)));
              return;
            }
            worker.postMessage({ type: "reply", reqId: m.reqId, result } satisfies ToWorker);
            break;
          }
          case "progress":
            this.handlers.progress(m.key, m.bytes);
            break;
          case "pack":
            this.handlers.pack?.(m);
            break;
          default:
            slot.onDone?.(m);
        }
      });
      worker.on("error", (e) => {
        readyReject(e);
        this.fail(new EngineError(ErrorCodes.INTERNAL, `engine worker failed: ${e.message}`, { cause: e }));
      });
      worker.on("exit", (code) => {
        if (!this.closed) this.fail(new EngineError(ErrorCodes.INTERNAL, `engine worker exited unexpectedly (code ${code})`));
      });
      this.slots.push(slot);
    }
  }

  /** Resolves once every worker has started (loaded its code, opened the vault). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready));
  }

  private fail(e: Error): void {
    if (!this.failure) this.failure = e;
    for (const s of this.slots) s.onDone?.({ type: "error", error: { message: e.message } });
  }

  private send(slot: Slot, msg: ToWorker, vaultPath: string): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      slot.onDone = (m) => {
        slot.onDone = undefined;
        if (m.type === "error") reject(this.failure && m.error.message === this.failure.message ? this.failure : deserializeError(m.error, vaultPath));
        else resolve(m);
      };
      slot.worker.postMessage(msg);
    });
  }

  /**
   * Runs tasks on the pool, in order of the array as workers free up. Stops at the first
   * failure (unless `keepGoing`, which records per-task errors instead).
   */
  async runAll<R>(tasks: Task[], vaultPath: string, keepGoing = false): Promise<({ ok: true; result: R } | { ok: false; error: Error })[]> {
    const results: ({ ok: true; result: R } | { ok: false; error: Error })[] = new Array(tasks.length);
    let next = 0;
    let stop: Error | undefined;
    await Promise.all(
      this.slots.map(async (slot) => {
        await slot.ready;
        while (next < tasks.length && !stop) {
          const i = next++;
          try {
            const m = await this.send(slot, { type: "task", task: tasks[i] }, vaultPath);
            results[i] = { ok: true, result: (m as { result: R }).result };
          } catch (e) {
            const err = e instanceof Error ? e : new Error(String(e));
            results[i] = { ok: false, error: err };
            if (!keepGoing || this.failure) {
              stop ??= err;
            }
          }
        }
      }),
    );
    if (stop) throw stop;
    return results;
  }

  /** Asks every worker to commit what it has written (open packs). */
  async finish(vaultPath: string): Promise<void> {
    await Promise.all(this.slots.map(async (s) => this.send(s, { type: "finish" }, vaultPath)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
