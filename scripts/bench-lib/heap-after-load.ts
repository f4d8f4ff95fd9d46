// Prints the heap (MB, after a full GC) that a loaded policy set keeps: run with --expose-gc.
import { loadPolicySet } from "../../src/model/load.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
gc();
const before = process.memoryUsage().heapUsed;
const set = loadPolicySet(process.argv.slice(2));
gc();
const after = process.memoryUsage().heapUsed;
console.log(((after - before) / 1e6).toFixed(1));
if (!set.model) process.exitCode = 1;
