// `bkp help TOPIC`: the documentation shipped with bkp (docs/, grammar/), as plain text on the
// terminal, so that nothing --help cites is out of reach; `bkp completion SHELL`: shell
// completion generated from the command table.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const TOPICS: Record<string, { file: string; what: string }> = {
  language: { file: "grammar/reference.md", what: "every block and attribute, units, defaults, diagnostics" },
  domain: { file: "docs/domain.md", what: "the Azure VM Backup rules bkp models" },
  analysis: { file: "docs/analysis-model.md", what: "how plan and cost predict: every formula and default" },
  json: { file: "docs/json.md", what: "--json / --format json: one document, errors included; schemas" },
  rules: { file: "docs/rules/README.md", what: "the lint rules (bkp lint --explain NAME for one)" },
  ci: { file: "docs/ci.md", what: "installing bkp and running it in CI" },
  ui: { file: "docs/ui.md", what: "the terminal planning session" },
  vault: { file: "docs/vault-format.md", what: "the engine's on-disk format; keys and keeping them safe" },
  azure: { file: "docs/azure-interop.md", what: "import from and export to Azure JSON and Terraform" },
};

/** The package root: dist/ (bundled) or cli/ (sources) is one level below it. */
function root(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 3 && !existsSync(join(dir, "package.json")); i++) dir = dirname(dir);
  return dir;
}

export function topicText(name: string): string | undefined {
  const t = TOPICS[name];
  if (!t) return undefined;
  return readFileSync(join(root(), t.file), "utf8");
}

export function topicList(): string {
  const w = Math.max(...Object.keys(TOPICS).map((n) => n.length));
  return Object.entries(TOPICS).map(([n, t]) => `  ${n.padEnd(w)}  ${t.what}`).join("\n");
}

const FLAGS = ["--help", "--quiet", "--from-azure", "--format", "--json", "--vm", "--from", "--days", "--months", "--check", "--diff", "--fix", "--color", "--now", "--to", "--vault"];

/** A completion script for the shell: commands, then flags and files. */
export function completion(shell: string, commands: string[]): string | undefined {
  const cmds = [...commands, "help", "completion"].join(" ");
  const flags = FLAGS.join(" ");
  if (shell === "bash") {
    return `# bkp completion for bash: eval "$(bkp completion bash)"
_bkp() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W "${cmds}" -- "$cur")); return; fi
  case "$cur" in -*) COMPREPLY=($(compgen -W "${flags}" -- "$cur"));; *) COMPREPLY=($(compgen -f -- "$cur"));; esac
}
complete -o filenames -F _bkp bkp
`;
  }
  if (shell === "zsh") {
    return `#compdef bkp
# bkp completion for zsh: eval "$(bkp completion zsh)"
_bkp() {
  if (( CURRENT == 2 )); then compadd ${cmds}; return; fi
  if [[ $PREFIX == -* ]]; then compadd -- ${flags}; else _files; fi
}
compdef _bkp bkp
`;
  }
  if (shell === "fish") {
    return `# bkp completion for fish: bkp completion fish | source
complete -c bkp -n __fish_use_subcommand -f -a "${cmds}"
${FLAGS.map((f) => `complete -c bkp -n 'not __fish_use_subcommand' -l ${f.slice(2)}`).join("\n")}
`;
  }
  return undefined;
}
