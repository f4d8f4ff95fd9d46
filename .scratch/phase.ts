import { readdirSync } from "node:fs";
import { loadPolicySet } from "../src/model/load.js";
const dir = process.argv[2];
const files = readdirSync(dir).map((f) => `${dir}/${f}`);
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const s = loadPolicySet(files);
  console.log("load", (performance.now() - t).toFixed(0), s.model?.vms.size);
}
