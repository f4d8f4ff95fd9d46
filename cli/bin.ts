// The executable: dist/bkp.mjs is built from this file.
import { processIo } from "./io.js";
import { main } from "./main.js";

// `bkp … | head` closes the pipe early: stop quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bkp: ${(e as Error).message}\n`);
    process.exitCode = 2;
  },
);
