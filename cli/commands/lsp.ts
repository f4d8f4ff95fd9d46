import { parse, UsageError } from "../args.js";
import type { Command } from "../command.js";

export const command: Command = {
  help: `Usage: bkp lsp --stdio

The language server for editors (Language Server Protocol 3.17 over standard input and
output). Editors start it; people rarely do. A workspace is every .bkp file under the folders
the editor opens, checked as one policy set, with bkp.json's lint settings.

It offers diagnostics as you type (checker and lint rules), hover (a VM's protected instance,
monthly cost, next backups, predicted duration and consistency; a policy's schedule and
retention; a storage account's disks and risks; what a keyword or unit means), completion,
go to definition, find references, rename, the outline, formatting, quick fixes and folding.

Options:
  --stdio     talk LSP over stdin/stdout (the only transport)
  -h, --help  show this help

Editor set-up: VS Code (the bkp extension), Neovim and other editors: see docs/editors.md.
`,
  async run(argv, io) {
    const { values } = parse(argv, { stdio: { type: "boolean" } });
    if (!values.stdio) throw new UsageError("needs --stdio: it talks to an editor over standard input and output; run it as 'bkp lsp --stdio' (editors do this for you)");
    const { startServer } = await import("../../src/lsp/server.js");
    await startServer({ input: process.stdin, output: process.stdout, env: io.env });
    return 0;
  },
};
