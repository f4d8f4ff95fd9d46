// The executable: dist/bkp.mjs is built from this file.
import { processIo } from "./io.js";
import { main } from "./main.js";

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bkp: ${(e as Error).message}\n`);
    process.exitCode = 2;
  },
);
