import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { parseFile } from "../../src/lang/index.js";
import { format } from "../../src/lang/format.js";
import { decodeSource, readSource } from "../../src/lang/source.js";
import { needFiles, parse, UsageError } from "../args.js";
import { expand } from "../inputs.js";
import { unifiedDiff } from "../../src/ui/line-diff.js";
import type { Command } from "../command.js";
import { exitCodeFor, printDiagnostics } from "../report.js";

export const command: Command = {
  help: `Usage: bkp fmt [--check|--diff] FILE|DIR...
       bkp fmt [--check|--diff] -     (reads standard input, writes standard output)

Format policy files in the one canonical layout: one attribute per line, two-space indent,
one blank line between blocks, comments kept where they were. Formatting never changes
meaning, and formatting a formatted file changes nothing. Files with syntax errors are
reported and left untouched.

Options:
  --check     change nothing; list the files that are not formatted (exit 1 if any)
  --diff      change nothing; print what formatting would change, as a unified diff (exit 1 if any)
  -h, --help  show this help

A directory stands for every .bkp file under it.

Exit codes: 0 ok, 1 unformatted files (--check) or syntax errors, 2 usage or I/O error.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { check: { type: "boolean" }, diff: { type: "boolean" } });
    const files = needFiles(positionals, "fmt").flatMap((a) => (a === "-" ? [a] : expand(a)));
    if (files.length > 1 && files.includes("-")) throw new UsageError("bkp fmt formats either standard input ('-') or files, not both");
    const dryRun = values.check || values.diff;
    const showDiff = (file: string, before: string, after: string) => {
      if (values.diff) io.stdout(unifiedDiff(file, before, after).map((l) => l.text).join("\n") + "\n");
    };
    if (files.length === 1 && files[0] === "-") {
      const read = decodeSource("<stdin>", Buffer.from(await io.readStdin(), "utf8"));
      if (!read.ok) {
        printDiagnostics(io, [read.diagnostic], new Map(), 1, true);
        return 1;
      }
      const parsed = parseFile("<stdin>", read.source.text);
      const out = format(parsed);
      if (!out.ok) {
        printDiagnostics(io, parsed.diagnostics, new Map([["<stdin>", parsed]]), 1, true);
        return 1;
      }
      if (dryRun) {
        if (out.text === read.source.text) return 0;
        showDiff("<stdin>", read.source.text, out.text);
        return 1;
      }
      io.stdout(out.text);
      return 0;
    }
    let code = 0;
    const changed: string[] = [];
    for (const file of files) {
      const read = readSource(file);
      if (!read.ok) {
        printDiagnostics(io, [read.diagnostic], new Map(), 1, true);
        code = Math.max(code, exitCodeFor([read.diagnostic]));
        continue;
      }
      const parsed = parseFile(file, read.source.text);
      const out = format(parsed);
      if (!out.ok) {
        printDiagnostics(io, parsed.diagnostics.filter((d) => d.code.startsWith("BKP1")), new Map([[file, parsed]]), 1, true);
        code = Math.max(code, 1);
        continue;
      }
      // readSource drops a BOM; compare against the bytes on disk.
      const before = readFileSync(file, "utf8");
      if (out.text === before) continue;
      changed.push(file);
      showDiff(file, before, out.text);
      if (!dryRun) {
        const tmp = `${file}.bkp-fmt-${process.pid}`;
        writeFileSync(tmp, out.text);
        renameSync(tmp, file);
      }
    }
    if (values.diff) {
      if (changed.length) code = Math.max(code, 1);
    } else if (values.check) {
      for (const f of changed) io.stdout(`${f}: not formatted\n`);
      if (changed.length) {
        io.stdout(`${changed.length} of ${files.length} file${files.length === 1 ? "" : "s"} not formatted; run 'bkp fmt ${changed.join(" ")}'\n`);
        code = Math.max(code, 1);
      }
    } else {
      if (!io.quiet) for (const f of changed) io.stdout(`formatted ${f}\n`);
    }
    return code;
  },
};
