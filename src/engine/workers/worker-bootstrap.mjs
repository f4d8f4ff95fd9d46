// Runs the TypeScript worker entry when the engine itself runs from .ts sources (tests, tsx).
// Bundled builds load bkp-engine-worker.mjs directly instead.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
