// The `bkp` entry point: dispatch to a command module, loaded only when it is used (so
// `bkp check` never loads React/Ink or the engine).
import { UsageError } from "./args.js";
import type { Command } from "./command.js";
import type { Io } from "./io.js";
import { jsonSession, wantsJson } from "./json-mode.js";
import { version } from "../package.json";

interface Entry {
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: Record<string, Entry> = {
  init: { summary: "write a commented starter policy set into a directory (--from-azure FILE: its policies from Azure JSON)", load: () => import("./commands/init.js").then((m) => m.command) },
  check: { summary: "parse and check policy files; every problem, located", load: () => import("./commands/check.js").then((m) => m.command) },
  fmt: { summary: "format policy files in place (--check to only report)", load: () => import("./commands/fmt.js").then((m) => m.command) },
  plan: { summary: "the execution plan: jobs, predicted timings, consistency, risks", load: () => import("./commands/plan.js").then((m) => m.command) },
  cost: { summary: "the bill per VM and vault, month by month (cost diff OLD NEW for PRs)", load: () => import("./commands/cost.js").then((m) => m.command) },
  ui: { summary: "interactive planning session in the terminal: what-if edits, costs, timeline, risks", load: () => import("./commands/ui.js").then((m) => m.command) },
  lint: { summary: "best-practice and risk rules for CI (text, JSON, SARIF, GitHub)", load: () => import("./commands/lint.js").then((m) => m.command) },
  import: { summary: "turn Azure VM backup policy JSON into .bkp (bkp import azure FILE.json)", load: () => import("./commands/import.js").then((m) => m.command) },
  export: { summary: "write policies as Azure REST JSON or Terraform (bkp export azure|terraform FILE.bkp)", load: () => import("./commands/export.js").then((m) => m.command) },
  backup: { summary: "back up the VMs' disk images into their vaults (--now: all, not only those due)", load: () => import("./commands/backup.js").then((m) => m.command) },
  run: { summary: "stay in the foreground and run the VMs' backups at their scheduled times (catches up missed runs once)", load: () => import("./commands/run.js").then((m) => m.command) },
  points: { summary: "list recovery points (id, VM, time, consistency, sizes)", load: () => import("./commands/points.js").then((m) => m.command) },
  jobs: { summary: "list the backup jobs run: status, bytes read, changed and stored, seconds (the vault's job log)", load: () => import("./commands/jobs.js").then((m) => m.command) },
  restore: { summary: "restore a VM's disk images from a recovery point, verified as written", load: () => import("./commands/restore.js").then((m) => m.command) },
  prune: { summary: "expire recovery points by the policies' retention and delete unreferenced data", load: () => import("./commands/prune.js").then((m) => m.command) },
  lsp: { summary: "the language server for editors (bkp lsp --stdio): diagnostics, hover with cost and timing, completion", load: () => import("./commands/lsp.js").then((m) => m.command) },
  verify: { summary: "check vault integrity (--read-data: decrypt and check every chunk)", load: () => import("./commands/verify.js").then((m) => m.command) },
  repair: { summary: "repair a damaged vault: config and key from their copies, indexes from packs; report what stays unrestorable", load: () => import("./commands/repair.js").then((m) => m.command) },
  key: { summary: "where a vault's key is and what opens it; export, import, rotate (bkp key show|export|import|rotate)", load: () => import("./commands/key.js").then((m) => m.command) },
};

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return `bkp ${version} — backup policy as code for Azure VM Backup

Usage: bkp <command> [options] FILE...

Commands:
${Object.entries(COMMANDS)
  .map(([n, e]) => `  ${n.padEnd(width)}  ${e.summary}`)
  .join("\n")}

Options:
  -h, --help                  show help (also: bkp <command> --help)
  -V, --version               print the version
  -q, --quiet                 no progress bars or informational lines; results, warnings
                              and errors stay, exit codes do not change
  --color auto|always|never   colour (default auto: on a terminal, unless NO_COLOR is set;
                              FORCE_COLOR=1 forces it like --color always)

  bkp help TOPIC              the documentation: language, domain, analysis, json, rules, ci,
                              ui, vault, azure
  bkp completion bash|zsh|fish   shell completion (bash: eval "$(bkp completion bash)")

Exit codes: 0 ok, 1 problems found, 2 usage or I/O error.
`;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const colored = withGlobals(argv, io);
  if (typeof colored === "string") {
    io.stderr(`bkp: ${colored}\n`);
    return 2;
  }
  [argv, io] = colored;
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    if (name === "help" && rest[0] && COMMANDS[rest[0]]) {
      io.stdout(withGlobalHelp((await COMMANDS[rest[0]].load()).help));
      return 0;
    }
    if (name === "help" && rest[0]) {
      const { topicText, topicList } = await import("./help-topics.js");
      const text = topicText(rest[0]);
      if (text === undefined) {
        io.stderr(`bkp help: no command or topic '${rest[0]}'. Topics:\n${topicList()}\n`);
        return 2;
      }
      io.stdout(text);
      return 0;
    }
    io.stdout(topHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === "completion") {
    const { completion } = await import("./help-topics.js");
    const script = completion(rest[0] ?? "", Object.keys(COMMANDS));
    if (!script) {
      io.stderr("bkp completion: name the shell: bkp completion bash|zsh|fish\n");
      return 2;
    }
    io.stdout(script);
    return 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.stdout(`bkp ${version}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    const { closest } = await import("../src/lang/suggest.js");
    const guess = closest(name, Object.keys(COMMANDS));
    io.stderr(`bkp: unknown command '${name}'${guess ? `; did you mean 'bkp ${guess}'?` : ""}\nRun 'bkp --help' for the list of commands.\n`);
    return 2;
  }
  const cmd = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(withGlobalHelp(cmd.help));
    return 0;
  }
  if (!wantsJson(rest)) return runCommand(name, cmd, rest, io);
  const session = jsonSession(name, io);
  return session.finish(await runCommand(name, cmd, rest, session.io));
}

/** A command's help and the options every command takes. */
function withGlobalHelp(help: string): string {
  return `${help}
Global options (every command; bkp --help):
  -q, --quiet                 no progress bars or informational lines (results, warnings and
                              errors stay; exit codes unchanged)
  --color auto|always|never   colour (default auto; NO_COLOR and FORCE_COLOR are honoured)
`;
}

/**
 * Takes the global flags out of the arguments: --color (`auto` leaves the decision to styleFor)
 * and --quiet / -q.
 */
function withGlobals(argv: string[], io: Io): [string[], Io] | string {
  const out: string[] = [];
  let color: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quiet" || a === "-q") io = { ...io, quiet: true };
    else if (a === "--color") color = argv[++i] ?? "";
    else if (a.startsWith("--color=")) color = a.slice("--color=".length);
    else out.push(a);
  }
  if (color === undefined || color === "auto") return [out, io];
  if (color !== "always" && color !== "never") return `--color must be one of auto, always, never, not '${color}'`;
  const env = { ...io.env, NO_COLOR: color === "never" ? "1" : undefined, FORCE_COLOR: color === "always" ? "1" : undefined };
  return [out, { ...io, env }];
}

async function runCommand(name: string, cmd: Command, rest: string[], io: Io): Promise<number> {
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.report?.({ code: "BKP0090", severity: "error", message: e.message });
      io.stderr(`bkp ${name}: ${e.message}\nRun 'bkp ${name} --help' for usage.\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === "string" && err.syscall) {
      io.report?.({ code: "BKP0007", severity: "error", message: err.message });
      io.stderr(`bkp ${name}: ${err.message}\n`);
      return 2;
    }
    io.report?.({ code: "BKP0099", severity: "error", message: `internal error: ${err?.message ?? String(e)}` });
    io.stderr(`bkp ${name}: internal error: ${err?.message ?? String(e)}\nThis is a bug in bkp; please report it with the command you ran.${io.env.BKP_DEBUG ? `\n${err?.stack ?? ""}` : " (BKP_DEBUG=1 shows the stack)"}\n`);
    return 2;
  }
}
