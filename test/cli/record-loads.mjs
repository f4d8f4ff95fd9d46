// Preloaded with `node --import`: records every file: module the process loads into the file
// named by BKP_LOAD_LOG, so a test can see what a command pulled in.
import { register } from "node:module";

const hook = `
import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  if (url.startsWith("file:") && process.env.BKP_LOAD_LOG) appendFileSync(process.env.BKP_LOAD_LOG, url + "\\n");
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
