import v8 from "node:v8";
if (process.env.SEMI) v8.setFlagsFromString("--max-semi-space-size=" + process.env.SEMI);
process.argv = [process.argv[0], "bkp", ...process.argv.slice(2)];
await import("../dist/bkp.mjs");
