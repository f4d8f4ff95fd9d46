import { parentPort, workerData } from 'node:worker_threads';
import { hostname } from 'node:os';
const x: number = 41;
parentPort!.postMessage([x + 1, workerData.entry, hostname()]);
